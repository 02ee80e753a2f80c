"""Contacts: they fill in a journey's first contact and first meeting dates."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select

from linkworker import rules
from linkworker.io.importers.base import (
    EpisodeChild,
    chunks,
    common,
    find_named,
    obey,
    refresh_journeys,
)
from linkworker.models import Contact, Episode


class ContactsImporter(EpisodeChild):
    model = Contact
    kind = "contacts"
    shown_names = {"episode_id": "episode", "worker_id": "worker"}
    FIELDS = ("id", "external_ref", "contact_date", "start_time", "mode", "purpose", "venue",
              "duration_minutes", "status", "note")

    def columns(self, values: dict[str, Any]) -> dict[str, Any]:
        cols = common(values, *self.FIELDS)
        episode = self.episode_of(values)
        cols["episode_id"] = episode["id"]
        if values.get("contact_date"):
            obey(rules.contact_date(values["contact_date"], values.get("status", "attended"),
                                    self.today, referral=episode["referral_date"],
                                    exit_date=episode["exit_date"]))
        if "worker" in values:
            cols["worker_id"] = find_named(self.workers, values["worker"], "worker",
                                            "link worker")
        return cols

    def defaults(self, cols: dict[str, Any]) -> dict[str, Any]:
        episode = self.episodes.rows[cols["episode_id"]]
        return {"worker_id": cols.get("worker_id") or episode["worker_id"]}

    def natural_key(self, cols: dict[str, Any]) -> tuple | None:
        return (cols["episode_id"], cols.get("contact_date"), cols.get("start_time"),
                cols.get("mode") or "face_to_face")

    def after(self, created: list[dict[str, Any]], updated: list[tuple[str, dict]]) -> None:
        from linkworker.contacts import _apply_effects

        touched = {c["episode_id"] for c in created}
        for chunk in chunks([i for i, _ in updated]):
            touched |= set(self.session.execute(select(Contact.episode_id).where(
                Contact.id.in_(chunk))).scalars())
        by_episode: dict[str, list[dict]] = defaultdict(list)
        for row in created:
            by_episode[row["episode_id"]].append(row)
        for episode_id in touched:
            # Contacts fill in a journey's first contact and first meeting when it has none;
            # dates the journey already holds (typed, or imported) are kept as they are.
            episode = self.session.get(Episode, episode_id)
            kept = (episode.first_contact_date, episode.first_meeting_date)
            # In date order, not file order: the first meeting is the earliest attended one.
            for row in sorted(by_episode.get(episode_id, ()), key=_when):
                _apply_effects(Contact(**{k: row.get(k) for k in ("contact_date", "status",
                                                                  "purpose")}), episode)
            episode.first_contact_date = kept[0] or episode.first_contact_date
            episode.first_meeting_date = kept[1] or episode.first_meeting_date
        refresh_journeys(self.session, touched, self.today)



def _when(row: dict[str, Any]) -> tuple[dt.date, dt.time]:
    return row["contact_date"], row.get("start_time") or dt.time.min
