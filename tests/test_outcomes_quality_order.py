"""The data-quality list's future forms: only those after the day, in the order the list has
always had (each form list's key as text, then the list's own order)."""

from __future__ import annotations

import datetime as dt

from linkworker.outcomes.facts import Facts, FormRow
from linkworker.outcomes.quality import future_forms

D = dt.date


def _form(day: dt.date, form_id: str) -> FormRow:
    return FormRow(day, dt.datetime(2026, 1, 1), form_id, 40.0, "baseline")


def test_future_forms_keep_the_order_of_the_whole_lists_text():
    as_of = D(2026, 10, 1)
    forms = {
        ("e2", "WEMWBS", None): [_form(D(2026, 12, 1), "f1"), _form(D(2026, 9, 1), "f2"),
                                 _form(D(2026, 11, 1), "f3")],
        ("e1", "ONS4", "happy"): [_form(D(2026, 10, 2), "f4")],
        ("e1", "ONS4", None): [_form(D(2026, 10, 5), "f5")],
        ("e1", "WEMWBS", None): [_form(D(2026, 10, 1), "f6")],  # on the day: not future
        ("e3", "WEMWBS", None): [_form(D(2027, 1, 1), "f7")],  # not a wanted journey
    }
    facts = Facts(forms=forms)
    wanted = {"e1", "e2"}
    # What the list did before: every list sorted by its whole text, then filtered.
    before = [(key, form) for key, items in sorted(forms.items(), key=str) for form in items
              if key[0] in wanted and form.date > as_of]
    found = future_forms(facts, wanted, as_of)
    assert found == before
    assert [form.id for _key, form in found] == ["f4", "f5", "f1", "f3"]


class _CountedLabels(dict):
    """A kind's issue labels that count how often a label is looked for in them."""

    looked = 0

    def __contains__(self, code: object) -> bool:
        type(self).looked += 1
        return super().__contains__(code)

    def items(self):
        type(self).looked += 1
        return super().items()


def test_issue_labels_are_one_lookup_made_once_not_a_walk_of_every_kind_per_issue():
    """Labelling a return's issues reads each kind's labels once (when the lookup is made),
    not once per issue; a kind registered later is in the next lookup, and the first kind in
    order still names a code two kinds name."""
    from linkworker.outcomes import kinds as registry
    from linkworker.outcomes.kinds import RuleKind, register
    from linkworker.outcomes.quality import issue_label

    class Counted(RuleKind):
        name, order = "counted_labels", 98
        issue_labels = _CountedLabels({"late_referral": "Referred late",
                                       "missing_baseline": "not this one"})

    register(Counted)
    try:
        codes = ["missing_baseline", "goal_without_date", "late_referral", "future_date",
                 "no_such_code"] * 600
        labels = [issue_label(code) for code in codes]
        assert labels[:5] == ["Missing baseline", "Goal outcome without a date",
                              "Referred late", "Date in the future", "no_such_code"]
        assert _CountedLabels.looked <= 1  # 3,000 issues labelled: the labels read once
    finally:
        registry.unregister("counted_labels")
    assert issue_label("late_referral") == "late_referral"
