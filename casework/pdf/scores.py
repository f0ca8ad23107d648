"""The classifier's scores in the report: the ranked table with a bar per condition, each photo's own scores,
and what the weights were evaluated on."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from casework.pdf.blocks import Blocks
from casework.pdf.page import FRAME_WIDTH
from casework.pdf.pictures import photo_label
from casework.pdf.styles import BAR, BAR_TOP, HIGHLIGHT, MUTED, RULE
from inference.labels import LABELS
from inference.sidecar import GROUP_KEYS, MIN_GROUP_IMAGES


class Bar(Flowable):
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


def classification_section(blocks: Blocks) -> list[Flowable]:
    """The case's scores, ranked, the top one highlighted; for several photos each one's own scores too."""
    styles = blocks.styles
    result = blocks.doc.classification
    top = result.top
    bar_width = 36 * mm
    # As wide as its heading needs ("62.0%" needs 17 mm): the rest goes to the names, long in Vietnamese.
    heading = blocks.t("pdf-col-confidence")
    prob_width = max(22 * mm, stringWidth(heading, styles.label.fontName, styles.label.fontSize) + 6 * mm)
    name_width = FRAME_WIDTH - bar_width - prob_width
    rows: list[list[Flowable | str]] = [
        [
            blocks.p(blocks.t("pdf-col-condition"), styles.label),
            blocks.p(blocks.t("pdf-col-confidence"), ParagraphStyle("lr", styles.label, alignment=TA_RIGHT)),
            "",
        ]
    ]
    for label, prob in result.ranked():
        is_top = label == top
        name = blocks.t(f"label-{label}")
        if is_top:
            name = f"{name} · {blocks.t('pdf-top-class')}"
        percent = blocks.t("pdf-probability", value=prob)
        rows.append(
            [
                blocks.p(name, styles.cell_bold if is_top else styles.cell, bold=is_top),
                blocks.p(percent, styles.cell_right_bold if is_top else styles.cell_right, bold=is_top),
                Bar(prob, bar_width - 8 * mm, 9, BAR_TOP if is_top else BAR),
            ]
        )
    table = Table(rows, colWidths=[name_width, prob_width, bar_width], repeatRows=1)
    table.setStyle(
        blocks.table_style(
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
    title = blocks.t("pdf-section-classification")
    if len(result.photos) > 1:
        title = f"{title} · {blocks.t('pdf-mean-of-photos', count=len(result.photos))}"
    out: list[Flowable] = [KeepTogether([blocks.p(title, styles.h1, bold=True), table])]
    if len(result.photos) > 1:
        out.append(_per_photo_table(blocks))
    if result.uncertain:
        out.append(Spacer(1, 2 * mm))
        out.append(blocks.p(blocks.t("pdf-classifier-uncertain"), styles.para, bold=True))
    out.append(Spacer(1, 1 * mm))
    out.append(blocks.p(blocks.t("pdf-classifier-note"), styles.caption))
    out.append(blocks.p(_skin_tone_note(blocks), styles.caption))
    return out


def score_table(blocks: Blocks, header: list[str], columns: list[list[float]], change: bool = False) -> Table:
    """Conditions (in the case result's ranked order) against several columns of scores; with `change`,
    a last column of the difference between the last two, in percentage points."""
    ranked = [label for label, _ in blocks.doc.classification.ranked()]
    top = ranked[0]
    small = ParagraphStyle("score", blocks.styles.cell, fontSize=11.5, leading=15)
    small_bold = ParagraphStyle("score_bold", small, fontName=blocks.family.bold)
    small_right = ParagraphStyle("score_r", small, alignment=TA_RIGHT)
    small_right_bold = ParagraphStyle("score_rb", small_bold, alignment=TA_RIGHT)
    head_right = ParagraphStyle(
        "score_head", blocks.styles.label, fontSize=10, leading=13, alignment=TA_RIGHT
    )
    titles = [*header, blocks.t("pdf-col-change")] if change else header
    rows: list[list[Flowable]] = [
        [
            blocks.p(
                blocks.t("pdf-col-condition"),
                ParagraphStyle("score_h0", blocks.styles.label, fontSize=10, leading=13),
            )
        ]
        + [blocks.p(title, head_right) for title in titles]
    ]
    for label in ranked:
        index = LABELS.index(label)
        bold = label == top
        cells = [blocks.p(blocks.t(f"label-{label}"), small_bold if bold else small, bold=bold)]
        values = [column[index] for column in columns]
        cells += [
            blocks.p(
                blocks.t("pdf-probability", value=value),
                small_right_bold if bold else small_right,
                bold=bold,
            )
            for value in values
        ]
        if change:
            points = round((values[-1] - values[-2]) * 100, 1)
            sign = "+" if points > 0 else "−" if points < 0 else "±"
            cells.append(blocks.p(blocks.t("pdf-change-points", sign=sign, points=abs(points)), small_right))
        rows.append(cells)
    widths = _score_widths([blocks.t(f"label-{label}") for label in ranked], titles, small_bold, head_right)
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        blocks.table_style(
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


def _score_widths(
    names: list[str], titles: list[str], name_style: ParagraphStyle, title_style: ParagraphStyle
) -> list[float]:
    """Column widths of a score table: the names as wide as the widest (bold) one needs, so none breaks,
    and each score column at least as wide as its heading; equal score columns when they all fit."""
    # Cell padding: none left of a name, 6 pt right of it, 3 and 6 pt around a score; 1 pt to spare.
    widest = max(stringWidth(name, name_style.fontName, name_style.fontSize) for name in names)
    name_width = min(max(48 * mm, widest + 7), 0.4 * FRAME_WIDTH)
    needed = [
        max(20 * mm, stringWidth(title, title_style.fontName, title_style.fontSize) + 10) for title in titles
    ]
    equal = (FRAME_WIDTH - name_width) / len(titles)
    if equal >= max(needed):
        return [name_width] + [equal] * len(titles)
    spare = FRAME_WIDTH - name_width - sum(needed)
    if spare < 0:  # headings too wide for any layout: they wrap, the names keep their room
        return [name_width] + [equal] * len(titles)
    return [name_width] + [width + spare / len(titles) for width in needed]


def _per_photo_table(blocks: Blocks) -> Flowable:
    """Each photo's own scores next to their mean, the case result."""
    result = blocks.doc.classification
    header = [photo_label(blocks, i) for i in range(len(result.photos))] + [blocks.t("pdf-col-mean")]
    columns = [list(photo.probs) for photo in result.photos] + [list(result.probs)]
    title = blocks.p(blocks.t("pdf-per-photo-title"), blocks.styles.h2, bold=True)
    return KeepTogether([title, score_table(blocks, header, columns)])


def _skin_tone_note(blocks: Blocks) -> str:
    """The skin tones the weights were evaluated on, from their sidecar; never more than was measured."""
    tones = [t for t in blocks.doc.classification.evaluated_tones or () if t in GROUP_KEYS]
    if not tones:
        return blocks.t("scores-pdf-tones-unmeasured")
    names = ", ".join(blocks.t("scores-tone-" + tone.replace("_", "-")) for tone in tones)
    return blocks.t("scores-pdf-tones-evaluated", groups=names, min=MIN_GROUP_IMAGES)
