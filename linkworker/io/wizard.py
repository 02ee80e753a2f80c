"""The app's import wizard as a small state machine (no Qt; ``ui/io`` only renders it).

    choose (file, kind, sheet) -> mapping (guessed; the user corrects it, may save it)
        -> check (every problem, and the plan) -> done (imported, with counts)

``load``, ``check`` and ``run`` do file and database work, so the window calls them through
its ``Runner`` (off the GUI thread); everything else is instant. Going back is always
allowed and forgets what the later steps worked out.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from pathlib import Path

from linkworker.access import Actor, require
from linkworker.errors import UserError
from linkworker.io.mapping import (
    KIND_LABELS,
    KINDS,
    ColumnMapping,
    check_kind,
    fields_of,
    guess_mapping,
    load_mapping,
    save_mapping,
)
from linkworker.io.pipeline import (
    Checked,
    ImportReport,
    Progress,
    check_rows,
    plan_and_apply,
    read_file,
    require_usable,
    write_rejects,
)
from linkworker.io.readers import EncodingQuestion, Table, sheet_names
from linkworker.io.validate import show
from linkworker.storage.database import Caseload


class Step(enum.Enum):
    CHOOSE = "choose"
    MAPPING = "mapping"
    CHECK = "check"
    DONE = "done"


NOT_IMPORTED = ""  # the choice for a column that is left out


@dataclass
class ImportFlow:
    actor: Actor
    today: dt.date | None = None
    step: Step = Step.CHOOSE
    path: Path | None = None
    kind: str = "people"
    sheet: str | None = None
    table: Table | None = None
    mapping: ColumnMapping | None = None
    checked: Checked | None = None
    preview: ImportReport | None = None  # the dry run: problems and plan
    result: ImportReport | None = None
    sheets: list[str] = field(default_factory=list)
    encoding: str | None = None  # chosen by the user when the file's could not be told
    encoding_choices: list[tuple[str, str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        require(self.actor, "data.import")

    # --- choose ---------------------------------------------------------------------------

    @staticmethod
    def kinds() -> list[tuple[str, str]]:
        return [(k, KIND_LABELS[k]) for k in KINDS]

    def choose(self, path: Path | str, kind: str, sheet: str | None = None) -> list[str]:
        """Remember the choice; returns the file's sheets (empty for CSV). Reads the file."""
        if self.path != Path(path):
            self.encoding, self.encoding_choices = None, []
        self.path, self.kind, self.sheet = Path(path), check_kind(kind), sheet or None
        self.sheets = sheet_names(self.path)
        return self.sheets

    def choose_encoding(self, codec: str | None) -> None:
        """The user's answer to "which encoding is this file in?" (None: work it out)."""
        self.encoding = codec or None

    def load(self, progress: Progress | None = None) -> Table:
        """Read the sheet and guess the mapping (off the GUI thread)."""
        if self.path is None:
            raise UserError("Choose a file to import first.")
        try:
            self.table = read_file(self.path, self.kind, self.sheet, progress, self.encoding)
        except EncodingQuestion as question:
            self.encoding_choices = question.choices  # the window offers them as a choice
            raise
        self.encoding_choices = []
        self.mapping = guess_mapping(self.kind, self.table.headers)
        self.step = Step.MAPPING
        self.checked = self.preview = self.result = None
        return self.table

    # --- mapping --------------------------------------------------------------------------

    def field_choices(self) -> list[tuple[str, str]]:
        """(field name, label) for each column's drop-down; "" means "not imported"."""
        return [(NOT_IMPORTED, "(not imported)")] + [
            (f.name, f.label + (" *" if f.required else "")) for f in fields_of(self.kind).values()]

    def columns(self) -> list[tuple[str, str, str]]:
        """(header, mapped field or "", a sample value) for every column."""
        assert self.table is not None and self.mapping is not None
        samples = {}
        for index, header in enumerate(self.table.headers):
            samples[header] = next((show(row.cells[index]) for row in self.table.rows
                                    if index < len(row.cells) and row.cells[index] is not None),
                                   "")
        return [(h, self.mapping.columns.get(h) or NOT_IMPORTED, samples[h])
                for h in self.table.headers]

    def set_column(self, header: str, field_name: str) -> None:
        assert self.mapping is not None
        self.mapping.set(header, field_name or None)
        self.checked = self.preview = None

    def fixed_choices(self) -> list[tuple[str, str]]:
        """Fields that can be given one value for every row (those no column holds)."""
        assert self.mapping is not None
        mapped = set(self.mapping.header_for())
        return [(f.name, f.label) for f in fields_of(self.kind).values()
                if f.name not in mapped and f.name != "id"]

    def set_fixed(self, field_name: str, value: str | None) -> None:
        """Every row gets ``value`` for ``field_name`` ("all these journeys are for IOC-1")."""
        assert self.mapping is not None
        self.mapping.set_fixed(field_name, value)
        self.checked = self.preview = None

    def missing(self) -> list[str]:
        return self.mapping.missing() if self.mapping else []

    def save_mapping(self, path: Path | str) -> Path:
        assert self.mapping is not None
        return save_mapping(self.mapping, path)

    def load_mapping(self, path: Path | str) -> None:
        assert self.table is not None
        self.mapping = guess_mapping(self.kind, self.table.headers, load_mapping(path, self.kind))
        self.checked = self.preview = None

    # --- check ----------------------------------------------------------------------------

    def check(self, caseload: Caseload, progress: Progress | None = None) -> ImportReport:
        """Check every row and work out the plan, writing nothing (off the GUI thread)."""
        assert self.table is not None and self.mapping is not None
        require_usable(self.mapping, self.table)
        if self.kind == "measures":
            from linkworker.wellbeing.store import register_stored_instruments

            register_stored_instruments(caseload)
        self.checked = check_rows(self.table, self.mapping, self.today, progress)
        self.preview = plan_and_apply(caseload, self.actor, self.checked, dry_run=True,
                                      today=self.today, progress=progress)
        self.step = Step.CHECK
        return self.preview

    def save_bad_rows(self, path: Path | str) -> Path:
        assert self.preview is not None
        return write_rejects(self.preview.table, self.preview.problems, Path(path))

    def can_import(self, good_rows_only: bool) -> bool:
        if self.preview is None:
            return False
        plans = [self.preview.plan, self.preview.journeys]
        has_work = any(plan is not None and (plan.creates or plan.updates) for plan in plans)
        return has_work and (good_rows_only or not self.preview.problems)

    # --- import ---------------------------------------------------------------------------

    def run(self, caseload: Caseload, good_rows_only: bool = False,
            progress: Progress | None = None) -> ImportReport:
        """Import, in one transaction (off the GUI thread)."""
        if self.checked is None:
            raise UserError("Check the file before importing it.")
        self.result = plan_and_apply(caseload, self.actor, self.checked,
                                     good_rows_only=good_rows_only, today=self.today,
                                     progress=progress)
        if self.result.applied:
            self.step = Step.DONE
        return self.result

    def back(self) -> Step:
        order = list(Step)
        if self.step is not Step.CHOOSE and self.step is not Step.DONE:
            self.step = order[order.index(self.step) - 1]
        if self.step is Step.CHOOSE:
            self.table = self.mapping = None
        self.checked = self.preview = None
        return self.step
