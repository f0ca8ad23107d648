"""Turn untrusted text into reportlab Paragraph mini-markup that cannot break and never shows boxes.

reportlab has no per-glyph font fallback, so we pick the font per character: the language's font where
it has the glyph, the other family where that has it (a Korean name in a Vietnamese report), and we
drop what neither can draw (emoji), which would otherwise print as empty boxes.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics

from casework.pdf.fonts import FontFamily
from casework.report_markup import Span

log = logging.getLogger(__name__)

# Zero-width joiners and variation selectors only make sense next to emoji we drop anyway.
_INVISIBLE = {"\u200d", "\ufe0e", "\ufe0f"}


def clean(text: str) -> str:
    """NFC-normalise (precomposed Vietnamese and Hangul need no shaping) and drop control characters."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cs"))


class Markup:
    """Builds markup for one primary family with one fallback family."""

    def __init__(self, primary: FontFamily, fallback: FontFamily) -> None:
        self.primary = primary
        self.fallback = fallback
        self._primary_cmap = _cmap(primary.regular)
        self._fallback_cmap = _cmap(fallback.regular)

    def _which(self, ch: str) -> int:
        """0: primary font, 1: fallback font, -1: nobody can draw it."""
        if ch in " \n" or ord(ch) in self._primary_cmap:
            return 0
        if ord(ch) in self._fallback_cmap:
            return 1
        return -1

    def spans(self, spans: Iterable[Span], bold: bool = False) -> str:
        """Markup for spans; `bold` says the paragraph style is already bold (headings)."""
        out: list[str] = []
        dropped = 0
        for span in spans:
            want_bold = bold or span.bold
            run: list[str] = []
            run_font = 0

            def flush(run: list[str], font: int, want_bold: bool = want_bold) -> None:
                if not run:
                    return
                body = escape("".join(run)).replace("\n", "<br/>")
                if font == 1:
                    face = self.fallback.bold if want_bold else self.fallback.regular
                    body = f'<font face="{face}">{body}</font>'
                elif want_bold and not bold:
                    body = f"<b>{body}</b>"
                out.append(body)
                run.clear()

            for ch in clean(span.text):
                if ch in _INVISIBLE:
                    continue
                font = self._which(ch)
                if font < 0:
                    dropped += 1
                    continue
                if font != run_font:
                    flush(run, run_font)
                    run_font = font
                run.append(ch)
            flush(run, run_font)
        if dropped:
            log.debug("dropped %d characters no embedded font can draw", dropped)
        return "".join(out)

    def text(self, text: str, bold: bool = False) -> str:
        return self.spans([Span(text)], bold=bold)


def _cmap(font_name: str) -> dict[int, int]:
    return pdfmetrics.getFont(font_name).face.charToGlyph
