"""`skinbot bench report --device cpu`: MedGemma 4B on a clinic's CPU, backend by backend, side by side (#26).

Each backend runs in its own process (benchmarks.report_cpu_child) on the same random-weight model: the
medgemma-4b-it architecture as saved by testkit.random_gemma for transformers (bf16, fp32), and its GGUF
conversions for llama.cpp (q8_0, q4_k_m, bf16), found under --gguf-dir. One backend (--full) writes the
whole --tokens report; the others write --estimate-tokens and their report time is estimated from their
decode rate, and labelled so. Figures: photo encode, prompt prefill, decode tok/s, first streamed word,
report wall time, peak RSS, and each as a ratio to transformers-bf16.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.output import emit, machine, table_row

BACKENDS = ("transformers-bf16", "transformers-fp32", "llama-q8_0", "llama-q4_k_m", "llama-bf16")
DEFAULT_BACKENDS = ["transformers-bf16", "transformers-fp32", "llama-q8_0", "llama-q4_k_m"]
BASELINE = "transformers-bf16"
FIGURES = ("photo_encode_s", "prefill_s", "first_word_s", "decode_tok_s", "report_wall_s", "peak_rss_gb")


def find_gguf(dirs: list[Path], quant: str, tiny: bool) -> tuple[Path, Path] | None:
    """The first `*-{quant}.gguf` in `dirs` or one folder down, in either case (the converter and the hub
    write Q4_K_M), the tiny model's with --tiny, else any other; with the mmproj*.gguf of its folder."""
    suffix = f"-{quant}.gguf".lower()
    for root in dirs:
        for model in sorted([*root.glob("*.gguf"), *root.glob("*/*.gguf")]):
            name = model.name.lower()
            if not name.endswith(suffix) or name.startswith("mmproj") or ("tiny" in name) != tiny:
                continue
            projectors = sorted(model.parent.glob("mmproj*.gguf"))
            if projectors:
                return model, projectors[0]
    return None


def _specs(args: argparse.Namespace, model_dir: Path | None, threads: int) -> list[dict[str, Any]]:
    full = args.full or args.backends[0]
    specs = []
    for backend in args.backends:
        spec: dict[str, Any] = {
            "backend": backend,
            "threads": threads,
            "tokens": args.tokens if backend == full else min(args.estimate_tokens, args.tokens),
            "full": backend == full,
        }
        if backend.startswith("llama-"):
            quant = backend.removeprefix("llama-")
            found = find_gguf([Path(d) for d in args.gguf_dir or []], quant, args.tiny)
            if found is None:
                spec["error"] = (
                    f"no *-{quant}.gguf with an mmproj*.gguf beside it under --gguf-dir: make one with "
                    "`skinbot weights convert --gguf`"
                )
            else:
                spec["model"], spec["mmproj"] = map(str, found)
        else:
            spec["model"] = str(model_dir)
        specs.append(spec)
    return specs


def _child(spec: dict[str, Any], workdir: Path, timeout_s: float | None) -> dict[str, Any]:
    base = {"backend": spec["backend"], "full": spec["full"], "ok": False}
    if "error" in spec:
        return {**base, "error": spec["error"]}
    spec_path, out_path = workdir / f"{spec['backend']}.spec.json", workdir / f"{spec['backend']}.json"
    spec_path.write_text(json.dumps(spec))
    command = [sys.executable, "-m", "benchmarks.report_cpu_child", str(spec_path), str(out_path)]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        return {**base, "error": f"no result in {timeout_s:.0f} s"}
    if done.returncode != 0 or not out_path.is_file():
        tail = (done.stderr or "").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        return {**base, "error": tail[0][:300]}
    row = {**json.loads(out_path.read_text()), "full": spec["full"]}
    row["child_s"] = round(time.perf_counter() - started, 1)
    return row


def _report_wall(row: dict[str, Any], tokens: int) -> None:
    """The --tokens report's wall time: measured by the --full backend, else the first word's wait plus
    the rest at the measured decode rate (an estimate, labelled so)."""
    if not row.get("ok"):
        return
    if row["full"]:
        row["report_wall_s"], row["report_wall"] = row["generate_wall_s"], "measured"
    elif row.get("decode_tok_s") and row.get("first_word_s") is not None:
        row["report_wall_s"] = round(row["first_word_s"] + (tokens - 1) / row["decode_tok_s"], 2)
        row["report_wall"] = "estimate"


def _ratios(rows: list[dict[str, Any]]) -> None:
    """Each figure as this backend's value divided by transformers-bf16's (decode: >1 is faster; times and
    memory: <1 is faster or smaller)."""
    base = next((r for r in rows if r["backend"] == BASELINE and r.get("ok")), None)
    for row in rows:
        if base is None or not row.get("ok"):
            continue
        row["vs_" + BASELINE.replace("-", "_")] = {
            key: round(row[key] / base[key], 3) if row.get(key) and base.get(key) else None for key in FIGURES
        }


def markdown_table(report: dict[str, Any]) -> str:
    tokens = report["tokens"]
    lines = [
        f"| backend | photo encode s | prefill s (tokens) | decode tok/s | first word s | {tokens}-token "
        "report s | peak RSS GiB | decode ×bf16 | report ×bf16 | error |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in report["runs"]:
        ratio = r.get("vs_" + BASELINE.replace("-", "_")) or {}
        wall = r.get("report_wall_s")
        shown = {
            **r,
            "prefill": f"{r['prefill_s']} ({r['prompt_tokens']})" if r.get("ok") else None,
            "wall": f"{wall} ({r['report_wall']})" if wall is not None else None,
            "decode_ratio": ratio.get("decode_tok_s"),
            "wall_ratio": ratio.get("report_wall_s"),
        }
        keys = ("photo_encode_s", "prefill", "decode_tok_s", "first_word_s", "wall", "peak_rss_gb")
        lines.append(table_row([r["backend"]], shown, (*keys, "decode_ratio", "wall_ratio")))
    lines += [
        "",
        f"One backend writes the whole {tokens}-token report (measured); the others write "
        f"{report['estimate_tokens']} tokens and their report time is estimated from their decode rate. "
        "Random weights: the text is meaningless, the speed is the real model's.",
    ]
    return "\n".join(lines)


def run_cpu(args: argparse.Namespace, build_model: Any) -> int:
    """`build_model(workdir) -> Path | None` saves the random transformers model when no --model-dir is
    given (None: it could not, and said why)."""
    if args.full and args.full not in args.backends:
        print(f"bench report: --full {args.full} is not among --backends", file=sys.stderr)
        return 2
    threads = args.threads or os.cpu_count() or 1
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="skinbot-bench-cpu-"))
    workdir.mkdir(parents=True, exist_ok=True)
    model_dir = Path(args.model_dir) if args.model_dir else None
    built = model_dir is None and any(b.startswith("transformers-") for b in args.backends)
    try:
        if built:
            model_dir = build_model(workdir)
            if model_dir is None:
                return 2
        rows = [_child(spec, workdir, args.child_timeout) for spec in _specs(args, model_dir, threads)]
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
        elif built and model_dir is not None and not args.keep:
            shutil.rmtree(model_dir, ignore_errors=True)
    for row in rows:
        _report_wall(row, args.tokens)
    _ratios(rows)
    report = {
        "model": "tiny gemma3 (random)" if args.tiny else "medgemma-4b-it architecture (random weights)",
        "device": "cpu",
        "device_name": platform.processor() or "cpu",
        "machine": machine(),
        "threads": threads,
        "tokens": args.tokens,
        "estimate_tokens": args.estimate_tokens,
        "full": args.full or args.backends[0],
        "baseline": BASELINE,
        "runs": rows,
    }
    emit(report, markdown_table(report), args.json)
    return 0 if all(r.get("ok") for r in rows) else 1
