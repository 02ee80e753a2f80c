"""Goals agreed in a journey."""

from __future__ import annotations

from typing import Any

from linkworker.io.importers.base import (
    EpisodeChild,
    common,
)
from linkworker.models import Goal


class GoalsImporter(EpisodeChild):
    model = Goal
    kind = "goals"
    shown_names = {"episode_id": "episode"}
    FIELDS = ("id", "external_ref", "own_words", "category", "agreed_date", "status",
              "status_date")

    def columns(self, values: dict[str, Any]) -> dict[str, Any]:
        cols = common(values, *self.FIELDS)
        cols["episode_id"] = self.episode_of(values)["id"]
        return cols

    def natural_key(self, cols: dict[str, Any]) -> tuple | None:
        return (cols["episode_id"], (cols.get("own_words") or "").casefold(),
                cols.get("agreed_date"))

