"""Fitting the temperature, expected calibration error and reliability bins. numpy only.

A classifier trained to high accuracy is usually over-confident: "eczema 97%" is right less often than 97%
of the time. Temperature scaling divides the logits by one number T fitted on the validation split (T > 1
softens, T < 1 sharpens); it never changes which class is on top, only how sure the model says it is. The
weights export probabilities, not logits, but log-probabilities are the logits up to a per-image constant,
which softmax ignores, so scaling them is exact. Serving applies the fitted temperature with
`inference.temperature`, the one definition of the scaling that this module fits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from inference.temperature import log_probabilities

ECE_BINS = 10
TEMPERATURE_RANGE = (0.1, 10.0)  # beyond it the validation split is too easy or too small to trust


def negative_log_likelihood(probs: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    z = log_probabilities(probs) / float(temperature)
    top = z.max(axis=1, keepdims=True)
    log_norm = (top + np.log(np.exp(z - top).sum(axis=1, keepdims=True)))[:, 0]
    return float(np.mean(log_norm - z[np.arange(len(z)), labels]))


def fit_temperature(probs: np.ndarray, labels: np.ndarray, tolerance: float = 1e-5) -> float:
    """The T in TEMPERATURE_RANGE that minimises the negative log-likelihood of the true labels.

    The NLL is convex in 1/T, so a golden-section search on 1/T finds the minimum.
    """
    probs, labels = np.asarray(probs, dtype=np.float64), np.asarray(labels, dtype=np.int64)
    if len(labels) == 0:
        return 1.0
    lo, hi = 1.0 / TEMPERATURE_RANGE[1], 1.0 / TEMPERATURE_RANGE[0]
    ratio = (math.sqrt(5.0) - 1.0) / 2.0

    def loss(inverse: float) -> float:
        return negative_log_likelihood(probs, labels, 1.0 / inverse)

    a, b = lo + (1 - ratio) * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = loss(a), loss(b)
    while hi - lo > tolerance:
        if fa <= fb:
            hi, b, fb = b, a, fa
            a = lo + (1 - ratio) * (hi - lo)
            fa = loss(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = loss(b)
    return 1.0 / ((lo + hi) / 2.0)


def bin_index(confidence: np.ndarray, bins: int = ECE_BINS) -> np.ndarray:
    """Equal-width bins (i/bins, (i+1)/bins]; a confidence of exactly 0 goes to the first."""
    return np.clip(np.ceil(np.asarray(confidence) * bins).astype(np.int64) - 1, 0, bins - 1)


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = ECE_BINS) -> float:
    """Σ_b |B_b|/n · |accuracy(B_b) − mean confidence(B_b)| over equal-width bins (i/bins, (i+1)/bins]."""
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    if confidence.size == 0:
        return 0.0
    which = bin_index(confidence, bins)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() / confidence.size * abs(correct[mask].mean() - confidence[mask].mean())
    return float(total)


@dataclass(frozen=True)
class ReliabilityBin:
    lower: float
    upper: float
    count: int
    accuracy: float | None  # None for an empty bin
    confidence: float | None


def reliability_bins(
    confidence: np.ndarray, correct: np.ndarray, bins: int = ECE_BINS
) -> list[ReliabilityBin]:
    """Per confidence bin: how many predictions, how often right, how sure on average."""
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    which = bin_index(confidence, bins)
    out = []
    for b in range(bins):
        mask = which == b
        count = int(mask.sum())
        out.append(
            ReliabilityBin(
                b / bins,
                (b + 1) / bins,
                count,
                float(correct[mask].mean()) if count else None,
                float(confidence[mask].mean()) if count else None,
            )
        )
    return out
