"""Directory services."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from linkworker.io.importers.base import (
    Importer,
    common,
)
from linkworker.models import Service


class ServicesImporter(Importer):
    model = Service
    kind = "services"
    FIELDS = ("id", "external_ref", "name", "category", "description", "venue", "address",
              "postcode", "times", "contact_name", "phone", "email", "website", "accessibility",
              "last_checked", "active")

    def columns(self, values: dict[str, Any]) -> dict[str, Any]:
        return common(values, *self.FIELDS)

    def defaults(self, cols: dict[str, Any]) -> dict[str, Any]:
        return {"category": cols.get("category") or "other"}

    def natural_key(self, cols: dict[str, Any]) -> tuple | None:
        return ((cols.get("name") or "").casefold(), (cols.get("venue") or "").casefold())

    def natural_candidates(self, all_cols: list[dict[str, Any]]) -> list[dict]:
        return [dict(r._mapping) for r in self.session.execute(select(self.table))]

    def keys_of_existing(self, row: dict) -> list[tuple]:
        return [self.natural_key(row)]

