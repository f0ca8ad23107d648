"""Temperature scaling on data with a known temperature, reliability bins by hand, and the classifier applying
the sidecar's temperature."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from classifier_lab.calibration import (
    expected_calibration_error,
    fit_temperature,
    negative_log_likelihood,
    reliability_bins,
)
from inference.classifier import SkinClassifier
from inference.sidecar import Calibration, load_sidecar, save_sidecar
from inference.temperature import apply_temperature
from tests.classifier.skin_images import LESIONS, TONE_RANGES, skin_image


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def overconfident(n: int, true_temperature: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Labels drawn from softmax(z / T); the model reports softmax(z), i.e. too sure when T > 1."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, 3.0, size=(n, 6))
    truth = softmax(logits / true_temperature)
    labels = np.array([rng.choice(6, p=p) for p in truth])
    return softmax(logits), labels


@pytest.mark.parametrize("true_temperature", [0.5, 1.0, 2.5])
def test_fit_recovers_the_temperature(true_temperature: float) -> None:
    probs, labels = overconfident(6000, true_temperature)
    assert fit_temperature(probs, labels) == pytest.approx(true_temperature, rel=0.1)


def test_fit_minimises_the_likelihood() -> None:
    probs, labels = overconfident(2000, 2.0, seed=1)
    t = fit_temperature(probs, labels)
    best = negative_log_likelihood(probs, labels, t)
    for other in (t * 0.8, t * 1.25, 1.0):
        assert negative_log_likelihood(probs, labels, other) > best


def test_calibration_lowers_the_error_of_an_overconfident_model() -> None:
    probs, labels = overconfident(4000, 2.5, seed=2)
    calibrated = apply_temperature(probs, fit_temperature(probs[:2000], labels[:2000]))
    held_out = slice(2000, None)

    def ece(p: np.ndarray) -> float:
        return expected_calibration_error(
            p[held_out].max(axis=1), p[held_out].argmax(axis=1) == labels[held_out]
        )

    assert ece(probs) > 0.1 and ece(calibrated) < 0.04


def test_temperature_keeps_the_top_class_and_sums() -> None:
    probs, _ = overconfident(200, 1.0, seed=3)
    for t in (0.3, 1.0, 4.0):
        scaled = apply_temperature(probs, t)
        assert (scaled.argmax(axis=1) == probs.argmax(axis=1)).all()
        assert scaled.sum(axis=1) == pytest.approx(np.ones(200))
    assert apply_temperature(probs, 1.0) == pytest.approx(probs)
    assert (apply_temperature(probs, 3.0).max(axis=1) < probs.max(axis=1) + 1e-12).all()  # T > 1 softens


def test_zero_probabilities_do_not_break_the_fit() -> None:
    probs = np.array([[1.0, 0, 0, 0, 0, 0], [0, 1.0, 0, 0, 0, 0], [0.5, 0.5, 0, 0, 0, 0]])
    t = fit_temperature(probs, np.array([0, 1, 1]))
    assert np.isfinite(t) and np.isfinite(apply_temperature(probs, t)).all()


def test_reliability_bins_by_hand() -> None:
    bins = reliability_bins([0.15, 0.15, 0.95, 0.55], [1, 0, 1, 1], bins=10)
    assert [b.count for b in bins] == [0, 2, 0, 0, 0, 1, 0, 0, 0, 1]
    assert bins[1].accuracy == 0.5 and bins[1].confidence == pytest.approx(0.15)
    assert bins[9].accuracy == 1.0 and bins[0].accuracy is None


def tone_images(count_per_tone: int = 2, seed: int = 4) -> list:
    rng = np.random.default_rng(seed)
    return [
        skin_image(rng.uniform(low, high), rng, 64, lesion=lesion)
        for low, high in TONE_RANGES.values()
        for lesion in list(LESIONS)[:count_per_tone]
    ]


def test_classifier_applies_the_sidecar_temperature(tone_weights_copy: Path) -> None:
    images = tone_images()
    sidecar = load_sidecar(tone_weights_copy)
    assert sidecar is not None and sidecar.temperature != 1.0  # `skinbot train` fitted one on val
    classifier = SkinClassifier(tone_weights_copy, device="cpu", uncertain_below=0.0)
    classifier.setup()
    raw = classifier.raw_probabilities(images)
    got = np.array([r.probs for r in classifier.predict(images)])
    assert got == pytest.approx(apply_temperature(raw, sidecar.temperature), abs=1e-9)
    assert not np.allclose(got, raw, atol=1e-3)


def test_uncertain_uses_the_calibrated_confidence(tone_weights_copy: Path) -> None:
    """The same photos, scored with a flattening, a neutral and a sharpening temperature."""
    images = tone_images()
    sidecar = load_sidecar(tone_weights_copy)
    assert sidecar is not None
    uncertain = {}
    for temperature in (50.0, 1.0, 0.1):
        save_sidecar(
            tone_weights_copy, dataclasses.replace(sidecar, calibration=Calibration(temperature), ood=None)
        )
        classifier = SkinClassifier(tone_weights_copy, device="cpu", uncertain_below=0.5)
        classifier.setup()
        results = classifier.predict(images)
        assert all(r.uncertain == (r.confidence < 0.5) for r in results)
        uncertain[temperature] = sum(r.uncertain for r in results)
    assert uncertain[50.0] == len(images)
    assert uncertain[0.1] < uncertain[1.0]
