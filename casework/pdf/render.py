"""Render a ReportDocument to an A4 PDF that reads well on a phone: one column, large type.

What goes where: story.py the sections in order (scores.py, pictures.py, follow_up.py, report_body.py),
blocks.py what they are built from, styles.py how they look, page.py the page and its footer."""

from __future__ import annotations

import io
import logging
import threading
from functools import partial

from reportlab.lib.pagesizes import A4
from reportlab.platypus import BaseDocTemplate

from casework.pdf.blocks import Blocks
from casework.pdf.document import ReportDocument
from casework.pdf.fonts import FontSet, ensure_fonts
from casework.pdf.page import NumberedCanvas, page_template
from casework.pdf.pictures import thumbnail
from casework.pdf.story import story
from casework.pdf.styles import BODY_SIZE
from casework.translator import Translator

log = logging.getLogger(__name__)

# reportlab's TTFont keeps per-document subset state and its docs say one TTFont object must not serve two
# documents at the same time; every render shares the registered fonts, so builds take turns.
_build_lock = threading.Lock()


def render_pdf(
    doc: ReportDocument, t: Translator, *, fonts: FontSet | None = None, emergency_number: str = ""
) -> bytes:
    """The PDF bytes for one case. CPU-bound and thread-safe: call it through asyncio.to_thread.
    `emergency_number` is the deployment's (SKINBOT_EMERGENCY_NUMBER); empty, the page names none."""
    fonts = fonts or ensure_fonts()
    # Image work needs no fonts and Pillow releases the GIL, so it runs outside the lock.
    photos = [thumbnail(photo.jpeg) for photo in doc.photos]
    heatmap = thumbnail(doc.heatmap_png) if doc.heatmap_png else None
    earlier_photo = doc.earlier.photo_jpeg if doc.earlier is not None else None
    earlier = thumbnail(earlier_photo) if earlier_photo else None
    buffer = io.BytesIO()
    with _build_lock:
        blocks = Blocks(doc, t, fonts)
        footer_font = fonts.for_language(doc.language).regular
        template = BaseDocTemplate(
            buffer,
            pagesize=A4,
            pageTemplates=[page_template()],
            # Otherwise every page's preamble selects Helvetica, a font we do not embed.
            initialFontName=footer_font,
            initialFontSize=BODY_SIZE,
            title=f"{t(doc.language, 'pdf-title')} · {doc.short_id}",
            author="skinbot",
            subject=t(doc.language, "pdf-case", case=doc.short_id),
            creator="skinbot",
            lang=doc.language,
        )
        canvasmaker = partial(
            NumberedCanvas,
            footer_left=t(doc.language, "pdf-footer", case=doc.short_id),
            page_label=partial(t, doc.language, "pdf-page"),
            font_name=footer_font,
        )
        template.build(story(blocks, photos, heatmap, earlier, emergency_number), canvasmaker=canvasmaker)
    data = buffer.getvalue()
    log.info("rendered PDF for case %s: %d bytes", doc.short_id, len(data))
    return data
