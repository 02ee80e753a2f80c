"""The audit trail's event codes in words a data lead reads ("Signed in", not ``sign_in``).

Display only: the trail, its hash chain, its CSV export and a subject access copy keep the
codes, which never change meaning between versions or languages. A code with no words here
(a newer version's, or a hub's) shows as itself rather than as nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from ui.i18n import translate

CONTEXT = "admin.audit_words"

WORDS: dict[str, str] = {
    "audit_export": QT_TRANSLATE_NOOP("admin.audit_words", "Exported the audit trail"),
    "audit_rekey": QT_TRANSLATE_NOOP("admin.audit_words", "Re-keyed the audit trail"),
    "backup": QT_TRANSLATE_NOOP("admin.audit_words", "Made a backup"),
    "change": QT_TRANSLATE_NOOP("admin.audit_words", "Changed a record"),
    "cohort.export": QT_TRANSLATE_NOOP("admin.audit_words", "Exported a cohort for matching"),
    "condition.add": QT_TRANSLATE_NOOP("admin.audit_words", "Added a condition"),
    "condition.remove": QT_TRANSLATE_NOOP("admin.audit_words", "Removed a condition"),
    "consent.add": QT_TRANSLATE_NOOP("admin.audit_words", "Recorded a consent"),
    "consent.withdraw": QT_TRANSLATE_NOOP("admin.audit_words", "Withdrew a consent"),
    "contact.change": QT_TRANSLATE_NOOP("admin.audit_words", "Corrected a contact"),
    "contact.record": QT_TRANSLATE_NOOP("admin.audit_words", "Recorded a contact"),
    "contact.withdraw": QT_TRANSLATE_NOOP("admin.audit_words", "Withdrew a contact"),
    "contract.add": QT_TRANSLATE_NOOP("admin.audit_words", "Added a contract"),
    "contract.update": QT_TRANSLATE_NOOP("admin.audit_words", "Updated a contract"),
    "demo.generate": QT_TRANSLATE_NOOP("admin.audit_words", "Made the demo caseload"),
    "erase": QT_TRANSLATE_NOOP("admin.audit_words", "Erased a person"),
    "export": QT_TRANSLATE_NOOP("admin.audit_words", "Exported data"),
    "export.wellbeing_summary": QT_TRANSLATE_NOOP("admin.audit_words",
                                                  "Exported a wellbeing summary"),
    "goal.add": QT_TRANSLATE_NOOP("admin.audit_words", "Added a goal"),
    "goal.change": QT_TRANSLATE_NOOP("admin.audit_words", "Corrected a goal"),
    "goal.review": QT_TRANSLATE_NOOP("admin.audit_words", "Reviewed a goal"),
    "goal.step_add": QT_TRANSLATE_NOOP("admin.audit_words", "Added a step to a goal"),
    "goal.step_done": QT_TRANSLATE_NOOP("admin.audit_words", "Marked a step done"),
    "goal.withdraw": QT_TRANSLATE_NOOP("admin.audit_words", "Withdrew a goal"),
    "hub.init": QT_TRANSLATE_NOOP("admin.audit_words", "Set up the team hub"),
    "import": QT_TRANSLATE_NOOP("admin.audit_words", "Imported data"),
    "instrument.add": QT_TRANSLATE_NOOP("admin.audit_words", "Added a wellbeing measure"),
    "journey.exit": QT_TRANSLATE_NOOP("admin.audit_words", "Ended a journey"),
    "journey.start": QT_TRANSLATE_NOOP("admin.audit_words", "Started a journey"),
    "lock": QT_TRANSLATE_NOOP("admin.audit_words", "Locked the app"),
    "measure.record": QT_TRANSLATE_NOOP("admin.audit_words", "Recorded a wellbeing form"),
    "note.add": QT_TRANSLATE_NOOP("admin.audit_words", "Added a note"),
    "password_change": QT_TRANSLATE_NOOP("admin.audit_words", "Changed their password"),
    "password_reset": QT_TRANSLATE_NOOP("admin.audit_words", "Reset a password"),
    "person.create": QT_TRANSLATE_NOOP("admin.audit_words", "Added a person (referral)"),
    "person.merge": QT_TRANSLATE_NOOP("admin.audit_words", "Merged two records"),
    "person.unmerge": QT_TRANSLATE_NOOP("admin.audit_words", "Undid a merge"),
    "person_give": QT_TRANSLATE_NOOP("admin.audit_words", "Gave a worker access to a person"),
    "person_take_back": QT_TRANSLATE_NOOP("admin.audit_words", "Took back a worker's access"),
    "restore": QT_TRANSLATE_NOOP("admin.audit_words", "Restored a backup"),
    "results.import": QT_TRANSLATE_NOOP("admin.audit_words", "Imported outcome results"),
    "return.adjust": QT_TRANSLATE_NOOP("admin.audit_words", "Adjusted a claim"),
    "return.build": QT_TRANSLATE_NOOP("admin.audit_words", "Built a return"),
    "return.export": QT_TRANSLATE_NOOP("admin.audit_words", "Exported a return"),
    "return.submit": QT_TRANSLATE_NOOP("admin.audit_words", "Submitted a return"),
    "service.add": QT_TRANSLATE_NOOP("admin.audit_words", "Added a service"),
    "service.change": QT_TRANSLATE_NOOP("admin.audit_words", "Changed a service"),
    "settings_change": QT_TRANSLATE_NOOP("admin.audit_words", "Changed a setting"),
    "sign_in": QT_TRANSLATE_NOOP("admin.audit_words", "Signed in"),
    "sign_in_failed": QT_TRANSLATE_NOOP("admin.audit_words", "Sign-in failed"),
    "sign_out": QT_TRANSLATE_NOOP("admin.audit_words", "Signed out"),
    "signpost.add": QT_TRANSLATE_NOOP("admin.audit_words", "Signposted to a service"),
    "signpost.take_up": QT_TRANSLATE_NOOP("admin.audit_words", "Recorded a take-up"),
    "subject_access": QT_TRANSLATE_NOOP("admin.audit_words", "Made a subject access copy"),
    "sync.hub": QT_TRANSLATE_NOOP("admin.audit_words", "Synced with the team hub"),
    "sync.pack_export": QT_TRANSLATE_NOOP("admin.audit_words", "Exported a sync pack"),
    "sync.pack_import": QT_TRANSLATE_NOOP("admin.audit_words", "Imported a sync pack"),
    "sync.repair": QT_TRANSLATE_NOOP("admin.audit_words", "Repaired sync"),
    "sync.resolve": QT_TRANSLATE_NOOP("admin.audit_words", "Resolved a sync conflict"),
    "team_key.create": QT_TRANSLATE_NOOP("admin.audit_words", "Made the team key"),
    "team_key.export": QT_TRANSLATE_NOOP("admin.audit_words", "Exported the team key"),
    "team_key.import": QT_TRANSLATE_NOOP("admin.audit_words", "Imported the team key"),
    "unmet_need.add": QT_TRANSLATE_NOOP("admin.audit_words", "Recorded an unmet need"),
    "user_create": QT_TRANSLATE_NOOP("admin.audit_words", "Added a user"),
    "user_deactivate": QT_TRANSLATE_NOOP("admin.audit_words", "Deactivated a user"),
    "user_reactivate": QT_TRANSLATE_NOOP("admin.audit_words", "Reactivated a user"),
    "user_rename": QT_TRANSLATE_NOOP("admin.audit_words", "Renamed a user"),
    "user_role": QT_TRANSLATE_NOOP("admin.audit_words", "Changed a user's role"),
    "user_unlock": QT_TRANSLATE_NOOP("admin.audit_words", "Unlocked a user"),
    "view_person": QT_TRANSLATE_NOOP("admin.audit_words", "Viewed a record"),
    "wellbeing.threshold_change": QT_TRANSLATE_NOOP("admin.audit_words",
                                                    "Changed a wellbeing threshold"),
    "wording.clear": QT_TRANSLATE_NOOP("admin.audit_words", "Removed licensed wording"),
    "wording.load": QT_TRANSLATE_NOOP("admin.audit_words", "Loaded licensed wording"),
}


def action_words(code: str) -> str:
    """What happened, in the reader's language; an unknown code as itself."""
    words = WORDS.get(code)
    return translate(CONTEXT, words) if words else code
