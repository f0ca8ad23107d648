"""A follow-up case in the report: the earlier close-up and today's side by side, then both sets of scores."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from casework.pdf.blocks import Blocks
from casework.pdf.page import FRAME_WIDTH
from casework.pdf.pictures import Thumb, picture_cell
from casework.pdf.scores import score_table


def comparison_section(blocks: Blocks, current: Thumb, earlier: Thumb | None) -> list[Flowable]:
    """`current` is today's close-up; `earlier` the earlier case's, None once it is no longer kept."""
    doc, before = blocks.doc, blocks.doc.earlier
    assert before is not None
    caption = blocks.styles.caption
    then, now = before.created_at.date().isoformat(), doc.created_at.date().isoformat()
    cell_width, gap, max_height = FRAME_WIDTH / 2, 6 * mm, 62 * mm
    if earlier is None:
        then_cell: list[Flowable] = [
            blocks.p(blocks.t("pdf-earlier-photo-gone"), caption),
            Spacer(1, 1.5 * mm),
            blocks.p(blocks.t("pdf-earlier-caption", date=then), caption),
        ]
    else:
        then_cell = picture_cell(
            blocks, earlier, blocks.t("pdf-earlier-caption", date=then), cell_width - gap, max_height
        )
    now_cell = picture_cell(
        blocks, current, blocks.t("pdf-now-caption", date=now), cell_width - gap, max_height
    )
    pictures = Table([[then_cell, now_cell]], colWidths=[cell_width] * 2, hAlign="LEFT")
    pictures.setStyle(
        blocks.table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), gap),
            ]
        )
    )
    header = [blocks.t("pdf-col-then", date=then), blocks.t("pdf-col-now", date=now)]
    columns = [list(before.classification.probs), list(doc.classification.probs)]
    title = blocks.p(blocks.t("pdf-section-follow-up", date=then), blocks.styles.h1, bold=True)
    return [
        KeepTogether([title, pictures]),
        Spacer(1, 3 * mm),
        KeepTogether([score_table(blocks, header, columns, change=True)]),
        Spacer(1, 1 * mm),
        blocks.p(blocks.t("pdf-follow-up-note"), caption),
    ]
