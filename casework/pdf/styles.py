"""How the report looks: its colours, the coloured boxes' palettes, the paragraph styles of a font family."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from casework.pdf.fonts import FontFamily
from inference.triage import Triage

# Body size is large for A4 on purpose: the PDF is mostly read zoomed to page width on a phone.
BODY_SIZE = 12.5

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#5f6b7a")
RULE = colors.HexColor("#cfd6de")
HIGHLIGHT = colors.HexColor("#fff4cc")
BAR = colors.HexColor("#3b82c4")
BAR_TOP = colors.HexColor("#d9822b")


@dataclass(frozen=True)
class BoxColours:
    border: colors.Color
    fill: colors.Color
    title: colors.Color


TRIAGE_COLOURS: dict[Triage, BoxColours] = {
    Triage.URGENT: BoxColours(
        colors.HexColor("#c62828"), colors.HexColor("#fdecea"), colors.HexColor("#b71c1c")
    ),
    Triage.UNCERTAIN: BoxColours(
        colors.HexColor("#b26a00"), colors.HexColor("#fff4e0"), colors.HexColor("#8a5200")
    ),
    Triage.ROUTINE: BoxColours(
        colors.HexColor("#2e7d32"), colors.HexColor("#e9f5ea"), colors.HexColor("#1b5e20")
    ),
}
REVIEW_COLOURS = BoxColours(
    colors.HexColor("#1565c0"), colors.HexColor("#e8f1fb"), colors.HexColor("#0d47a1")
)
NOTE_COLOURS = BoxColours(RULE, colors.HexColor("#f3f5f7"), INK)
SUMMARY_COLOURS = BoxColours(BAR, colors.HexColor("#eef5fc"), colors.HexColor("#1d4f80"))


class Styles:
    """The paragraph styles of one document, in its language's font family."""

    def __init__(self, family: FontFamily) -> None:
        regular, bold = family.regular, family.bold
        # Korean wraps at spaces like Latin text; splitLongWords keeps an unbroken string inside the page.
        base = ParagraphStyle(
            "body",
            fontName=regular,
            fontSize=BODY_SIZE,
            leading=BODY_SIZE * 1.45,
            textColor=INK,
            alignment=TA_LEFT,
            splitLongWords=1,
            bulletFontName=regular,  # the default, Helvetica, is not embedded
        )
        self.body = base
        self.title = ParagraphStyle("title", base, fontName=bold, fontSize=21, leading=27, spaceAfter=2)
        self.subtitle = ParagraphStyle("subtitle", base, fontSize=11, leading=15, textColor=MUTED)
        self.meta = ParagraphStyle("meta", base, fontName=bold, fontSize=13, leading=18, spaceBefore=6)
        self.small = ParagraphStyle("small", base, fontSize=9, leading=12, textColor=MUTED)
        # keepWithNext: a heading never ends a page without the first lines it heads.
        self.h1 = ParagraphStyle(
            "h1", base, fontName=bold, fontSize=16, leading=21, spaceBefore=14, spaceAfter=6, keepWithNext=1
        )
        self.h2 = ParagraphStyle(
            "h2",
            base,
            fontName=bold,
            fontSize=13.5,
            leading=18.5,
            spaceBefore=10,
            spaceAfter=3,
            keepWithNext=1,
        )
        self.para = ParagraphStyle("para", base, spaceAfter=6)
        self.bullet = ParagraphStyle("bullet", base, leftIndent=7 * mm, bulletIndent=2 * mm, spaceAfter=3)
        self.label = ParagraphStyle("label", base, textColor=MUTED)
        self.cell = ParagraphStyle("cell", base)
        self.cell_bold = ParagraphStyle("cell_bold", base, fontName=bold)
        self.cell_right = ParagraphStyle("cell_right", base, alignment=TA_RIGHT)
        self.cell_right_bold = ParagraphStyle("cell_right_bold", base, fontName=bold, alignment=TA_RIGHT)
        self.caption = ParagraphStyle("caption", base, fontSize=10, leading=13.5, textColor=MUTED)
