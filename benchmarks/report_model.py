"""`skinbot bench report`: speed of the report model in-process, without the real weights.

Builds MedGemma 4B's real architecture with random weights (testkit.random_gemma), saves it in the
medgemma-4b-it layout and loads it through the production ReportModel, so loading, 4-bit quantization
and batching are the real code paths. Random weights make the text meaningless, so every run forces
`--tokens` new tokens (min_new_tokens) and the repetition guard is off.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.output import emit, table_row
from conversations.domain import Language
from testkit.random_gemma import (
    IMAGE_TOKEN,
    MEDGEMMA_4B_VISION,
    TINY_VISION,
    build_tokenizer,
    default_gguf_path,
    save_random_model,
)

log = logging.getLogger(__name__)

# Reference points a reader can compare the figures with, and the goals the figures are judged by.
ANCHORS = {
    "seed_s_per_case": 60.0,
    "vllm_a100_tok_s_batch1": 119.0,
    "h100_bf16_bandwidth_limit_tok_s": 390.0,
}
GOALS = {
    "batch1_500_tokens_max_s": 4.0,
    "batch16_aggregate_min_tok_s": 800.0,
    "4bit_peak_vram_max_gb": 5.0,
}


def sample_requests(n: int) -> list[Any]:
    from inference.labels import Classification
    from inference.report_request import ReportRequest

    cls = Classification((0.08, 0.05, 0.62, 0.1, 0.05, 0.1))
    history = "Itchy, dry patches on both elbows for three weeks; worse at night."
    langs = tuple(Language)
    return [ReportRequest(30 + i, "female", history, langs[i % 3], cls) for i in range(n)]


def sample_image(size: int) -> Any:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 255, (size, size, 3), dtype=np.uint8))


def _peak_gb(device: str) -> float | None:
    import torch

    if not device.startswith("cuda"):
        return None
    return round(torch.cuda.max_memory_allocated(device) / 1e9, 3)


def _free(device: str) -> None:
    import torch

    gc.collect()
    if device.startswith("cuda"):
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)


def _run_config(
    model_dir: Path,
    device: str,
    precision: str,
    mode: str,
    batch_sizes: list[int],
    tokens: int,
    image_size: int,
) -> list[dict[str, Any]]:
    from inference.report_model import ReportModel

    rows: list[dict[str, Any]] = []
    base = {"precision": precision, "mode": mode}
    _free(device)
    try:
        model = ReportModel(
            model_dir,
            device=device,
            quantize="4bit" if precision == "4bit" else "none",
            max_new_tokens=tokens,
            timeout_s=3600,
            repetition_guard=False,
            static_cache=mode == "compile",
        )
        started = time.perf_counter()
        model.setup()
        load_s = time.perf_counter() - started
    except Exception as exc:  # recorded per config: one failing mode must not end the benchmark
        log.exception("bench %s/%s failed to load", precision, mode)
        return [{**base, "batch_size": b, "ok": False, "error": f"load: {exc!r}"[:500]} for b in batch_sizes]
    image = sample_image(image_size)
    for batch in batch_sizes:
        row: dict[str, Any] = {**base, "batch_size": batch, "load_s": round(load_s, 2)}
        try:
            requests = sample_requests(batch)
            images = [image] * batch
            # Warm-up: CUDA kernels, allocator, and for static cache the torch.compile of this shape.
            model.generate(requests, images, lambda r, t: None, min_new_tokens=min(8, tokens))
            _free(device)
            results = model.generate(requests, images, lambda r, t: None, min_new_tokens=tokens)
            timing = model.last_timing
            decode_steps = max(timing.steps - 1, 0)
            per_row = decode_steps / timing.decode_s if timing.decode_s > 0 else None
            row.update(
                ok=True,
                error=None,
                prompt_tokens=timing.prompt_tokens,
                new_tokens=min(r.tokens for r in results),
                ttft_s=round(timing.ttft_s, 4),
                decode_tok_s=round(per_row, 2) if per_row else None,
                aggregate_tok_s=round(per_row * batch, 2) if per_row else None,
                wall_s=round(timing.wall_s, 3),
                peak_vram_gb=_peak_gb(device),
                dtype=str(model.dtype).removeprefix("torch."),
            )
        except Exception as exc:
            log.exception("bench %s/%s batch %d failed", precision, mode, batch)
            row.update(ok=False, error=repr(exc)[:500])
        rows.append(row)
    del model
    _free(device)
    return rows


TABLE_HEAD = (
    "| precision | mode | batch | TTFT s | decode tok/s/row | aggregate tok/s | wall s | peak VRAM GB "
    "| error |",
    "|---|---|---:|---:|---:|---:|---:|---:|---|",
)


def _goal_check(rows: list[dict[str, Any]], tokens: int) -> dict[str, Any]:
    ok = [r for r in rows if r.get("ok")]
    b1 = [r["wall_s"] for r in ok if r["batch_size"] == 1 and r["precision"] == "bf16"]
    b16 = [r["aggregate_tok_s"] for r in ok if r["batch_size"] == 16 and r.get("aggregate_tok_s")]
    q4 = [r["peak_vram_gb"] for r in ok if r["precision"] == "4bit" and r.get("peak_vram_gb") is not None]
    scale = 500 / tokens if tokens else 1.0
    return goal_check([wall * scale for wall in b1], b16, q4)


def goal_check(
    batch1_500_s: list[float], batch16_tok_s: list[float], vram_4bit_gb: list[float]
) -> dict[str, Any]:
    """The best of each measure against GOALS (None where nothing was measured): the in-process benchmark
    and the engine one are judged alike."""
    b1, b16, q4 = batch1_500_s, batch16_tok_s, vram_4bit_gb
    return {
        "batch1_500_tokens_best_s": round(min(b1), 3) if b1 else None,
        "batch1_goal_met": (min(b1) <= GOALS["batch1_500_tokens_max_s"]) if b1 else None,
        "batch16_aggregate_best_tok_s": max(b16) if b16 else None,
        "batch16_goal_met": (max(b16) >= GOALS["batch16_aggregate_min_tok_s"]) if b16 else None,
        "4bit_peak_vram_best_gb": min(q4) if q4 else None,
        "4bit_vram_goal_met": (min(q4) <= GOALS["4bit_peak_vram_max_gb"]) if q4 else None,
    }


def runs_table(
    head: tuple[str, str],
    runs: list[dict[str, Any]],
    labels: Callable[[dict[str, Any]], list[str]],
    keys: tuple[str, ...],
) -> list[str]:
    """A markdown table of benchmark runs under `head` (its heading and alignment lines): a row's `labels`,
    then its `keys` (each report's own columns)."""
    return [*head, *(table_row(labels(r), r, keys) for r in runs)]


def markdown_table(report: dict[str, Any]) -> str:
    keys = ("ttft_s", "decode_tok_s", "aggregate_tok_s", "wall_s", "peak_vram_gb")
    lines = runs_table(
        TABLE_HEAD, report["runs"], lambda r: [r["precision"], r["mode"], str(r["batch_size"])], keys
    )
    anchors = report["anchors"]
    goals = report["goals"]
    lines += [
        "",
        f"Anchors: seed ~{anchors['seed_s_per_case']:.0f} s/case; "
        f"vLLM A100 ~{anchors['vllm_a100_tok_s_batch1']:.0f} tok/s at batch 1; "
        f"H100 bf16 bandwidth limit ~{anchors['h100_bf16_bandwidth_limit_tok_s']:.0f} tok/s.",
        f"Goals: 500 tokens <= {goals['batch1_500_tokens_max_s']} s at batch 1 (H100); "
        f">= {goals['batch16_aggregate_min_tok_s']:.0f} tok/s aggregate at batch 16; "
        f"4-bit peak VRAM <= {goals['4bit_peak_vram_max_gb']} GB.",
        f"Result: {json.dumps(report['goal_check'])}",
    ]
    return "\n".join(lines)


def load_tokenizer(args: argparse.Namespace) -> Any | None:
    """The Gemma 3 tokenizer with the image tokens (--tokenizer, else from the 270M GGUF package); None
    after saying why it cannot be used."""
    if args.tokenizer:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(args.tokenizer)
    else:
        tokenizer = build_tokenizer(default_gguf_path())
    if tokenizer.convert_tokens_to_ids(IMAGE_TOKEN) in (None, tokenizer.unk_token_id):
        print(f"bench report: tokenizer at {args.tokenizer} lacks {IMAGE_TOKEN}", file=sys.stderr)
        return None
    return tokenizer


def _cpu_model(args: argparse.Namespace, workdir: Path) -> Path | None:
    """The random model for the CPU comparison's transformers backends, saved once into the workdir."""
    tokenizer = load_tokenizer(args)
    if tokenizer is None:
        return None
    dest = workdir / ("tiny-gemma3" if args.tiny else "random-medgemma-4b")
    if not (dest / "config.json").is_file():
        save_random_model(tokenizer, dest, tiny=args.tiny, device="cpu")
    return dest


def run(args: argparse.Namespace) -> int:
    import torch

    from inference.device import resolve_device

    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    device = resolve_device(args.device)
    if args.backends or (device == "cpu" and not args.tiny):
        # The CPU comparison: transformers against llama.cpp, each backend in its own process.
        from benchmarks.report_cpu import DEFAULT_BACKENDS, run_cpu

        args.backends = args.backends or DEFAULT_BACKENDS
        return run_cpu(args, lambda workdir: _cpu_model(args, workdir))
    tokenizer = load_tokenizer(args)
    if tokenizer is None:
        return 2

    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="skinbot-bench-"))
    model_dir = workdir / ("tiny-gemma3" if args.tiny else "random-medgemma-4b")
    runs: list[dict[str, Any]] = []
    try:
        started = time.perf_counter()
        save_random_model(tokenizer, model_dir, tiny=args.tiny, device=device)
        build_s = time.perf_counter() - started
        image_size = (TINY_VISION if args.tiny else MEDGEMMA_4B_VISION)["image_size"]
        for precision in args.precisions:
            for mode in args.modes:
                if precision == "4bit" and not device.startswith("cuda"):
                    runs += [
                        {
                            "precision": precision,
                            "mode": mode,
                            "batch_size": b,
                            "ok": False,
                            "error": "needs CUDA",
                        }
                        for b in args.batch_sizes
                    ]
                    continue
                runs += _run_config(
                    model_dir, device, precision, mode, args.batch_sizes, args.tokens, image_size
                )
    finally:
        if not args.keep:
            shutil.rmtree(model_dir, ignore_errors=True)
            if not args.workdir:
                shutil.rmtree(workdir, ignore_errors=True)

    device_name = (
        torch.cuda.get_device_name(device) if device.startswith("cuda") else platform.processor() or "cpu"
    )
    report = {
        "model": "tiny gemma3 (random)" if args.tiny else "medgemma-4b-it architecture (random weights)",
        "device": device,
        "device_name": device_name,
        "torch": torch.__version__,
        "transformers": __import__("transformers").__version__,
        "tokens": args.tokens,
        "batch_sizes": args.batch_sizes,
        "build_s": round(build_s, 2),
        "runs": runs,
        "anchors": ANCHORS,
        "goals": GOALS,
        "goal_check": _goal_check(runs, args.tokens),
    }
    emit(report, markdown_table(report), args.json)
    return 0 if any(r.get("ok") for r in runs) else 1
