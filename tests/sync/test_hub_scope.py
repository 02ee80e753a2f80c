"""The hub's edges on a real PostgreSQL: who a replica holds, records leaving a scope, the
same username made on two laptops, and ``hub apply`` on its own timer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from linkworker import models
from linkworker.cli import main
from linkworker.hub.create import create_hub
from linkworker.storage.server import ServerCaseload
from linkworker.sync.online import sync_with_hub
from tests.conftest import TEST_PASSPHRASE
from tests.sync.conftest import edit, read
from tests.sync.test_hub import _laptop_for, office  # noqa: F401 - a fixture


class _Stop(KeyboardInterrupt):
    """What a service stop (Ctrl+C) looks like to the loop."""


def _stop_after(monkeypatch, rounds: int) -> list[float]:
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) >= rounds:
            raise _Stop

    monkeypatch.setattr("linkworker.cli.hub.time.sleep", sleep)
    return slept


def test_hub_apply_every_applies_each_round_until_stopped(office, pg_url, tmp_path,  # noqa: F811
                                                         monkeypatch, capsys):
    caseload, ids = office
    create_hub(caseload, pg_url)
    laptop, login_url = _laptop_for(tmp_path, caseload, pg_url, "sam", ids["sam"])
    sync_with_hub(laptop, login_url)
    edit(laptop, models.Person, ids["ruth"], town="Wakefield")
    sync_with_hub(laptop, login_url)
    laptop.close()
    monkeypatch.setenv("LINKWORKER_PASSPHRASE", TEST_PASSPHRASE)
    slept = _stop_after(monkeypatch, 2)
    assert main(["hub", "apply", "--every", "30", "--url", pg_url]) == 0
    out = capsys.readouterr().out
    assert slept == [30, 30]
    assert "every 30 s" in out and "Stopped." in out
    assert "Applied 1 packs" in out and "Applied 0 packs" in out  # the second round: nothing new
    with ServerCaseload.connect(pg_url) as hub:
        assert read(hub, models.Person, ids["ruth"], "town") == ("Wakefield",)


def test_hub_apply_every_outlives_an_unreachable_hub(monkeypatch, capsys):
    monkeypatch.setenv("LINKWORKER_PASSPHRASE", TEST_PASSPHRASE)
    slept = _stop_after(monkeypatch, 2)
    url = "postgresql+psycopg://nobody@/x?host=/nonexistent"
    assert main(["hub", "apply", "--every", "10", "--url", url]) == 0
    err = capsys.readouterr().err
    assert slept == [10, 10]
    assert err.count("trying again in 10 s") == 2 and "Traceback" not in err
