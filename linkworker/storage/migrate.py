"""Alembic, driven from code: the schema revision of a caseload and upgrading it.

Alembic is configured programmatically (no ``alembic.ini`` on a user's machine) and runs over
the caseload's own engine, so migrations run with the same key and pragmas as the app.

Alembic is imported only when it is needed (an upgrade, an unknown revision): importing it
and loading every revision script costs a second on a busy 2-core laptop, so the everyday
"is this caseload up to date?" at start-up is answered by ``is_up_to_date`` from the
``alembic_version`` row and the revision lines of the scripts (issue 15).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from linkworker.storage.upgrade_steps import UP_TO_DATE, building_index
from linkworker.storage.upgrade_steps import revision as revision_step

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).with_name("migrations")
Progress = Callable[[int, int, str], None]  # done, total, what is being done (for a person)
_REVISION_LINE = re.compile(r"^(down_revision|revision)\s*=\s*['\"]?([\w]+)['\"]?\s*$", re.M)


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


@functools.cache  # loading every script costs 0.1-0.3 s, and every pack and sync asks
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@functools.cache
def head_from_scripts() -> str | None:
    """The head as the scripts' ``revision = ...`` / ``down_revision = ...`` lines say, without
    Alembic; None when that is not one clear answer (then Alembic decides)."""
    revisions, parents = set(), set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REVISION_LINE.findall(script.read_text(encoding="utf-8")))
        if "revision" not in found:
            return None
        revisions.add(found["revision"])
        parents.add(found.get("down_revision", "None"))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def stored_revision(engine: Engine) -> str | None:
    """The caseload's revision from its ``alembic_version`` row (None for an empty file)."""
    with engine.connect() as conn:
        try:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except OperationalError:  # no such table: a new, empty file
            return None
    return rows[0] if len(rows) == 1 else None


def is_up_to_date(engine: Engine) -> bool:
    """The start-up question, answered without importing Alembic."""
    head = head_from_scripts()
    return head is not None and stored_revision(engine) == head


def is_known(revision: str) -> bool:
    if revision == head_from_scripts():
        return True  # the everyday answer (a backup just made), without importing Alembic
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown id
        return False


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(engine: Engine, progress: Progress | None = None) -> None:
    """Every revision the caseload lacks; ``progress(done, total, step)`` hears of each one
    before it runs, and of each index a revision builds (an upgrade of 150,000 people takes
    minutes: the app shows each step). ``step`` is an ``upgrade_steps.UpgradeStep``."""
    from alembic import command

    config = alembic_config(engine)
    if progress is None:
        command.upgrade(config, "head")
        return
    step_applied, statement_sent = _step_reporter(engine, config, progress)
    config.attributes["on_version_apply"] = step_applied
    event.listen(engine, "before_cursor_execute", statement_sent)
    try:
        command.upgrade(config, "head")
    finally:
        event.remove(engine, "before_cursor_execute", statement_sent)


def pending_revisions(engine: Engine, config: Config) -> list[str]:
    """The revisions an upgrade to head will apply, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(config)
    found = script.iterate_revisions("heads", stored_revision(engine) or "base")
    return [r.revision for r in reversed(list(found))]


def refusals(engine: Engine) -> list[str]:
    """Why the caseload cannot be upgraded, in words for a person; [] when it can.

    A revision that cannot take some data (0012: a ledger that already claims an achievement
    twice cannot take the index that forbids it) says so with a ``refusal(connection)``
    function, which is asked here of every pending revision before the upgrade starts, so the
    caller refuses before its backup and before any revision runs: nothing changes. A
    revision's ``refusal`` reads only what every earlier schema has (it runs before the
    revisions ahead of it)."""
    from alembic.script import ScriptDirectory

    current = current_revision(engine)
    if current is None or current == head_revision():
        return []  # a new, empty database, or nothing to upgrade: no data to refuse
    script = ScriptDirectory.from_config(alembic_config(engine))
    found = script.iterate_revisions("heads", current)
    checks = [getattr(rev.module, "refusal", None) for rev in found]
    if not any(checks):
        return []
    with engine.connect() as conn:
        said = [check(conn) for check in checks if check is not None]
    return [words for words in said if words]


_CREATE_INDEX = re.compile(r"\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)",
                           re.I)


def index_names(revision: str, script: ScriptDirectory | None = None) -> list[str]:
    """The indexes a revision builds, in order, as its ``INDEXES`` names them (a dict of name
    to definition, or a tuple of CREATE INDEX statements); [] for a revision without one.
    Read from the frozen script, which is not changed to report them. (Pass ``script`` when
    asking of several: each new one reads every script again.)"""
    from alembic.script import ScriptDirectory

    script = script or ScriptDirectory.from_config(alembic_config())
    found = getattr(script.get_revision(revision).module, "INDEXES", None)
    if isinstance(found, dict):
        return list(found)
    names = [_CREATE_INDEX.match(each) for each in found or () if isinstance(each, str)]
    return [m.group(1) for m in names if m]


def _step_reporter(engine: Engine, config: Config, progress: Progress
                   ) -> tuple[Callable[..., None], Callable[..., None]]:
    """Reports step 1 now, each next step as Alembic finishes the one before, and each index
    of the running step as its CREATE INDEX is sent (the one statement that takes long)."""
    from alembic.script import ScriptDirectory

    pending = pending_revisions(engine, config)
    total = max(len(pending), 1)
    script = ScriptDirectory.from_config(config)
    indexes = {rev: index_names(rev, script) for rev in pending}
    done = 0

    def step_applied(**_alembic) -> None:  # ctx, step, heads, run_args
        nonlocal done
        done += 1
        progress(done, total, revision_step(done + 1, total) if done < total else UP_TO_DATE)

    def statement_sent(_conn, _cursor, statement: str, *_rest) -> None:
        names = indexes.get(pending[done], []) if done < len(pending) else []
        found = _CREATE_INDEX.match(statement) if names else None
        if found and found.group(1) in names:
            part = names.index(found.group(1)) + 1
            progress(done, total, building_index(done + 1, total, part, len(names)))

    progress(0, total, revision_step(1, total))
    return step_applied, statement_sent


def upgrade_to(engine: Engine, revision: str) -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)
