"""The first start after an update: the schema upgrade says what it is doing (its backup, then
each revision), so neither the app nor a script looks hung while it runs; an up-to-date caseload
opens without a word."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from PySide6.QtWidgets import QWidget

from linkworker.cli import main
from linkworker.storage import keys, migrate
from linkworker.storage.database import Caseload

FROZEN = Path(__file__).parent / "fixtures" / "caseloads"
FIXTURE_PASSPHRASE = "fixture caseload passphrase"  # as in caseloads/make_caseload.py


def copy_of_0009(folder: Path) -> Path:
    """A caseload one version old, as a user has it before installing this version."""
    for name in ("caseload.db", "caseload.db.key"):
        shutil.copyfile(FROZEN / "0009" / name, folder / name)
    return folder / "caseload.db"


def newer_revisions() -> list[str]:
    scripts = sorted((migrate.MIGRATIONS / "versions").glob("[0-9]*.py"))
    return [p.name[:4] for p in scripts if p.name[:4] > "0009"]


def test_an_upgrade_reports_its_backup_then_each_step_in_order(tmp_path, no_keyring):
    path = copy_of_0009(tmp_path)
    heard: list[tuple[int, int, str]] = []
    with Caseload.open(path, FIXTURE_PASSPHRASE, progress=lambda *a: heard.append(a)) as c:
        assert migrate.stored_revision(c.engine) == migrate.head_revision()
    texts = list(dict.fromkeys(text for _done, _total, text in heard))  # each once, in order
    steps = len(newer_revisions())
    assert steps >= 1
    assert migrate.index_names("0010") == [
        "ix_contacts_day", "ix_contacts_planned_day", "ix_episodes_open_by_worker"]
    expected = ["Backing up caseload.db before the update…"]
    for n, rev in enumerate(newer_revisions(), start=1):
        parts = len(migrate.index_names(rev))
        expected += [f"Updating the caseload: step {n} of {steps}…"] + [
            f"Updating the caseload: step {n} of {steps}, index {k} of {parts}…"
            for k in range(1, parts + 1)]
    assert texts == expected + ["The caseload is up to date."]
    # Each report is also a kind and numbers, for a screen to say in its own language.
    assert [t.kind for t in texts][:3] == ["backup", "step", "index"]
    index = next(t for t in texts if t.kind == "index")
    assert (index.step, index.steps, index.part, index.parts) == (1, steps, 1, index.parts)
    backup = [(done, total) for done, total, text in heard if text.startswith("Backing up")]
    assert backup[0][0] == 0 and all(done <= total for done, total in backup)
    assert heard[-1][:2] == (steps, steps)
    assert list((tmp_path / "backups").glob("caseload-before-upgrade-0009-*.db"))


def test_an_up_to_date_caseload_reports_nothing(tmp_path, no_keyring):
    path = copy_of_0009(tmp_path)
    Caseload.open(path, FIXTURE_PASSPHRASE).close()
    heard: list[tuple] = []
    Caseload.open(path, FIXTURE_PASSPHRASE, progress=lambda *a: heard.append(a)).close()
    assert heard == []


def test_a_command_that_upgrades_says_so_on_stderr(tmp_path, no_keyring, monkeypatch, capsys):
    path = copy_of_0009(tmp_path)
    monkeypatch.setenv(keys.PASSPHRASE_ENV, FIXTURE_PASSPHRASE)
    main(["--db", str(path), "info"])
    err = capsys.readouterr().err
    assert "Backing up caseload.db before the update…" in err
    assert "Updating the caseload: step 1 of" in err
    main(["--db", str(path), "info"])
    assert "Updating" not in capsys.readouterr().err


# --- the app: the window keeps turning while the upgrade shows its steps --------------------


def answering(passphrases: list[str], errors: list[str]):
    """The real passphrase dialog, typed into by the test instead of a person."""
    from ui.unlock import PassphraseDialog

    class Answering(PassphraseDialog):
        def exec(self) -> int:
            errors.append(self.error.text())
            self.field.setText(passphrases.pop(0))
            return 1

    return Answering


def unlock_watching(path: Path) -> tuple[Caseload | None, list[str]]:
    """``ui.app.unlock(path)``, while a GUI-thread timer notes the upgrade dialog's step each
    time it fires; the open is held (after its upgrade) until the timer has fired with the
    dialog showing, which can only happen if the GUI thread is free during the open."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from linkworker.storage.hooks import OPEN_HOOKS
    from ui.app import unlock
    from ui.upgrade_progress import UpgradeDialog

    seen: list[str] = []
    turned = threading.Event()

    def tick() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, UpgradeDialog) and widget.isVisible():
                seen.append(widget.step.text())
                turned.set()

    def held(_caseload: Caseload) -> None:
        turned.wait(5)

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(5)
    OPEN_HOOKS.append(held)
    try:
        return unlock(path), seen
    finally:
        OPEN_HOOKS.remove(held)
        timer.stop()


STEP_TEXTS = ("Backing up caseload.db", "Updating the caseload: step", "The caseload is up to")


def test_the_app_shows_the_upgrade_while_the_window_keeps_turning(qtbot, tmp_path,
                                                                  no_keyring, monkeypatch):
    from ui import app

    errors: list[str] = []
    monkeypatch.setattr(app, "PassphraseDialog", answering([FIXTURE_PASSPHRASE], errors))
    caseload, seen = unlock_watching(copy_of_0009(tmp_path))
    assert caseload is not None
    with caseload:
        assert migrate.stored_revision(caseload.engine) == migrate.head_revision()
    assert seen, "the GUI thread never ran while the caseload was upgraded"
    assert all(text.startswith(STEP_TEXTS) for text in seen), seen


def test_a_wrong_passphrase_still_asks_again(qtbot, tmp_path, no_keyring, monkeypatch):
    from ui import app

    errors: list[str] = []
    answers = ["not the passphrase at all", FIXTURE_PASSPHRASE]
    monkeypatch.setattr(app, "PassphraseDialog", answering(answers, errors))
    caseload, seen = unlock_watching(copy_of_0009(tmp_path))
    assert caseload is not None
    caseload.close()
    assert errors[0] == "" and "passphrase" in errors[1].lower()
    assert seen and answers == []


def test_an_everyday_open_shows_no_dialog(qtbot, tmp_path, no_keyring, monkeypatch):
    from ui.app import unlock
    from ui.upgrade_progress import UpgradeDialog

    path = copy_of_0009(tmp_path)
    Caseload.open(path, FIXTURE_PASSPHRASE).close()
    monkeypatch.setenv(keys.PASSPHRASE_ENV, FIXTURE_PASSPHRASE)
    shown: list[str] = []
    monkeypatch.setattr(UpgradeDialog, "show_step", lambda _self, *a: shown.append(a))
    caseload = unlock(path)
    assert caseload is not None
    caseload.close()
    assert shown == []


def test_the_upgrade_dialog_cannot_be_closed_and_names_its_parts(qtbot):
    from PySide6.QtCore import Qt

    from ui.upgrade_progress import UpgradeDialog

    dialog = UpgradeDialog()
    qtbot.addWidget(dialog)
    dialog.show_step(0, 2, "Updating the caseload: step 1 of 2…")
    assert dialog.isVisible() and dialog.bar.maximum() == 0  # busy while a step runs
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    dialog.close()
    assert dialog.isVisible()
    dialog.show_step(500, 1000, "Backing up caseload.db before the update…")
    assert dialog.bar.value() == 500 and dialog.step.text().startswith("Backing up")
    names = {w.accessibleName() for w in dialog.findChildren(QWidget)}
    assert {"Update step", "Update progress", "Do not switch off"} <= names
    dialog.done(0)


def test_the_dialog_says_each_kind_of_step_in_the_users_language(qtbot):
    """The core sends English with a kind and numbers; the dialog's words come from the
    installed translation, numbers filled in, and an index gives the bar a measure."""
    from PySide6.QtCore import QTranslator
    from PySide6.QtWidgets import QApplication

    from linkworker.storage import upgrade_steps as steps
    from ui.upgrade_progress import UpgradeDialog

    welsh = {  # as a translator would write them, placeholders kept
        "Backing up {name} before the update…": "Gwneud copi wrth gefn o {name}…",
        "Updating the caseload: step {step} of {steps}…": "Diweddaru: cam {step} o {steps}…",
        "Updating the caseload: step {step} of {steps}, index {part} of {parts}…":
            "Diweddaru: cam {step} o {steps}, mynegai {part} o {parts}…",
        "The caseload is up to date.": "Mae'r llwyth achosion yn gyfredol.",
    }

    class Welsh(QTranslator):
        def translate(self, context, source, disambiguation=None, n=-1):  # Qt API
            return welsh.get(source, source) if context == "upgrade" else source

        def isEmpty(self) -> bool:
            return False

    app = QApplication.instance()
    translator = Welsh(app)
    app.installTranslator(translator)
    try:
        dialog = UpgradeDialog()
        qtbot.addWidget(dialog)
        said = []
        for done, total, step in [(0, 900, steps.backing_up("caseload.db")),
                                  (0, 2, steps.revision(1, 2)),
                                  (1, 2, steps.building_index(2, 2, 2, 3)),
                                  (2, 2, steps.UP_TO_DATE)]:
            dialog.show_step(done, total, step)
            said.append((dialog.step.text(), dialog.bar.maximum(), dialog.bar.value()))
    finally:
        app.removeTranslator(translator)
    assert [text for text, _max, _value in said] == [
        "Gwneud copi wrth gefn o caseload.db…", "Diweddaru: cam 1 o 2…",
        "Diweddaru: cam 2 o 2, mynegai 2 o 3…", "Mae'r llwyth achosion yn gyfredol."]
    assert said[1][1] == 0  # a step with nothing measured inside it: busy
    assert said[2][1:] == (1000, round(1000 * (1 + 1 / 3) / 2))  # half done, and a third more
    assert dialog.step.accessibleName() == "Update step"
    dialog.done(0)
