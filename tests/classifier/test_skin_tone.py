"""ITA estimation on generated skin of known tone, with and without a lesion, and the six ITA groups."""

from __future__ import annotations

import math

import numpy as np
import pytest

from classifier_lab.skin_tone import UNKNOWN, estimate_ita, ita_group
from inference.sidecar import GROUP_KEYS
from tests.classifier.skin_images import LESIONS, TONE_RANGES, face_crops, skimage_photo, skin_image


@pytest.mark.parametrize(
    ("ita", "group"),
    [
        (70, "very_light"),
        (55.01, "very_light"),
        (55, "light"),
        (41.5, "light"),
        (41, "intermediate"),
        (30, "intermediate"),
        (28, "tan"),
        (10.5, "tan"),
        (10, "brown"),
        (-29.9, "brown"),
        (-30, "dark"),
        (-80, "dark"),
        (None, UNKNOWN),
        (math.nan, UNKNOWN),
    ],
)
def test_standard_group_boundaries(ita: float | None, group: str) -> None:
    assert ita_group(ita) == group


def test_groups_in_ita_order() -> None:
    assert GROUP_KEYS == ("very_light", "light", "intermediate", "tan", "brown", "dark")


def test_estimates_the_tone_of_generated_skin() -> None:
    """Across the whole ITA range, with every lesion anywhere near the centre, at two sizes."""
    rng = np.random.default_rng(1)
    errors, right, total = [], 0, 0
    for tone, (low, high) in TONE_RANGES.items():
        for lesion in (None, *LESIONS):
            for side in (64, 256):
                ita = rng.uniform(low, high)
                estimate = estimate_ita(skin_image(ita, rng, side, lesion=lesion, spread=0.25))
                assert estimate is not None
                errors.append(estimate - ita)
                right += ita_group(estimate) == tone
                total += 1
    assert np.median(np.abs(errors)) < 2.0, np.round(errors, 1)
    assert abs(np.mean(errors)) < 1.5  # no drift towards light or dark
    assert right / total >= 0.95


@pytest.mark.parametrize("lesion", ["Cancer", "Milia", "Acne"])
def test_a_lesion_does_not_move_the_estimate(lesion: str) -> None:
    """The same skin (same seed) measured without and with a dark, a white and a red lesion."""
    for tone, (low, high) in TONE_RANGES.items():
        ita = (low + high) / 2
        plain = estimate_ita(skin_image(ita, np.random.default_rng(5), 256, lesion=None))
        with_lesion = estimate_ita(skin_image(ita, np.random.default_rng(5), 256, lesion=lesion))
        assert plain is not None and with_lesion is not None
        assert abs(plain - with_lesion) < 3.0, f"{tone}: {plain:.1f}° vs {with_lesion:.1f}°"


def test_real_faces_are_measured() -> None:
    for name, face in face_crops().items():
        assert estimate_ita(face) is not None, name


@pytest.mark.parametrize("name", ["camera", "page", "rocket", "hubble_deep_field"])
def test_no_tone_without_skin(name: str) -> None:
    assert estimate_ita(skimage_photo(name)) is None
