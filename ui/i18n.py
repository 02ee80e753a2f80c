"""Translations: every user-facing string goes through Qt's ``tr`` / ``translate``, so a
language is added by dropping a compiled ``linkworker_<lang>.qm`` into
``resources/translations/`` (no code change). See docs/translations.md for adding Welsh.

``install(app)`` loads the file for the user's locale (``LINKWORKER_LANG=cy`` forces one),
plus Qt's own translations of its standard buttons when Qt ships them.
"""

from __future__ import annotations

import os

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QTranslator,
)

from linkworker.resources import RESOURCES

TRANSLATIONS = RESOURCES / "translations"
_installed: list[QTranslator] = []  # kept alive while the app runs


def chosen_locale() -> QLocale:
    forced = os.environ.get("LINKWORKER_LANG", "").strip()
    return QLocale(forced) if forced else QLocale()


def install(app: QCoreApplication, locale: QLocale | None = None) -> list[str]:
    """Load the translations for ``locale``; the names of the files loaded.

    ``linkworker_en.qm`` always comes first: it holds only the English plural forms
    ("%Ln person(s)" -> "1 person" / "2 people"), Qt's way of writing plurals in source text.
    A language with no .qm yet shows the English text, never an error.
    """
    locale = locale or chosen_locale()
    if locale.language() == QLocale.Language.C:  # no language set (a bare container): UK
        locale = QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
    QLocale.setDefault(locale)  # %Ln and day names follow the chosen language
    loaded = []
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    english = QTranslator(app)
    if english.load(str(TRANSLATIONS / "linkworker_en.qm")):
        app.installTranslator(english)
        _installed.append(english)
        loaded.append(english.filePath())
    sources = [(str(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)), "qtbase")]
    if locale.language() != QLocale.Language.English:
        sources.insert(0, (str(TRANSLATIONS), "linkworker"))
    for folder, prefix in sources:
        translator = QTranslator(app)
        if translator.load(locale, prefix, "_", folder):
            app.installTranslator(translator)
            _installed.append(translator)
            loaded.append(translator.filePath())
    return loaded


def translate(context: str, text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """The one way screens mark text: ``translate("due_view", "{n} overdue").format(n=...)``.

    The context is the screen's module (``record.goals_tab``), so a translator sees a screen's
    strings together; ``n`` picks a plural form (``"%Ln day(s)"``, see docs/translations.md).
    lupdate finds these calls by the name ``translate`` and literal arguments.
    """
    return QCoreApplication.translate(context, text, disambiguation, n)


def tr(context: str, text: str) -> str:
    """Translate text defined outside a widget (page titles, module constants)."""
    return QCoreApplication.translate(context, text)


# Titles defined as data (ui/main_window.py PAGES), marked here so lupdate collects them.
PAGE_TITLES = (
    QT_TRANSLATE_NOOP("Pages", "Today"), QT_TRANSLATE_NOOP("Pages", "My caseload"),
    QT_TRANSLATE_NOOP("Pages", "Due and overdue"), QT_TRANSLATE_NOOP("Pages", "Directory"),
    QT_TRANSLATE_NOOP("Pages", "Reports"), QT_TRANSLATE_NOOP("Pages", "Settings"),
    QT_TRANSLATE_NOOP("Pages", "Drop-in register"),
)
