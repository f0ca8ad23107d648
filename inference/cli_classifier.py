"""argparse subcommands for the classifier: train, split and evaluate.

bot/cli.py owns the top-level parser and calls `add_commands`. Every handler takes the
parsed Namespace and returns an exit code; expected failures print one line to stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from inference.classifier import ClassifierError
from inference.dedup import DEFAULT_THRESHOLD
from inference.evaluation import DEFAULT_OUT_DIR, EvaluationError, LeakError
from inference.split import SplitError
from inference.training import DEFAULT_OUT, TrainingError

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
    from inference.training import train

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
    return EXIT_OK


@_guarded
def run_split(args: argparse.Namespace) -> int:
    from inference.split import split_dataset

    report = split_dataset(Path(args.data), Path(args.out), seed=args.seed, threshold=args.threshold)
    print(json.dumps(report.as_dict(), indent=2))
    return EXIT_OK


@_guarded
def run_evaluate(args: argparse.Namespace) -> int:
    from inference.evaluation import evaluate

    report = evaluate(
        Path(args.weights),
        Path(args.data),
        allow_leak=args.allow_leak,
        out_dir=Path(args.out),
        device=args.device,
    )
    m = report.metrics
    stamp = " (LEAKY: test copies training images)" if report.leaky else ""
    print(
        f"accuracy {m.accuracy:.3f}, balanced accuracy {m.balanced_accuracy:.3f}, macro F1 {m.macro.f1:.3f}, "
        f"{report.ms_per_image:.2f} ms/image{stamp}"
    )
    print(f"report: {report.files['markdown']}")
    return EXIT_OK


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
    p.set_defaults(func=run_split)

    p = subparsers.add_parser("evaluate", help="evaluate weights on DIR/test and write a report")
    p.add_argument("--weights", required=True)
    p.add_argument("--data", required=True, help="dataset folder DIR/{train,val,test}/<class>/*.jpg")
    p.add_argument(
        "--allow-leak", action="store_true", help="evaluate a leaky split anyway; report stamped LEAKY"
    )
    p.add_argument("--out", default=str(DEFAULT_OUT_DIR), help="report folder")
    p.add_argument("--device", default="auto")
    p.set_defaults(func=run_evaluate)
