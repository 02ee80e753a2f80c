"""People: matched on id, their reference, NHS number, then name and date of birth."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from linkworker import codes, rules
from linkworker.io.importers.base import (
    Importer,
    RowProblem,
    common,
    obey,
    rows_where,
)
from linkworker.io.validate import Record
from linkworker.models import Person


class PeopleImporter(Importer):
    model = Person
    kind = "people"
    shown_names = {"reference": "lw_reference"}
    FIELDS = ("id", "external_ref", "given_name", "family_name", "preferred_name",
              "date_of_birth", "nhs_number", "address_line1", "address_line2", "town",
              "postcode", "phone", "email", "gender", "gender_self_described", "ethnicity",
              "disability", "carer_status", "living_circumstances", "gp_practice",
              "is_volunteer", "contact_preferences", "imd_decile", "imd_edition")

    def prepare(self, records: Sequence[Record]) -> None:
        from linkworker.person import next_reference_number

        self.next_number = next_reference_number(self.session)
        t = self.table
        used = rows_where(self.session, t, t.c.reference,
                           [r.values.get("lw_reference") for r in records])
        self.references = {row["reference"]: row["id"] for row in used}
        # references the file itself gives: never handed to a row without one
        self.claimed = {str(r.values["lw_reference"]) for r in records
                        if r.values.get("lw_reference")}
        self.nhs_in_file: dict[str, str] = {}  # NHS number -> the record the file gives it

    def columns(self, values: dict[str, Any]) -> dict[str, Any]:
        cols = common(values, *self.FIELDS)
        if "lw_reference" in values:
            cols["reference"] = values["lw_reference"]
        if "ethnicity" in cols:
            cols["ethnicity_nhs_code"] = codes.nhs_ethnic_code(cols["ethnicity"])
        return cols

    def defaults(self, cols: dict[str, Any]) -> dict[str, Any]:
        self.claim_nhs_number(cols["id"], cols.get("nhs_number"))
        derived = {"ethnicity_nhs_code": codes.nhs_ethnic_code(cols.get("ethnicity"))}
        reference = cols.get("reference")
        if reference and reference not in self.references:
            self.references[reference] = cols["id"]
            return derived
        if reference:
            raise RowProblem("lw_reference", f"{reference} already belongs to another person.")
        from linkworker.person import format_reference

        reference = format_reference(self.next_number)
        while reference in self.references or reference in self.claimed:
            self.next_number += 1
            reference = format_reference(self.next_number)
        self.next_number += 1
        self.references[reference] = cols["id"]
        return derived | {"reference": reference}

    def check_update(self, existing: dict[str, Any], changes: dict[str, Any]) -> None:
        self.claim_nhs_number(existing["id"], changes.get("nhs_number"))

    def claim_nhs_number(self, person_id: str, nhs: str | None) -> None:
        """The shared rule: nobody else, stored or earlier in the file, has this number."""
        if not nhs:
            return
        holders = [r["reference"] for r in self.natural.get(("nhs", nhs), [])
                   if r["id"] != person_id]
        earlier = self.nhs_in_file.get(nhs)
        if earlier is not None and earlier != person_id:
            holders.append("another row of this file")
        obey(rules.nhs_number_free(nhs, holders[0] if holders else None))
        self.nhs_in_file[nhs] = person_id

    def natural_key(self, cols: dict[str, Any]) -> tuple | None:
        if cols.get("nhs_number"):
            return ("nhs", cols["nhs_number"])
        if cols.get("date_of_birth") and cols.get("given_name") and cols.get("family_name"):
            return ("name", cols["given_name"].casefold(), cols["family_name"].casefold(),
                    cols["date_of_birth"])
        return None

    def natural_candidates(self, all_cols: list[dict[str, Any]]) -> list[dict]:
        t = self.table
        rows = rows_where(self.session, t, t.c.nhs_number, [c.get("nhs_number") for c in all_cols])
        rows += rows_where(self.session, t, t.c.date_of_birth,
                            [c.get("date_of_birth") for c in all_cols if not c.get("nhs_number")])
        return [r for r in rows if r["deleted_at"] is None]

    def keys_of_existing(self, row: dict) -> list[tuple]:
        keys = []
        if row["nhs_number"]:
            keys.append(("nhs", row["nhs_number"]))
        if row["date_of_birth"]:
            keys.append(("name", row["given_name"].casefold(), row["family_name"].casefold(),
                         row["date_of_birth"]))
        return keys

    def key_of(self, record: Record, cols: dict[str, Any]) -> str:
        return str(record.values.get("external_ref") or cols.get("reference")
                   or f"row {record.row}")

