"""The user guide inside the app: short task-based pages (resources/guide/*.md), opened with
F1 at the page about the screen in front of the person.

The guide is Markdown shipped with the app (so a charity can edit it, and it can be
translated file by file: ``resources/guide/cy/`` is read first for Welsh). Links between pages
work inside the window; nothing is fetched from the internet.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLocale, QUrl
from PySide6.QtWidgets import QDialog, QTextBrowser, QVBoxLayout, QWidget

from linkworker.resources import RESOURCES

GUIDE = RESOURCES / "guide"
TOPICS = {
    "index": "index.md",
    "referral": "first-referral.md",
    "first_meeting": "first-meeting.md",
    "record": "review.md",
    "reports": "quarterly-return.md",
    "offline": "offline.md",
}


def guide_file(topic: str, locale: QLocale | None = None) -> Path:
    """The page for ``topic``, in the user's language when a translation is shipped."""
    name = TOPICS.get(topic, TOPICS["index"])
    language = (locale or QLocale()).name().split("_")[0]
    translated = GUIDE / language / name
    return translated if translated.exists() else GUIDE / name


class GuideWindow(QDialog):
    """A non-modal window beside the work: read the steps while doing them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("LinkWorker guide"))
        self.browser = QTextBrowser()
        self.browser.setAccessibleName(self.tr("User guide"))
        self.browser.setOpenLinks(True)
        self.browser.setOpenExternalLinks(False)
        self.browser.setSearchPaths([str(GUIDE)])
        QVBoxLayout(self).addWidget(self.browser)
        self.resize(640, 600)

    def hideEvent(self, event) -> None:
        """Esc closes the guide: hand the keyboard straight back to the window, so the key the
        guide just taught (Ctrl+5, Ctrl+N) works at once, whatever the window manager does."""
        super().hideEvent(event)
        if self.parentWidget() is not None:
            self.parentWidget().activateWindow()

    def show_topic(self, topic: str) -> None:
        path = guide_file(topic)
        self.browser.setSearchPaths([str(path.parent)])
        self.browser.setSource(QUrl.fromLocalFile(str(path)))
        self.topic = topic

    def text(self) -> str:
        return self.browser.toPlainText()
