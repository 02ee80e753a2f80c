"""The admin's pages: users, the audit trail, and settings (backups, retention, data rights).

The pages are imported on first use (PEP 562 ``__getattr__``): start-up imports
``ui.admin.recovery`` only, and the settings page alone pulls in reportlab, jsonschema and
Alembic, seconds on a busy 2-core laptop before the first caseload row (issue 15).
"""

from __future__ import annotations

import importlib
from typing import Any

_PAGES = {"AuditView": "audit_view", "SettingsView": "settings_view", "UsersView": "users_view"}

__all__ = list(_PAGES)


def __getattr__(name: str) -> Any:
    if name not in _PAGES:
        raise AttributeError(f"module 'ui.admin' has no attribute {name!r}")
    return getattr(importlib.import_module(f"ui.admin.{_PAGES[name]}"), name)
