"""Evaluate classifier weights on DIR/test and write a Markdown + JSON + PNG report into one folder.

The test split is first checked for near-duplicates of training images: the seed's 98.74% came from augmented
copies of training photos sitting in its test set, and a number like that must never again go unnoticed.
Every headline figure carries a 95% bootstrap interval; calibration is shown before and after temperature
scaling; the figures are repeated per skin-tone (ITA) group; carcinoma referral is traced across thresholds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from classifier_lab.calibration import (
    TEMPERATURE_RANGE,
    expected_calibration_error,
    fit_temperature,
    reliability_bins,
)
from classifier_lab.dedup import (
    DEFAULT_THRESHOLD,
    DEFAULT_TONE_THRESHOLD,
    Leak,
    Thresholds,
    find_leaks,
    list_images,
)
from classifier_lab.evaluation_figures import (
    Averages,
    CalibrationFigures,
    ClassMetrics,
    EvaluationReport,
    GateFigures,
    Metrics,
    ReferralFigures,
)
from classifier_lab.evaluation_report import write_report
from classifier_lab.evaluation_stats import ece_interval, headline, tone_groups
from classifier_lab.operating_point import MIN_SENSITIVITY, recommend, referral_curve
from classifier_lab.skin_tone import estimate_ita, ita_group
from inference.classifier import SkinClassifier
from inference.labels import LABELS, canonical_label
from inference.sidecar import (
    GROUP_KEYS,
    MIN_GROUP_IMAGES,
    Calibration,
    OutOfDistribution,
    Referral,
    Sidecar,
    SkinTones,
    save_sidecar,
    sidecar_path,
)
from inference.skin_colour import skin_share
from inference.skin_gate import MIN_SKIN_SHARE
from inference.temperature import apply_temperature

log = logging.getLogger(__name__)

DEFAULT_OUT_DIR = Path("reports/classifier")
DEFAULT_REFERRAL = 0.30  # SKINBOT_CARCINOMA_REFERRAL's default
OOD_KEEP = 0.99  # the classifier-score gate keeps this share of validation photos


class EvaluationError(Exception):
    """The dataset cannot be evaluated as laid out; the message says why."""


class LeakError(EvaluationError):
    """The test split holds near-duplicates of images the model was trained or selected on."""

    def __init__(self, leaks: Sequence[Leak], test_images: int, seen_images: int) -> None:
        self.leaks = list(leaks)
        leaked = len({leak.held_out for leak in self.leaks})
        sources = len({leak.seen for leak in self.leaks})
        super().__init__(
            f"{leaked} of {test_images} test images are near-duplicates of {sources} of the {seen_images} "
            f"train/val images, so the score would measure memory, not skill. Re-split the raw data with "
            f"`skinbot split`, or pass --allow-leak to get a report stamped LEAKY."
        )


def _indices(values: Sequence[int | str], labels: Sequence[str]) -> np.ndarray:
    return np.array([labels.index(v) if isinstance(v, str) else int(v) for v in values], dtype=np.int64)


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den else 0.0  # sklearn's zero_division=0


def metrics_from_predictions(
    y_true: Sequence[int | str],
    y_pred: Sequence[int | str],
    probs: Sequence[Sequence[float]] | np.ndarray | None = None,
    labels: Sequence[str] = LABELS,
) -> Metrics:
    """Classification metrics from labels (names or indices into `labels`) and optional probabilities."""
    labels = tuple(labels)
    truth, pred = _indices(y_true, labels), _indices(y_pred, labels)
    if truth.shape != pred.shape:
        raise ValueError(f"y_true has {truth.size} items, y_pred {pred.size}")
    k = len(labels)
    confusion = np.zeros((k, k), dtype=np.int64)
    np.add.at(confusion, (truth, pred), 1)

    per_class: dict[str, ClassMetrics] = {}
    for i, label in enumerate(labels):
        tp = confusion[i, i]
        precision = _ratio(tp, confusion[:, i].sum())
        recall = _ratio(tp, confusion[i, :].sum())
        f1 = _ratio(2 * precision * recall, precision + recall)
        per_class[label] = ClassMetrics(precision, recall, f1, int(confusion[i, :].sum()))

    present = [labels[i] for i in range(k) if confusion[i, :].sum() or confusion[:, i].sum()]
    supported = [label for label in labels if per_class[label].support]
    n = int(truth.size)

    def mean(attr: str, names: list[str]) -> float:
        return float(np.mean([getattr(per_class[x], attr) for x in names])) if names else 0.0

    def weighted(attr: str) -> float:
        return _ratio(sum(getattr(per_class[x], attr) * per_class[x].support for x in labels), n)

    ece = None
    if probs is not None:
        p = np.asarray(probs, dtype=np.float64)
        ece = expected_calibration_error(p.max(axis=1), (p.argmax(axis=1) == truth))
    return Metrics(
        labels=labels,
        per_class=per_class,
        macro=Averages(mean("precision", present), mean("recall", present), mean("f1", present)),
        weighted=Averages(weighted("precision"), weighted("recall"), weighted("f1")),
        accuracy=_ratio(int(np.trace(confusion)), n),
        balanced_accuracy=mean("recall", supported),
        confusion=confusion.tolist(),
        ece=ece,
    )


def labelled_images(split_dir: Path) -> list[tuple[Path, str]]:
    """(image, label) pairs of a split folder, the class folders mapped onto LABELS."""
    if not split_dir.is_dir():
        raise EvaluationError(f"{split_dir} not found; expected DIR/{{train,val,test}}/<class>/*.jpg")
    pairs: list[tuple[Path, str]] = []
    unknown = []
    for folder in sorted(d for d in split_dir.iterdir() if d.is_dir()):
        label = canonical_label(folder.name)
        if label is None:
            unknown.append(folder.name)
            continue
        pairs.extend((p, label) for p in list_images(folder))
    if unknown:
        raise EvaluationError(f"{split_dir}: class folders {unknown} are not skinbot labels {list(LABELS)}")
    if not pairs:
        raise EvaluationError(f"{split_dir} holds no images")
    return pairs


@dataclass
class _Predictions:
    raw: np.ndarray  # uncalibrated probabilities (n, 6)
    truth: np.ndarray  # label indices
    ita_groups: list[str]
    not_skin: np.ndarray  # the colour check would turn the photo back
    seconds: float


def _predict(
    classifier: SkinClassifier, pairs: list[tuple[Path, str]], batch: int, measure_photos: bool
) -> _Predictions:
    raw, groups, not_skin = [], [], []
    elapsed = 0.0
    for start in range(0, len(pairs), batch):
        images = []
        for path, _ in pairs[start : start + batch]:
            with Image.open(path) as im:
                images.append(im.convert("RGB"))
        began = time.perf_counter()
        raw.append(classifier.raw_probabilities(images))
        elapsed += time.perf_counter() - began
        if measure_photos:
            groups += [ita_group(estimate_ita(im)) for im in images]
            not_skin += [skin_share(im) < MIN_SKIN_SHARE for im in images]
    truth = np.array([LABELS.index(label) for _, label in pairs], dtype=np.int64)
    probs = np.concatenate(raw) if raw else np.zeros((0, len(LABELS)))
    return _Predictions(probs, truth, groups, np.array(not_skin, dtype=bool), elapsed)


def fit_scores(
    classifier: SkinClassifier, val_dir: Path, *, batch: int = 32
) -> tuple[Calibration, OutOfDistribution]:
    """Temperature and the skin gate's score threshold, both fitted on the validation split."""
    val = labelled_images(val_dir)
    predictions = _predict(classifier, val, batch, measure_photos=False)
    temperature = fit_temperature(predictions.raw, predictions.truth)
    if not TEMPERATURE_RANGE[0] * 1.01 < temperature < TEMPERATURE_RANGE[1] * 0.99:
        log.warning(
            "temperature %.3f is at the edge of %s: the validation split (%d images) is too easy or "
            "too small to calibrate on",
            temperature,
            TEMPERATURE_RANGE,
            len(val),
        )
    calibrated = apply_temperature(predictions.raw, temperature)
    correct = calibrated.argmax(axis=1) == predictions.truth
    top = calibrated.max(axis=1)
    threshold = float(np.quantile(top, 1.0 - OOD_KEEP, method="lower"))
    calibration = Calibration(
        temperature=temperature,
        fitted_on=str(val_dir),
        images=len(val),
        ece_before=expected_calibration_error(predictions.raw.max(axis=1), correct),
        ece_after=expected_calibration_error(top, correct),
    )
    ood = OutOfDistribution("max_softmax", threshold, float(np.mean(top >= threshold)), str(val_dir))
    return calibration, ood


def evaluate(
    weights: Path,
    data: Path,
    allow_leak: bool = False,
    out_dir: Path = DEFAULT_OUT_DIR,
    *,
    device: str = "auto",
    threshold: int = DEFAULT_THRESHOLD,
    tone_threshold: int = DEFAULT_TONE_THRESHOLD,
    batch: int = 32,
    calibrate: bool = False,
    referral_threshold: float = DEFAULT_REFERRAL,
    record: bool = False,
) -> EvaluationReport:
    """Score `weights` on DATA/test; LeakError when test copies train/val images, unless allow_leak.

    calibrate: fit the temperature and the skin gate's threshold on DATA/val first, and write them to the
    weights' sidecar. record: also write this evaluation's referral threshold and skin-tone groups there
    (never for a leaky split). Without either, the sidecar is only read.
    """
    weights, data, out_dir = Path(weights), Path(data), Path(out_dir)
    test = labelled_images(data / "test")
    seen = [
        p for split in ("train", "val") if (data / split).is_dir() for p, _ in labelled_images(data / split)
    ]
    leaks = find_leaks([p for p, _ in test], seen, Thresholds(threshold, tone_threshold))
    if leaks and not allow_leak:
        raise LeakError(leaks, len(test), len(seen))
    leaked = {leak.held_out for leak in leaks}
    by_tone_only = leaked - {leak.held_out for leak in leaks if leak.signal == "phash"}
    if leaks:
        log.warning("evaluating with %d leaked test images (--allow-leak)", len(leaked))
    if calibrate and not (data / "val").is_dir():
        raise EvaluationError(f"--calibrate fits on the validation split, and {data / 'val'} does not exist")

    classifier = SkinClassifier(weights, device=device, use_sidecar=not calibrate)  # calibrate replaces it
    classifier.setup()
    sidecar = classifier.sidecar
    if calibrate:
        calibration, ood = fit_scores(classifier, data / "val", batch=batch)
        sidecar = Sidecar(calibration=calibration, ood=ood, referral=None, skin_tones=None)
        source = f"fitted now on {data / 'val'}"
    elif sidecar is not None:
        source = f"from the sidecar (fitted on {sidecar.calibration.fitted_on or 'an unrecorded split'})"
    else:
        source = "none: the weights have no sidecar, so the model's raw probabilities are used"
    temperature = sidecar.temperature if sidecar is not None else 1.0

    predictions = _predict(classifier, test, batch, measure_photos=True)
    truth = predictions.truth
    probs = apply_temperature(predictions.raw, temperature)
    correct = probs.argmax(axis=1) == truth
    metrics = metrics_from_predictions(truth.tolist(), probs.argmax(axis=1).tolist(), probs)
    calibration = CalibrationFigures(
        temperature=temperature,
        source=source,
        ece_before=ece_interval(predictions.raw.max(axis=1), correct),
        ece_after=ece_interval(probs.max(axis=1), correct),
        bins_before=reliability_bins(predictions.raw.max(axis=1), correct),
        bins_after=reliability_bins(probs.max(axis=1), correct),
    )
    score_threshold = sidecar.ood.threshold if sidecar is not None and sidecar.ood else None
    unfamiliar = (
        (probs.max(axis=1) < score_threshold) & ~predictions.not_skin
        if score_threshold is not None
        else np.zeros(len(truth), dtype=bool)
    )
    curve = referral_curve(probs, truth)
    report = EvaluationReport(
        weights=str(weights),
        data=str(data),
        metrics=metrics,
        images=len(test),
        ms_per_image=1000.0 * predictions.seconds / len(test),
        headline=headline(probs, truth, referral_threshold),
        calibration=calibration,
        skin_tones=tone_groups(
            probs, truth, predictions.ita_groups, predictions.not_skin | unfamiliar, referral_threshold
        ),
        referral=ReferralFigures(referral_threshold, MIN_SENSITIVITY, recommend(curve), curve),
        gate=GateFigures(
            len(test), MIN_SKIN_SHARE, int(predictions.not_skin.sum()), score_threshold, int(unfamiliar.sum())
        ),
        leaky=bool(leaks),
        leaked_images=len(leaked),
        leaks_by_tone_hash=len(by_tone_only),
    )
    if (calibrate or record) and not report.leaky:
        updated = sidecar or Sidecar()
        if record:
            updated = updated.evaluated(_referral_entry(report, data), _tones_entry(report, data))
        report.sidecar = str(save_sidecar(weights, updated))
    elif calibrate or record:
        log.warning("the split is leaky: %s is left as it was", sidecar_path(weights))
    write_report(report, out_dir)
    return report


def _referral_entry(report: EvaluationReport, data: Path) -> Referral | None:
    point = report.referral.recommended
    if point is None:
        return None
    return Referral(
        point.threshold,
        report.referral.min_sensitivity,
        point.sensitivity,
        point.specificity,
        str(data / "test"),
    )


def _tones_entry(report: EvaluationReport, data: Path) -> SkinTones:
    counts = {g.group: g.images for g in report.skin_tones}
    judged = tuple(g.group for g in report.skin_tones if g.judged and g.group in GROUP_KEYS)
    return SkinTones(counts, judged, MIN_GROUP_IMAGES, str(data / "test"))
