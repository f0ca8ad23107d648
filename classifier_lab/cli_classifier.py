"""argparse subcommands for the classifier: train, split and evaluate.

skinbot/cli.py owns the top-level parser and calls `add_commands`. Every handler takes the
parsed Namespace and returns an exit code; expected failures print one line to stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from classifier_lab.dedup import DEFAULT_THRESHOLD, DEFAULT_TONE_THRESHOLD
from classifier_lab.evaluation import DEFAULT_OUT_DIR, DEFAULT_REFERRAL, EvaluationError, LeakError
from classifier_lab.evaluation_report import CURVE_TABLE_STEP, tone_verdict
from classifier_lab.split import SplitError
from classifier_lab.training import DEFAULT_OUT, TrainingError
from inference.classifier import ClassifierError

if TYPE_CHECKING:
    from classifier_lab.evaluation import EvaluationReport

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_LEAK = 3  # distinct, so CI can tell "refused a leaky split" from a crash

_EXPECTED = (
    ClassifierError,
    TrainingError,
    SplitError,
    EvaluationError,
    FileNotFoundError,
    RuntimeError,
    ValueError,
)


def _guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except LeakError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_LEAK
        except _EXPECTED as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_ERROR

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


@_guarded
def run_train(args: argparse.Namespace) -> int:
    from classifier_lab.training import train
    from inference.sidecar import sidecar_path

    out = train(
        Path(args.data),
        model=args.model,
        imgsz=args.imgsz,
        epochs=args.epochs,
        optimizer=args.optimizer,
        lr0=args.lr0,
        batch=args.batch,
        device=args.device,
        out=Path(args.out),
        workers=args.workers,
        progress=not args.quiet,
    )
    print(f"weights written to {out}")
    if sidecar_path(out).is_file():
        print(f"calibration and skin-gate threshold written to {sidecar_path(out)}")
    return EXIT_OK


@_guarded
def run_split(args: argparse.Namespace) -> int:
    from classifier_lab.split import split_dataset

    report = split_dataset(
        Path(args.data),
        Path(args.out),
        seed=args.seed,
        threshold=args.threshold,
        tone_threshold=args.tone_threshold,
    )
    print(json.dumps(report.as_dict(), indent=2))
    return EXIT_OK


@_guarded
def run_evaluate(args: argparse.Namespace) -> int:
    from classifier_lab.evaluation import evaluate

    report = evaluate(
        Path(args.weights),
        Path(args.data),
        allow_leak=args.allow_leak,
        out_dir=Path(args.out),
        device=args.device,
        calibrate=args.calibrate,
        referral_threshold=args.referral_threshold,
        record=not args.no_record,
    )
    for line in summary_lines(report):
        print(line)
    return EXIT_OK


def summary_lines(report: EvaluationReport) -> list[str]:
    """What `skinbot evaluate` prints: the headline figures with their 95% intervals, then where to look."""
    h, c, r = report.headline, report.calibration, report.referral
    stamp = " (LEAKY: test copies training images)" if report.leaky else ""
    lines = [
        f"accuracy {h.accuracy.as_text()}, balanced accuracy {h.balanced_accuracy.as_text()}, "
        f"macro F1 {report.metrics.macro.f1:.3f}, {report.ms_per_image:.2f} ms/image{stamp}",
        "recall " + ", ".join(f"{label} {i.as_text()}" for label, i in h.recall.items()),
        f"ECE {c.ece_before.as_text(percent=False, digits=4)} before, "
        f"{c.ece_after.as_text(percent=False, digits=4)} after calibration (temperature {c.temperature:.3f})",
        f"carcinoma at referral threshold {h.referral_threshold:.2f}: sensitivity "
        f"{h.carcinoma_sensitivity.as_text()}, specificity {h.carcinoma_specificity.as_text()}",
    ]
    lines.append("threshold  sensitivity  specificity")
    for point in r.curve[::CURVE_TABLE_STEP]:
        sens = f"{100 * point.sensitivity:.1f}%" if point.sensitivity is not None else "n/a"
        spec = f"{100 * point.specificity:.1f}%" if point.specificity is not None else "n/a"
        lines.append(f"{point.threshold:9.2f}  {sens:>11}  {spec:>11}")
    if r.recommended is None:
        lines.append(
            f"no threshold keeps carcinoma sensitivity at {100 * r.min_sensitivity:.0f}%: none recommended"
        )
    else:
        lines.append(
            f"recommended referral threshold {r.recommended.threshold:.2f} (best specificity at sensitivity "
            f"≥ {100 * r.min_sensitivity:.0f}%)"
        )
    for g in report.skin_tones:
        verdict = tone_verdict(g)
        lines.append(f"skin tone {g.group}: {g.images} images, accuracy {g.accuracy.as_text()}{verdict}")
    if report.sidecar:
        lines.append(f"sidecar: {report.sidecar}")
    lines.append(f"report: {report.files['markdown']}")
    return lines


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add `train`, `split` and `evaluate` to the bot's CLI."""
    p = subparsers.add_parser("train", help="train the skin classifier (Ultralytics, offline)")
    p.add_argument("--data", required=True, help="dataset folder DIR/{train,val,test}/<class>/*.jpg")
    p.add_argument(
        "--model", default="yolov8x-cls", help="yaml name (yolov8n-cls, yolov8x-cls) or a .pt to fine-tune"
    )
    p.add_argument("--imgsz", type=int, default=640)
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--optimizer", default="AdamW")
    p.add_argument("--lr0", type=float, default=0.001)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    p.add_argument("--out", default=str(DEFAULT_OUT), help="where to copy best.pt")
    p.add_argument(
        "--workers", type=int, default=None, help="data loader processes (default: CPU count, max 8)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run_train)

    p = subparsers.add_parser(
        "split", help="group-aware train/val/test split that keeps near-duplicates together"
    )
    p.add_argument("--data", required=True, help="raw folder RAW/<class>/*.jpg")
    p.add_argument("--out", required=True, help="output folder; gets {train,val,test}/<class>/")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--threshold", type=int, default=DEFAULT_THRESHOLD, help="max Hamming distance of copies (of 64)"
    )
    p.add_argument(
        "--tone-threshold",
        type=int,
        default=DEFAULT_TONE_THRESHOLD,
        help="max Hamming distance of the tone-normalised hash, which finds brightened copies (of 64)",
    )
    p.set_defaults(func=run_split)

    p = subparsers.add_parser("evaluate", help="evaluate weights on DIR/test and write a report")
    p.add_argument("--weights", required=True)
    p.add_argument("--data", required=True, help="dataset folder DIR/{train,val,test}/<class>/*.jpg")
    p.add_argument(
        "--allow-leak", action="store_true", help="evaluate a leaky split anyway; report stamped LEAKY"
    )
    p.add_argument("--out", default=str(DEFAULT_OUT_DIR), help="report folder")
    p.add_argument("--device", default="auto")
    p.add_argument(
        "--calibrate",
        action="store_true",
        help="fit the temperature and the skin gate's threshold on DIR/val and write them to the sidecar",
    )
    p.add_argument(
        "--referral-threshold",
        type=float,
        default=DEFAULT_REFERRAL,
        help="carcinoma referral threshold to report sensitivity at (SKINBOT_CARCINOMA_REFERRAL)",
    )
    p.add_argument(
        "--no-record",
        action="store_true",
        help="do not write the recommended referral threshold and skin-tone groups to the weights' sidecar",
    )
    p.set_defaults(func=run_evaluate)
