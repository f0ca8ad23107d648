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


@pytest.mark.skipif(torch.cuda.is_available(), reason="the refusal is for CPU-only machines")
def test_bench_refuses_full_model_on_cpu(capsys: pytest.CaptureFixture[str]) -> None:
    args = parse(["report", "--device", "cpu"])
    assert args.func(args) == 2
    assert "--tiny" in capsys.readouterr().err
