"""Skin tone of a photo as its individual typology angle (ITA), and the six standard ITA groups.

ITA = atan((L* − 50) / b*) in degrees, from CIELab. It is measured on the photo's healthy skin. A lesion is
photographed in the middle of the frame, so the skin-coloured pixels of the outer frame are used when there
are enough of them; of those, the half that differs most from their median colour is dropped, which removes
the rest of a lesion, shadows and highlights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from inference.sidecar import GROUP_KEYS
from inference.skin_colour import analysis_lab, skin_mask

MIN_SKIN_PIXELS = 100  # of the 128 px thumbnail; fewer and the estimate is noise
MIN_SKIN_SHARE = 0.1  # less skin-coloured area than this, and the colour is more likely a thing than skin
FRAME = 0.2  # width of the outer frame, as a share of the shorter side


@dataclass(frozen=True)
class ToneGroup:
    key: str
    above: float  # ITA > above ...
    up_to: float  # ... and ≤ up_to


# The standard ITA categories (Chardon et al. 1991; Del Bino et al. 2006): (ITA above, ITA up to). Their
# names and order are the sidecar's (`inference.sidecar.GROUP_KEYS`), which serving reads.
_ITA_BOUNDS: dict[str, tuple[float, float]] = {
    "very_light": (55.0, math.inf),
    "light": (41.0, 55.0),
    "intermediate": (28.0, 41.0),
    "tan": (10.0, 28.0),
    "brown": (-30.0, 10.0),
    "dark": (-math.inf, -30.0),
}
ITA_GROUPS: tuple[ToneGroup, ...] = tuple(ToneGroup(key, *_ITA_BOUNDS[key]) for key in GROUP_KEYS)
UNKNOWN = "unknown"  # too little skin-coloured area to measure


def ita_group(ita: float | None) -> str:
    if ita is None or math.isnan(ita):
        return UNKNOWN
    for group in ITA_GROUPS:
        if group.above < ita <= group.up_to:
            return group.key
    return UNKNOWN


def estimate_ita(image: Image.Image) -> float | None:
    """ITA in degrees of the photo's healthy skin, or None when it shows too little skin."""
    lab = analysis_lab(image)
    skin = skin_mask(lab)
    if skin.sum() < max(MIN_SKIN_PIXELS, MIN_SKIN_SHARE * skin.size):
        return None
    band = max(1, round(FRAME * min(skin.shape)))
    frame = np.ones_like(skin)
    frame[band:-band, band:-band] = False
    pixels = lab[skin & frame] if (skin & frame).sum() >= MIN_SKIN_PIXELS else lab[skin]
    distance = np.linalg.norm(pixels - np.median(pixels, axis=0), axis=1)
    typical = pixels[distance <= np.median(distance)]
    lightness, b = float(typical[:, 0].mean()), float(typical[:, 2].mean())
    return math.degrees(math.atan2(lightness - 50.0, b))
