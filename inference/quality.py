"""The photo quality gate that runs before any model. Pure PIL + numpy: no torch.

A classifier happily returns confident probabilities for a black frame or a motion-blurred thumb, so photos
that cannot be assessed are turned back to the user with a reason and a tip instead of reaching the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from PIL import Image

# Blur is measured on a grey copy scaled to this shorter side, so a 12 MP photo and a 1 MP photo of the same
# scene score alike (the Laplacian's variance grows with the pixel pitch otherwise).
ANALYSIS_SIDE = 256
# ...and its longer side is capped: scaling a 1x2048 sliver's shorter side to 256 px made a 256x524,288
# copy (3.2 GB as float64, seconds of the one model worker). Uploads that elongated are refused before the
# queue (conversations/photos.py); this bounds the gate for every other caller too.
ANALYSIS_MAX_SIDE = 4 * ANALYSIS_SIDE


class QualityIssue(StrEnum):
    TOO_SMALL = "too_small"
    TOO_DARK = "too_dark"
    TOO_BRIGHT = "too_bright"
    BLURRY = "blurry"
    FLAT = "flat"

    @property
    def message_id(self) -> str:
        """Fluent id of the reason, e.g. `quality-too-small` (locales/*/quality.ftl)."""
        return "quality-" + self.value.replace("_", "-")

    @property
    def tip_id(self) -> str:
        """Fluent id of the concrete advice, e.g. `quality-too-small-tip`."""
        return self.message_id + "-tip"


@dataclass(frozen=True)
class QualityThresholds:
    """Limits of the gate. Luminance is 0-255 (ITU-R 601 grey); sharpness is the Laplacian variance at
    ANALYSIS_SIDE; contrast is the standard deviation of luminance."""

    min_side: int = 224
    min_brightness: float = 40.0
    max_brightness: float = 225.0
    min_sharpness: float = 25.0
    min_contrast: float = 6.0


@dataclass(frozen=True)
class QualityMeasures:
    """The raw numbers behind a verdict; logged so thresholds can be tuned on real traffic."""

    width: int
    height: int
    brightness: float
    contrast: float
    sharpness: float


def measure(image: Image.Image) -> QualityMeasures:
    grey = _grey(image)
    pixels = np.asarray(grey, dtype=np.float64)
    return QualityMeasures(
        width=image.width,
        height=image.height,
        brightness=float(pixels.mean()),
        contrast=float(pixels.std()),
        sharpness=laplacian_variance(_analysis_copy(grey)),
    )


def check_quality(image: Image.Image, thresholds: QualityThresholds | None = None) -> list[QualityIssue]:
    """All the reasons the photo cannot be assessed; an empty list means it passes."""
    limits = thresholds or QualityThresholds()
    m = measure(image)
    issues: list[QualityIssue] = []
    if min(m.width, m.height) < limits.min_side:
        issues.append(QualityIssue.TOO_SMALL)
    # One exposure/content reason at most: a dark frame also has little contrast and few edges, and the user
    # is better served by "use daylight" than by three overlapping complaints.
    if m.brightness < limits.min_brightness:
        issues.append(QualityIssue.TOO_DARK)
    elif m.brightness > limits.max_brightness:
        issues.append(QualityIssue.TOO_BRIGHT)
    elif m.contrast < limits.min_contrast:
        issues.append(QualityIssue.FLAT)
    elif m.sharpness < limits.min_sharpness:
        issues.append(QualityIssue.BLURRY)
    return issues


def laplacian_variance(grey: Image.Image) -> float:
    """Variance of the 4-neighbour Laplacian: low when the image has no sharp edges."""
    a = np.asarray(grey, dtype=np.float64)
    if a.shape[0] < 3 or a.shape[1] < 3:
        return 0.0
    lap = a[:-2, 1:-1] + a[2:, 1:-1] + a[1:-1, :-2] + a[1:-1, 2:] - 4.0 * a[1:-1, 1:-1]
    return float(lap.var())


def _grey(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "P"):
        # Transparent pixels would otherwise count as black.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return image.convert("L")


def _analysis_copy(grey: Image.Image) -> Image.Image:
    shorter, longer = min(grey.size), max(grey.size)
    if shorter == 0:
        return grey
    scale = min(ANALYSIS_SIDE / shorter, ANALYSIS_MAX_SIDE / longer)
    size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
    return grey.resize(size, Image.Resampling.BILINEAR if scale > 1 else Image.Resampling.BOX)
