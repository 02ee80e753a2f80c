"""Wellbeing screens: the keyboard-first form, the person's tab, summaries, licensed wording.

Import the widgets from their modules (``ui.wellbeing.tab.WellbeingTab``...) or from here.
"""

from ui.wellbeing.badge import ChangeBadge, badge_text
from ui.wellbeing.form import MeasureForm, MeasureFormDialog
from ui.wellbeing.summary_view import SummaryView
from ui.wellbeing.tab import WellbeingTab
from ui.wellbeing.wording_dialog import LoadWordingDialog

__all__ = [
    "ChangeBadge",
    "LoadWordingDialog",
    "MeasureForm",
    "MeasureFormDialog",
    "SummaryView",
    "WellbeingTab",
    "badge_text",
]
