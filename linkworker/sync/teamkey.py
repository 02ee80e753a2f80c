"""The charity's team key: what encrypts and signs every sync pack between its replicas.

A random 256-bit key made once (at ``hub init``, or ``linkworker team-key create``) and held
inside each replica's encrypted caseload (so at rest it is protected by the caseload key, like
everything else there). To give a new laptop the key, ``linkworker team-key export FILE``
writes it wrapped by a passphrase (Argon2id + AES-256-GCM, the caseload key file's own
wrapping); ``linkworker team-key import FILE`` on the laptop unwraps it. A pack made with
another key is refused as foreign, so one charity's packs never land in another's caseload.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Connection

from linkworker.errors import UserError
from linkworker.storage import keys
from linkworker.storage.files import atomic_write_text
from linkworker.sync import state

FORMAT = "linkworker-team-key"


@dataclass(frozen=True)
class TeamKey:
    secret: bytes

    @property
    def key_id(self) -> str:
        """A public fingerprint: names the key in pack headers without revealing it."""
        return hashlib.sha256(b"linkworker-team-key-id" + self.secret).hexdigest()[:16]


def current(conn: Connection) -> TeamKey | None:
    stored = state.get(conn, "team_key")
    return TeamKey(bytes.fromhex(stored)) if stored else None


def require(conn: Connection) -> TeamKey:
    key = current(conn)
    if key is None:
        raise UserError(
            "This caseload has no team key yet, so it cannot make or read sync packs. On the "
            "hub run 'linkworker team-key export FILE', then on this laptop "
            "'linkworker team-key import FILE'."
        )
    return key


def create(conn: Connection) -> TeamKey:
    if current(conn) is not None:
        raise UserError("This caseload already has a team key; export it instead of making one.")
    key = TeamKey(secrets.token_bytes(32))
    state.put(conn, "team_key", key.secret.hex())
    return key


def install(conn: Connection, key: TeamKey, *, replace: bool = False) -> None:
    existing = current(conn)
    if existing is not None and existing != key and not replace:
        raise UserError(
            f"This caseload already has a different team key ({existing.key_id}); "
            "importing would cut it off from its team. Use --replace only if you are sure."
        )
    state.put(conn, "team_key", key.secret.hex())


def export_to(path: Path, key: TeamKey, passphrase: str) -> None:
    keys.check_passphrase_strength(passphrase)
    document = {"format": FORMAT, "version": 1, "key_id": key.key_id,
                "wrapping": keys.wrap_key(key.secret, passphrase)}
    atomic_write_text(path, json.dumps(document, indent=2))


def import_from(path: Path, passphrase: str) -> TeamKey:
    try:
        document = json.loads(Path(path).read_text("utf-8"))
        if document.get("format") != FORMAT:
            raise ValueError("not a team key file")
        wrapping = document["wrapping"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{path} is not a LinkWorker team key file ({exc}).") from None
    try:
        return TeamKey(keys.unwrap_key(wrapping, passphrase))
    except keys.WrongPassphrase:
        raise UserError("That passphrase does not unlock this team key file.") from None
