"""This replica's sync bookkeeping in ``sync_state``: device id, clock, pack and sync marks.

Read and written on the session's own connection, inside the caller's transaction, so the clock
and the changes it stamped commit (or vanish) together.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from linkworker.models import SyncState
from linkworker.sync.clock import Stamp

STATE = SyncState.__table__


def get(conn: Connection, key: str, default: Any = None) -> Any:
    value = conn.execute(select(STATE.c.value).where(STATE.c.key == key)).scalar_one_or_none()
    return default if value is None else value


def put(conn: Connection, key: str, value: Any) -> None:
    done = conn.execute(STATE.update().where(STATE.c.key == key).values(value=value))
    if done.rowcount == 0:
        conn.execute(STATE.insert().values(key=key, value=value))


# May the change log hold a dataless first insert (``baseline``)? Recorded False when the
# device id is made (the log is empty then) and True by ``baseline`` when it writes one, so a
# replica that has none skips settling them on every flush (``adopted.settle``).
DATALESS = "dataless_inserts"


def device_id(conn: Connection) -> str:
    """This replica's id, made on first use (a copied file keeps it: restore, not clone)."""
    device = get(conn, "device_id")
    if device is None:
        device = uuid.uuid4().hex
        put(conn, "device_id", device)
        if get(conn, DATALESS) is None:
            put(conn, DATALESS, False)
    return device


def last_stamp(conn: Connection) -> Stamp | None:
    text = get(conn, "clock")
    return Stamp.parse(text) if text else None


def save_stamp(conn: Connection, stamp: Stamp) -> None:
    put(conn, "clock", str(stamp))
