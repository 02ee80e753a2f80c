"""Licensed statement wording, loaded by an admin and kept in the caseload.

The WEMWBS/SWEMWBS licence does not let LinkWorker pass the statements on, so the repository
holds only the structure ("Statement 1".."Statement 14" and the answer scale). An organisation
that has registered pastes (or loads from a file) its licensed wording once; it is stored in the
``settings`` table under ``wording.<CODE>`` and every form shows it from then on. SWEMWBS's seven
statements are WEMWBS statements 1, 2, 3, 6, 7, 9 and 11, so loading WEMWBS also words SWEMWBS
(its definition says so under ``wording.same_as``) unless SWEMWBS wording is loaded itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from linkworker import audit
from linkworker.access import Actor, require
from linkworker.errors import UserError
from linkworker.storage.database import Caseload
from linkworker.wellbeing.instruments import Instrument
from linkworker.wellbeing.store import (
    all_instruments,
    get_setting,
    instrument_for,
    put_setting,
    unit_of_work,
)

MAX_STATEMENT_LENGTH = 400
_NUMBERING = re.compile(r"^\s*(?:statement\s*)?\(?(\d{1,3})\s*[).:\-]?\s+", re.IGNORECASE)


def wording_key(code: str) -> str:
    return f"wording.{code}"


def how_to_load(code: str) -> str:
    """The hint shown on a form that has no wording yet."""
    return (
        f"The {code} statements' wording is licensed and not supplied with LinkWorker. "
        f"An admin can load your organisation's licensed wording once (File > Licensed "
        f"wording, or 'linkworker wording load --instrument {code} FILE'); until then the form "
        "shows statement numbers only."
    )


def parse_statements(text: str | Sequence[str], expected: int, code: str) -> tuple[str, ...]:
    """One statement per non-blank line; leading numbers ("1.", "2)", "Statement 3:") dropped.

    Refuses a count other than ``expected`` and numbering out of order, since either means the
    paste does not line up with the items and every form would show the wrong statement.
    """
    lines = text.splitlines() if isinstance(text, str) else list(text)
    statements: list[str] = []
    for line in lines:
        if not isinstance(line, str):
            raise UserError("Each statement must be text.")
        line = line.strip()
        if not line:
            continue
        numbered = _NUMBERING.match(line)
        if numbered:
            if int(numbered.group(1)) != len(statements) + 1:
                raise UserError(
                    f"Statement numbering is out of order at {line[:40]!r}: expected "
                    f"{len(statements) + 1}. Paste the {code} statements in order."
                )
            line = line[numbered.end():].strip()
        if len(line) > MAX_STATEMENT_LENGTH:
            raise UserError(
                f"Statement {len(statements) + 1} is longer than {MAX_STATEMENT_LENGTH} characters;"
                " is this the right text?"
            )
        statements.append(line)
    if len(statements) != expected:
        raise UserError(
            f"{code} has {expected} statements; the text has {len(statements)}. "
            "Put one statement per line, in order."
        )
    return tuple(statements)


def _wordable(session: Session, code: str) -> Instrument:
    inst = instrument_for(session, code)
    if inst.wording_ships:
        raise UserError(f"{inst.code}'s wording ships with LinkWorker; there is none to load.")
    return inst


def load_wording(
    target: Caseload | Session, actor: Actor, instrument: str, text: str | Sequence[str]
) -> tuple[str, ...]:
    """Check and store an organisation's licensed wording (admin only, audited)."""
    require(actor, "wording.load")
    with unit_of_work(target) as session:
        inst = _wordable(session, instrument)
        statements = parse_statements(text, inst.item_count, inst.code)
        put_setting(
            session,
            wording_key(inst.code),
            {
                "statements": list(statements),
                "loaded_on": dt.date.today().isoformat(),
                "loaded_by": actor.label,
            },
        )
        audit.record(session, actor, "wording.load", entity="instrument", details={
            "instrument": inst.code, "statements": len(statements)})
        return statements


def load_wording_file(
    target: Caseload | Session, actor: Actor, instrument: str, path: Path
) -> tuple[str, ...]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"Cannot read {path} as UTF-8 text: {exc}") from exc
    return load_wording(target, actor, instrument, text)


def clear_wording(target: Caseload | Session, actor: Actor, instrument: str) -> None:
    """Remove loaded wording (e.g. when a licence lapses)."""
    require(actor, "wording.load")
    with unit_of_work(target) as session:
        inst = _wordable(session, instrument)
        put_setting(session, wording_key(inst.code), None)
        audit.record(session, actor, "wording.clear", entity="instrument",
                     details={"instrument": inst.code})


def _own_wording(session: Session, code: str) -> tuple[str, ...] | None:
    stored = get_setting(session, wording_key(code))
    if isinstance(stored, dict) and isinstance(stored.get("statements"), list):
        return tuple(stored["statements"])
    return None


def wording_for(session: Session, inst: Instrument) -> tuple[str, ...] | None:
    """The licensed statements for ``inst``: its own, else via ``same_as``; None if not loaded."""
    if inst.wording_ships:
        return None
    own = _own_wording(session, inst.code)
    if own is not None and len(own) == inst.item_count:
        return own
    if inst.wording_same_as is not None:
        source, numbers = inst.wording_same_as
        theirs = _own_wording(session, source)
        if theirs is not None and all(1 <= n <= len(theirs) for n in numbers):
            picked = tuple(theirs[n - 1] for n in numbers)
            if len(picked) == inst.item_count:
                return picked
    return None


@dataclass(frozen=True)
class FormText:
    """What a form shows: one prompt per item, the answer scale, and the owners' notice."""

    instrument: str
    name: str
    prompts: tuple[str, ...]
    answer_min: int
    answer_max: int
    answer_labels: tuple[tuple[int, str], ...]
    instructions: str
    notice: str
    wording_loaded: bool  # True also for instruments whose wording ships
    hint: str  # how to load the wording, when it is not loaded


def form_text(target: Caseload | Session, instrument: str) -> FormText:
    """Everything the form widget needs to render an instrument (no personal data)."""
    with unit_of_work(target, write=False) as session:
        inst = instrument_for(session, instrument)
        wording = wording_for(session, inst)
        loaded = inst.wording_ships or wording is not None
        instructions = inst.instructions or (
            f"For each statement, choose the answer that best describes the person's experience "
            f"{inst.recall}." if inst.recall else ""
        )
        return FormText(
            instrument=inst.code,
            name=inst.name,
            prompts=tuple(inst.item_prompt(it.number, wording) for it in inst.items),
            answer_min=inst.answer_min,
            answer_max=inst.answer_max,
            answer_labels=tuple(
                (a, inst.answer_label(a)) for a in range(inst.answer_min, inst.answer_max + 1)
            ),
            instructions=instructions,
            notice=inst.notice,
            wording_loaded=loaded,
            hint="" if loaded else how_to_load(inst.code),
        )


@dataclass(frozen=True)
class WordingStatus:
    instrument: str
    needs_wording: bool
    loaded: bool
    loaded_on: str | None
    loaded_by: str | None
    via: str | None  # e.g. "WEMWBS" when SWEMWBS takes its wording from WEMWBS


def wording_statuses(target: Caseload | Session) -> tuple[WordingStatus, ...]:
    """Which instruments need licensed wording, and whether it is loaded (for the admin)."""
    with unit_of_work(target, write=False) as session:
        out = []
        for inst in all_instruments(session):
            if inst.wording_ships:
                continue
            stored = get_setting(session, wording_key(inst.code)) or {}
            own = _own_wording(session, inst.code) is not None
            loaded = wording_for(session, inst) is not None
            via = inst.wording_same_as[0] if loaded and not own and inst.wording_same_as else None
            out.append(WordingStatus(inst.code, True, loaded, stored.get("loaded_on"),
                                     stored.get("loaded_by"), via))
        return tuple(out)
