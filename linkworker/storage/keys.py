"""The caseload's encryption key: where it lives and how it is unlocked.

Each caseload has a random 256-bit key that SQLCipher uses as a *raw* key (``x'..'``), so no
slow key derivation runs on every connection. The key never touches disk in plain text:

* It is always wrapped (AES-256-GCM) by a key derived from the user's passphrase with
  Argon2id, in a small JSON *key file* beside the database (``caseload.db.key``). That file
  alone is useless without the passphrase, and it is what makes a restored backup openable
  on a new laptop.
* Where the OS offers a keyring (Windows Credential Manager, macOS Keychain, Secret Service),
  the key is also stored there so the user is not asked for the passphrase at every start.

Scripts and CI supply the passphrase through ``LINKWORKER_PASSPHRASE``.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from linkworker.storage.files import atomic_write_bytes

KEYRING_SERVICE = "LinkWorker"
PASSPHRASE_ENV = "LINKWORKER_PASSPHRASE"
KEY_FILE_VERSION = 1
MIN_PASSPHRASE_LENGTH = 10
# zxcvbn's score (0-4) a passphrase must reach: 3 is "safely unguessable: moderate protection
# from an offline slow-hash attack", which is what a stolen key file faces.
MIN_PASSPHRASE_SCORE = 3
# Words an attacker tries first against a LinkWorker key file.
PRODUCT_WORDS = ["caseload", "prescribing", "socialprescribing"]
# What a key file may ask Argon2 for. A file is data, not code: a damaged or hostile one must
# not make unlocking allocate terabytes or spin for hours.
KDF_LIMITS = {"time_cost": (1, 20), "memory_kib": (8, 4 * 1024 * 1024), "parallelism": (1, 16)}


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost; recorded in each key file so it can be raised later without breaking."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 1


# Tests lower this (conftest) to keep the suite fast; real key files record what they used.
DEFAULT_KDF = KdfParams()


class KeyError_(Exception):
    """Base for every key problem; the message is meant for the user, not a developer."""


class PassphraseRequired(KeyError_):
    pass


class WrongPassphrase(KeyError_):
    pass


class KeyFileMissing(KeyError_):
    pass


class WeakPassphrase(KeyError_):
    pass


def key_file_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".key")


def _keyring() -> Any:
    """The ``keyring`` package, imported when first needed: finding its backends costs more
    than Argon2id's start needs to wait for (``begin_unlock``)."""
    import keyring
    import keyring.backends.fail
    import keyring.errors

    return keyring


def keyring_available() -> bool:
    """True when a real OS keyring backend is installed (not the 'fail' placeholder)."""
    keyring = _keyring()
    backend = keyring.get_keyring()
    if isinstance(backend, keyring.backends.fail.Keyring):
        return False
    try:
        return backend.priority > 0
    except Exception:  # a broken backend is as good as none
        return False


# Argon2id begun before the app's modules load (``begin_unlock``), by what it was given:
# (passphrase, salt, cost) -> the thread deriving it. ``_derive`` takes each result once.
_begun: dict[tuple[str, bytes, KdfParams], _Derivation] = {}
_begun_lock = threading.Lock()


class _Derivation(threading.Thread):
    """One Argon2id derivation on its own thread (argon2-cffi runs it without the GIL)."""

    def __init__(self, passphrase: str, salt: bytes, params: KdfParams) -> None:
        super().__init__(name="linkworker-unlock", daemon=True)
        self._inputs = (passphrase, salt, params)
        self.kek: bytes | None = None

    def run(self) -> None:
        try:
            self.kek = _argon2id(*self._inputs)
        except Exception:  # unlocking derives it again, and says what failed
            self.kek = None
        finally:
            self._inputs = None


def begin_unlock(db_path: Path) -> None:
    """Start Argon2id for ``db_path``'s key file with ``LINKWORKER_PASSPHRASE`` on a thread now.

    Argon2id runs in C without the GIL, so begun before the app imports its modules (a second or
    more of Python on a laptop) it is done, or nearly, by the time the caseload opens: a start
    costs the longer of the two instead of both (issue 15). Nothing is weakened: it is the same
    derivation at the key file's own cost, and ``unwrap_key`` uses its result only for the same
    passphrase, salt and cost, once. Without the variable, or with no usable key file, it does
    nothing (unlocking then reports any problem as it always did)."""
    passphrase = passphrase_from_env()
    if passphrase is None:
        return
    try:
        record = KeyFile.load(key_file_path(db_path)).wrapping
        inputs = (passphrase, _unb64(record["salt"]), _params(record))
    except (KeyError_, KeyError, TypeError, ValueError):
        return
    with _begun_lock:
        if inputs in _begun:
            return
        derivation = _begun[inputs] = _Derivation(*inputs)
    derivation.start()


def _derive(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    """The key-encryption key: from ``begin_unlock``'s thread if it began this one, else now."""
    with _begun_lock:
        begun = _begun.pop((passphrase, salt, params), None)
    if begun is not None:
        begun.join()
        if begun.kek is not None:
            return begun.kek
    return _argon2id(passphrase, salt, params)


def _argon2id(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(
        passphrase.encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def wrap_key(key: bytes, passphrase: str, params: KdfParams | None = None) -> dict[str, Any]:
    """The key-file record for ``key`` wrapped by ``passphrase``."""
    params = params or DEFAULT_KDF
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    kek = _derive(passphrase, salt, params)
    wrapped = AESGCM(kek).encrypt(nonce, key, b"linkworker-key-v1")
    return {
        "kdf": "argon2id",
        "time_cost": params.time_cost,
        "memory_kib": params.memory_kib,
        "parallelism": params.parallelism,
        "salt": _b64(salt),
        "nonce": _b64(nonce),
        "wrapped_key": _b64(wrapped),
    }


def _params(record: dict[str, Any]) -> KdfParams:
    """The key file's Argon2 cost, refused (clearly) if it is outside sane limits."""
    values = []
    for name, (low, high) in KDF_LIMITS.items():
        value = record.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise KeyError_(f"The key file asks for an impossible unlocking cost ({name} = "
                            f"{str(value)[:20]}; allowed {low} to {high}): it is damaged or not "
                            "a LinkWorker key file. Use the key file saved with a backup.")
        values.append(value)
    return KdfParams(*values)


def unwrap_key(record: dict[str, Any], passphrase: str) -> bytes:
    params = _params(record)
    try:
        salt, nonce, wrapped = (_unb64(record["salt"]), _unb64(record["nonce"]),
                                _unb64(record["wrapped_key"]))
    except (KeyError, TypeError, ValueError):
        raise KeyError_("The key file is damaged (its wrapped key cannot be read).") from None
    kek = _derive(passphrase, salt, params)
    try:
        return AESGCM(kek).decrypt(nonce, wrapped, b"linkworker-key-v1")
    except InvalidTag:
        raise WrongPassphrase("That passphrase does not unlock this caseload.") from None


@dataclass
class KeyFile:
    """The JSON file beside a caseload that holds its wrapped key and its keyring id, and the
    audit trail's newest head (``audit_head``, see ``linkworker.audit.anchor_head``)."""

    caseload_id: str
    wrapping: dict[str, Any]
    in_keyring: bool
    audit_head: dict[str, Any] | None = None

    def to_json(self) -> bytes:
        doc = {
            "format": "linkworker-key",
            "version": KEY_FILE_VERSION,
            "caseload_id": self.caseload_id,
            "in_keyring": self.in_keyring,
            "passphrase": self.wrapping,
        }
        if self.audit_head:
            doc["audit_head"] = self.audit_head
        return json.dumps(doc, indent=2).encode("utf-8")

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        try:
            doc = json.loads(path.read_text("utf-8"))
            if not isinstance(doc, dict) or doc.get("format") != "linkworker-key" \
                    or not isinstance(doc.get("passphrase"), dict):
                raise ValueError("not a key file")
            return cls(doc["caseload_id"], doc["passphrase"], bool(doc.get("in_keyring")),
                       doc.get("audit_head"))
        except FileNotFoundError:
            raise KeyFileMissing(
                f"The key file {path.name} is missing beside the caseload, so it cannot be "
                "unlocked. Restore it from your backup (it is saved with every backup)."
            ) from None
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            raise KeyError_(f"The key file {path} is damaged ({type(exc).__name__}).") from None

    def save(self, path: Path) -> None:
        atomic_write_bytes(path, self.to_json())


def read_anchor(db_path: Path) -> dict[str, Any] | None:
    """The audit head anchored in the key file beside ``db_path`` (None if none yet)."""
    try:
        return KeyFile.load(key_file_path(db_path)).audit_head
    except KeyError_:
        return None


def write_anchor(db_path: Path, head: dict[str, Any]) -> None:
    """Rewrite the key file with a new audit head; the wrapped key is carried over as it is."""
    path = key_file_path(db_path)
    key_file = KeyFile.load(path)
    key_file.audit_head = dict(head)
    key_file.save(path)


def _keyring_get(caseload_id: str) -> bytes | None:
    if not keyring_available():
        return None
    keyring = _keyring()
    try:
        stored = keyring.get_password(KEYRING_SERVICE, caseload_id)
    except keyring.errors.KeyringError:
        return None
    return bytes.fromhex(stored) if stored else None


def _keyring_put(caseload_id: str, key: bytes) -> bool:
    if not keyring_available():
        return False
    keyring = _keyring()
    try:
        keyring.set_password(KEYRING_SERVICE, caseload_id, key.hex())
    except keyring.errors.KeyringError:
        return False
    return True


def check_passphrase_strength(passphrase: str) -> None:
    """Refuse a passphrase a stolen key file would give up quickly: too short, or judged
    guessable by zxcvbn (common passwords, keyboard runs, dates, repeats, names)."""
    from zxcvbn import zxcvbn

    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise WeakPassphrase(
            f"Choose a passphrase of at least {MIN_PASSPHRASE_LENGTH} characters: three or "
            "four unrelated words make a strong one that is easy to remember."
        )
    judged = zxcvbn(passphrase[:100], user_inputs=PRODUCT_WORDS)  # slow on very long input
    if judged["score"] < MIN_PASSPHRASE_SCORE:
        hint = judged["feedback"].get("warning") or "It would be guessed quickly."
        raise WeakPassphrase(f"That passphrase is too easy to guess: {hint.rstrip('.')}. "
                             "Try three or four unrelated words.")


def create_key(db_path: Path, passphrase: str) -> bytes:
    """Make a new random key for a new caseload and save its key file (and keyring entry)."""
    check_passphrase_strength(passphrase)
    key = secrets.token_bytes(32)
    caseload_id = str(uuid.uuid4())
    in_keyring = _keyring_put(caseload_id, key)
    KeyFile(caseload_id, wrap_key(key, passphrase), in_keyring).save(key_file_path(db_path))
    return key


def engine_key(engine: Any) -> bytes | None:
    """The raw key an open caseload's engine was given (never written anywhere)."""
    password = str(getattr(engine, "engine", engine).url.password or "")
    return bytes.fromhex(password[2:-1]) if password.startswith("x'") else None


def passphrase_from_env() -> str | None:
    value = os.environ.get(PASSPHRASE_ENV)
    return value if value else None


def unlock_key(db_path: Path, passphrase: str | None = None) -> bytes:
    """The key for an existing caseload: from the keyring, else unwrapped by the passphrase."""
    key_file = KeyFile.load(key_file_path(db_path))
    passphrase = passphrase or passphrase_from_env()
    if passphrase is None:
        key = _keyring_get(key_file.caseload_id) if key_file.in_keyring else None
        if key is not None:
            return key
        raise PassphraseRequired("This caseload is locked: enter its passphrase.")
    # Finding the OS keyring (its backends' entry points) is Python work: done on a thread
    # while Argon2id, in C without the GIL, derives the key (issue 15: a few hundred ms).
    finding = threading.Thread(target=keyring_available, name="linkworker-keyring", daemon=True)
    finding.start()
    key = unwrap_key(key_file.wrapping, passphrase)
    finding.join()
    # Re-seat the keyring entry (new laptop, restored backup) so the next start is quiet.
    if _keyring_put(key_file.caseload_id, key) and not key_file.in_keyring:
        key_file.in_keyring = True
        key_file.save(key_file_path(db_path))
    return key


def change_passphrase(db_path: Path, old: str, new: str) -> None:
    """Re-wrap the same key under a new passphrase; the database itself is untouched."""
    check_passphrase_strength(new)
    path = key_file_path(db_path)
    key_file = KeyFile.load(path)
    key = unwrap_key(key_file.wrapping, old)
    key_file.wrapping = wrap_key(key, new)
    key_file.save(path)
