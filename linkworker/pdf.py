"""PDFs for people (My plan, a subject access copy, a return's cover): one font, one language,
the same bytes for the same content.

* **Embedded font.** DejaVu Sans from ``resources/fonts`` (Bitstream Vera licence, beside it),
  embedded as a subset of the characters used. Reportlab's default Helvetica is one of the PDF
  "standard 14" fonts, which are never embedded: the reader's own substitute is used, and
  anything outside Latin-1 (Welsh ŵ and ŷ, many people's names, the euro sign) comes out as
  black boxes. Archival (PDF/A) and accessible (PDF/UA) PDFs also require embedded fonts.
* **Language.** ``en-GB`` in the document catalogue (``/Lang``), so a screen reader reads the
  person's plan in a British voice.
* **Reproducible.** Reportlab's ``invariant`` mode: a fixed creation date and a document id
  made from the content, so the same input gives identical bytes (returns are compared and
  hashed; a re-made plan is not "changed").

``document(buffer, ...)`` is a ``SimpleDocTemplate`` with those settings; ``styles()`` is
reportlab's sample style sheet in DejaVu Sans; ``FONT``/``BOLD`` name the faces for
hand-made styles and table styles.
"""

from __future__ import annotations

import functools
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import StyleSheet1, getSampleStyleSheet
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import SimpleDocTemplate

from linkworker.resources import resource_path

FONT = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
ITALIC = "DejaVuSans-Oblique"
BOLD_ITALIC = "DejaVuSans-BoldOblique"
LANGUAGE = "en-GB"
CREATOR = "LinkWorker"

# Reportlab's built-in faces -> ours, for styles that name one.
_REPLACES = {
    "Helvetica": FONT, "Times-Roman": FONT, "Courier": FONT,
    "Helvetica-Bold": BOLD, "Times-Bold": BOLD, "Courier-Bold": BOLD,
    "Helvetica-Oblique": ITALIC, "Times-Italic": ITALIC, "Courier-Oblique": ITALIC,
    "Helvetica-BoldOblique": BOLD_ITALIC, "Times-BoldItalic": BOLD_ITALIC,
    "Courier-BoldOblique": BOLD_ITALIC,
}


@functools.cache
def register_fonts() -> None:
    """Register the four faces once per process, as a family so <b> and <i> work."""
    for name in (FONT, BOLD, ITALIC, BOLD_ITALIC):
        pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", f"{name}.ttf"))))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=ITALIC,
                                  boldItalic=BOLD_ITALIC)


def styles() -> StyleSheet1:
    """Reportlab's sample style sheet (Title, Heading2, BodyText...) in DejaVu Sans."""
    register_fonts()
    sheet = getSampleStyleSheet()
    for style in sheet.byName.values():
        for attribute in ("fontName", "bulletFontName"):
            face = getattr(style, attribute, None)
            if face in _REPLACES:
                setattr(style, attribute, _REPLACES[face])
    return sheet


def document(target: Any, **options: Any) -> SimpleDocTemplate:
    """A ``SimpleDocTemplate`` for A4 with the embedded font ready, ``/Lang en-GB`` and
    invariant output; ``options`` (margins, title, author...) are passed on."""
    register_fonts()
    options.setdefault("pagesize", A4)
    options.setdefault("creator", CREATOR)
    options["invariant"] = 1
    options["initialFontName"] = FONT  # else the canvas starts in (unembedded) Helvetica
    options["lang"] = LANGUAGE
    return SimpleDocTemplate(target, **options)
