"""What every section of the report is built from: the document's words in its language, untrusted text as
safe paragraphs in its fonts, table styles, and the coloured boxes and notes the sections share."""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from casework.pdf.document import ReportDocument
from casework.pdf.fonts import FontFamily, FontSet
from casework.pdf.page import FRAME_WIDTH
from casework.pdf.styles import BODY_SIZE, NOTE_COLOURS, RULE, BoxColours, Styles
from casework.pdf.text import Markup
from casework.translator import Translator


class Blocks:
    """One document's building blocks, in the report language's fonts."""

    def __init__(self, doc: ReportDocument, t: Translator, fonts: FontSet) -> None:
        self.doc = doc
        self._t = t
        self.family: FontFamily = fonts.for_language(doc.language)
        self.markup = Markup(self.family, fonts.fallback_for(doc.language))
        self.styles = Styles(self.family)

    def t(self, key: str, **args: Any) -> str:
        return self._t(self.doc.language, key, **args)

    def p(self, text: str, style: ParagraphStyle, bold: bool = False) -> Paragraph:
        """A Paragraph from plain, untrusted text: escaped, with per-glyph font fallback."""
        if bold and style.fontName != self.family.bold:
            style = ParagraphStyle(f"{style.name}_bold", style, fontName=self.family.bold)
        return Paragraph(self.markup.text(text, bold=bold), style)

    def table_style(self, commands: list[tuple[Any, ...]]) -> TableStyle:
        # Plain-string cells (and empty ones) would otherwise be set in Helvetica, which is not embedded.
        return TableStyle([("FONT", (0, 0), (-1, -1), self.family.regular, BODY_SIZE), *commands])

    def box(self, title: str, lines: list[str], colours: BoxColours, bold_body: bool = False) -> Flowable:
        """A titled, coloured box the width of the page, kept on one page."""
        title_style = ParagraphStyle("box_title", self.styles.h2, textColor=colours.title, spaceBefore=0)
        body_style = ParagraphStyle("box_body", self.styles.body, spaceBefore=3)
        cells = [[self.p(title, title_style, bold=True)]]
        cells += [[self.p(line, body_style, bold=bold_body)] for line in lines]
        table = Table(cells, colWidths=[FRAME_WIDTH])
        table.setStyle(
            self.table_style(
                [
                    ("BOX", (0, 0), (-1, -1), 1.5, colours.border),
                    ("BACKGROUND", (0, 0), (-1, -1), colours.fill),
                    ("LEFTPADDING", (0, 0), (-1, -1), 10),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                    ("TOPPADDING", (0, 0), (-1, 0), 8),
                    ("BOTTOMPADDING", (0, -1), (-1, -1), 9),
                ]
            )
        )
        return KeepTogether([Spacer(1, 4 * mm), table])

    def note(self, text: str) -> Flowable:
        """A grey note with a bar on its left, for what the reader should know about the text around it."""
        style = ParagraphStyle("note", self.styles.body, fontSize=11, leading=15)
        table = Table([[self.p(text, style)]], colWidths=[FRAME_WIDTH])
        table.setStyle(
            self.table_style(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), NOTE_COLOURS.fill),
                    ("LINEBEFORE", (0, 0), (0, -1), 3, colors.HexColor("#8a96a3")),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                ]
            )
        )
        return KeepTogether([table, Spacer(1, 3 * mm)])


def rule() -> Flowable:
    return HRFlowable(width="100%", thickness=1, color=RULE, spaceBefore=4, spaceAfter=2)
