"""The figures of an evaluation, each with its 95% bootstrap interval: headline metrics, calibration error,
and the same per skin-tone (ITA) group. Pure numpy on predictions already made."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from classifier_lab.bootstrap import Interval, bootstrap, ratios
from classifier_lab.calibration import ECE_BINS, bin_index
from classifier_lab.operating_point import CARCINOMA, referred
from classifier_lab.skin_tone import ITA_GROUPS, UNKNOWN
from inference.labels import LABELS
from inference.sidecar import GROUP_KEYS, MIN_GROUP_IMAGES


@dataclass(frozen=True)
class Headline:
    accuracy: Interval
    balanced_accuracy: Interval
    recall: dict[str, Interval]
    referral_threshold: float
    carcinoma_sensitivity: Interval  # share of carcinomas that triage refers at referral_threshold
    carcinoma_specificity: Interval  # share of other cases it does not refer


@dataclass(frozen=True)
class ToneGroupFigures:
    group: str
    ita_range: str
    images: int
    judged: bool  # at least MIN_GROUP_IMAGES images; otherwise "too few to judge"
    accuracy: Interval
    carcinoma_recall: Interval  # carcinomas with carcinoma as the top class
    carcinoma_referred: Interval  # carcinomas triage refers at the referral threshold
    ece: Interval
    turned_back: int  # photos of the group the skin gate would turn back


def headline(probs: np.ndarray, truth: np.ndarray, referral_threshold: float, seed: int = 0) -> Headline:
    """Accuracy, balanced accuracy, recall per class, carcinoma sensitivity and specificity at the referral
    threshold, all from the same bootstrap replicates."""
    probs, truth = np.asarray(probs, dtype=np.float64), np.asarray(truth)
    correct = probs.argmax(axis=1) == truth if len(truth) else np.zeros(0, dtype=bool)
    flag = referred(probs, referral_threshold) if len(truth) else np.zeros(0, dtype=bool)
    positive = truth == CARCINOMA
    k = len(LABELS)
    columns = [correct, np.ones(len(truth))]
    for c in range(k):
        columns += [correct & (truth == c), truth == c]
    columns += [flag & positive, positive, ~flag & ~positive, ~positive]

    def statistic(sums: np.ndarray) -> np.ndarray:
        r = ratios(k + 3)(sums)  # accuracy, recall × k, sensitivity, specificity
        with warnings.catch_warnings():
            # A class absent from a resample has recall 0/0 = NaN and is left out of the mean; a resample
            # with no class at all (an empty test set) gives NaN, not a warning.
            warnings.simplefilter("ignore", RuntimeWarning)
            balanced = np.nanmean(r[:, 1 : 1 + k], axis=1)
        return np.column_stack([r[:, :1], balanced, r[:, 1:]])

    matrix = np.column_stack(columns) if len(truth) else np.zeros((0, 2 * (k + 3)))
    out = bootstrap(matrix, statistic, seed=seed)
    return Headline(
        accuracy=out[0],
        balanced_accuracy=out[1],
        recall={label: out[2 + c] for c, label in enumerate(LABELS)},
        referral_threshold=referral_threshold,
        carcinoma_sensitivity=out[2 + k],
        carcinoma_specificity=out[3 + k],
    )


def ece_interval(confidence: np.ndarray, correct: np.ndarray, seed: int = 0) -> Interval:
    """Expected calibration error (equal-width bins) with its bootstrap interval."""
    confidence = np.asarray(confidence, dtype=np.float64)
    which = bin_index(confidence, ECE_BINS)
    columns = []
    for b in range(ECE_BINS):
        inside = which == b
        columns += [inside, inside * np.asarray(correct, dtype=np.float64), inside * confidence]

    def statistic(sums: np.ndarray) -> np.ndarray:
        count, right, sure = sums[:, 0::3], sums[:, 1::3], sums[:, 2::3]
        return (np.abs(right - sure).sum(axis=1) / count.sum(axis=1))[:, None]

    matrix = np.column_stack(columns) if len(confidence) else np.zeros((0, 3 * ECE_BINS))
    return bootstrap(matrix, statistic, seed=seed)[0]


def tone_groups(
    probs: np.ndarray,
    truth: np.ndarray,
    groups: list[str],
    turned_back: np.ndarray,
    referral_threshold: float,
    seed: int = 0,
) -> list[ToneGroupFigures]:
    """Figures per ITA group (and for photos whose tone could not be measured), in ITA order."""
    probs, truth = np.asarray(probs, dtype=np.float64), np.asarray(truth)
    names = np.asarray(groups)
    out = []
    for key, ita_range in [*((g.key, _range_text(g.above, g.up_to)) for g in ITA_GROUPS), (UNKNOWN, "—")]:
        rows = np.flatnonzero(names == key)
        if key == UNKNOWN and not len(rows):
            continue
        p, y = probs[rows], truth[rows]
        correct = p.argmax(axis=1) == y if len(rows) else np.zeros(0, dtype=bool)
        flag = referred(p, referral_threshold) if len(rows) else np.zeros(0, dtype=bool)
        positive = y == CARCINOMA
        columns = [correct, np.ones(len(rows)), correct & positive, positive, flag & positive, positive]
        matrix = np.column_stack(columns) if len(rows) else np.zeros((0, 6))
        accuracy, recall, referred_share = bootstrap(matrix, ratios(3), seed=seed)
        confidence = p.max(axis=1) if len(rows) else np.zeros(0)
        out.append(
            ToneGroupFigures(
                group=key,
                ita_range=ita_range,
                images=len(rows),
                judged=key in GROUP_KEYS and len(rows) >= MIN_GROUP_IMAGES,
                accuracy=accuracy,
                carcinoma_recall=recall,
                carcinoma_referred=referred_share,
                ece=ece_interval(confidence, correct, seed=seed),
                turned_back=int(np.asarray(turned_back)[rows].sum()) if len(rows) else 0,
            )
        )
    return out


def _range_text(above: float, up_to: float) -> str:
    if np.isinf(up_to):
        return f"> {above:g}°"
    if np.isinf(above):
        return f"≤ {up_to:g}°"
    return f"{above:g}° to {up_to:g}°"
