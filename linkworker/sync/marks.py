"""What this replica has sent, and what came from the hub: so nothing is sent twice or back.

A change this replica holds needs sending to the hub unless the hub is known to have it:

* it was pushed online (its ``seq`` is at or below ``hub_pushed_seq``), or put in a pack
  (at or below ``pack_seq``; a pack is taken as delivered, as it always was);
* it came *from* the hub: pulled online, copied into a first replica, or imported from a pack
  the hub made (``hub export-pack``). The local ``seq`` numbers each such batch was given are
  kept as ranges (``hub_received``) until the push mark passes them.

Everything else goes: this laptop's own changes and what it received from another laptop's
pack (a pack relays, so a venue laptop's work can travel on through a colleague's). A pack
after an online sync therefore carries only what is new here, not everything ever received.

A change made *here* is never taken for one from the hub, even if its ``seq`` falls in a
range (SQLite gives a deleted top ``seq`` out again): the ranges only ever exclude other
devices' changes. ``clamp`` keeps the marks at or below the newest ``seq`` after people leave
this laptop's scope, so a ``seq`` given out again is never taken for one already sent.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.engine import Connection

from linkworker.sync import state
from linkworker.sync.changelog import CHANGES

RANGES = "hub_received"


def newest_seq(conn: Connection) -> int:
    return conn.execute(select(func.max(CHANGES.c.seq))).scalar() or 0


def pack_mark(conn: Connection) -> int:
    """Everything at or below this has gone to the hub, online or in a pack."""
    return max(int(state.get(conn, "pack_seq", 0)), int(state.get(conn, "hub_pushed_seq", 0)))


def unsent(conn: Connection, after_seq: int) -> Any:
    """The condition for changes after ``after_seq`` that did not come from the hub."""
    ranges = state.get(conn, RANGES, [])
    if not ranges:
        return CHANGES.c.seq > after_seq
    from_hub = or_(*[CHANGES.c.seq.between(lo, hi) for lo, hi in ranges])
    return and_(CHANGES.c.seq > after_seq,
                not_(and_(from_hub, CHANGES.c.device_id != state.device_id(conn))))


def count_unsent(conn: Connection, after_seq: int) -> int:
    return conn.execute(select(func.count()).select_from(CHANGES)
                        .where(unsent(conn, after_seq))).scalar_one()


def from_hub(conn: Connection, after_seq: int) -> None:
    """The changes stored after ``after_seq`` in this transaction came from the hub."""
    top = newest_seq(conn)
    if top > after_seq:
        _save(conn, [*state.get(conn, RANGES, []), [after_seq + 1, top]])


def pushed(conn: Connection, seq: int) -> None:
    """The online push mark moved to ``seq``; ranges at or below it are needed no more."""
    state.put(conn, "hub_pushed_seq", seq)
    _save(conn, state.get(conn, RANGES, []))


def clamp(conn: Connection) -> None:
    """After removing change rows: no mark or range above the newest ``seq`` left."""
    top = newest_seq(conn)
    for key in ("pack_seq", "hub_pushed_seq"):
        if int(state.get(conn, key, 0)) > top:
            state.put(conn, key, top)
    _save(conn, [[lo, min(hi, top)] for lo, hi in state.get(conn, RANGES, []) if lo <= top])


def _save(conn: Connection, ranges: list[list[int]]) -> None:
    floor = int(state.get(conn, "hub_pushed_seq", 0))
    kept = sorted([lo, hi] for lo, hi in ranges if hi > floor)
    merged: list[list[int]] = []
    for lo, hi in kept:
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    if merged or state.get(conn, RANGES) is not None:
        state.put(conn, RANGES, merged)
