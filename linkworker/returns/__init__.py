"""The quarterly outcome return: build, check, export, submit, and the claims ledger.

- ``period``: "2026-Q3" and friends;
- ``build``: contract + period -> the return document (claims with evidence, caps applied,
  exclusions, data quality, equality breakdowns, paired wellbeing change);
- ``document``: that document as typed, frozen dataclasses (``ReturnDocument``), its JSON for
  the stored snapshot, and which of its fields are private;
- ``ledger``: what earlier submitted returns hold; ``submit``: freezing a return into the
  ledger, adjustments, listing returns;
- ``export``: XLSX, CSV, PDF cover report and INDIGO JSON, chosen by file extension;
- ``flow``: the Returns screen's steps as plain Python.

Rules for money are documented in ``build`` and ``resources/contracts/FORMAT.md``.
"""
