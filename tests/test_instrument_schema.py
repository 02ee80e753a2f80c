"""The published instrument schema: valid JSON Schema, the built-ins pass it with any
validator, and LinkWorker's checker reports its breaches with the field and our words."""

from __future__ import annotations

import copy
import json
import re

import jsonschema
import pytest

from linkworker.resources import resource_path
from linkworker.wellbeing import InstrumentFileError, parse_definition
from linkworker.wellbeing.instruments import BUILTIN_FILES, SCHEMA_FILE, schema_problems

SCHEMA = json.loads(resource_path("instruments", SCHEMA_FILE).read_text("utf-8"))


def _readme_example() -> dict:
    readme = resource_path("instruments", "README.md").read_text("utf-8")
    return json.loads(re.search(r"```json\n(.*?)```", readme, re.S).group(1))


def test_schema_is_valid_and_the_shipped_definitions_pass_it():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    for name in BUILTIN_FILES:
        data = json.loads(resource_path("instruments", name).read_text("utf-8"))
        jsonschema.validate(data, SCHEMA)  # any tool, not only LinkWorker
    jsonschema.validate(_readme_example(), SCHEMA)
    assert parse_definition(_readme_example()).code == "LOCALQ"


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda d: d["items"][1].update(code="Alone"),
     "items[2].code: must be lower-case letters, digits or _"),
    (lambda d: d["items"][0].update(bands=[{"min": 0, "max": 4}]),
     "items[1].bands[0].label: is required"),
    (lambda d: d["wording"].update(ships=False, placeholder="Q"),
     'wording.placeholder: must be text containing "{n}"'),
    (lambda d: (d["wording"].update(ships=False), d.pop("licence")),
     "licence: is required (text) when wording.ships is false"),
    (lambda d: d["scoring"].update(method="lookup"),
     "scoring.table: is required for lookup scoring"),
    (lambda d: d.update(reverse_items=[0]), "reverse_items[0]: must be a list of item numbers"),
    (lambda d: d["answers"].update(min=True), "answers.min: must be a whole number"),
])
def test_schema_breaches_name_the_field_in_our_words(mutate, expected):
    data = copy.deepcopy(_readme_example())
    mutate(data)
    assert any(expected in line for line in schema_problems(data)), schema_problems(data)
    with pytest.raises(InstrumentFileError, match=re.escape(expected)):
        parse_definition(data)


def test_schema_and_rules_report_together_and_nothing_twice():
    data = copy.deepcopy(_readme_example())
    data["answers"]["max"] = 0  # a rule: max above min
    data["items"][0]["code"] = 7  # the schema: a code is text
    data["change"]["meaningful"] = -1  # the schema
    with pytest.raises(InstrumentFileError) as info:
        parse_definition(data)
    problems = info.value.problems
    assert len(problems) == len(set(problems)) == 3
    assert [p.split(":")[0] for p in problems] == ["items[1].code", "change.meaningful",
                                                    "answers.max"]
