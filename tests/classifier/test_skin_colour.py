"""Skin-coloured pixels: CIELab, every skin tone, real faces, and the photographs scikit-image ships."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from inference.skin_colour import skin_mask, skin_share, srgb_to_lab
from inference.skin_gate import MIN_SKIN_SHARE, SkinGate
from tests.classifier.skin_images import (
    LESIONS,
    TONE_RANGES,
    face_crops,
    ita_of,
    skimage_photo,
    skin_image,
)

# Photographs whose colours are not skin colours: the colour check alone must turn them away.
NOT_SKIN_COLOURED = (
    "rocket",
    "hubble_deep_field",
    "retina",
    "camera",
    "coins",
    "moon",
    "page",
    "brick",
    "grass",
)


def test_lab_matches_scikit_image() -> None:
    from skimage.color import rgb2lab

    pixels = np.random.default_rng(0).integers(0, 256, size=(64, 64, 3)).astype(np.uint8)
    assert np.abs(srgb_to_lab(pixels) - rgb2lab(pixels)).max() < 0.01


def test_lab_of_known_colours() -> None:
    lab = srgb_to_lab(np.array([[255, 255, 255], [0, 0, 0], [128, 128, 128]], dtype=np.uint8))
    assert lab[0] == pytest.approx([100.0, 0.0, 0.0], abs=0.01)
    assert lab[1] == pytest.approx([0.0, 0.0, 0.0], abs=0.01)
    assert lab[2][0] == pytest.approx(53.59, abs=0.05) and abs(lab[2][1]) < 0.01


@pytest.mark.parametrize("tone", list(TONE_RANGES))
def test_every_skin_tone_is_skin_coloured(tone: str) -> None:
    """Both ends of each ITA group, with every lesion and without, at a thumbnail and a photo size."""
    rng = np.random.default_rng(list(TONE_RANGES).index(tone))
    low, high = TONE_RANGES[tone]
    for ita in (low, high):
        for lesion in (None, *LESIONS):
            for side in (64, 512):
                image = skin_image(ita, rng, side, lesion=lesion, spread=0.25)
                share = skin_share(image)
                assert share >= MIN_SKIN_SHARE + 0.25, f"{tone} ITA {ita} {lesion} {side}px: {share:.2f}"


def test_the_tone_generator_spans_the_ita_range() -> None:
    """The skin tested above reaches past both ends of the standard scale (> 55° and < −30°)."""
    rng = np.random.default_rng(0)
    angles = []
    for low, high in TONE_RANGES.values():
        for ita in (low, high):
            lab = srgb_to_lab(np.asarray(skin_image(ita, rng, 64)))
            angles.append(ita_of(float(np.median(lab[..., 0])), float(np.median(lab[..., 2]))))
    assert max(angles) > 55 and min(angles) < -30


@pytest.mark.parametrize("name", ["astronaut", "grace_hopper"])
def test_real_faces_are_skin_coloured(name: str) -> None:
    assert SkinGate().looks_like_skin(face_crops()[name])


@pytest.mark.parametrize("name", NOT_SKIN_COLOURED)
def test_photographs_in_other_colours_are_not_skin(name: str) -> None:
    photo = skimage_photo(name)
    assert skin_share(photo) < MIN_SKIN_SHARE / 2
    assert not SkinGate().looks_like_skin(photo)


def test_grey_and_saturated_colours_are_not_skin() -> None:
    colours = np.array(
        [[[128, 128, 128], [255, 0, 0], [0, 160, 0], [30, 60, 220], [250, 250, 250]]], np.uint8
    )
    assert not skin_mask(srgb_to_lab(colours)).any()


def test_transparent_png_is_judged_on_white() -> None:
    clear = Image.new("RGBA", (300, 300), (200, 150, 120, 0))
    assert skin_share(clear) == 0.0
