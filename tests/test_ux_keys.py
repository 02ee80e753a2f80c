"""Keys that must work from anywhere (issue 16): Ctrl+R lands in the first field, Ctrl+M
starts a wellbeing form from any tab of the record, F1 opens the guide at this screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from test_app_integration import idle, opened, world  # noqa: F401


def test_ctrl_r_puts_the_cursor_in_the_given_name(qtbot, world, opened):  # noqa: F811
    window = opened(world.actor("meg"))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    referral = window.tabs.currentWidget()
    assert referral.property("referral")
    assert QApplication.focusWidget() is referral.fields["given_name"]
    window.go("caseload")
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is referral.fields["given_name"]


def test_ctrl_m_from_the_profile_tab_starts_a_wellbeing_form(qtbot, world, opened):  # noqa: F811
    window = opened(world.actor("ann"))
    record = window.show_person(world.people["john"])
    idle(qtbot, window.runner)
    record.tabs.setCurrentIndex(0)  # Profile
    record.profile.setFocus()
    qtbot.keyClick(record.tabs, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    tab = record.wellbeing
    qtbot.waitUntil(lambda: tab.dialog is not None and tab.dialog.isVisible(), timeout=5000)
    assert record.tabs.currentIndex() == 5
    tab.dialog.reject()
    idle(qtbot, window.runner)


def test_f1_opens_the_guide_at_the_screen_in_front(qtbot, world, opened):  # noqa: F811
    window = opened(world.actor("meg"))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    guide = next(d for d in window._dialogs if d.isVisible())
    assert guide.topic == "index" and "Getting around" in guide.text()
    window.new_referral()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert guide.topic == "referral" and "Ctrl+R" in guide.text()
    window.go("reports")
    assert window.guide_topic() == "reports"
    window.show_person(world.people["john"])
    assert window.guide_topic() == "record"
    guide.close()


def test_every_guide_page_exists_and_links_work():
    from ui.guide import GUIDE, TOPICS

    for name in TOPICS.values():
        text = (GUIDE / name).read_text(encoding="utf-8")
        for linked in (part.split(")")[0] for part in text.split("](")[1:]):
            assert (GUIDE / linked).exists(), linked


def test_the_wording_hint_names_a_menu_that_exists(qtbot, world, opened):  # noqa: F811
    from linkworker.wellbeing.wording import how_to_load

    window = opened(world.actor("ada"))
    menu_texts = [a.text().replace("&", "").rstrip("…") for a in window.actions.values()]
    hint = how_to_load("WEMWBS")
    assert "File > Licensed wording" in hint and "Licensed wording" in menu_texts


WELSH_TS = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="cy_GB">
<context><name>MainWindow</name>
<message><source>&amp;File</source><translation>&amp;Ffeil</translation></message>
</context>
<context><name>Pages</name>
<message><source>Today</source><translation>Heddiw</translation></message>
</context>
</TS>
"""


def test_a_welsh_translation_file_changes_the_menus_without_code(qtbot, world, opened,  # noqa: F811
                                                                 tmp_path, monkeypatch):
    import subprocess
    import sys
    from pathlib import Path

    from PySide6.QtCore import QLocale

    from ui import i18n

    source = tmp_path / "linkworker_cy.ts"
    source.write_text(WELSH_TS, encoding="utf-8")
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    subprocess.run([str(lrelease), str(source), "-qm", str(tmp_path / "linkworker_cy.qm")],
                   check=True, capture_output=True)
    monkeypatch.setattr(i18n, "TRANSLATIONS", tmp_path)
    app = QApplication.instance()
    try:
        loaded = i18n.install(app, QLocale("cy_GB"))
        assert any(name.endswith("linkworker_cy.qm") for name in loaded)
        window = opened(world.actor("ann"))
        assert window.menuBar().actions()[0].text() == "&Ffeil"
        assert window.nav.item(0).text() == "Heddiw"
    finally:
        monkeypatch.undo()  # the real folder again, or the English plurals are not found
        i18n.install(app, QLocale("en_GB"))
    assert i18n.tr("Pages", "Today") == "Today"
    assert any(name.endswith("linkworker_en.qm") for name in i18n.install(app, QLocale("en_GB")))


def test_ctrl_n_while_the_record_opens_opens_the_note(qtbot, world, opened):  # noqa: F811
    window = opened(world.actor("ann"))
    record = window.show_person(world.people["john"])
    assert record.isAncestorOf(QApplication.focusWidget())  # the record has the keyboard
    record.open_quick_note()  # before the record has arrived
    assert "journey has ended" not in record.status.text()
    idle(qtbot, window.runner)
    assert record.quick_note.isVisible()
    record.quick_note.close_panel()
    assert record.isAncestorOf(QApplication.focusWidget())  # and gets it back from the note


def test_the_save_button_with_nothing_to_save_says_so(qtbot, world, opened):  # noqa: F811
    window = opened(world.actor("ann"))
    record = window.show_person(world.people["john"])
    idle(qtbot, window.runner)
    record.save_button.click()  # clicked(False) once crashed: False was taken as a callback
    assert "Nothing to save" in record.status.text()
