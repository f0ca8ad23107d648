"""The images of one row of a report batch, in the form every report writer accepts."""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image

# The case's photos (then a follow-up's earlier close-up), or None / an empty list for none. A single
# Image stands for a list of one, as callers with one photo pass it.
RowImages = Image.Image | Sequence[Image.Image] | None


def row_images(images: RowImages) -> list[Image.Image]:
    if images is None:
        return []
    if isinstance(images, Image.Image):
        return [images]
    return list(images)
