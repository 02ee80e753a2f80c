"""Instrument files: the validator on broken files, organisation instruments, licensed wording."""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json

import pytest
from conftest import make_actor
from sqlalchemy import select

from linkworker.access import SYSTEM, PermissionDenied
from linkworker.cli import wellbeing as cli
from linkworker.errors import UserError
from linkworker.models import Person, Setting
from linkworker.resources import resource_path
from linkworker.wellbeing import InstrumentFileError, classify_change, parse_definition, score
from linkworker.wellbeing.custom import add_instrument, check_instrument_file, instrument_summaries
from linkworker.wellbeing.instruments import unregister
from linkworker.wellbeing.measures import record_measure
from linkworker.wellbeing.wording import (
    clear_wording,
    form_text,
    load_wording,
    load_wording_file,
    parse_statements,
    wording_statuses,
)

# A made-up local questionnaire: 3 items answered 0..4, item 2 reverse-scored, lookup scoring.
LOCAL = {
    "format": 1,
    "code": "LOCALQ",
    "name": "Local connection check",
    "answers": {"min": 0, "max": 4, "labels": {"0": "Never", "4": "Always"}},
    "items": [
        {"code": "friends", "text": "I have people to talk to"},
        {"code": "alone", "text": "I feel alone"},
        {"code": "out", "text": "I get out of the house"},
    ],
    "reverse_items": [2],
    "wording": {"ships": True},
    "scoring": {"method": "lookup", "table": {str(r): r * 10 for r in range(13)}},
    "reported_score": {"name": "Connection score", "decimals": 0, "higher_is_better": True},
    "change": {"meaningful": 20, "reliable": 40},
    "licence": "Written by the organisation.",
}

# Invented stand-ins for licensed statements (never the real wording).
FAKE_STATEMENTS = [f"Made-up statement number {n} for testing" for n in range(1, 15)]


@pytest.fixture
def local_instrument():
    yield LOCAL
    unregister("LOCALQ")


def problems_for(mutate) -> str:
    data = copy.deepcopy(LOCAL)
    mutate(data)
    with pytest.raises(InstrumentFileError) as info:
        parse_definition(data, source="test.json")
    return str(info.value)


def test_builtin_files_parse_and_do_not_ship_licensed_wording():
    for name in ("wemwbs.json", "swemwbs.json"):
        data = json.loads(resource_path("instruments", name).read_text(encoding="utf-8"))
        assert data["wording"]["ships"] is False
        assert all("text" not in item for item in data["items"])
    ons4 = json.loads(resource_path("instruments", "ons4.json").read_text(encoding="utf-8"))
    assert ons4["items"][0]["text"] == "Overall, how satisfied are you with your life nowadays?"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.pop("code"), "code: must be 2-40 capital letters"),
        (lambda d: d.update(code="lower"), "code: must be"),
        (lambda d: d.update(format=2), "format: must be 1"),
        (lambda d: d.pop("name"), "name: is required"),
        (lambda d: d.pop("answers"), "answers: is required"),
        (lambda d: d["answers"].update(max=0), "answers.max: must be a whole number greater than"),
        (lambda d: d["answers"].update(min="one"), "answers.min: must be a whole number"),
        (lambda d: d["answers"]["labels"].update({"9": "x"}), "answers.labels.9: is outside"),
        (lambda d: d.update(items=[]), "items: is required"),
        (lambda d: d["items"][1].update(code="friends"), "items[2].code: 'friends' is used"),
        (lambda d: d["items"][0].pop("text"), "items[1].text: is required because wording.ships"),
        (lambda d: d.update(reverse_items=[7]), "reverse_items: item 7 does not exist"),
        (lambda d: d["scoring"].update(method="average"), "scoring.method: must be one of"),
        (lambda d: d["scoring"]["table"].pop("5"), "scoring.table: has no score for raw sum(s) 5"),
        (lambda d: d["scoring"]["table"].update({"13": 99}), "scoring.table.13: is outside"),
        (lambda d: d["scoring"]["table"].update({"3": 99}), "must not go down"),
        (lambda d: d["scoring"].update(missing="prorate"), "scoring.missing"),
        (lambda d: d["change"].update(meaningful=0), "change.meaningful: must be a number greater"),
        (lambda d: d["change"].update(reliable="big"), "change.reliable"),
        (lambda d: d.pop("change"), "change: is required"),
        (lambda d: d.update(wording={"ships": "yes"}), "wording.ships: is required"),
        (lambda d: d.pop("wording"), "wording.ships: is required"),
        (lambda d: d.update(reference_lines=[{"value": "x"}]), "reference_lines[0]"),
        (lambda d: d["reported_score"].update(decimals=9), "reported_score.decimals"),
        (
            lambda d: d["items"][0].update(bands=[{"min": 0, "max": 2, "label": "Low"}]),
            "items[1].bands: must cover every answer 0..4",
        ),
    ],
)
def test_validator_names_the_field(mutate, expected):
    assert expected in problems_for(mutate)


def test_validator_lists_every_problem_at_once():
    message = problems_for(lambda d: (d.pop("name"), d["answers"].update(max=0), d.pop("change")))
    assert "name:" in message and "answers.max:" in message and "change:" in message


def test_unlicensed_wording_cannot_be_put_in_a_non_shipping_file():
    def mutate(d):
        d["wording"] = {"ships": False}
    assert "wording.ships is false, so items must not carry" in problems_for(mutate)


def test_broken_json_file_reports_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": 1,\n "code": "X" "name": 1}', encoding="utf-8")
    with pytest.raises(InstrumentFileError, match="line 2, column"):
        check_instrument_file(path)
    with pytest.raises(UserError, match="Cannot read"):
        check_instrument_file(tmp_path / "missing.json")


def test_organisation_instrument_scores_with_reverse_items_and_lookup(
    caseload, actor_admin, local_instrument
):
    add_instrument(caseload, actor_admin, LOCAL)
    result = score("LOCALQ", [4, 0, 4])  # item 2 reversed: 4 + 4 + 4 = 12 -> 120
    assert (result.raw, result.value) == (12, 120.0)
    assert score("LOCALQ", [0, 4, 0]).value == 0
    assert classify_change("LOCALQ", 40, 60) == "improved"
    summaries = {s.code: s for s in instrument_summaries(caseload)}
    assert summaries["LOCALQ"].items == 3 and not summaries["LOCALQ"].builtin
    with pytest.raises(UserError, match="already exists"):
        add_instrument(caseload, actor_admin, LOCAL)


def test_replacing_an_instrument_in_use_must_keep_its_shape(caseload, actor_admin, actor_manager,
                                                             local_instrument):
    add_instrument(caseload, actor_admin, LOCAL)
    with caseload.transaction() as s:
        person = Person(reference="P1", given_name="A", family_name="B")
        s.add(person)
        s.flush()
        person_id = person.id
    record_measure(caseload, actor_manager, person_id, None, "LOCALQ", "baseline",
                   dt.date(2025, 1, 1), "paper", [1, 2, 3])
    wider = copy.deepcopy(LOCAL)
    wider["answers"]["max"] = 5
    wider["scoring"] = {"method": "sum"}
    with pytest.raises(UserError, match="must keep 3 items answered 0 to 4"):
        add_instrument(caseload, actor_admin, wider, replace=True)
    renamed = copy.deepcopy(LOCAL) | {"name": "Renamed check"}
    assert add_instrument(caseload, actor_admin, renamed, replace=True).name == "Renamed check"


def test_only_admins_add_instruments_and_builtin_codes_are_reserved(caseload, actor_manager,
                                                                   actor_admin):
    with pytest.raises(PermissionDenied):
        add_instrument(caseload, actor_manager, LOCAL)
    with pytest.raises(UserError, match="built-in"):
        add_instrument(caseload, actor_admin, copy.deepcopy(LOCAL) | {"code": "WEMWBS"})


# --- wording --------------------------------------------------------------------------------


def test_forms_show_placeholders_until_wording_is_loaded(caseload, actor_admin):
    text = form_text(caseload, "WEMWBS")
    assert text.prompts[0] == "Statement 1" and text.prompts[13] == "Statement 14"
    assert not text.wording_loaded and "load" in text.hint
    assert "NHS Health Scotland, University of Warwick and University of Edinburgh, 2006" in (
        text.notice)
    assert text.answer_labels[0] == (1, "None of the time")
    load_wording(caseload, actor_admin, "WEMWBS", "\n".join(FAKE_STATEMENTS))
    text = form_text(caseload, "WEMWBS")
    assert text.prompts == tuple(FAKE_STATEMENTS) and text.wording_loaded and not text.hint
    # SWEMWBS takes WEMWBS statements 1, 2, 3, 6, 7, 9 and 11.
    short = form_text(caseload, "SWEMWBS")
    assert [p.split()[3] for p in short.prompts] == ["1", "2", "3", "6", "7", "9", "11"]
    assert "2008" in short.notice
    statuses = {s.instrument: s for s in wording_statuses(caseload)}
    assert statuses["WEMWBS"].loaded and statuses["SWEMWBS"].via == "WEMWBS"
    clear_wording(caseload, actor_admin, "WEMWBS")
    assert form_text(caseload, "SWEMWBS").prompts[0] == "Statement 1"


def test_wording_is_checked_for_count_and_order(caseload, actor_admin):
    with pytest.raises(UserError, match="WEMWBS has 14 statements; the text has 13"):
        load_wording(caseload, actor_admin, "WEMWBS", "\n".join(FAKE_STATEMENTS[:13]))
    with pytest.raises(UserError, match="SWEMWBS has 7 statements"):
        load_wording(caseload, actor_admin, "SWEMWBS", FAKE_STATEMENTS)
    with pytest.raises(UserError, match="out of order"):
        parse_statements("1. first\n3. third", 2, "X")
    with pytest.raises(UserError, match="ships with LinkWorker"):
        load_wording(caseload, actor_admin, "ONS4", "a\nb\nc\nd")
    with caseload.reading() as s:
        assert s.execute(select(Setting).where(Setting.key.like("wording.%"))).first() is None


def test_wording_numbering_and_blank_lines_are_tidied(tmp_path, caseload, actor_admin,
                                                     actor_manager):
    path = tmp_path / "wording.txt"
    lines = [f"{n}. Invented short statement {n}" for n in range(1, 8)]
    path.write_text("\ufeff" + "\n\n".join(lines) + "\n", encoding="utf-8")
    statements = load_wording_file(caseload, actor_admin, "SWEMWBS", path)
    assert statements[0] == "Invented short statement 1"
    with pytest.raises(PermissionDenied):
        load_wording(caseload, actor_manager, "SWEMWBS", "\n".join(lines))


# --- command line ---------------------------------------------------------------------------


def run_cli(argv, caseload=None) -> int:
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    args.actor = make_actor("admin")  # what main() sets once the command has signed in

    class _Open:
        def __call__(self, **_):
            return self

        def __enter__(self):
            return caseload

        def __exit__(self, *_):
            return False

    return args.func(args, _Open())


def test_cli_check_add_list_and_wording(tmp_path, caseload, capsys, local_instrument):
    good = tmp_path / "local.json"
    good.write_text(json.dumps(LOCAL), encoding="utf-8")
    assert run_cli(["instrument", "check", str(good)]) == 0
    assert "valid. LOCALQ" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**LOCAL, "change": {}}), encoding="utf-8")
    with pytest.raises(InstrumentFileError, match="change.meaningful"):
        run_cli(["instrument", "check", str(bad)])
    assert run_cli(["instrument", "add", str(good)], caseload) == 0
    run_cli(["instrument", "list"], caseload)
    assert "LOCALQ" in capsys.readouterr().out
    wording = tmp_path / "w.txt"
    wording.write_text("\n".join(FAKE_STATEMENTS), encoding="utf-8")
    assert run_cli(["wording", "load", "--instrument", "wemwbs", str(wording)], caseload) == 0
    run_cli(["wording", "status"], caseload)
    out = capsys.readouterr().out
    assert "Loaded 14 WEMWBS statements" in out and "from the WEMWBS wording" in out
    assert run_cli(["instrument", "score", "SWEMWBS", "3", "3", "3", "3", "3", "3", "5"]) == 0
    assert "metric score 20.73" in capsys.readouterr().out
    assert SYSTEM.role == "system"
