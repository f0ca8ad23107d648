"""The case's photos and heatmap in the report: downscaled thumbnails, and pictures with their captions."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from PIL import Image as PILImage
from PIL import ImageOps
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, KeepTogether, Spacer, Table

from casework.pdf.blocks import Blocks
from casework.pdf.page import FRAME_WIDTH

log = logging.getLogger(__name__)

# Thumbnails: enough pixels for a sharp print at this size, small enough to keep the file well under 2 MB.
IMAGE_MAX_PX = 900
IMAGE_JPEG_QUALITY = 82


@dataclass(frozen=True)
class Thumb:
    jpeg: bytes | None  # None: the image could not be read
    width: int = 0
    height: int = 0


def thumbnail(data: bytes) -> Thumb:
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
            return Thumb(out.getvalue(), image.width, image.height)
    except Exception as exc:  # any decoder error: Pillow raises many types
        log.warning("could not read an image for the PDF: %s", type(exc).__name__)
        return Thumb(None)


def photos_section(blocks: Blocks, photos: list[Thumb], heatmap: Thumb | None) -> list[Flowable]:
    """The photos, and the heatmap when there is one, under one heading."""
    several = len(photos) > 1
    shown = [
        (thumb, photo_label(blocks, i) if several else blocks.t("pdf-photo-caption"))
        for i, thumb in enumerate(photos)
    ]
    if heatmap is not None and heatmap.jpeg is not None:
        shown.append((heatmap, blocks.t("pdf-heatmap-caption")))
    # Up to three pictures side by side; four (three photos and the heatmap) in a 2 x 2 grid.
    columns = 2 if len(shown) == 4 else len(shown)
    # Each cell keeps a gap on its right (as padding), so pictures and captions never touch.
    gap = 6 * mm if columns > 1 else 0
    cell_width = FRAME_WIDTH / columns if columns > 1 else FRAME_WIDTH * 0.6
    max_height = 68 * mm if len(shown) <= 2 else 56 * mm
    cells = [picture_cell(blocks, thumb, caption, cell_width - gap, max_height) for thumb, caption in shown]
    rows = [cells[i : i + columns] for i in range(0, len(cells), columns)]
    if len(rows[-1]) < columns:
        rows[-1] = rows[-1] + [""] * (columns - len(rows[-1]))
    table = Table(rows, colWidths=[cell_width] * columns, hAlign="LEFT")
    table.setStyle(
        blocks.table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), gap),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4 * mm if len(rows) > 1 else 3),
            ]
        )
    )
    title = blocks.t("pdf-section-photos" if several else "pdf-section-photo")
    return [KeepTogether([blocks.p(title, blocks.styles.h1, bold=True), table])]


def photo_label(blocks: Blocks, index: int) -> str:
    """A photo's number and kind ("2. Overview"), as its caption and its column of scores name it."""
    kind = blocks.t("photo-kind-" + blocks.doc.photos[index].kind.replace("_", "-"))
    return blocks.t("pdf-photo-kind", number=index + 1, kind=kind[:1].upper() + kind[1:])


def picture_cell(
    blocks: Blocks, thumb: Thumb, caption: str, width: float, max_height: float
) -> list[Flowable]:
    """A picture scaled into the cell, its caption right under it whatever the other cells' heights."""
    if thumb.jpeg is None:
        picture: Flowable = blocks.p(blocks.t("pdf-photo-unreadable"), blocks.styles.caption)
    else:
        scale = min(width / thumb.width, max_height / thumb.height)
        picture = Image(io.BytesIO(thumb.jpeg), thumb.width * scale, thumb.height * scale, hAlign="LEFT")
    return [picture, Spacer(1, 1.5 * mm), blocks.p(caption, blocks.styles.caption)]
