"""What every open and close of a caseload does to keep the promises in docs/security.md.

* At open (``Caseload.open``, after any schema upgrade): a legacy unkeyed audit chain is
  re-keyed once (``audit.upgrade_chain``), and erasures recorded in the erasure register are
  applied again to anyone a restored or copied-back file brought back
  (``rights.reapply_erasures``). A restore interrupted between its two renames is undone even
  earlier, before the file is looked for (``storage.dbfiles.recover_interrupted_restore``).
* At close: the audit trail's newest head is anchored in the key file (``audit.anchor_head``),
  so events trimmed from the end while the file was closed are caught by ``audit verify``.

Closing must never fail (it runs on error paths too), so ``before_close`` swallows problems: a
missed anchor is caught the next time.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from linkworker.storage.dbfiles import erasure_register_path
from linkworker.storage.hooks import CLOSE_HOOKS, OPEN_HOOKS

if TYPE_CHECKING:  # the storage package registers these hooks before SQLAlchemy is loaded
    from linkworker.storage.database import Caseload

log = logging.getLogger(__name__)


def after_open(caseload: Caseload) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from linkworker import audit

    try:
        audit.upgrade_chain(caseload)
    except SQLAlchemyError as exc:  # damage is for the start-up checks to report, not this
        log.warning("audit chain not re-keyed at open (%s)", type(exc).__name__)
    if not erasure_register_path(caseload.path).exists():
        return  # nobody erased: the rights module (and its PDF half) is not needed to start
    from linkworker import rights

    caseload.reapplied = rights.reapply_erasures(caseload)
    if caseload.reapplied:
        log.warning("re-applied %d erasures from the erasure register", caseload.reapplied)


def before_close(caseload: Caseload) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from linkworker import audit
    from linkworker.storage import keys

    try:
        audit.anchor_head(caseload)
    except (SQLAlchemyError, OSError, keys.KeyError_, ValueError) as exc:
        log.info("audit head not anchored at close (%s)", type(exc).__name__)


OPEN_HOOKS.append(after_open)
CLOSE_HOOKS.append(before_close)
