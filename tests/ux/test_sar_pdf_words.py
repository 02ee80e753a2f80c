"""The subject access PDF speaks to the person (issue 16): the form's own labels, codes in
words, dates as dd/mm/yyyy, never a field name, a Python dict or an ISO timestamp."""

from __future__ import annotations

import datetime as dt
import re

from pypdf import PdfReader

from linkworker import rights
from tests.security.test_rights import margaret  # noqa: F401 - fixture


def test_the_sar_pdf_uses_human_labels(caseload, margaret, actor_manager, tmp_path):  # noqa: F811
    files = rights.subject_access(caseload, actor_manager, margaret, tmp_path,
                                  made_on=dt.date(2026, 3, 1))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(files.pdf).pages).split())
    assert "NHS number" in text and "485 777 3456" in text
    assert "Gender Female" in text and "Date of birth 14/06/1958" in text
    for raw in ("Nhs number", "Address line1", "Gender 2", "{", "Created at", "Updated at"):
        assert raw not in text, raw
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no ISO dates or timestamps
