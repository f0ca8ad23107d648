"""Command-line wiring for the report model: `skinbot bench report` and report checks for `skinbot diagnose`.

Imports nothing heavy at module load, so the bot's CLI can build its parser without torch.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any


def add_bench_command(bench_subparsers: Any) -> argparse.ArgumentParser:
    """Add `report` to the `skinbot bench` subcommands; its func(args) returns an exit code."""
    from inference.bench_report import add_bench_args

    parser = bench_subparsers.add_parser(
        "report",
        help="time the MedGemma report model (random weights, real architecture)",
        description="Time to first token, decode tok/s, wall time and peak VRAM of the report model, per "
        "batch "
        "size, precision (bf16, 4bit) and mode (eager, static cache + torch.compile). Needs no weights. "
        "With --engine URL: the same figures against an OpenAI-compatible engine (vLLM, llama.cpp server), "
        "batch size = requests in flight at once.",
    )
    add_bench_args(parser)
    parser.set_defaults(func=_bench)
    return parser


def _bench(args: argparse.Namespace) -> int:
    from inference.bench_report import run_bench

    return run_bench(args)


def add_diagnose_args(parser: argparse.ArgumentParser) -> None:
    """Options for a report smoke test: load the configured model and stream one sample report."""
    group = parser.add_argument_group("report model")
    group.add_argument(
        "--llm", default=os.environ.get("SKINBOT_LLM"), help="weights dir (default: $SKINBOT_LLM)"
    )
    group.add_argument("--llm-gguf", default=None, help="GGUF file name inside --llm (text-only mode)")
    group.add_argument("--llm-quantize", default="none", choices=("none", "4bit"))
    group.add_argument("--llm-device", default=os.environ.get("SKINBOT_DEVICE", "auto"))
    group.add_argument("--llm-tokens", type=int, default=120, help="max new tokens for the sample report")
    group.add_argument("--llm-language", default="en", choices=("en", "ko", "vi"))
    group.add_argument("--llm-image", default=None, help="photo for the sample report (optional)")


def diagnose_report(args: argparse.Namespace) -> int:
    """Stream one sample report to stdout; 0 when a report came out, 1 on a problem (printed plainly)."""
    from inference.labels import Classification
    from inference.report_request import ReportRequest

    if not args.llm:
        print("report model: SKINBOT_LLM is not set (pass --llm DIR)", file=sys.stderr)
        return 1
    try:
        from inference.report_model import ReportModel

        model = ReportModel(
            Path(args.llm),
            device=args.llm_device,
            quantize=args.llm_quantize,
            max_new_tokens=args.llm_tokens,
            gguf_file=args.llm_gguf,
        )
        model.check_weights()
        started = time.perf_counter()
        model.setup()
        print(f"report model: loaded in {time.perf_counter() - started:.1f} s on {model.device}")
        image = None
        if args.llm_image:
            from PIL import Image

            image = Image.open(args.llm_image).convert("RGB")
        request = ReportRequest(
            age=40,
            gender="undisclosed",
            history="Red, scaly patch on the forearm for two months.",
            language=args.llm_language,
            classification=Classification((0.05, 0.1, 0.55, 0.2, 0.05, 0.05)),
        )
        [result] = model.generate([request], [image], lambda row, text: print(text, end="", flush=True))
    except (FileNotFoundError, RuntimeError, ValueError, OSError) as exc:
        print(f"report model: {exc}", file=sys.stderr)
        return 1
    timing = model.last_timing
    print(
        f"\nreport model: {result.tokens} tokens, stopped by {result.stopped_by}, "
        f"image seen {result.image_seen}, "
        f"first token {timing.ttft_s:.2f} s, total {timing.wall_s:.1f} s"
    )
    return 0 if result.text.strip() else 1


def main(argv: list[str] | None = None) -> int:
    """`python -m inference.cli_report bench|diagnose ...` for use before the bot CLI wires these in."""
    parser = argparse.ArgumentParser(prog="python -m inference.cli_report")
    sub = parser.add_subparsers(dest="command", required=True)
    add_bench_command(sub)
    diag = sub.add_parser("diagnose", help="load the report model and stream a sample report")
    add_diagnose_args(diag)
    diag.set_defaults(func=diagnose_report)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
