"""`skinbot bench report --engine URL` against a real engine: the JSON has the in-process bench's figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skinbot.cli import main
from tests.engine.conftest import IMAGE_MODEL
from tests.engine.servers import EngineServer, free_port


def test_bench_against_an_engine(image_engine: EngineServer, tmp_path: Path, capsys) -> None:
    out = tmp_path / "bench.json"
    argv = ["bench", "report", "--engine", image_engine.url, "--model", IMAGE_MODEL]
    code = main([*argv, "--batch-sizes", "1,2", "--tokens", "24", "--json", str(out)])
    assert code == 0
    report = json.loads(out.read_text())
    assert report["image_input"] is True and report["batch_sizes"] == [1, 2]
    # transformers serve refuses vLLM's ignore_eos; the bench says so and measures without it.
    assert any("ignore_eos" in note for note in report["notes"])
    for run, batch in zip(report["runs"], [1, 2], strict=True):
        assert run["ok"] and run["batch_size"] == batch and run["image_seen"]
        assert run["ttft_s"] > 0 and run["decode_tok_s"] > 0 and run["aggregate_tok_s"] > 0
        assert run["wall_s"] > 0 and run["est_500_tokens_s"] > run["ttft_s"]
        assert run["peak_vram_gb"] is None
    assert "| concurrent |" in capsys.readouterr().out


def test_bench_says_plainly_when_the_engine_is_down(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    assert main(["bench", "report", "--engine", url, "--batch-sizes", "1"]) == 2
    assert "refused" in capsys.readouterr().err
