"""Write an EvaluationReport into one folder: report.md, report.json and its PNG figures.

matplotlib draws with its bundled DejaVu font on the Agg backend: no display, nothing downloaded.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from classifier_lab.bootstrap import CONFIDENCE, REPLICATES, SEED, Interval
from classifier_lab.calibration import ReliabilityBin
from classifier_lab.evaluation_figures import EvaluationReport, Metrics
from classifier_lab.evaluation_stats import ToneGroupFigures
from classifier_lab.operating_point import OperatingPoint
from classifier_lab.skin_tone import UNKNOWN
from inference.sidecar import MIN_GROUP_IMAGES

FILES = {
    "markdown": "report.md",
    "json": "report.json",
    "confusion_matrix": "confusion_matrix.png",
    "reliability": "reliability.png",
    "referral_curve": "referral_curve.png",
}
CURVE_TABLE_STEP = 5  # the Markdown table lists every 5th threshold (0.00, 0.05, ...); the JSON has them all


def write_report(report: EvaluationReport, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {key: out_dir / name for key, name in FILES.items()}
    report.files = {k: str(v) for k, v in paths.items()}
    plot_confusion(report.metrics, paths["confusion_matrix"], leaky=report.leaky)
    plot_reliability(
        report.calibration.bins_before,
        report.calibration.bins_after,
        report.calibration.temperature,
        paths["reliability"],
    )
    plot_referral(
        report.referral.curve,
        report.referral.recommended,
        report.referral.configured_threshold,
        paths["referral_curve"],
    )
    paths["json"].write_text(
        json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    paths["markdown"].write_text(render_markdown(report), encoding="utf-8")


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _ci(interval: Interval) -> str:
    return interval.as_text(percent=True)


def render_markdown(report: EvaluationReport) -> str:
    m, h = report.metrics, report.headline
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
        f"- Speed: {report.ms_per_image:.2f} ms per image",
        f"- Intervals: {100 * CONFIDENCE:.0f}% percentile bootstrap, {REPLICATES} resamples of the test "
        f"images, seed {SEED}",
        "",
        "## Headline figures",
        "",
        "| figure | value (95% CI) |",
        "|---|---:|",
        f"| accuracy | {_ci(h.accuracy)} |",
        f"| balanced accuracy | {_ci(h.balanced_accuracy)} |",
    ]
    lines += [f"| recall: {label} | {_ci(interval)} |" for label, interval in h.recall.items()]
    lines += [
        f"| carcinoma sensitivity at referral threshold {h.referral_threshold:.2f} | "
        f"{_ci(h.carcinoma_sensitivity)} |",
        f"| carcinoma specificity at referral threshold {h.referral_threshold:.2f} | "
        f"{_ci(h.carcinoma_specificity)} |",
        "| expected calibration error, after calibration | "
        f"{report.calibration.ece_after.as_text(percent=False, digits=4)} |",
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
    lines += _calibration_lines(report)
    lines += _tone_lines(report)
    lines += _referral_lines(report)
    lines += _gate_lines(report)
    lines += [
        "",
        "## Confusion matrix",
        "",
        "Rows: true, columns: predicted.",
        "",
        "![confusion matrix](confusion_matrix.png)",
    ]
    if report.leaks_by_tone_hash:
        lines += [
            "",
            f"{report.leaks_by_tone_hash} of the leaked test images were found only by the "
            "tone-normalised hash (brightness- or contrast-changed copies).",
        ]
    if report.sidecar:
        lines += ["", f"Sidecar written: `{report.sidecar}`."]
    return "\n".join(lines) + "\n"


def _calibration_lines(report: EvaluationReport) -> list[str]:
    c = report.calibration
    return [
        "",
        "## Calibration",
        "",
        f'Temperature {c.temperature:.3f}, {c.source}. The confidence the bot shows, its "uncertain" flag '
        "and the referral threshold all use the calibrated probabilities.",
        "",
        "| | expected calibration error (95% CI) |",
        "|---|---:|",
        f"| before (raw model) | {c.ece_before.as_text(percent=False, digits=4)} |",
        f"| after (temperature {c.temperature:.3f}) | {c.ece_after.as_text(percent=False, digits=4)} |",
        "",
        "![reliability diagram](reliability.png)",
    ]


def _tone_lines(report: EvaluationReport) -> list[str]:
    lines = [
        "",
        "## Skin tone (ITA)",
        "",
        "The individual typology angle of each test photo, measured in CIELab on its healthy skin (the outer "
        "frame, lesion and shadows left out), in the six standard groups. A group with fewer than "
        f"{MIN_GROUP_IMAGES} photos is too few to judge: its figures are shown but say little.",
        "",
        "| group | ITA | images | accuracy | carcinoma recall | carcinoma referred | ECE | skin gate "
        "turned back |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for g in report.skin_tones:
        name = g.group.replace("_", " ") + tone_verdict(g)
        lines.append(
            f"| {name} | {g.ita_range} | {g.images} | {_ci(g.accuracy)} | {_ci(g.carcinoma_recall)} | "
            f"{_ci(g.carcinoma_referred)} | {g.ece.as_text(percent=False, digits=3)} | {g.turned_back} |"
        )
    judged = [g.group.replace("_", " ") for g in report.skin_tones if g.judged]
    lines += ["", "Judged: " + (", ".join(judged) if judged else "none") + "."]
    return lines


def tone_verdict(group: ToneGroupFigures) -> str:
    if group.group == UNKNOWN:
        return " (tone not measurable: too little skin-coloured area)"
    return "" if group.judged else " (too few to judge)"


def _referral_lines(report: EvaluationReport) -> list[str]:
    r = report.referral
    lines = ["", "## Carcinoma referral threshold", ""]
    if r.recommended is None:
        lines.append(
            f"No threshold reaches {_pct(r.min_sensitivity)} carcinoma sensitivity on this test split (or it "
            "has no carcinoma photos), so none is recommended."
        )
    else:
        p = r.recommended
        lines.append(
            f"Recommended: **{p.threshold:.2f}**, the best specificity ({_pct(p.specificity or 0.0)}) with "
            f"sensitivity ≥ {_pct(r.min_sensitivity)} ({_pct(p.sensitivity or 0.0)})."
        )
        if r.configured_threshold > p.threshold:
            lines.append(
                f"The threshold evaluated, {r.configured_threshold:.2f}, is above it: fewer carcinomas "
                "would be referred than the recommendation allows."
            )
    lines += [
        "",
        "A case is referred when carcinoma is the top class or its calibrated probability reaches the "
        "threshold.",
        "",
        "| threshold | sensitivity | specificity | referred |",
        "|---:|---:|---:|---:|",
    ]
    for i, p in enumerate(r.curve):
        if i % CURVE_TABLE_STEP == 0:
            sens = _pct(p.sensitivity) if p.sensitivity is not None else "n/a"
            spec = _pct(p.specificity) if p.specificity is not None else "n/a"
            lines.append(f"| {p.threshold:.2f} | {sens} | {spec} | {_pct(p.referred)} |")
    lines += ["", "![referral curve](referral_curve.png)"]
    return lines


def _gate_lines(report: EvaluationReport) -> list[str]:
    g = report.gate
    score = (
        f"{g.unfamiliar} more by the classifier score (calibrated top probability below "
        f"{g.score_threshold:.3f})"
        if g.score_threshold is not None
        else "the classifier-score check is off (no threshold in the sidecar)"
    )
    return [
        "",
        "## Skin gate on the test split",
        "",
        "Every test photo shows skin, so each one the gate turns back is a false alarm: "
        f"{g.not_skin_coloured} of {g.images} by colour (less than {_pct(g.min_skin_share)} skin-coloured "
        f"pixels), {score}.",
    ]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_confusion(metrics: Metrics, path: Path, leaky: bool = False) -> None:
    plt = _pyplot()
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


def plot_reliability(
    before: list[ReliabilityBin], after: list[ReliabilityBin], temperature: float, path: Path
) -> None:
    """Accuracy against confidence per bin, before and after temperature scaling; the diagonal is perfect."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.6), dpi=100, sharey=True)
    try:
        for ax, bins, title in (
            (axes[0], before, "before calibration"),
            (axes[1], after, f"after (T = {temperature:.2f})"),
        ):
            centres = [(b.lower + b.upper) / 2 for b in bins]
            width = bins[0].upper - bins[0].lower if bins else 0.1
            accuracy = [b.accuracy or 0.0 for b in bins]
            ax.bar(centres, accuracy, width=width * 0.9, color="#4c72b0", edgecolor="white", label="accuracy")
            confident = [
                (c, b.confidence) for c, b in zip(centres, bins, strict=True) if b.confidence is not None
            ]
            if confident:
                ax.plot(*zip(*confident, strict=True), "o", color="#dd8452", label="mean confidence")
            ax.plot([0, 1], [0, 1], "--", color="grey", linewidth=1)
            for c, b in zip(centres, bins, strict=True):
                if b.count:
                    ax.text(c, 0.02, str(b.count), ha="center", va="bottom", fontsize=7, color="white")
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1)
            ax.set_xlabel("confidence (top-class probability)")
            ax.set_title(title)
        axes[0].set_ylabel("accuracy")
        axes[0].legend(loc="upper left")
        fig.tight_layout()
        fig.savefig(path)
    finally:
        plt.close(fig)


def plot_referral(
    curve: list[OperatingPoint], recommended: OperatingPoint | None, configured: float, path: Path
) -> None:
    """Carcinoma sensitivity and specificity against the referral threshold."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.6), dpi=100)
    try:
        thresholds = [p.threshold for p in curve]
        for attr, colour in (("sensitivity", "#c44e52"), ("specificity", "#4c72b0")):
            values = [getattr(p, attr) for p in curve]
            if any(v is not None for v in values):
                ax.plot(thresholds, [np.nan if v is None else v for v in values], color=colour, label=attr)
        if recommended is not None:
            ax.axvline(
                recommended.threshold,
                color="#55a868",
                linestyle="--",
                label=f"recommended {recommended.threshold:.2f}",
            )
        ax.axvline(configured, color="grey", linestyle=":", label=f"evaluated {configured:.2f}")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("carcinoma referral threshold (calibrated probability)")
        ax.set_ylabel("share")
        ax.set_title("Carcinoma referral")
        ax.legend(loc="lower left")
        fig.tight_layout()
        fig.savefig(path)
    finally:
        plt.close(fig)
