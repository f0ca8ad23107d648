"""Carcinoma referral across thresholds: sensitivity, specificity, and the recommended operating point.

A case is referred as the bot refers it (`inference.triage`): carcinoma is the top class, or its (calibrated)
probability reaches the threshold. Missing a carcinoma costs far more than an unneeded referral, so the
recommendation is the threshold with the best specificity among those that keep sensitivity at or above
MIN_SENSITIVITY.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from inference.labels import LABELS

CARCINOMA = LABELS.index("carcinoma")
MIN_SENSITIVITY = 0.95
THRESHOLDS: tuple[float, ...] = tuple(round(0.01 * i, 2) for i in range(101))


@dataclass(frozen=True)
class OperatingPoint:
    threshold: float
    sensitivity: float | None  # None without carcinoma cases
    specificity: float | None  # None without other cases
    referred: float  # share of all cases referred


def referred(probs: np.ndarray, threshold: float) -> np.ndarray:
    """Which cases triage would refer at this threshold."""
    probs = np.asarray(probs, dtype=np.float64)
    return (probs.argmax(axis=1) == CARCINOMA) | (probs[:, CARCINOMA] >= threshold)


def referral_curve(
    probs: np.ndarray, truth: np.ndarray, thresholds: tuple[float, ...] = THRESHOLDS
) -> list[OperatingPoint]:
    """One operating point per threshold; `truth` holds label indices into LABELS."""
    probs = np.asarray(probs, dtype=np.float64)
    positive = np.asarray(truth) == CARCINOMA
    out = []
    for t in thresholds:
        flag = referred(probs, t) if len(probs) else np.zeros(0, dtype=bool)
        sensitivity = float(flag[positive].mean()) if positive.any() else None
        specificity = float((~flag[~positive]).mean()) if (~positive).any() else None
        out.append(
            OperatingPoint(float(t), sensitivity, specificity, float(flag.mean()) if len(flag) else 0.0)
        )
    return out


def recommend(curve: list[OperatingPoint], min_sensitivity: float = MIN_SENSITIVITY) -> OperatingPoint | None:
    """Best specificity with sensitivity ≥ min_sensitivity; on a tie the better sensitivity, then the higher
    threshold.

    None when no threshold reaches the sensitivity, or there are no carcinoma cases to measure it on.
    """
    eligible = [
        p
        for p in curve
        if p.sensitivity is not None and p.sensitivity >= min_sensitivity and p.specificity is not None
    ]
    if not eligible:
        return None
    return max(eligible, key=lambda p: (p.specificity, p.sensitivity, p.threshold))
