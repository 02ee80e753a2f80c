"""What opening (after any upgrade) and closing a caseload also does, as two lists.

The safeguards of docs/security.md (``linkworker.safeguards``) append to them and
``Caseload.open``/``close`` call them. They live in this module of their own, which imports
nothing, so that the storage package can register the safeguards when it is imported without
importing SQLAlchemy: the key file's module (``storage.keys``) is the first thing the app
loads, to begin Argon2id, and it must not wait a second for SQLAlchemy and the models
(issue 15). Storage still never imports the services above it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linkworker.storage.database import Caseload

OPEN_HOOKS: list[Callable[[Caseload], None]] = []
CLOSE_HOOKS: list[Callable[[Caseload], None]] = []
