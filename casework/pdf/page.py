"""The A4 page: its one body frame, and the footer with the case and "page n of m" on every page."""

from __future__ import annotations

from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, PageTemplate

from casework.pdf.styles import MUTED, RULE

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
FOOTER_SPACE = 10 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN


def page_template() -> PageTemplate:
    # Zero frame padding, so tables sized to FRAME_WIDTH line up with the text.
    frame = Frame(
        MARGIN,
        MARGIN + FOOTER_SPACE,
        FRAME_WIDTH,
        PAGE_HEIGHT - 2 * MARGIN - FOOTER_SPACE,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    return PageTemplate(id="report", frames=[frame])


class NumberedCanvas(Canvas):
    """Two-pass page numbering: pages are held until save(), when the total is known."""

    def __init__(self, *args: Any, footer_left: str, page_label: Any, font_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self._footer_left = footer_left
        self._page_label = page_label
        self._footer_font = font_name

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        y = MARGIN - 2 * mm
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN, y + 12, PAGE_WIDTH - MARGIN, y + 12)
        self.setFillColor(MUTED)
        self.setFont(self._footer_font, 10)
        self.drawString(MARGIN, y, self._footer_left)
        self.drawRightString(PAGE_WIDTH - MARGIN, y, self._page_label(page=self._pageNumber, total=total))
        self.restoreState()
