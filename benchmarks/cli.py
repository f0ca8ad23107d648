"""`skinbot bench classifier|report|bot`: the argparse side only.

Building the parser imports nothing beyond argparse, so `skinbot --help` works on a runtime-only install.
Each benchmark module is imported when its command runs; if a package of the `bench` extra is missing then,
the command says how to install it in one line instead of a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from typing import Any

from skinbot.cli_failure import BENCH_EXTRA_HINT

# testkit is ours but comes with the bench extra's packages; the others are always installed.
OUR_PACKAGES = frozenset({"benchmarks", "bot", "conversations", "inference"})
BOT_USERS_MAX = 2000


def _lazy(module: str, function: str = "run") -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            target = getattr(importlib.import_module(module), function)
        except ModuleNotFoundError as exc:
            if exc.name is not None and exc.name.split(".")[0] in OUR_PACKAGES:
                raise  # a bug, not a missing extra
            print(
                f"skinbot bench {args.bench}: needs {exc.name}, from the bench extra: {BENCH_EXTRA_HINT}",
                file=sys.stderr,
            )
            return 2
        return int(target(args))

    return run


def _csv_ints(value: str) -> list[int]:
    return [int(v) for v in value.split(",") if v.strip()]


def _csv(choices: tuple[str, ...]) -> Any:
    def parse(value: str) -> list[str]:
        items = [v.strip() for v in value.split(",") if v.strip()]
        bad = [v for v in items if v not in choices]
        if bad:
            raise argparse.ArgumentTypeError(f"unknown {bad}; choose from {choices}")
        return items

    return parse


def add_commands(bench: argparse._SubParsersAction) -> None:
    """The benchmarks under `skinbot bench`; every one takes `--json PATH` to keep its JSON."""
    _add_classifier(bench)
    _add_report(bench)
    _add_bot(bench)
    _add_start(bench)


def _add_classifier(bench: argparse._SubParsersAction) -> None:
    p = bench.add_parser("classifier", help="classifier ms/image at batch 1 and 32")
    p.add_argument(
        "--weights", default=None, help=".pt or .onnx; default: random weights from the model yaml"
    )
    p.add_argument("--model", default="yolov8x-cls", help="yaml used without --weights")
    p.add_argument("--imgsz", type=int, default=224)
    p.add_argument("--iterations", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--device", default="all", help="all (CPU and CUDA when present), cpu, cuda or cuda:N")
    p.add_argument("--json", help="also write the JSON report to this file")
    p.set_defaults(func=_lazy("benchmarks.classifier"))


def _add_report(bench: argparse._SubParsersAction) -> None:
    p = bench.add_parser(
        "report",
        help="time the MedGemma report model (random weights, real architecture)",
        description="Time to first token, decode tok/s, wall time and peak VRAM of the report model, per "
        "batch size, precision (bf16, 4bit) and mode (eager, static cache + torch.compile). "
        "Needs no weights. With --engine URL: the same figures against an OpenAI-compatible engine "
        "(vLLM, llama.cpp server), batch size = requests in flight at once.",
    )
    p.add_argument("--tiny", action="store_true", help="shrunken random Gemma 3 (CPU smoke run)")
    p.add_argument("--batch-sizes", type=_csv_ints, default=[1, 4, 8, 16], help="e.g. 1,4,8,16")
    p.add_argument("--tokens", type=int, default=500, help="new tokens per report (forced)")
    p.add_argument("--precisions", type=_csv(("bf16", "4bit")), default=["bf16", "4bit"])
    p.add_argument(
        "--modes",
        type=_csv(("eager", "compile")),
        default=["eager", "compile"],
        help="compile = static cache",
    )
    p.add_argument("--device", default="auto")
    p.add_argument("--tokenizer", help="dir with a Gemma 3 tokenizer (default: from the 270M GGUF package)")
    p.add_argument("--workdir", help="where to write the random model (default: a temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the random model after the run")
    p.add_argument("--json", help="also write the JSON report to this file")
    p.add_argument("-v", "--verbose", action="store_true")
    engine = p.add_argument_group("engine (OpenAI-compatible server instead of the in-process model)")
    engine.add_argument(
        "--engine", metavar="URL", help="e.g. http://gpu-host:8000/v1; key from $SKINBOT_LLM_API_KEY"
    )
    engine.add_argument("--model", help="model name the engine serves (default: google/medgemma-4b-it)")
    engine.add_argument(
        "--ignore-eos",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="ask the engine to write the full --tokens (vLLM ignore_eos); dropped if the engine refuses it",
    )
    _add_report_cpu(p)
    in_process, on_engine = _lazy("benchmarks.report_model"), _lazy("benchmarks.report_engine")
    p.set_defaults(func=lambda args: on_engine(args) if args.engine else in_process(args))


def _add_report_cpu(p: argparse.ArgumentParser) -> None:
    from benchmarks.report_cpu import BACKENDS  # stdlib only: --help stays light

    cpu = p.add_argument_group(
        "CPU comparison (the default with --device cpu, or with --backends): transformers against "
        "llama.cpp on the same random model, each backend in its own process"
    )
    cpu.add_argument(
        "--backends",
        type=_csv(BACKENDS),
        default=None,
        help="e.g. transformers-bf16,transformers-fp32,llama-q8_0,llama-q4_k_m (the default)",
    )
    cpu.add_argument(
        "--full",
        choices=BACKENDS,
        help="the backend that writes the whole --tokens report "
        "(default: the first of --backends); the others' report time is estimated",
    )
    cpu.add_argument("--estimate-tokens", type=int, default=32, help="tokens the other backends write")
    cpu.add_argument(
        "--gguf-dir",
        action="append",
        help="where the GGUFs and their mmproj are (repeatable; "
        "searched one folder down, e.g. the folders `skinbot weights convert --gguf` writes)",
    )
    cpu.add_argument(
        "--model-dir",
        help="a saved random model (medgemma-4b-it layout) for transformers; default: built in --workdir",
    )
    cpu.add_argument("--threads", type=int, default=None, help="CPU threads per backend (default: all)")
    cpu.add_argument("--child-timeout", type=float, default=None, help="seconds per backend (default: none)")


def _add_bot(bench: argparse._SubParsersAction) -> None:
    p = bench.add_parser(
        "bot",
        help="load-test the bot: simulated users through intake and report over loopback",
        description="Drives simulated users concurrently through the whole intake and report against a "
        "fake Bot API on 127.0.0.1, with a random-weight classifier and an instant scripted report. "
        "Prints JSON, then a Markdown table. Exit code 1 when a message was lost or cross-delivered.",
    )
    p.add_argument(
        "--users", type=int, default=None, help=f"1..{BOT_USERS_MAX} (default 200; 8 with --stream)"
    )
    p.add_argument("--timeout", type=float, default=600.0, help="seconds for the whole run")
    p.add_argument("--batch", type=int, default=4, help="report jobs per worker batch (SKINBOT_BATCH)")
    p.add_argument("--imgsz", type=int, default=224, help="classifier input size")
    p.add_argument("--no-pdf-text", action="store_true", help="check PDFs by name only (faster)")
    p.add_argument(
        "--fail-rate",
        type=float,
        default=0.0,
        help="share of Bot API calls the fake answers with 502 (e.g. 0.05)",
    )
    p.add_argument("--pdf-workers", type=int, default=0, help="SKINBOT_PDF_WORKERS (0: PDFs on a thread)")
    p.add_argument(
        "--stream",
        nargs="+",
        choices=("draft", "edit"),
        help="compare streaming modes on the same run instead: Bot API calls per report, first token to "
        "first visible text, first token to final message (the report's tokens come with a delay)",
    )
    p.add_argument(
        "--token-delay", type=float, default=0.02, help="with --stream: seconds between a report's tokens"
    )
    p.add_argument("--json", help="also write the JSON report to this file")
    p.set_defaults(func=_lazy("benchmarks.bot_load.command"))


def _add_start(bench: argparse._SubParsersAction) -> None:
    p = bench.add_parser(
        "start",
        help="time from `skinbot run` to its first getUpdates, warm or with empty caches",
        description="Starts the real bot process against a fake Bot API on 127.0.0.1 with tiny random models "
        "and times its first getUpdates and the moment its models are ready.",
    )
    p.add_argument("--cold", action="store_true", help="empty HOME (fonts instanced again) for every run")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--json", help="also write the JSON report to this file")
    p.set_defaults(func=_lazy("benchmarks.startup"))
