"""Bringing a charity's spreadsheets in, and taking everything out (no Qt here).

    from linkworker.io import import_file, export_all
    report = import_file(caseload, actor, "clients.xlsx", "people", dry_run=True)
    print("\\n".join(report.lines()))
    export_all(caseload, actor, "export-folder")

``readers`` turns CSV/XLSX into a table, ``mapping`` says which column is which field,
``validate`` checks each row, ``importers`` plans and applies the changes, ``pipeline`` runs
the steps in order, ``export`` writes everything out, ``wizard`` is the app's import flow.
"""

from __future__ import annotations

import importlib
from typing import Any

# Each name's module, imported at its first use (PEP 562): a screen that only reads a
# directory file (``readers``) need not load the export (XlsxWriter) and the importers.
_HOMES = {"ExportResult": "export", "export_all": "export", "ImportFileError": "errors",
          "ImportReport": "pipeline", "import_file": "pipeline"}

__all__ = ["ExportResult", "ImportFileError", "ImportReport", "export_all", "import_file"]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
