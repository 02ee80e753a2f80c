"""Wellbeing forms, scored as the form screen scores them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, select

from linkworker import rules
from linkworker.io.importers.base import (
    BATCH,
    EpisodeFinder,
    Importer,
    chunks,
    common,
    obey,
    refresh_journeys,
    rows_where,
)
from linkworker.io.validate import Record
from linkworker.models import Measure, MeasureAnswer, Person
from linkworker.wellbeing.measures import timepoint_label


class MeasuresImporter(Importer):
    model = Measure
    kind = "measures"
    shown_names = {"person_id": "person", "episode_id": "episode"}
    FIELDS = ("id", "external_ref", "instrument", "timepoint", "completed_on", "mode")

    def prepare(self, records: Sequence[Record]) -> None:
        self.episodes = EpisodeFinder(self.session, records)
        people = {pid for ids in self.episodes.people.found.values() for pid in ids}
        t = Person.__table__
        self.born = {row["id"]: row["date_of_birth"]
                     for row in rows_where(self.session, t, t.c.id, people)}

    def columns(self, values: dict[str, Any]) -> dict[str, Any]:
        cols = common(values, *self.FIELDS)
        if values.get("episode") or values.get("episode_number") is not None:
            episode = self.episodes.find(values)
            cols["person_id"], cols["episode_id"] = episode["person_id"], episode["id"]
        else:
            cols["person_id"] = self.episodes.people.find(values["person"])
            journeys = self.episodes.by_person.get(cols["person_id"], {})
            started = [n for n, e in journeys.items()
                       if e["referral_date"] <= values["completed_on"]]
            cols["episode_id"] = journeys[max(started)]["id"] if started else None
        obey(rules.form_date(values["completed_on"], self.today,
                             self.born.get(cols["person_id"])))
        result = values["_score"]
        cols.update(raw=result.raw, value=result.value, complete=result.complete,
                    answers=list(result.answers))
        return cols

    def defaults(self, cols: dict[str, Any]) -> dict[str, Any]:
        timepoint = cols.get("timepoint") or "other"
        if cols.get("complete"):
            key = (cols["person_id"], cols.get("episode_id"), cols["instrument"], timepoint)
            obey(rules.one_complete_form(cols["instrument"], timepoint,
                                         timepoint_label(timepoint), self.complete_forms.get(key)))
            self.complete_forms[key] = cols["completed_on"]
        return {"timepoint": timepoint}

    def natural_key(self, cols: dict[str, Any]) -> tuple | None:
        return (cols["person_id"], cols.get("instrument"), cols.get("completed_on"),
                cols.get("timepoint") or "other")

    def natural_candidates(self, all_cols: list[dict[str, Any]]) -> list[dict]:
        t = self.table
        return rows_where(self.session, t, t.c.person_id, [c["person_id"] for c in all_cols])

    def complete_rows(self, rows: list[dict]) -> None:
        answers: dict[str, dict[int, int | None]] = defaultdict(dict)
        for chunk in chunks([r["id"] for r in rows]):
            for measure_id, item, answer in self.session.execute(select(
                    MeasureAnswer.measure_id, MeasureAnswer.item, MeasureAnswer.answer).where(
                    MeasureAnswer.measure_id.in_(chunk))):
                answers[measure_id][item] = answer
        self.complete_forms = {
            (r["person_id"], r["episode_id"], r["instrument"], r["timepoint"]): r["completed_on"]
            for r in rows if r["complete"]}
        for row in rows:
            got = answers.get(row["id"], {})
            row["answers"] = [got.get(n) for n in range(1, max(got, default=0) + 1)]

    def keys_of_existing(self, row: dict) -> list[tuple]:
        return [self.natural_key(row)]

    def after(self, created: list[dict[str, Any]], updated: list[tuple[str, dict]]) -> None:
        answers = [(c["id"], c["answers"]) for c in created]
        answers += [(i, ch["answers"]) for i, ch in updated if "answers" in ch]
        for chunk in chunks([i for i, _ in answers]):
            self.session.execute(delete(MeasureAnswer).where(MeasureAnswer.measure_id.in_(chunk)))
        rows = [{"measure_id": i, "item": n, "answer": a}
                for i, items in answers for n, a in enumerate(items, start=1)]
        for chunk in chunks(rows, BATCH * 10):
            self.session.execute(insert(MeasureAnswer), chunk)
        episodes = {c["episode_id"] for c in created} | {
            ch.get("episode_id") for _, ch in updated}
        refresh_journeys(self.session, episodes - {None}, self.today)

    def key_of(self, record: Record, cols: dict[str, Any]) -> str:
        return str(record.values.get("external_ref") or record.values.get("person")
                   or f"row {record.row}")

