"""Render a ReportDocument to an A4 PDF that reads well on a phone: one column, large type."""

from __future__ import annotations

import io
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from PIL import Image as PILImage
from PIL import ImageOps
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    Image,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from casework.pdf.document import ReportDocument
from casework.pdf.fonts import FontFamily, FontSet, ensure_fonts
from casework.pdf.text import Markup, clean
from casework.report_markup import Bullet, Heading, parse_report, split_summary
from casework.translator import Translator, emergency_args
from inference.labels import LABELS
from inference.sidecar import GROUP_KEYS, MIN_GROUP_IMAGES
from inference.triage import Triage

log = logging.getLogger(__name__)

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
FOOTER_SPACE = 10 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN

# Body size is large for A4 on purpose: the PDF is mostly read zoomed to page width on a phone.
BODY_SIZE = 12.5
# Thumbnails: enough pixels for a sharp print at this size, small enough to keep the file well under 2 MB.
IMAGE_MAX_PX = 900
IMAGE_JPEG_QUALITY = 82
MAX_HISTORY_CHARS = 2000

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#5f6b7a")
RULE = colors.HexColor("#cfd6de")
HIGHLIGHT = colors.HexColor("#fff4cc")
BAR = colors.HexColor("#3b82c4")
BAR_TOP = colors.HexColor("#d9822b")


@dataclass(frozen=True)
class _BoxColours:
    border: colors.Color
    fill: colors.Color
    title: colors.Color


TRIAGE_COLOURS: dict[Triage, _BoxColours] = {
    Triage.URGENT: _BoxColours(
        colors.HexColor("#c62828"), colors.HexColor("#fdecea"), colors.HexColor("#b71c1c")
    ),
    Triage.UNCERTAIN: _BoxColours(
        colors.HexColor("#b26a00"), colors.HexColor("#fff4e0"), colors.HexColor("#8a5200")
    ),
    Triage.ROUTINE: _BoxColours(
        colors.HexColor("#2e7d32"), colors.HexColor("#e9f5ea"), colors.HexColor("#1b5e20")
    ),
}
REVIEW_COLOURS = _BoxColours(
    colors.HexColor("#1565c0"), colors.HexColor("#e8f1fb"), colors.HexColor("#0d47a1")
)
NOTE_COLOURS = _BoxColours(RULE, colors.HexColor("#f3f5f7"), INK)
SUMMARY_COLOURS = _BoxColours(BAR, colors.HexColor("#eef5fc"), colors.HexColor("#1d4f80"))

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
    photos = [_thumbnail(photo.jpeg) for photo in doc.photos]
    heatmap = _thumbnail(doc.heatmap_png) if doc.heatmap_png else None
    earlier_photo = doc.earlier.photo_jpeg if doc.earlier is not None else None
    earlier = _thumbnail(earlier_photo) if earlier_photo else None
    buffer = io.BytesIO()
    with _build_lock:
        builder = _StoryBuilder(doc, t, fonts, emergency_number)
        footer_font = fonts.for_language(doc.language).regular
        template = BaseDocTemplate(
            buffer,
            pagesize=A4,
            pageTemplates=[_page_template()],
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
            _NumberedCanvas,
            footer_left=t(doc.language, "pdf-footer", case=doc.short_id),
            page_label=partial(t, doc.language, "pdf-page"),
            font_name=footer_font,
        )
        template.build(builder.story(photos, heatmap, earlier), canvasmaker=canvasmaker)
    data = buffer.getvalue()
    log.info("rendered PDF for case %s: %d bytes", doc.short_id, len(data))
    return data


def _page_template() -> PageTemplate:
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


@dataclass(frozen=True)
class _Thumb:
    jpeg: bytes | None  # None: the image could not be read
    width: int = 0
    height: int = 0


def _thumbnail(data: bytes) -> _Thumb:
    """Downscale to a JPEG thumbnail; a broken image becomes a note, never a failed report."""
    try:
        with PILImage.open(io.BytesIO(data)) as opened:
            image = ImageOps.exif_transpose(opened)
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                background = PILImage.new("RGB", image.size, "white")
                background.paste(image, mask=image.getchannel("A"))
                image = background
            else:
                image = image.convert("RGB")
            image.thumbnail((IMAGE_MAX_PX, IMAGE_MAX_PX), PILImage.Resampling.LANCZOS)
            out = io.BytesIO()
            image.save(out, "JPEG", quality=IMAGE_JPEG_QUALITY, optimize=True)
            return _Thumb(out.getvalue(), image.width, image.height)
    except Exception as exc:  # any decoder error: Pillow raises many types
        log.warning("could not read an image for the PDF: %s", type(exc).__name__)
        return _Thumb(None)


def _zone_label(created: datetime) -> str:
    """'KST, UTC+09:00' or 'UTC': the abbreviation alone is ambiguous, the offset alone less readable."""
    offset = created.utcoffset() or timedelta(0)
    total = int(offset.total_seconds() // 60)
    if total == 0:
        return "UTC"
    sign = "+" if total >= 0 else "-"
    hours, minutes = divmod(abs(total), 60)
    utc = f"UTC{sign}{hours:02d}:{minutes:02d}"
    name = created.tzname() or ""
    # zoneinfo gives "+07" for zones without an abbreviation; that adds nothing to the offset.
    if name and name[0].isalpha() and not name.startswith(("UTC", "GMT")):
        return f"{name}, {utc}"
    return utc


class _Bar(Flowable):
    """A horizontal bar for one probability, so the table reads at a glance."""

    def __init__(self, fraction: float, width: float, height: float, colour: colors.Color) -> None:
        super().__init__()
        self.fraction = min(max(fraction, 0.0), 1.0)
        self.width = width
        self.height = height
        self.colour = colour

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFillColor(colors.HexColor("#e6eaef"))
        canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        canvas.setFillColor(self.colour)
        canvas.rect(0, 0, self.width * self.fraction, self.height, stroke=0, fill=1)


class _StoryBuilder:
    """The flowables for one document, in the report language's fonts."""

    def __init__(
        self, doc: ReportDocument, t: Translator, fonts: FontSet, emergency_number: str = ""
    ) -> None:
        self.doc = doc
        self._t = t
        self.emergency_number = emergency_number
        self.family: FontFamily = fonts.for_language(doc.language)
        self.markup = Markup(self.family, fonts.fallback_for(doc.language))
        regular, bold = self.family.regular, self.family.bold
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

    def _table_style(self, commands: list[tuple[Any, ...]]) -> TableStyle:
        # Plain-string cells (and empty ones) would otherwise be set in Helvetica, which is not embedded.
        return TableStyle([("FONT", (0, 0), (-1, -1), self.family.regular, BODY_SIZE), *commands])

    def t(self, key: str, **args: Any) -> str:
        return self._t(self.doc.language, key, **args)

    def p(self, text: str, style: ParagraphStyle, bold: bool = False) -> Paragraph:
        """A Paragraph from plain, untrusted text: escaped, with per-glyph font fallback."""
        if bold and style.fontName != self.family.bold:
            style = ParagraphStyle(f"{style.name}_bold", style, fontName=self.family.bold)
        return Paragraph(self.markup.text(text, bold=bold), style)

    def story(
        self, photos: list[_Thumb], heatmap: _Thumb | None, earlier: _Thumb | None = None
    ) -> list[Flowable]:
        story: list[Flowable] = []
        story += self._header()
        if self.doc.review_stamp:
            story.append(
                self._box(self.t("pdf-review-title"), [self.doc.review_stamp], REVIEW_COLOURS, bold_body=True)
            )
        story.append(self._triage())
        story += self._summary()
        story += self._patient()
        story += self._images(photos, heatmap)
        story += self._classification()
        if self.doc.earlier is not None:
            story += self._comparison(photos[0], earlier)
        story += self._report()
        story.append(Spacer(1, 6 * mm))
        story.append(
            self._box(
                self.t("pdf-section-disclaimer"),
                [self.t("pdf-disclaimer"), self.t("pdf-emergency", **emergency_args(self.emergency_number))],
                NOTE_COLOURS,
            )
        )
        return story

    def _header(self) -> list[Flowable]:
        doc = self.doc
        created = self.t("pdf-created", created=doc.created_at, zone=_zone_label(doc.created_at))
        return [
            self.p(self.t("pdf-title"), self.title, bold=True),
            self.p(self.t("pdf-subtitle"), self.subtitle),
            self.p(f"{self.t('pdf-case', case=doc.short_id)}  ·  {created}", self.meta, bold=True),
            self.p(self.t("pdf-case-full", case=doc.case_id), self.small),
            _rule(),
        ]

    def _box(self, title: str, lines: list[str], colours: _BoxColours, bold_body: bool = False) -> Flowable:
        title_style = ParagraphStyle("box_title", self.h2, textColor=colours.title, spaceBefore=0)
        body_style = ParagraphStyle("box_body", self.body, spaceBefore=3)
        cells = [[self.p(title, title_style, bold=True)]]
        cells += [[self.p(line, body_style, bold=bold_body)] for line in lines]
        table = Table(cells, colWidths=[FRAME_WIDTH])
        table.setStyle(
            self._table_style(
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

    def _triage(self) -> Flowable:
        level = self.doc.triage
        if level is Triage.URGENT:
            lines = [self.t("triage-urgent"), self.t("triage-urgent-why")]
        elif level is Triage.UNCERTAIN:
            lines = [self.t("triage-uncertain")]
        else:
            lines = [self.t("triage-routine")]
        title = f"{self.t('pdf-section-triage')}: {self.t(f'triage-{level.value}-title')}"
        return self._box(title, lines, TRIAGE_COLOURS[level], bold_body=level is Triage.URGENT)

    def _patient(self) -> list[Flowable]:
        doc = self.doc
        rows = [
            (self.t("pdf-patient-name"), doc.patient_name),
            (self.t("pdf-patient-age"), self.t("pdf-patient-age-value", age=doc.age)),
            (self.t("pdf-patient-gender"), self.t(f"gender-{doc.gender}")),
            (
                self.t("pdf-patient-site"),
                self.t(f"site-{doc.body_site}") if doc.body_site else self.t("pdf-site-none"),
            ),
        ]
        label_width = 38 * mm
        table = Table(
            [[self.p(label, self.label), self.p(value, self.cell)] for label, value in rows],
            colWidths=[label_width, FRAME_WIDTH - label_width],
        )
        table.setStyle(
            self._table_style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        out: list[Flowable] = [self.p(self.t("pdf-section-patient"), self.h1, bold=True), table]
        # History sits outside the table: a table row cannot split across pages, a paragraph can.
        out.append(self.p(self.t("pdf-patient-history"), ParagraphStyle("hl", self.label, spaceBefore=6)))
        history = clean(doc.history or "").strip()[:MAX_HISTORY_CHARS]
        if history:
            for chunk in _paragraph_chunks(history):
                out.append(self.p(chunk, self.para))
        else:
            out.append(self.p(self.t("pdf-history-none"), self.para))
        return out

    def _images(self, photos: list[_Thumb], heatmap: _Thumb | None) -> list[Flowable]:
        several = len(photos) > 1
        shown = [
            (thumb, self._photo_label(i) if several else self.t("pdf-photo-caption"))
            for i, thumb in enumerate(photos)
        ]
        if heatmap is not None and heatmap.jpeg is not None:
            shown.append((heatmap, self.t("pdf-heatmap-caption")))
        # Up to three pictures side by side; four (three photos and the heatmap) in a 2 x 2 grid.
        columns = 2 if len(shown) == 4 else len(shown)
        # Each cell keeps a gap on its right (as padding), so pictures and captions never touch.
        gap = 6 * mm if columns > 1 else 0
        cell_width = FRAME_WIDTH / columns if columns > 1 else FRAME_WIDTH * 0.6
        max_height = 68 * mm if len(shown) <= 2 else 56 * mm
        cells = [self._picture_cell(thumb, caption, cell_width - gap, max_height) for thumb, caption in shown]
        rows = [cells[i : i + columns] for i in range(0, len(cells), columns)]
        if len(rows[-1]) < columns:
            rows[-1] = rows[-1] + [""] * (columns - len(rows[-1]))
        table = Table(rows, colWidths=[cell_width] * columns, hAlign="LEFT")
        table.setStyle(
            self._table_style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), gap),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4 * mm if len(rows) > 1 else 3),
                ]
            )
        )
        title = self.t("pdf-section-photos" if several else "pdf-section-photo")
        return [KeepTogether([self.p(title, self.h1, bold=True), table])]

    def _photo_label(self, index: int) -> str:
        kind = self.t("photo-kind-" + self.doc.photos[index].kind.replace("_", "-"))
        return self.t("pdf-photo-kind", number=index + 1, kind=kind[:1].upper() + kind[1:])

    def _picture_cell(self, thumb: _Thumb, caption: str, width: float, max_height: float) -> list[Flowable]:
        """A picture scaled into the cell, its caption right under it whatever the other cells' heights."""
        if thumb.jpeg is None:
            picture: Flowable = self.p(self.t("pdf-photo-unreadable"), self.caption)
        else:
            scale = min(width / thumb.width, max_height / thumb.height)
            picture = Image(io.BytesIO(thumb.jpeg), thumb.width * scale, thumb.height * scale, hAlign="LEFT")
        return [picture, Spacer(1, 1.5 * mm), self.p(caption, self.caption)]

    def _classification(self) -> list[Flowable]:
        result = self.doc.classification
        top = result.top
        bar_width = 36 * mm
        # As wide as its heading needs ("62.0%" needs 17 mm): the rest goes to the names, long in Vietnamese.
        heading = self.t("pdf-col-confidence")
        prob_width = max(22 * mm, stringWidth(heading, self.label.fontName, self.label.fontSize) + 6 * mm)
        name_width = FRAME_WIDTH - bar_width - prob_width
        rows: list[list[Flowable | str]] = [
            [
                self.p(self.t("pdf-col-condition"), self.label),
                self.p(self.t("pdf-col-confidence"), ParagraphStyle("lr", self.label, alignment=TA_RIGHT)),
                "",
            ]
        ]
        for label, prob in result.ranked():
            is_top = label == top
            name = self.t(f"label-{label}")
            if is_top:
                name = f"{name} · {self.t('pdf-top-class')}"
            percent = self.t("pdf-probability", value=prob)
            rows.append(
                [
                    self.p(name, self.cell_bold if is_top else self.cell, bold=is_top),
                    self.p(percent, self.cell_right_bold if is_top else self.cell_right, bold=is_top),
                    _Bar(prob, bar_width - 8 * mm, 9, BAR_TOP if is_top else BAR),
                ]
            )
        table = Table(rows, colWidths=[name_width, prob_width, bar_width], repeatRows=1)
        table.setStyle(
            self._table_style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, MUTED),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
                    ("BACKGROUND", (0, 1), (-1, 1), HIGHLIGHT),  # ranked(): the top class is row 1
                    ("LEFTPADDING", (2, 0), (2, -1), 8 * mm),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        title = self.t("pdf-section-classification")
        if len(result.photos) > 1:
            title = f"{title} · {self.t('pdf-mean-of-photos', count=len(result.photos))}"
        out: list[Flowable] = [KeepTogether([self.p(title, self.h1, bold=True), table])]
        if len(result.photos) > 1:
            out.append(self._per_photo_table())
        if result.uncertain:
            out.append(Spacer(1, 2 * mm))
            out.append(self.p(self.t("pdf-classifier-uncertain"), self.para, bold=True))
        out.append(Spacer(1, 1 * mm))
        out.append(self.p(self.t("pdf-classifier-note"), self.caption))
        out.append(self.p(self._skin_tone_note(), self.caption))
        return out

    def _score_table(self, header: list[str], columns: list[list[float]], change: bool = False) -> Table:
        """Conditions (in the case result's ranked order) against several columns of scores; with `change`,
        a last column of the difference between the last two, in percentage points."""
        ranked = [label for label, _ in self.doc.classification.ranked()]
        top = ranked[0]
        small = ParagraphStyle("score", self.cell, fontSize=11.5, leading=15)
        small_bold = ParagraphStyle("score_bold", small, fontName=self.family.bold)
        small_right = ParagraphStyle("score_r", small, alignment=TA_RIGHT)
        small_right_bold = ParagraphStyle("score_rb", small_bold, alignment=TA_RIGHT)
        head_right = ParagraphStyle("score_head", self.label, fontSize=10, leading=13, alignment=TA_RIGHT)
        titles = [*header, self.t("pdf-col-change")] if change else header
        rows: list[list[Flowable]] = [
            [
                self.p(
                    self.t("pdf-col-condition"),
                    ParagraphStyle("score_h0", self.label, fontSize=10, leading=13),
                )
            ]
            + [self.p(title, head_right) for title in titles]
        ]
        for label in ranked:
            index = LABELS.index(label)
            bold = label == top
            cells = [self.p(self.t(f"label-{label}"), small_bold if bold else small, bold=bold)]
            values = [column[index] for column in columns]
            cells += [
                self.p(
                    self.t("pdf-probability", value=value),
                    small_right_bold if bold else small_right,
                    bold=bold,
                )
                for value in values
            ]
            if change:
                points = round((values[-1] - values[-2]) * 100, 1)
                sign = "+" if points > 0 else "−" if points < 0 else "±"
                cells.append(self.p(self.t("pdf-change-points", sign=sign, points=abs(points)), small_right))
            rows.append(cells)
        widths = self._score_widths(
            [self.t(f"label-{label}") for label in ranked], titles, small_bold, head_right
        )
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(
            self._table_style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, MUTED),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
                    ("BACKGROUND", (0, 1), (-1, 1), HIGHLIGHT),
                    ("LEFTPADDING", (0, 0), (0, -1), 0),
                    ("LEFTPADDING", (1, 0), (-1, -1), 3),  # right-aligned: the room is on the left anyway
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        return table

    @staticmethod
    def _score_widths(
        names: list[str], titles: list[str], name_style: ParagraphStyle, title_style: ParagraphStyle
    ) -> list[float]:
        """Column widths of a score table: the names as wide as the widest (bold) one needs, so none breaks,
        and each score column at least as wide as its heading; equal score columns when they all fit."""
        # Cell padding: none left of a name, 6 pt right of it, 3 and 6 pt around a score; 1 pt to spare.
        widest = max(stringWidth(name, name_style.fontName, name_style.fontSize) for name in names)
        name_width = min(max(48 * mm, widest + 7), 0.4 * FRAME_WIDTH)
        needed = [
            max(20 * mm, stringWidth(title, title_style.fontName, title_style.fontSize) + 10)
            for title in titles
        ]
        equal = (FRAME_WIDTH - name_width) / len(titles)
        if equal >= max(needed):
            return [name_width] + [equal] * len(titles)
        spare = FRAME_WIDTH - name_width - sum(needed)
        if spare < 0:  # headings too wide for any layout: they wrap, the names keep their room
            return [name_width] + [equal] * len(titles)
        return [name_width] + [width + spare / len(titles) for width in needed]

    def _per_photo_table(self) -> Flowable:
        """Each photo's own scores next to their mean, the case result."""
        result = self.doc.classification
        header = [self._photo_label(i) for i in range(len(result.photos))] + [self.t("pdf-col-mean")]
        columns = [list(photo.probs) for photo in result.photos] + [list(result.probs)]
        title = self.p(self.t("pdf-per-photo-title"), self.h2, bold=True)
        return KeepTogether([title, self._score_table(header, columns)])

    def _comparison(self, current: _Thumb, earlier: _Thumb | None) -> list[Flowable]:
        """A follow-up: the earlier close-up and today's side by side, then both sets of scores."""
        doc, before = self.doc, self.doc.earlier
        assert before is not None
        then, now = before.created_at.date().isoformat(), doc.created_at.date().isoformat()
        cell_width, gap, max_height = FRAME_WIDTH / 2, 6 * mm, 62 * mm
        if earlier is None:
            then_cell: list[Flowable] = [
                self.p(self.t("pdf-earlier-photo-gone"), self.caption),
                Spacer(1, 1.5 * mm),
                self.p(self.t("pdf-earlier-caption", date=then), self.caption),
            ]
        else:
            then_cell = self._picture_cell(
                earlier, self.t("pdf-earlier-caption", date=then), cell_width - gap, max_height
            )
        now_cell = self._picture_cell(
            current, self.t("pdf-now-caption", date=now), cell_width - gap, max_height
        )
        pictures = Table([[then_cell, now_cell]], colWidths=[cell_width] * 2, hAlign="LEFT")
        pictures.setStyle(
            self._table_style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), gap),
                ]
            )
        )
        header = [self.t("pdf-col-then", date=then), self.t("pdf-col-now", date=now)]
        columns = [list(before.classification.probs), list(doc.classification.probs)]
        title = self.p(self.t("pdf-section-follow-up", date=then), self.h1, bold=True)
        return [
            KeepTogether([title, pictures]),
            Spacer(1, 3 * mm),
            KeepTogether([self._score_table(header, columns, change=True)]),
            Spacer(1, 1 * mm),
            self.p(self.t("pdf-follow-up-note"), self.caption),
        ]

    def _skin_tone_note(self) -> str:
        """The skin tones the weights were evaluated on, from their sidecar; never more than was measured."""
        tones = [t for t in self.doc.classification.evaluated_tones or () if t in GROUP_KEYS]
        if not tones:
            return self.t("scores-pdf-tones-unmeasured")
        names = ", ".join(self.t("scores-tone-" + tone.replace("_", "-")) for tone in tones)
        return self.t("scores-pdf-tones-evaluated", groups=names, min=MIN_GROUP_IMAGES)

    def _report(self) -> list[Flowable]:
        heading = self.p(self.t("pdf-section-report"), self.h1, bold=True)
        out: list[Flowable] = [heading]
        if not self.doc.image_seen_by_model:
            # keepWithNext does not reach into the note's KeepTogether: the two are kept together here.
            out = [KeepTogether([heading, self._box_note(self.t("pdf-image-not-seen"))])]
        _, rest = split_summary(clean(self.doc.report_text))  # the summary is in its box on page one
        for block in parse_report(rest):
            if isinstance(block, Heading):
                out.append(Paragraph(self.markup.text(block.text, bold=True), self.h2))
            elif isinstance(block, Bullet):
                style = self.bullet
                if block.level:
                    style = ParagraphStyle(
                        "bullet_nested",
                        self.bullet,
                        leftIndent=self.bullet.leftIndent + block.level * 6 * mm,
                        bulletIndent=self.bullet.bulletIndent + block.level * 6 * mm,
                    )
                out.append(Paragraph(self.markup.spans(block.spans), style, bulletText="•"))
            else:
                out.append(Paragraph(self.markup.spans(block.spans), self.para))
        if self.doc.report_cut:
            out.append(self._box_note(self.t("pdf-report-cut")))
        return out

    def _summary(self) -> list[Flowable]:
        """The report's opening summary, in a box under the triage, where it is read first."""
        summary, _ = split_summary(clean(self.doc.report_text))
        lines = [
            f"• {block.text}" if isinstance(block, Bullet) else block.text
            for block in parse_report(summary)
            if not isinstance(block, Heading)
        ]
        if not lines:
            return []
        return [self._box(self.t("pdf-summary-title"), lines, SUMMARY_COLOURS)]

    def _box_note(self, text: str) -> Flowable:
        style = ParagraphStyle("note", self.body, fontSize=11, leading=15)
        table = Table([[self.p(text, style)]], colWidths=[FRAME_WIDTH])
        table.setStyle(
            self._table_style(
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


def _paragraph_chunks(text: str) -> list[str]:
    """Split on blank lines, so long histories flow and break between pages naturally."""
    chunks = [chunk.strip() for chunk in text.split("\n\n")]
    return [chunk for chunk in chunks if chunk]


def _rule() -> Flowable:
    return HRFlowable(width="100%", thickness=1, color=RULE, spaceBefore=4, spaceAfter=2)


class _NumberedCanvas(Canvas):
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
