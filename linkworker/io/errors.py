"""The one error type the import and export code raises for a file it cannot use."""

from __future__ import annotations

from linkworker.errors import UserError


class ImportFileError(UserError):
    """The file as a whole cannot be imported (wrong type, damaged, empty, over a limit).

    The message names the file and says what to do; nothing has been written when it is raised.
    Problems with single rows are not errors: they are collected into the import report.
    """
