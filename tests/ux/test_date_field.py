"""Date fields as a keyboard user meets them (issue 16): typing, Tab, F4/Alt+Down, the calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QTableView, QVBoxLayout, QWidget

from ui.record import widgets as w

_KEEP: list[QWidget] = []


def _form(qtbot, field):
    top = QWidget()
    before, after = QLineEdit(), QLineEdit()
    layout = QVBoxLayout(top)
    for widget in (before, field, after):
        layout.addWidget(widget)
    qtbot.addWidget(top)
    top.show()
    qtbot.waitExposed(top)
    top.activateWindow()
    qtbot.waitUntil(top.isActiveWindow)
    _KEEP.append(top)
    return before, after


def test_typing_a_date_into_an_optional_field_that_says_not_known(qtbot):
    field = w.date_edit("Date of birth", optional=True, near=w.BIRTH_NEAR)
    _form(qtbot, field)
    assert w.get_date(field) is None
    assert field.text() == "" and "Not known" in field.placeholderText()
    field.setFocus()
    qtbot.keyClicks(field, "19/06/1980")
    assert w.get_date(field) == dt.date(1980, 6, 19)
    assert field.text() == "19/06/1980"


def test_other_ways_of_typing_become_dd_mm_yyyy(qtbot):
    field = w.date_edit("By", optional=True)
    _, after = _form(qtbot, field)
    field.setFocus()
    qtbot.keyClicks(field, "19061980")
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    assert field.text() == "19/06/1980"
    assert w.get_date(field) == dt.date(1980, 6, 19)


def test_tab_leaves_the_field(qtbot):
    field = w.date_edit("Referral date")
    before, after = _form(qtbot, field)
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    assert after.hasFocus()
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert before.hasFocus()


def test_f4_and_alt_down_open_the_calendar_near_a_sensible_date(qtbot):
    field = w.date_edit("Date of birth", optional=True, near=dt.date(1986, 1, 1))
    _form(qtbot, field)
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_F4)
    assert field.popup is not None and field.popup.isVisible()
    assert field.popup.calendar.yearShown() == 1986  # not January 1900
    field.popup.hide()
    required = w.date_edit("Contact date")
    _form(qtbot, required)
    required.setFocus()
    qtbot.keyClick(required, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert required.popup.isVisible()
    today = dt.date.today()
    assert (required.popup.calendar.yearShown(), required.popup.calendar.monthShown()) == (
        today.year, today.month)


def test_picking_a_day_in_the_calendar_fills_the_field(qtbot):
    field = w.date_edit("By", optional=True)
    _form(qtbot, field)
    seen = []
    field.dateChanged.connect(seen.append)
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_F4)
    grid = field.popup.calendar.findChild(QTableView)
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    assert not field.popup.isVisible()
    assert w.get_date(field) == dt.date.today() and seen == [dt.date.today()]


def test_text_that_is_not_a_date_is_named_and_never_saved(qtbot):
    field = w.date_edit("By", optional=True, value=dt.date(2026, 1, 5))
    _, after = _form(qtbot, field)
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, "31/02/2026")
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    assert "not a date" in field.accessibleDescription()
    assert field.value() == dt.date(2026, 1, 5)  # the last good date, never a guess
    with pytest.raises(w.BadDate, match="By: '31/02/2026' is not a date"):
        w.get_date(field)  # and a save refuses it rather than use that older date
    field.clear()
    assert w.get_date(field) is None  # emptied: "Not known"
