"""`skinbot bench report --tiny` smoke run: checks the JSON shape, never timings."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
import torch

from benchmarks.cli import add_commands


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="skinbot")
    bench = parser.add_subparsers(dest="bench", required=True)
    add_commands(bench)
    return parser.parse_args(argv)


def test_bench_tiny_json_shape(
    tiny_gemma_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bench.json"
    args = parse(
        [
            "report",
            "--tiny",
            "--device",
            "cpu",
            "--batch-sizes",
            "1,2",
            "--tokens",
            "4",
            "--modes",
            "eager",
            "--tokenizer",
            str(tiny_gemma_dir),
            "--workdir",
            str(tmp_path / "work"),
            "--json",
            str(out),
        ]
    )
    assert args.func(args) == 0
    report = json.loads(out.read_text())
    assert {"runs", "anchors", "goals", "goal_check", "device", "tokens"} <= report.keys()
    runs = report["runs"]
    bf16 = [r for r in runs if r["precision"] == "bf16"]
    assert [r["batch_size"] for r in bf16] == [1, 2]
    for r in bf16:
        assert r["ok"], r
        assert r["new_tokens"] == 4
        for key in ("ttft_s", "decode_tok_s", "aggregate_tok_s", "wall_s", "peak_vram_gb"):
            assert key in r
    four_bit = [r for r in runs if r["precision"] == "4bit"]
    assert len(four_bit) == 2
    if not torch.cuda.is_available():
        assert all(not r["ok"] and "CUDA" in r["error"] for r in four_bit)
    printed = capsys.readouterr().out
    assert "| precision | mode | batch |" in printed and "Goals:" in printed
    assert not (tmp_path / "work" / "tiny-gemma3").exists()  # the random model is cleaned up


def test_bench_cpu_compares_backends_in_their_own_processes(
    tiny_gemma_dir: Path, tiny_gguf: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CPU comparison on the tiny models: llama.cpp writes the whole report, transformers a few tokens
    and its report time is an estimate; shapes and labels only, never timings."""
    out = tmp_path / "cpu.json"
    argv = ["report", "--tiny", "--device", "cpu", "--backends", "transformers-bf16,llama-q4_k_m"]
    argv += ["--full", "llama-q4_k_m", "--tokens", "8", "--estimate-tokens", "3", "--threads", "2"]
    argv += ["--model-dir", str(tiny_gemma_dir), "--gguf-dir", str(tiny_gguf[0].parent)]
    args = parse([*argv, "--workdir", str(tmp_path / "work"), "--json", str(out)])
    assert args.func(args) == 0
    report = json.loads(out.read_text())
    baseline, llama = report["runs"]
    assert baseline["backend"] == "transformers-bf16" and llama["backend"] == "llama-q4_k_m"
    assert baseline["ok"] and llama["ok"], report["runs"]
    assert (llama["new_tokens"], llama["report_wall"]) == (8, "measured")
    assert (baseline["new_tokens"], baseline["report_wall"]) == (3, "estimate")
    for row in (baseline, llama):
        for key in ("photo_encode_s", "prefill_s", "prompt_tokens", "decode_tok_s", "first_word_s"):
            assert row[key] is not None, (row["backend"], key)
        assert row["peak_rss_gb"] > 0 and row["vs_transformers_bf16"]["peak_rss_gb"] is not None
    assert baseline["vs_transformers_bf16"]["decode_tok_s"] == 1.0
    assert "| llama-q4_k_m |" in capsys.readouterr().out


def test_bench_cpu_names_a_missing_gguf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--device cpu runs the comparison (it used to refuse the full model); a backend without its GGUF is
    a failed row saying how to make one, and nothing else is built."""
    args = parse(["report", "--device", "cpu", "--backends", "llama-q8_0", "--gguf-dir", str(tmp_path)])
    assert args.func(args) == 1
    assert "skinbot weights convert --gguf" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        parse(["report", "--backends", "llama-q3"])
