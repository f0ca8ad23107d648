"""`skinbot bench report --engine URL`: the report benchmark against an OpenAI-compatible engine.

Batch size here is the number of requests in flight at once; the engine batches on its own side.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from typing import Any

from benchmarks.output import emit
from benchmarks.report_model import ANCHORS, GOALS, goal_check, runs_table, sample_image, sample_requests
from testkit.random_gemma import MEDGEMMA_4B_VISION

ENGINE_VRAM_NOTE = "peak VRAM is not measurable from the client: read it on the engine host (nvidia-smi)"
ENGINE_TABLE_HEAD = (
    "| concurrent | TTFT s | decode tok/s/row | aggregate tok/s | wall s | 500 tokens s | tokens | error |",
    "|---:|---:|---:|---:|---:|---:|---:|---|",
)


def _engine_row(writer: Any, batch: int, tokens: int, image: Any) -> dict[str, Any]:
    requests = sample_requests(batch)
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


def run(args: argparse.Namespace) -> int:
    """The in-process figures, measured against an OpenAI-compatible engine: batch size = requests at once."""
    from inference.engine_errors import EngineError
    from inference.engine_writer import EngineWriter

    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    model = args.model or "google/medgemma-4b-it"
    api_key = os.environ.get("SKINBOT_LLM_API_KEY") or None
    # Random-weight runs force the length; with an engine, vLLM's ignore_eos does (others may refuse it).
    extra: dict[str, Any] = {"ignore_eos": True} if args.ignore_eos else {}
    image = sample_image(MEDGEMMA_4B_VISION["image_size"])
    notes = [ENGINE_VRAM_NOTE]
    runs: list[dict[str, Any]] = []
    image_input = None
    for batch in args.batch_sizes:
        row: dict[str, Any] = {"precision": "engine", "mode": "stream", "batch_size": batch}
        writer = EngineWriter(
            args.engine,
            model,
            api_key=api_key,
            max_tokens=args.tokens,
            timeout_s=3600,
            concurrency=batch,
            retries=0,
            repetition_guard=False,
            extra_body=extra,
            images=image_input,
        )
        try:
            writer.setup()
        except EngineError as exc:
            print(f"bench report: {exc}", file=sys.stderr)
            return 2
        image_input = writer.image_input
        warm = writer.generate(sample_requests(1), [image], lambda r, t: None)
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
    emit(report, engine_table(report), args.json)
    return 0 if any(r.get("ok") for r in runs) else 1


def _engine_goal_check(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in rows if r.get("ok")]
    b1 = [r["est_500_tokens_s"] for r in ok if r["batch_size"] == 1 and r.get("est_500_tokens_s")]
    b16 = [r["aggregate_tok_s"] for r in ok if r["batch_size"] == 16 and r.get("aggregate_tok_s")]
    return goal_check(b1, b16, [])  # peak VRAM is the engine host's (ENGINE_VRAM_NOTE)


def engine_table(report: dict[str, Any]) -> str:
    keys = ("ttft_s", "decode_tok_s", "aggregate_tok_s", "wall_s", "est_500_tokens_s", "new_tokens")
    lines = runs_table(ENGINE_TABLE_HEAD, report["runs"], lambda r: [str(r["batch_size"])], keys)
    lines += ["", *[f"Note: {n}." for n in report["notes"]], f"Result: {json.dumps(report['goal_check'])}"]
    return "\n".join(lines)
