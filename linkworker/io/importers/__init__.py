"""From checked rows to a plan (what will be added and changed), and applying it.

Matching decides whether a row is new or an update, in this order:

1. ``id`` (LinkWorker's own id, from an export): that record; if it does not exist yet it is
   created *with that id*, so an export imported into a fresh caseload is the same data;
2. ``external_ref`` (the charity's own reference, "Client ID"): the record imported with it;
3. a natural key, so a file without references can still be imported twice without
   duplicates: a person's NHS number, then name and date of birth; a journey's person and
   number, then person and referral date; a contact's journey, date, time and mode; and so on.
   When two rows share a natural key they match two existing records in turn, never one twice.

Blank cells never clear a value that is already stored. The plan lists, for each update, the
fields that change with old and new value; nothing is written until ``apply_plan``, which runs
inside the caller's single transaction, bulk-inserting new rows with Core ``insert()`` in
batches (50,000 people in seconds) and refreshing the journey summaries it touched.
"""

from __future__ import annotations

from linkworker.io.importers.base import FieldChange, Plan, RowChange, RowProblem
from linkworker.io.importers.plan import IMPORTERS, apply_plan, build_plan, count_rows

__all__ = ["IMPORTERS", "FieldChange", "Plan", "RowChange", "RowProblem", "apply_plan",
           "build_plan", "count_rows"]
