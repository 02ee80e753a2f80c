"""The admin's pages: users, the audit trail, and settings (backups, retention, data rights)."""

from ui.admin.audit_view import AuditView
from ui.admin.settings_view import SettingsView
from ui.admin.users_view import UsersView

__all__ = ["AuditView", "SettingsView", "UsersView"]
