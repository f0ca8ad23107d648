"""Carcinoma referral across thresholds, against hand-counted cases and the bot's own triage rule."""

from __future__ import annotations

import numpy as np
import pytest

from classifier_lab.operating_point import THRESHOLDS, OperatingPoint, recommend, referral_curve, referred
from inference.labels import LABELS, Classification
from inference.triage import Triage, triage

C = LABELS.index("carcinoma")


def probs_with(carcinoma: float, top: str = "acne") -> list[float]:
    """Six probabilities: `carcinoma` for carcinoma, most of the rest on `top` (unless carcinoma is top)."""
    row = np.full(len(LABELS), 0.0)
    row[C] = carcinoma
    rest = 1.0 - carcinoma
    row[LABELS.index(top)] += rest * 0.8
    others = [i for i in range(len(LABELS)) if i not in (C, LABELS.index(top))]
    row[others] += rest * 0.2 / len(others)
    return row.tolist()


def test_referred_is_the_triage_rule() -> None:
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(len(LABELS)), 400)
    for threshold in (0.05, 0.3, 0.6):
        expected = [triage(Classification(tuple(p)), threshold) == Triage.URGENT for p in probs]
        assert referred(probs, threshold).tolist() == expected


def test_curve_by_hand() -> None:
    # Four carcinomas with p = 0.9 (top), 0.35, 0.2, 0.05; four others with p = 0.4, 0.25, 0.1, 0.0.
    probs = np.array(
        [
            probs_with(0.9, "carcinoma"),
            probs_with(0.35),
            probs_with(0.2),
            probs_with(0.05),
            probs_with(0.4),
            probs_with(0.25),
            probs_with(0.1),
            probs_with(0.0),
        ]
    )
    truth = np.array([C, C, C, C, 0, 2, 3, 4])
    curve = {p.threshold: p for p in referral_curve(probs, truth)}
    assert curve[0.3] == OperatingPoint(0.3, 0.5, 0.75, 3 / 8)
    assert curve[0.2] == OperatingPoint(0.2, 0.75, 0.5, 5 / 8)
    assert curve[0.05] == OperatingPoint(0.05, 1.0, 0.25, 7 / 8)
    assert curve[1.0].sensitivity == 0.25  # carcinoma as the top class is always referred
    best = recommend(list(curve.values()), min_sensitivity=0.95)
    # Sensitivity 100% needs p ≥ 0.05: every threshold from 0.01 to 0.05 gets it, with specificity 25%.
    assert best == curve[0.05]
    assert recommend(list(curve.values()), min_sensitivity=0.7) == curve[0.2]


def test_no_recommendation_without_carcinomas_or_sensitivity() -> None:
    probs = np.array([probs_with(0.1), probs_with(0.2)])
    assert recommend(referral_curve(probs, np.array([0, 2]))) is None
    # A carcinoma with p = 0 is only caught at threshold 0, where specificity is 0: still a recommendation.
    curve = referral_curve(np.array([probs_with(0.0), probs_with(0.5)]), np.array([C, 0]))
    assert recommend(curve) == curve[0]
    assert recommend(curve, min_sensitivity=1.01) is None


def test_thresholds_cover_zero_to_one() -> None:
    assert THRESHOLDS[0] == 0.0 and THRESHOLDS[-1] == 1.0 and len(THRESHOLDS) == 101
    assert THRESHOLDS[30] == pytest.approx(0.3)
