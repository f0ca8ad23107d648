"""Synthetic skin-like photos: textured, well lit and sharp, so they pass the quality gate."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def skin_photo(width: int = 800, height: int = 600, seed: int = 0) -> bytes:
    """A JPEG of a warm skin tone with a wavy pattern and grain; `seed` changes both."""
    rng = np.random.default_rng(seed)
    base = np.empty((height, width, 3), np.float32)
    base[...] = (200, 150, 130)
    yy, xx = np.mgrid[0:height, 0:width]
    spots = np.sin(xx / (7.0 + seed)) * np.cos(yy / 9.0) * 30
    noise = rng.normal(0, 12, (height, width, 1))
    pixels = np.clip(base + spots[..., None] + noise, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=92)
    return out.getvalue()
