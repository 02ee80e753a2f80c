"""Signposting to services in the directory."""

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
)
from linkworker.io.validate import Record
from linkworker.models import Service, Signpost


class SignpostsImporter(EpisodeChild):
    model = Signpost
    kind = "signposts"
    shown_names = {"episode_id": "episode", "service_id": "service"}
    FIELDS = ("id", "external_ref", "signposted_on", "accompanied", "taken_up", "taken_up_on",
              "note")

    def prepare(self, records: Sequence[Record]) -> None:
        super().prepare(records)
        self.services = by_name((s.id, (s.id, s.external_ref, s.name)) for s in
                                 self.session.execute(select(Service.id, Service.external_ref,
                                                             Service.name)))

    def columns(self, values: dict[str, Any]) -> dict[str, Any]:
        cols = common(values, *self.FIELDS)
        cols["episode_id"] = self.episode_of(values)["id"]
        try:
            cols["service_id"] = find_named(self.services, values["service"], "service",
                                             "service")
        except RowProblem as exc:
            raise RowProblem("service", exc.reason.replace(
                "in this caseload.", "in the directory (import the directory first).")) from None
        return cols

    def natural_key(self, cols: dict[str, Any]) -> tuple | None:
        return (cols["episode_id"], cols.get("service_id"), cols.get("signposted_on"))

