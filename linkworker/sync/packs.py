"""Sync packs: a replica's changes in one file that can travel on a USB stick.

Layout: ``LINKWORKER-PACK/1`` line, a 4-byte header length, the header (JSON, readable so a
refusal can say *why*: another team's key, a newer or older LinkWorker), a 12-byte nonce, the
changes (zlib-compressed JSON) encrypted with AES-256-GCM, and an HMAC-SHA256 signature over
everything before it. The encryption and signing keys are derived from the team key (HKDF);
the header is also the cipher's associated data, so no byte of the file can change unnoticed.

Export takes what the hub may not have yet (``marks``): this replica's own changes and those
it relays from other laptops' packs (so packs can hop laptop to laptop), not already sent
online or in a pack, and never what came from the hub; it is written atomically and the mark
moves only after the file is safely in place (a crash means the next pack carries them again, which
is harmless). Import is one transaction through ``merge.receive``: all or nothing, and applying
a pack twice or out of order changes nothing more.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import struct
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.engine import Connection

from linkworker.errors import UserError
from linkworker.models import utcnow
from linkworker.storage import migrate
from linkworker.storage.files import atomic_write_bytes
from linkworker.sync import adopted, baseline, dataless, marks, merge, state, teamkey
from linkworker.sync.changelog import CHANGES
from linkworker.sync.merge import CHANGE_FIELDS

MAGIC = b"LINKWORKER-PACK/1\n"
SIGNATURE_BYTES = 32


class PackRefused(UserError):
    """A pack that must not be applied; the message says why and what to do."""


@dataclass(frozen=True)
class PackInfo:
    path: Path
    changes: int
    header: dict[str, Any]


def _derive(key: teamkey.TeamKey, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"linkworker pack " + purpose).derive(key.secret)


def seal(key: teamkey.TeamKey, header: dict[str, Any], changes: list[dict[str, Any]]) -> bytes:
    header_bytes = json.dumps(header, sort_keys=True).encode("utf-8")
    nonce = secrets.token_bytes(12)
    payload = zlib.compress(json.dumps(changes, separators=(",", ":")).encode("utf-8"))
    body = AESGCM(_derive(key, b"encryption")).encrypt(nonce, payload, header_bytes)
    unsigned = MAGIC + struct.pack(">I", len(header_bytes)) + header_bytes + nonce + body
    signature = hmac.new(_derive(key, b"signature"), unsigned, hashlib.sha256).digest()
    return unsigned + signature


def read_header(blob: bytes) -> tuple[dict[str, Any], int]:
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 4 + 12 + SIGNATURE_BYTES:
        raise PackRefused("This file is not a LinkWorker sync pack.")
    start = len(MAGIC) + 4
    (length,) = struct.unpack(">I", blob[len(MAGIC):start])
    try:
        return json.loads(blob[start:start + length]), start + length
    except ValueError:
        raise PackRefused("This sync pack is damaged (its header cannot be read).") from None


def unseal(key: teamkey.TeamKey, blob: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The header and changes of a pack, or ``PackRefused`` saying exactly why not."""
    header, end = read_header(blob)
    if header.get("team_key") != key.key_id:
        raise PackRefused(
            "This pack was made with another team key (another charity's LinkWorker, or a "
            "laptop that was never given this team's key). Nothing was applied."
        )
    unsigned, signature = blob[:-SIGNATURE_BYTES], blob[-SIGNATURE_BYTES:]
    expected = hmac.new(_derive(key, b"signature"), unsigned, hashlib.sha256).digest()
    if not hmac.compare_digest(signature, expected):
        raise PackRefused("This pack has been altered or damaged since it was made (its "
                          "signature does not match). Nothing was applied; make a new pack.")
    nonce, body = unsigned[end:end + 12], unsigned[end + 12:]
    try:
        payload = AESGCM(_derive(key, b"encryption")).decrypt(nonce, body, blob[len(MAGIC) + 4:end])
    except InvalidTag:
        raise PackRefused("This pack cannot be decrypted with the team key. Nothing was "
                          "applied.") from None
    return header, json.loads(zlib.decompress(payload))


def check_schema(theirs: str | None, where: str) -> None:
    """Refuse changes from a different schema before applying anything."""
    ours = migrate.head_revision()
    if theirs == ours:
        return
    if theirs is None or not migrate.is_known(theirs):
        raise PackRefused(f"The {where} was made by a newer LinkWorker (schema {theirs}; this "
                          f"one has {ours}). Update LinkWorker here first; nothing was applied.")
    raise PackRefused(f"The {where} was made by an older LinkWorker (schema {theirs}; this one "
                      f"has {ours}). Update LinkWorker on that laptop, then make it again; "
                      "nothing was applied.")


def outgoing(conn: Connection, after_seq: int, limit: int | None = None
             ) -> tuple[list[dict[str, Any]], int]:
    """The changes after ``after_seq`` that did not come from the hub (``marks.unsent``), in
    arrival order (at most ``limit``), and the ``seq`` of the last one."""
    rows = conn.execute(select(CHANGES).where(marks.unsent(conn, after_seq))
                        .order_by(CHANGES.c.seq).limit(limit)).all()
    last = rows[-1].seq if rows else after_seq
    return dataless.fill(conn, [{k: r._mapping[k] for k in CHANGE_FIELDS} for r in rows]), last


def export_pack(conn: Connection, path: Path, *, everything: bool = False) -> PackInfo:
    """Write what the hub may not have yet to ``path`` (atomically): this replica's changes
    and those it relays from other laptops' packs, not sent online or in an earlier pack, and
    never what came from the hub (``marks``). ``everything``: every change held."""
    key = teamkey.require(conn)
    baseline.baseline(conn)
    if everything:
        adopted.materialize_all(conn)  # every change held: the adopted inserts too
        since, changes = 0, dataless.fill(conn, [
            {k: r._mapping[k] for k in CHANGE_FIELDS}
            for r in conn.execute(select(CHANGES).order_by(CHANGES.c.seq))])
    else:
        since = marks.pack_mark(conn)
        changes, _ = outgoing(conn, since)
    last = marks.newest_seq(conn)  # all after ``since`` is in the pack or came from the hub
    header = {"format": 1, "team_key": key.key_id, "schema": migrate.head_revision(),
              "device": state.device_id(conn), "pack": str(uuid.uuid4()),
              "after_seq": since, "to_seq": last, "changes": len(changes),
              "made_at": utcnow().isoformat(timespec="seconds")}
    atomic_write_bytes(path, seal(key, header, changes))
    state.put(conn, "pack_seq", last)
    return PackInfo(Path(path), len(changes), header)


def read(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise PackRefused(f"The pack {path} cannot be read ({exc.strerror}).") from None


def import_pack(conn: Connection, path: Path) -> merge.Applied:
    """Check and apply a pack inside the caller's transaction (all of it or none of it)."""
    header, changes = unseal(teamkey.require(conn), read(path))
    check_schema(header.get("schema"), "pack")
    before = marks.newest_seq(conn)
    applied = merge.receive(conn, changes)
    if header.get("hub") or "for" in header:  # made at the hub: never sent back to it
        marks.from_hub(conn, before)
    return applied
