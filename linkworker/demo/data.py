"""The word lists the demo draws from (``resources/demo/``), loaded once per process.

They are data, not code, so a charity can make the demo look like its own area (swap the
places, names and directory) without touching the generator.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass

from linkworker.resources import resource_path


@dataclass(frozen=True)
class Place:
    district: str
    locality: str
    town: str
    imd_low: int
    imd_high: int


@dataclass(frozen=True)
class EthnicMix:
    category: str | None  # 2021 Census category; None = not asked
    given_pools: tuple[str, ...]
    family_pools: tuple[str, ...]


@dataclass(frozen=True)
class GoalTemplate:
    category: str
    own_words: str
    steps: tuple[tuple[str, str], ...]  # (who, what)


@dataclass(frozen=True)
class ServiceTemplate:
    category: str
    name: str
    venue: str
    times: str
    description: str
    accessibility: str


@dataclass(frozen=True)
class DemoData:
    given_names: dict[tuple[str, str], tuple[str, ...]]  # (pool, sex F/M) -> names
    family_names: dict[str, tuple[str, ...]]
    ethnic_mix: tuple[EthnicMix, ...]
    ethnic_weights: tuple[int, ...]
    places: tuple[Place, ...]
    place_weights: tuple[int, ...]
    streets: tuple[str, ...]
    gp_practices: dict[str, tuple[str, ...]]  # district -> practice names
    conditions: tuple[tuple[str, tuple[str, ...]], ...]  # (code, own-words choices)
    condition_weights: tuple[int, ...]
    goals: dict[str, tuple[GoalTemplate, ...]]  # category -> templates
    services: tuple[ServiceTemplate, ...]
    unmet_needs: tuple[tuple[str, str], ...]
    notes: dict[tuple[str, str], tuple[str, ...]]  # (purpose, status) -> texts
    what_matters: tuple[str, ...]


def _rows(name: str) -> list[dict[str, str]]:
    with resource_path("demo", name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _grouped(pairs: list[tuple[object, str]]) -> dict:
    grouped: dict = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return {k: tuple(v) for k, v in grouped.items()}


@functools.cache
def load() -> DemoData:
    ethnic = _rows("ethnicity.csv")
    places = _rows("places.csv")
    conditions = _rows("conditions.csv")
    goals = [
        GoalTemplate(
            r["category"],
            r["own_words"],
            tuple(tuple(step.split(":", 1)) for step in r["steps"].split("|")),
        )
        for r in _rows("goals.csv")
    ]
    return DemoData(
        given_names=_grouped(
            [((r["pool"], r["sex"]), r["name"]) for r in _rows("given_names.csv")]
        ),
        family_names=_grouped([(r["pool"], r["name"]) for r in _rows("family_names.csv")]),
        ethnic_mix=tuple(
            EthnicMix(r["category"] or None, tuple(r["given_pools"].split()),
                      tuple(r["family_pools"].split()))
            for r in ethnic
        ),
        ethnic_weights=tuple(int(r["weight"]) for r in ethnic),
        places=tuple(
            Place(r["district"], r["locality"], r["town"], int(r["imd_low"]), int(r["imd_high"]))
            for r in places
        ),
        place_weights=tuple(int(r["weight"]) for r in places),
        streets=tuple(r["street"] for r in _rows("streets.csv")),
        gp_practices=_grouped([(r["district"], r["name"]) for r in _rows("gp_practices.csv")]),
        conditions=tuple((r["code"], tuple(r["own_words"].split("|"))) for r in conditions),
        condition_weights=tuple(int(r["weight"]) for r in conditions),
        goals=_grouped([(g.category, g) for g in goals]),
        services=tuple(ServiceTemplate(**r) for r in _rows("services.csv")),
        unmet_needs=tuple((r["category"], r["description"]) for r in _rows("unmet_needs.csv")),
        notes=_grouped([((r["purpose"], r["status"]), r["text"]) for r in _rows("notes.csv")]),
        what_matters=tuple(r["text"] for r in _rows("what_matters.csv")),
    )
