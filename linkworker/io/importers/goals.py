"""Goals agreed in a journey."""

from __future__ import annotations

from typing import Any

from linkworker import rules
from linkworker.io.importers.base import (
    EpisodeChild,
    common,
    obey,
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
        episode = self.episode_of(values)
        cols["episode_id"] = episode["id"]
        if values.get("agreed_date"):
            obey(rules.goal_agreed(values["agreed_date"], self.today,
                                   referral=episode["referral_date"],
                                   exit_date=episode["exit_date"]))
        return cols

    def natural_key(self, cols: dict[str, Any]) -> tuple | None:
        return (cols["episode_id"], (cols.get("own_words") or "").casefold(),
                cols.get("agreed_date"))

