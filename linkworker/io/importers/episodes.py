"""Journeys (referrals): matched on the person and journey number, else referral date."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from linkworker.io.importers.base import (
    EpisodeChild,
    RowProblem,
    by_name,
    common,
    find_named,
    refresh_journeys,
    rows_where,
)
from linkworker.io.validate import Record
from linkworker.models import Contract, Episode


class EpisodesImporter(EpisodeChild):
    model = Episode
    kind = "episodes"
    shown_names = {"person_id": "person", "worker_id": "worker", "contract_id": "contract"}
    FIELDS = ("id", "external_ref", "number", "referral_date", "referral_source",
              "referral_reasons", "referrer_name", "referrer_organisation", "eligibility",
              "eligibility_notes", "first_contact_date", "first_meeting_date", "exit_date",
              "exit_reason", "what_matters", "crisis_plan")

    def prepare(self, records: Sequence[Record]) -> None:
        super().prepare(records)
        self.contracts = by_name((c.id, (c.code, c.name)) for c in self.session.execute(
            select(Contract.id, Contract.code, Contract.name)))
        self.next_numbers: dict[str, int] = {}

    def columns(self, values: dict[str, Any]) -> dict[str, Any]:
        cols = common(values, *self.FIELDS)
        cols["person_id"] = self.episodes.people.find(values["person"])
        if "worker" in values:
            cols["worker_id"] = find_named(self.workers, values["worker"], "worker",
                                            "link worker")
        if "contract" in values:
            cols["contract_id"] = find_named(self.contracts, values["contract"], "contract",
                                              "contract")
        return cols

    def defaults(self, cols: dict[str, Any]) -> dict[str, Any]:
        person = cols["person_id"]
        if person not in self.next_numbers:
            self.next_numbers[person] = max(self.episodes.by_person.get(person) or {0: 0}) + 1
        if cols.get("number") is not None:
            if cols["number"] in self.episodes.by_person.get(person, {}):
                raise RowProblem("number", f"the person already has a journey number "
                                           f"{cols['number']}.")
            self.next_numbers[person] = max(self.next_numbers[person], cols["number"] + 1)
            self.episodes.by_person[person][cols["number"]] = cols
            return {}
        number = self.next_numbers[person]
        self.next_numbers[person] += 1
        return {"number": number}

    def natural_key(self, cols: dict[str, Any]) -> tuple | None:
        if cols.get("number") is not None:
            return ("number", cols["person_id"], cols["number"])
        return ("referred", cols["person_id"], cols.get("referral_date"))

    def natural_candidates(self, all_cols: list[dict[str, Any]]) -> list[dict]:
        t = self.table
        return rows_where(self.session, t, t.c.person_id, [c["person_id"] for c in all_cols])

    def keys_of_existing(self, row: dict) -> list[tuple]:
        return [("number", row["person_id"], row["number"]),
                ("referred", row["person_id"], row["referral_date"])]

    def after(self, created: list[dict[str, Any]], updated: list[tuple[str, dict]]) -> None:
        touched = {c["id"] for c in created} | {i for i, _ in updated}
        refresh_journeys(self.session, touched, self.today)

