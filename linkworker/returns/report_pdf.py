"""The PDF cover report of a return: totals, a chart of claims, equality and wellbeing change.

Built with reportlab in ``invariant`` mode (fixed creation date and document id) and a chart
PNG without a timestamp, so the same return always gives the same bytes.
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from linkworker import pdf
from linkworker.charts import claims_by_outcome_and_period, figure_bytes
from linkworker.returns.document import ReturnDocument
from linkworker.returns.tables import HASH_LABEL, issue_counts, summary_pairs
from linkworker.validation import format_money

GRID = TableStyle([
    ("FONTSIZE", (0, 0), (-1, -1), 8.5),
    ("FONTNAME", (0, 0), (-1, -1), pdf.FONT),
    ("FONTNAME", (0, 0), (-1, 0), pdf.BOLD),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF4")),
    ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#999999")),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
])


def _table(rows: list[list[Any]], widths: list[float] | None = None) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(GRID)
    return table


def _chart(doc: ReturnDocument) -> Image:
    ids = [o.id for o in doc.contract.outcomes]
    figure = claims_by_outcome_and_period(doc.history, ids, width=7.0, height=3.0)
    png = figure_bytes(figure, "png", dpi=110)
    return Image(io.BytesIO(png), width=170 * mm, height=170 * mm * 3.0 / 7.0)


def to_pdf(doc: ReturnDocument) -> bytes:
    styles = pdf.styles()
    small = ParagraphStyle("small", parent=styles["Normal"], fontSize=8, leading=10)
    # 64 hex digits in DejaVu Sans fit the cell on one line at 7 points (at 8 some wrapped):
    # a hash broken over two lines is copied with a space or a newline in it.
    whole = ParagraphStyle("hash", parent=small, fontSize=7)
    cur, label, totals = doc.contract.currency, doc.period.label, doc.totals
    buffer = io.BytesIO()
    out = pdf.document(
        buffer, leftMargin=18 * mm, rightMargin=18 * mm,
        topMargin=16 * mm, bottomMargin=16 * mm, creator="LinkWorker", author="LinkWorker",
        title=f"Outcome return {label}", subject=doc.contract.name,
    )
    story: list[Any] = [
        Paragraph(f"Outcome return {label}", styles["Title"]),
        Paragraph(doc.contract.name, styles["Heading2"]),
    ]
    if not doc.is_submitted:
        story.append(Paragraph("DRAFT: not submitted. Figures may change.", styles["Heading3"]))
    story.append(_table([["Return", ""]] + [[k, Paragraph(v, whole if k == HASH_LABEL else small)]
                                            for k, v in summary_pairs(doc)],
                        [60 * mm, 114 * mm]))
    story += [Spacer(1, 5 * mm), Paragraph("Claims by outcome", styles["Heading2"])]
    rows = [["Outcome", "Name", "Price", "Claims", "Amount"]]
    rows += [[t.outcome_id, Paragraph(t.name, small), format_money(t.price, cur),
              str(t.claims), format_money(t.amount, cur)]
             for t in totals.by_outcome]
    rows.append(["", "Total claimed", "", str(totals.claims), format_money(totals.claimed, cur)])
    if totals.adjustments:
        rows.append(["", "Adjustments", "", "", format_money(totals.adjustments, cur)])
        rows.append(["", "Net", "", "", format_money(totals.net, cur)])
    story += [_table(rows, [22 * mm, 78 * mm, 24 * mm, 18 * mm, 30 * mm]), Spacer(1, 4 * mm),
              KeepTogether([Paragraph("Claims by outcome and return period", styles["Heading3"]),
                            _chart(doc)])]

    story.append(Paragraph("Equality: people with claims in this return", styles["Heading2"]))
    for breakdown in doc.equality:
        story.append(Paragraph(breakdown.name, styles["Heading4"]))
        story.append(_table([[breakdown.name, "People"]] +
                            [[c.label, str(c.shown)] for c in breakdown.cells],
                            [70 * mm, 30 * mm]))
    story.append(Paragraph(doc.equality_note, small))

    story.append(Paragraph("Paired wellbeing change", styles["Heading2"]))
    story.append(Paragraph(
        "Each person's own follow-up against their own baseline, for people on this contract "
        "with a baseline since it started; people without a follow-up are counted, not dropped.",
        small))
    for block in doc.wellbeing:
        story.append(Paragraph(block.name, styles["Heading4"]))
        story.append(_table([["Measure", "Value", "Note"]] + [
            [Paragraph(line.label, small), line.value, Paragraph(line.note, small)]
            for line in block.lines], [70 * mm, 30 * mm, 74 * mm]))

    story.append(Paragraph("Data quality", styles["Heading2"]))
    counts = issue_counts(doc)
    if counts:
        story.append(_table([["Issue", "Effect", "Number"]] +
                            [[label, effect, str(n)] for label, effect, n in counts],
                            [80 * mm, 30 * mm, 25 * mm]))
    else:
        story.append(Paragraph("No data-quality issues found.", styles["Normal"]))
    story.append(Paragraph(
        f"{len(doc.exclusions)} outcome(s) found but not claimed (caps, eligibility, "
        "consent or already claimed) are listed in the workbook.", small))
    out.build(story)
    return buffer.getvalue()
