"""Errors meant for the person at the keyboard.

Anything raised as ``UserError`` is shown as its message alone (stderr in the CLI, a message bar
in the app), never as a traceback: it means "you asked for something that can't be done, and
nothing was changed".
"""


class UserError(Exception):
    """A problem the user can fix; the message says what and how."""


class NotFound(UserError):
    """A record, file or code that was asked for does not exist."""
