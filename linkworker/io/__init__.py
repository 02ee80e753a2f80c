"""Bringing a charity's spreadsheets in, and taking everything out (no Qt here).

    from linkworker.io import import_file, export_all
    report = import_file(caseload, actor, "clients.xlsx", "people", dry_run=True)
    print("\\n".join(report.lines()))
    export_all(caseload, actor, "export-folder")

``readers`` turns CSV/XLSX into a table, ``mapping`` says which column is which field,
``validate`` checks each row, ``importers`` plans and applies the changes, ``pipeline`` runs
the steps in order, ``export`` writes everything out, ``wizard`` is the app's import flow.
"""

from linkworker.io.errors import ImportFileError
from linkworker.io.export import ExportResult, export_all
from linkworker.io.pipeline import ImportReport, import_file

__all__ = ["ExportResult", "ImportFileError", "ImportReport", "export_all", "import_file"]
