"""Damage past page 1 is found: at open (the first pages), in the background (any page), and
by ``linkworker info``; a damaged caseload is offered a restore, never a crash (issue 13.6)."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import TEST_PASSPHRASE
from sqlalchemy import func, select

from linkworker import backup
from linkworker.cli import main as cli_main
from linkworker.models import Person
from linkworker.storage.database import Caseload, CaseloadDamaged
from linkworker.storage.pages import OPEN_CHECK_PAGES, PAGE_SIZE


def _fill(caseload: Caseload, people: int) -> None:
    with caseload.transaction() as s:
        for i in range(people):
            s.add(Person(reference=f"LW-{i:06d}", given_name=f"Given{i}" * 8,
                         family_name="Testperson", address_line1="1 Long Road " * 40))
    caseload.checkpoint()


def _damage_page(path, number: int) -> None:
    with path.open("r+b") as handle:
        handle.seek((number - 1) * PAGE_SIZE + 100)
        handle.write(os.urandom(64))


@pytest.fixture(scope="module")
def _template(tmp_path_factory):
    """Built once: a caseload with more pages than the open-time check covers, and a good
    backup beside it."""
    folder = tmp_path_factory.mktemp("damage-template")
    with Caseload.create(folder / "caseload.db", TEST_PASSPHRASE) as caseload:
        _fill(caseload, 3000)
        backup.auto_backup(caseload, "daily")
    # Counted once closed: the close's last checkpoint may still add a page (the backup's
    # audit event waits in the WAL until then).
    pages = -(-(folder / "caseload.db").stat().st_size // PAGE_SIZE)
    assert pages > OPEN_CHECK_PAGES + 50
    return folder, pages


@pytest.fixture
def big(_template, tmp_path):
    """A fresh copy of the template for each test (each one damages it)."""
    folder, pages = _template
    copy = shutil.copytree(folder, tmp_path / "copy")
    return copy / "caseload.db", pages


def test_a_sound_file_has_no_damaged_pages(big):
    path, pages = big
    with Caseload.open(path, TEST_PASSPHRASE) as db:
        checker = db.page_checker()
        assert checker.usable
        assert checker.all_damaged() == []
        assert sum(r.last - r.first + 1 for r in checker.slices(size=100)) == pages


def test_damaged_page_2_is_refused_at_open_and_a_backup_restores(big):
    path, _pages = big
    _damage_page(path, 2)
    with pytest.raises(CaseloadDamaged, match="page 2"):
        Caseload.open(path, TEST_PASSPHRASE)
    good = backup.latest_good_backup(path, TEST_PASSPHRASE)
    assert good is not None and good.people == 3000
    backup.restore_from(good.path, path, TEST_PASSPHRASE)
    with Caseload.open(path, TEST_PASSPHRASE) as db, db.reading() as s:
        assert s.execute(select(func.count()).select_from(Person)).scalar_one() == 3000


def test_deep_damage_opens_quickly_and_the_background_check_finds_it(big):
    path, pages = big
    deep = pages - 10
    _damage_page(path, deep)
    with Caseload.open(path, TEST_PASSPHRASE) as db:  # start-up is not held up by the check
        found = [n for step in db.page_checker().slices(size=64) for n in step.damaged]
    assert found == [deep]


def test_info_reports_deep_damage(big, capsys, monkeypatch):
    monkeypatch.setenv("LINKWORKER_PASSPHRASE", TEST_PASSPHRASE)
    path, pages = big
    assert cli_main(["--db", str(path), "info"]) == 0
    assert "Damaged pages" in capsys.readouterr().out
    _damage_page(path, pages - 3)
    assert cli_main(["--db", str(path), "info"]) == 2
    out = capsys.readouterr()
    assert f"page {pages - 3}" in out.out + out.err
    assert "Traceback" not in out.err


def test_a_cut_short_file_is_damaged(big):
    path, pages = big
    with path.open("r+b") as handle:
        handle.truncate((pages - 1) * PAGE_SIZE + 1000)
    with Caseload.open(path, TEST_PASSPHRASE) as db:
        assert db.page_checker().all_damaged() == [pages]


def test_the_background_check_finds_deep_damage_and_offers_a_restore(big, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMainWindow, QMessageBox

    from ui.admin.recovery import StartupChecks
    from ui.operations import Runner

    path, pages = big
    _damage_page(path, pages - 20)
    asked: list[str] = []

    def answer(_parent, _title, text, *_buttons):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "warning", answer)
    caseload = Caseload.open(path, TEST_PASSPHRASE)
    runner = Runner(caseload)
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    checks = StartupChecks(window, runner)
    qtbot.waitUntil(lambda: checks.problems != [], timeout=30000)
    assert f"page {pages - 20}" in checks.problems[0] and "restore" in asked[0]
    assert checks.restore_requested  # app.run then closes the caseload and offers the restore
    runner.shutdown()
    caseload.close()


def test_the_page_check_waits_while_a_search_runs_then_still_finds_damage(big, qtbot):
    """The check steps aside for the user's reads (issue 15) and still reaches every page."""
    import threading

    from ui.admin.recovery import check_pages
    from ui.operations import Runner

    path, pages = big
    _damage_page(path, pages - 20)
    caseload = Caseload.open(path, TEST_PASSPHRASE)
    runner = Runner(caseload)
    searching, release = threading.Event(), threading.Event()
    searched: list[str] = []
    found: list[list[str]] = []

    def search(job):
        searching.set()
        release.wait(30)
        return "rows"

    try:
        runner.read(search, searched.append, supersede="search")
        assert searching.wait(10)
        runner.background(check_pages, found.append, quiet=True)
        qtbot.wait(800)  # ample for the whole check, were it not waiting
        assert found == []
        release.set()
        qtbot.waitUntil(lambda: found != [], timeout=30000)
        assert searched == ["rows"] and f"page {pages - 20}" in found[0][0]
    finally:
        release.set()
        runner.shutdown()
        caseload.close()


def test_the_lock_byte_page_at_one_gigabyte_is_not_a_page_to_check(tmp_path):
    """SQLite never writes the page holding byte 0x40000000; a file past 1 GB is sound."""
    from linkworker.storage.pages import LOCK_BYTE_PAGE, PageChecker

    sparse = tmp_path / "sparse.db"
    with sparse.open("wb") as handle:
        handle.write(os.urandom(16))
        handle.truncate(LOCK_BYTE_PAGE * PAGE_SIZE)  # zeros: never a sound page
    checker = PageChecker(sparse, b"k" * 32)
    assert checker.damaged_pages(LOCK_BYTE_PAGE - 1, 2) == [LOCK_BYTE_PAGE - 1]
