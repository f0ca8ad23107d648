"""Generated skin photos across the whole ITA range, and the non-skin photographs scikit-image ships.

Skin colours are drawn in CIELab, the space the individual typology angle (ITA) is defined in, so each image
has a known tone: ITA = atan((L* − 50) / b*). A lesion with a class-specific colour shift and texture sits
near the centre, so the same generator gives a six-class dataset whose tones are known per image.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
from PIL import Image

# Within each standard ITA group (degrees), away from the boundaries so rounding never changes the group.
TONE_RANGES: dict[str, tuple[float, float]] = {
    "very_light": (57.0, 66.0),
    "light": (43.0, 53.0),
    "intermediate": (30.0, 39.0),
    "tan": (13.0, 26.0),
    "brown": (-25.0, 6.0),
    "dark": (-55.0, -34.0),
}

# Lesion colour shift in Lab (ΔL*, Δa*, Δb*) and a texture, per class folder (the seed's spelling).
LESIONS: dict[str, tuple[tuple[float, float, float], str]] = {
    "Acne": ((-8.0, 34.0, 10.0), "dots"),
    "Cancer": ((-24.0, 6.0, -4.0), "blotch"),
    "Eczema": ((-6.0, 24.0, -10.0), "stripes"),
    "Keratosis": ((-14.0, 4.0, 28.0), "checker"),
    "Milia": ((24.0, -6.0, -10.0), "dots"),
    "Rosacea": ((-2.0, 30.0, 0.0), "diagonal"),
}


SHADING_CELLS = 6
DATASET_SPREAD = 0.12  # tone_dataset puts lesions near the centre, as people photograph them


def lab_image_to_rgb(lab: np.ndarray) -> np.ndarray:
    """uint8 sRGB from float Lab (D65), through scikit-image so the code under test is checked against it."""
    from skimage.color import lab2rgb

    with warnings.catch_warnings():  # a saturated lesion colour can fall outside sRGB; it is clipped
        warnings.simplefilter("ignore", UserWarning)
        return (lab2rgb(lab) * 255.0).round().clip(0, 255).astype(np.uint8)


def skin_lab(ita: float, rng: np.random.Generator) -> tuple[float, float, float]:
    """A skin colour with the given ITA: b* and a* in the ranges measured on real skin, L* from the angle."""
    b = rng.uniform(11.0, 19.0)
    a = rng.uniform(7.0, 14.0)
    lightness = 50.0 + b * math.tan(math.radians(ita))
    return float(np.clip(lightness, 22.0, 84.0)), float(a), float(b)


def _texture(kind: str, yy: np.ndarray, xx: np.ndarray, side: int) -> np.ndarray:
    f = 2 * math.pi * 6 / side  # six periods across the image, so the texture survives a 32 px resize
    if kind == "dots":
        return ((np.sin(xx * f) * np.sin(yy * f)) > 0.5) * 2.0 - 1.0
    if kind == "stripes":
        return np.sin(xx * f)
    if kind == "checker":
        return np.sign(np.sin(xx * f) * np.sin(yy * f))
    if kind == "diagonal":
        return np.sin((xx + yy) * f * 0.7)
    return np.zeros_like(xx)


def skin_image(
    ita: float,
    rng: np.random.Generator,
    side: int = 64,
    lesion: str | None = None,
    spread: float = 0.1,
) -> Image.Image:
    """Skin of a given ITA with pores and uneven light; a lesion of class `lesion` if given, its centre within
    `spread` of the image centre (as a share of the side).

    Sharp and contrasted enough to pass the quality gate at side ≥ 224.
    """
    lightness, a, b = skin_lab(ita, rng)
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float64)
    # Uneven light and skin relief: smooth random fields at two scales, so unrelated images hash apart.
    shading = sum(
        np.asarray(
            Image.fromarray(rng.uniform(-1.0, 1.0, size=(cells, cells)).astype(np.float32)).resize(
                (side, side), Image.Resampling.BICUBIC
            ),
            np.float64,
        )
        for cells in (SHADING_CELLS, 2 * SHADING_CELLS)
    )
    lab = np.empty((side, side, 3))
    lab[..., 0] = lightness * (1.0 + 0.1 * shading) + rng.normal(0.0, 3.0, (side, side))
    lab[..., 1] = a + rng.normal(0.0, 0.8, (side, side))
    lab[..., 2] = b + rng.normal(0.0, 0.8, (side, side))
    if lesion is not None:
        (dl, da, db), texture = LESIONS[lesion]
        cy, cx = side * (0.5 + rng.uniform(-spread, spread, size=2))
        ry, rx = side * rng.uniform(0.2, 0.26), side * rng.uniform(0.2, 0.26)
        inside = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2
        weight = np.clip(1.5 - inside, 0.0, 1.0)  # soft edge
        pattern = 0.6 + 0.4 * _texture(texture, yy, xx, side)
        for channel, delta in enumerate((dl, da, db)):
            lab[..., channel] += weight * delta * pattern
    lab[..., 0] = lab[..., 0].clip(0.0, 100.0)
    return Image.fromarray(lab_image_to_rgb(lab))


def ita_of(lab_l: float, lab_b: float) -> float:
    return math.degrees(math.atan2(lab_l - 50.0, lab_b))


def tone_dataset(root: Path, counts: dict[str, dict[str, int]], side: int = 64, seed: int = 0) -> Path:
    """root/{split}/<class>/<tone>_<i>.jpg; counts[split][tone] images per class. Returns root.

    An image that happens to hash like one drawn before is drawn again, so no split leaks into another by
    accident and the leak check has nothing to refuse.
    """
    from classifier_lab.dedup import (
        DEFAULT_THRESHOLD,
        DEFAULT_TONE_THRESHOLD,
        dihedral_hashes,
        distances,
        tone_hashes,
    )

    rng = np.random.default_rng(seed)
    kept_phash: list[np.ndarray] = []
    kept_tone: list[np.ndarray] = []

    def unlike_the_others(image: Image.Image) -> bool:
        grey, tone = dihedral_hashes(image), tone_hashes(image)
        if kept_phash and (
            distances(grey, np.stack(kept_phash)).min() <= DEFAULT_THRESHOLD
            or distances(tone, np.stack(kept_tone)).min() <= DEFAULT_TONE_THRESHOLD
        ):
            return False
        kept_phash.append(grey)
        kept_tone.append(tone)
        return True

    for split, per_tone in counts.items():
        for class_dir in LESIONS:
            folder = root / split / class_dir
            folder.mkdir(parents=True, exist_ok=True)
            for tone, count in per_tone.items():
                low, high = TONE_RANGES[tone]
                for i in range(count):
                    image = skin_image(
                        rng.uniform(low, high), rng, side, lesion=class_dir, spread=DATASET_SPREAD
                    )
                    while not unlike_the_others(image):
                        image = skin_image(
                            rng.uniform(low, high), rng, side, lesion=class_dir, spread=DATASET_SPREAD
                        )
                    image.save(folder / f"{tone}_{i:03d}.jpg", quality=95)
    return root


# The non-skin photographs bundled with scikit-image (no download). The astronaut portrait is left out on
# purpose: a face is skin, and acne and rosacea are photographed on faces, so the gate must not turn it away.
NON_SKIN_PHOTOS = (
    "chelsea",  # a tabby cat: orange-brown fur, almost every pixel in the skin-colour ranges
    "coffee",  # a cup of coffee: brown, skin-like hues
    "rocket",  # a rocket on its launch pad, sky
    "hubble_deep_field",  # galaxies on black
    "immunohistochemistry",  # a stained tissue slide: brown and blue
    "retina",  # a fundus photograph: red-orange, medical but not skin
    "camera",  # black-and-white photographs
    "coins",
    "moon",
    "page",
    "brick",
    "grass",
)


def skimage_photo(name: str) -> Image.Image:
    """One of scikit-image's bundled photographs as an RGB image."""
    from skimage import data

    array = getattr(data, name)()
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    return Image.fromarray(np.ascontiguousarray(array[..., :3]).astype(np.uint8))


def face_crops() -> dict[str, Image.Image]:
    """Real skin: the faces cut from the two portraits that scikit-image and matplotlib ship."""
    import matplotlib.cbook

    with Image.open(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as portrait:
        hopper = portrait.convert("RGB").crop((150, 90, 360, 330))
    return {"astronaut": skimage_photo("astronaut").crop((170, 40, 300, 180)), "grace_hopper": hopper}
