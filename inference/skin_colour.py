"""Which pixels of a photo have the colour of skin, from very light to very dark. Pure PIL + numpy.

Colours are compared in CIELab (D65), the space the individual typology angle is defined in: skin of every
tone lies in a wedge of hues between red and yellow with moderate chroma, at any lightness from very dark to
very light, so the ranges below are set on hue and chroma and are wide on lightness.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

ANALYSIS_SIDE = 128  # colours are judged on a thumbnail: fast, and pores or JPEG noise average out

# sRGB (D65) → XYZ, IEC 61966-2-1.
_RGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
_WHITE_D65 = np.array([0.95047, 1.0, 1.08883])


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELab (L* 0-100) of sRGB pixels given as 0-255 values, shape (..., 3)."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = linear @ _RGB_TO_XYZ.T / _WHITE_D65
    delta = 6.0 / 29.0
    f = np.where(xyz > delta**3, np.cbrt(xyz), xyz / (3 * delta**2) + 4.0 / 29.0)
    lab = np.empty_like(f)
    lab[..., 0] = 116.0 * f[..., 1] - 16.0
    lab[..., 1] = 500.0 * (f[..., 0] - f[..., 1])
    lab[..., 2] = 200.0 * (f[..., 1] - f[..., 2])
    return lab


@dataclass(frozen=True)
class SkinColourRanges:
    """Limits of skin colour in CIELab. Measured skin (ITA −60° to 70°) has a* about 3-25 and b* about 5-35,
    i.e. hue angles of 25-75° and chroma of 8-40; the ranges leave room for a flushed or lesioned area and
    for a phone's white balance."""

    lightness: tuple[float, float] = (12.0, 95.0)
    chroma: tuple[float, float] = (5.0, 55.0)
    hue_degrees: tuple[float, float] = (15.0, 85.0)


def analysis_lab(image: Image.Image, side: int = ANALYSIS_SIDE) -> np.ndarray:
    """CIELab of a thumbnail whose longer side is at most `side`; transparency is judged on white."""
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    thumb = image.convert("RGB")
    if max(thumb.size) > side:
        thumb = thumb.copy()
        thumb.thumbnail((side, side), Image.Resampling.BOX)
    return srgb_to_lab(np.asarray(thumb))


def skin_mask(lab: np.ndarray, ranges: SkinColourRanges = SkinColourRanges()) -> np.ndarray:
    """True where a pixel's colour lies in the skin ranges."""
    lightness, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    chroma = np.hypot(a, b)
    hue = np.degrees(np.arctan2(b, a))
    return (
        (lightness >= ranges.lightness[0])
        & (lightness <= ranges.lightness[1])
        & (chroma >= ranges.chroma[0])
        & (chroma <= ranges.chroma[1])
        & (hue >= ranges.hue_degrees[0])
        & (hue <= ranges.hue_degrees[1])
    )


def skin_share(image: Image.Image, ranges: SkinColourRanges = SkinColourRanges()) -> float:
    """Share of the photo's pixels (0-1) that have the colour of skin."""
    mask = skin_mask(analysis_lab(image), ranges)
    return float(mask.mean()) if mask.size else 0.0
