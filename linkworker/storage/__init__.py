"""Storage: SQLCipher/PostgreSQL caseloads, keys, migrations, files.

Importing it also registers what every open and close of a caseload does (``safeguards``).
"""

from linkworker import safeguards as _safeguards  # noqa: F401  (registers the open/close hooks)
