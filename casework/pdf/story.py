"""The report's sections in reading order: the header, the review stamp, the triage, the summary, the patient,
the pictures, the scores, a follow-up's comparison, the report and the disclaimer."""

from __future__ import annotations

from datetime import datetime, timedelta

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from casework.pdf.blocks import Blocks, rule
from casework.pdf.follow_up import comparison_section
from casework.pdf.page import FRAME_WIDTH
from casework.pdf.pictures import Thumb, photos_section
from casework.pdf.report_body import report_section, summary_box
from casework.pdf.scores import classification_section
from casework.pdf.styles import NOTE_COLOURS, REVIEW_COLOURS, RULE, TRIAGE_COLOURS
from casework.pdf.text import clean
from casework.translator import emergency_args
from inference.triage import Triage

MAX_HISTORY_CHARS = 2000


def story(
    blocks: Blocks,
    photos: list[Thumb],
    heatmap: Thumb | None,
    earlier: Thumb | None = None,
    emergency_number: str = "",
) -> list[Flowable]:
    """The flowables of one document; `emergency_number` empty, the disclaimer names none."""
    out: list[Flowable] = []
    out += _header(blocks)
    if blocks.doc.review_stamp:
        out.append(
            blocks.box(
                blocks.t("pdf-review-title"), [blocks.doc.review_stamp], REVIEW_COLOURS, bold_body=True
            )
        )
    out.append(_triage(blocks))
    out += summary_box(blocks)
    out += _patient(blocks)
    out += photos_section(blocks, photos, heatmap)
    out += classification_section(blocks)
    if blocks.doc.earlier is not None:
        out += comparison_section(blocks, photos[0], earlier)
    out += report_section(blocks)
    out.append(Spacer(1, 6 * mm))
    out.append(
        blocks.box(
            blocks.t("pdf-section-disclaimer"),
            [blocks.t("pdf-disclaimer"), blocks.t("pdf-emergency", **emergency_args(emergency_number))],
            NOTE_COLOURS,
        )
    )
    return out


def _header(blocks: Blocks) -> list[Flowable]:
    doc, styles = blocks.doc, blocks.styles
    created = blocks.t("pdf-created", created=doc.created_at, zone=zone_label(doc.created_at))
    return [
        blocks.p(blocks.t("pdf-title"), styles.title, bold=True),
        blocks.p(blocks.t("pdf-subtitle"), styles.subtitle),
        blocks.p(f"{blocks.t('pdf-case', case=doc.short_id)}  ·  {created}", styles.meta, bold=True),
        blocks.p(blocks.t("pdf-case-full", case=doc.case_id), styles.small),
        rule(),
    ]


def zone_label(created: datetime) -> str:
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


def _triage(blocks: Blocks) -> Flowable:
    level = blocks.doc.triage
    if level is Triage.URGENT:
        lines = [blocks.t("triage-urgent"), blocks.t("triage-urgent-why")]
    elif level is Triage.UNCERTAIN:
        lines = [blocks.t("triage-uncertain")]
    else:
        lines = [blocks.t("triage-routine")]
    title = f"{blocks.t('pdf-section-triage')}: {blocks.t(f'triage-{level.value}-title')}"
    return blocks.box(title, lines, TRIAGE_COLOURS[level], bold_body=level is Triage.URGENT)


def _patient(blocks: Blocks) -> list[Flowable]:
    doc, styles = blocks.doc, blocks.styles
    rows = [
        (blocks.t("pdf-patient-name"), doc.patient_name),
        (blocks.t("pdf-patient-age"), blocks.t("pdf-patient-age-value", age=doc.age)),
        (blocks.t("pdf-patient-gender"), blocks.t(f"gender-{doc.gender}")),
        (
            blocks.t("pdf-patient-site"),
            blocks.t(f"site-{doc.body_site}") if doc.body_site else blocks.t("pdf-site-none"),
        ),
    ]
    label_width = 38 * mm
    table = Table(
        [[blocks.p(label, styles.label), blocks.p(value, styles.cell)] for label, value in rows],
        colWidths=[label_width, FRAME_WIDTH - label_width],
    )
    table.setStyle(
        blocks.table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    out: list[Flowable] = [blocks.p(blocks.t("pdf-section-patient"), styles.h1, bold=True), table]
    # History sits outside the table: a table row cannot split across pages, a paragraph can.
    out.append(blocks.p(blocks.t("pdf-patient-history"), ParagraphStyle("hl", styles.label, spaceBefore=6)))
    history = clean(doc.history or "").strip()[:MAX_HISTORY_CHARS]
    if history:
        for chunk in _paragraph_chunks(history):
            out.append(blocks.p(chunk, styles.para))
    else:
        out.append(blocks.p(blocks.t("pdf-history-none"), styles.para))
    return out


def _paragraph_chunks(text: str) -> list[str]:
    """Split on blank lines, so long histories flow and break between pages naturally."""
    chunks = [chunk.strip() for chunk in text.split("\n\n")]
    return [chunk for chunk in chunks if chunk]
