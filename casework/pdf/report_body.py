"""The language model's report in the PDF: its markdown as headings, bullets and paragraphs, its opening
summary in a box of its own, and the notes on what the model did not see or did not finish."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph

from casework.pdf.blocks import Blocks
from casework.pdf.styles import SUMMARY_COLOURS
from casework.pdf.text import clean
from casework.report_markup import Bullet, Heading, parse_report, split_summary


def summary_box(blocks: Blocks) -> list[Flowable]:
    """The report's opening summary, in a box under the triage, where it is read first."""
    summary, _ = split_summary(clean(blocks.doc.report_text))
    lines = [
        f"• {block.text}" if isinstance(block, Bullet) else block.text
        for block in parse_report(summary)
        if not isinstance(block, Heading)
    ]
    if not lines:
        return []
    return [blocks.box(blocks.t("pdf-summary-title"), lines, SUMMARY_COLOURS)]


def report_section(blocks: Blocks) -> list[Flowable]:
    """The rest of the report, after its summary."""
    styles = blocks.styles
    heading = blocks.p(blocks.t("pdf-section-report"), styles.h1, bold=True)
    out: list[Flowable] = [heading]
    if not blocks.doc.image_seen_by_model:
        # keepWithNext does not reach into the note's KeepTogether: the two are kept together here.
        out = [KeepTogether([heading, blocks.note(blocks.t("pdf-image-not-seen"))])]
    _, rest = split_summary(clean(blocks.doc.report_text))  # the summary is in its box on page one
    for block in parse_report(rest):
        if isinstance(block, Heading):
            out.append(Paragraph(blocks.markup.text(block.text, bold=True), styles.h2))
        elif isinstance(block, Bullet):
            style = styles.bullet
            if block.level:
                style = ParagraphStyle(
                    "bullet_nested",
                    styles.bullet,
                    leftIndent=styles.bullet.leftIndent + block.level * 6 * mm,
                    bulletIndent=styles.bullet.bulletIndent + block.level * 6 * mm,
                )
            out.append(Paragraph(blocks.markup.spans(block.spans), style, bulletText="•"))
        else:
            out.append(Paragraph(blocks.markup.spans(block.spans), styles.para))
    if blocks.doc.report_cut:
        out.append(blocks.note(blocks.t("pdf-report-cut")))
    return out
