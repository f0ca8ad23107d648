"""Evaluate classifier weights on DIR/test and write a Markdown + JSON report with a confusion matrix PNG.

The test split is first checked for near-duplicates of training images: the seed's 98.74% came from augmented
copies of training photos sitting in its test set, and a number like that must never again go unnoticed.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from inference.classifier import SkinClassifier
from inference.dedup import DEFAULT_THRESHOLD, Leak, find_leaks, list_images
from inference.labels import LABELS, canonical_label

log = logging.getLogger(__name__)

DEFAULT_OUT_DIR = Path("reports/classifier")
ECE_BINS = 10


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


@dataclass(frozen=True)
class ClassMetrics:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Averages:
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class Metrics:
    labels: tuple[str, ...]
    per_class: dict[str, ClassMetrics]
    macro: Averages  # unweighted mean over the classes present in y_true or y_pred
    weighted: Averages  # mean weighted by support
    accuracy: float
    balanced_accuracy: float  # mean recall over classes with support
    confusion: list[list[int]]  # rows: true label, columns: predicted label, in `labels` order
    ece: float | None  # expected calibration error; None without probabilities


def _indices(values: Sequence[int | str], labels: Sequence[str]) -> np.ndarray:
    return np.array([labels.index(v) if isinstance(v, str) else int(v) for v in values], dtype=np.int64)


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den else 0.0  # sklearn's zero_division=0


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = ECE_BINS) -> float:
    """Σ_b |B_b|/n · |accuracy(B_b) − mean confidence(B_b)| over equal-width bins (i/bins, (i+1)/bins]."""
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    if confidence.size == 0:
        return 0.0
    which = np.clip(np.ceil(confidence * bins).astype(np.int64) - 1, 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() / confidence.size * abs(correct[mask].mean() - confidence[mask].mean())
    return float(total)


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


@dataclass
class EvaluationReport:
    weights: str
    data: str
    metrics: Metrics
    images: int
    ms_per_image: float
    leaky: bool = False
    leaked_images: int = 0
    files: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


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


def evaluate(
    weights: Path,
    data: Path,
    allow_leak: bool = False,
    out_dir: Path = DEFAULT_OUT_DIR,
    *,
    device: str = "auto",
    threshold: int = DEFAULT_THRESHOLD,
    batch: int = 32,
) -> EvaluationReport:
    """Score `weights` on DATA/test; LeakError when test copies train/val images, unless allow_leak."""
    data, out_dir = Path(data), Path(out_dir)
    test = labelled_images(data / "test")
    seen = [
        p for split in ("train", "val") if (data / split).is_dir() for p, _ in labelled_images(data / split)
    ]
    leaks = find_leaks([p for p, _ in test], seen, threshold)
    if leaks and not allow_leak:
        raise LeakError(leaks, len(test), len(seen))
    leaked = len({leak.held_out for leak in leaks})
    if leaks:
        log.warning("evaluating with %d leaked test images (--allow-leak)", leaked)

    classifier = SkinClassifier(Path(weights), device=device)
    classifier.setup()
    results = []
    elapsed = 0.0
    for start in range(0, len(test), batch):
        images = []
        for path, _ in test[start : start + batch]:
            with Image.open(path) as im:
                images.append(im.convert("RGB"))
        began = time.perf_counter()
        results.extend(classifier.predict(images))
        elapsed += time.perf_counter() - began

    metrics = metrics_from_predictions(
        [label for _, label in test], [r.top for r in results], [r.probs for r in results]
    )
    report = EvaluationReport(
        weights=str(weights),
        data=str(data),
        metrics=metrics,
        images=len(test),
        ms_per_image=1000.0 * elapsed / len(test),
        leaky=bool(leaks),
        leaked_images=leaked,
    )
    _write(report, out_dir)
    return report


def _write(report: EvaluationReport, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "markdown": out_dir / "report.md",
        "json": out_dir / "report.json",
        "confusion_matrix": out_dir / "confusion_matrix.png",
    }
    report.files = {k: str(v) for k, v in files.items()}
    plot_confusion(report.metrics, files["confusion_matrix"], leaky=report.leaky)
    files["json"].write_text(
        json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    files["markdown"].write_text(render_markdown(report), encoding="utf-8")


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def render_markdown(report: EvaluationReport) -> str:
    m = report.metrics
    lines = ["# Skin classifier evaluation", ""]
    if report.leaky:
        lines += [
            f"> **LEAKY: {report.leaked_images} of {report.images} test images are near-duplicates of "
            "training images. These numbers overstate real performance; do not quote them.**",
            "",
        ]
    lines += [
        f"- Weights: `{report.weights}`",
        f"- Data: `{report.data}` (test split, {report.images} images)",
        f"- Accuracy: {_pct(m.accuracy)}; balanced accuracy: {_pct(m.balanced_accuracy)}",
        f"- Expected calibration error: {m.ece:.4f}"
        if m.ece is not None
        else "- Expected calibration error: n/a",
        f"- Speed: {report.ms_per_image:.2f} ms per image",
        "",
        "| class | precision | recall | F1 | support |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, c in m.per_class.items():
        lines.append(f"| {label} | {c.precision:.3f} | {c.recall:.3f} | {c.f1:.3f} | {c.support} |")
    for name, avg in (("macro avg", m.macro), ("weighted avg", m.weighted)):
        lines.append(
            f"| **{name}** | {avg.precision:.3f} | {avg.recall:.3f} | {avg.f1:.3f} | {report.images} |"
        )
    lines += [
        "",
        "Confusion matrix (rows: true, columns: predicted):",
        "",
        "![confusion matrix](confusion_matrix.png)",
    ]
    return "\n".join(lines) + "\n"


def plot_confusion(metrics: Metrics, path: Path, leaky: bool = False) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display; matplotlib's bundled DejaVu font, nothing downloaded
    import matplotlib.pyplot as plt

    matrix = np.asarray(metrics.confusion)
    k = len(metrics.labels)
    fig, ax = plt.subplots(figsize=(1.1 * k + 2, 1.1 * k + 1.5), dpi=100)
    try:
        ax.imshow(matrix, cmap="Blues")
        ax.set_xticks(range(k), metrics.labels, rotation=45, ha="right")
        ax.set_yticks(range(k), metrics.labels)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title("Confusion matrix" + (" (LEAKY)" if leaky else ""))
        threshold = matrix.max() / 2 if matrix.size and matrix.max() else math.inf
        for i in range(k):
            for j in range(k):
                colour = "white" if matrix[i, j] > threshold else "black"
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", color=colour)
        fig.tight_layout()
        fig.savefig(path)
    finally:
        plt.close(fig)
