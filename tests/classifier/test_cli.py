"""The classifier subcommands, driven through argparse as skinbot/cli.py drives them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier_lab.cli_classifier import EXIT_ERROR, EXIT_LEAK, EXIT_OK
from skinbot.cli import build_parser
from tests.classifier.test_evaluation import leaky_copy
from tests.fixtures.classifier_models import SyntheticDataset


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


def one_clean_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_split_train_evaluate(
    synthetic_dataset: SyntheticDataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert (
        run(["split", "--data", str(synthetic_dataset.raw_dir), "--out", str(data), "--seed", "1"]) == EXIT_OK
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["images"] == sum(1 for _ in synthetic_dataset.raw_dir.rglob("*.jpg"))
    assert {p.name for p in data.iterdir()} == {"train", "val", "test"}

    weights = tmp_path / "weights" / "skin-cls.pt"
    train_argv = [
        "train",
        "--data",
        str(data),
        "--model",
        "yolov8n-cls",
        "--imgsz",
        "32",
        "--epochs",
        "2",
        "--optimizer",
        "AdamW",
        "--lr0",
        "0.002",
        "--batch",
        "16",
        "--device",
        "cpu",
        "--out",
        str(weights),
        "--workers",
        "0",
        "--quiet",
    ]
    assert run(train_argv) == EXIT_OK
    assert weights.is_file()
    assert str(weights) in capsys.readouterr().out

    report_dir = tmp_path / "report"
    argv = [
        "evaluate",
        "--weights",
        str(weights),
        "--data",
        str(data),
        "--out",
        str(report_dir),
        "--device",
        "cpu",
    ]
    assert run(argv) == EXIT_OK, capsys.readouterr().err  # the split has no leaks, so no --allow-leak needed
    assert "accuracy" in capsys.readouterr().out
    assert json.loads((report_dir / "report.json").read_text())["leaky"] is False


def test_evaluate_refuses_leak_then_allows_it(
    trained_classifier_weights: Path,
    synthetic_dataset: SyntheticDataset,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = leaky_copy(synthetic_dataset, tmp_path / "leaky")
    base = ["evaluate", "--weights", str(trained_classifier_weights), "--data", str(data), "--device", "cpu"]
    assert run([*base, "--out", str(tmp_path / "r1")]) == EXIT_LEAK
    assert "near-duplicates" in one_clean_line(capsys.readouterr().err)
    assert run([*base, "--out", str(tmp_path / "r2"), "--allow-leak"]) == EXIT_OK
    assert "LEAKY" in capsys.readouterr().out
    assert "LEAKY" in (tmp_path / "r2" / "report.md").read_text()


def test_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["evaluate", "--weights", str(tmp_path / "none.pt"), "--data", str(tmp_path)]) == EXIT_ERROR
    one_clean_line(capsys.readouterr().err)
    assert run(["train", "--data", str(tmp_path / "nothing"), "--device", "cpu"]) == EXIT_ERROR
    assert "train/" in one_clean_line(capsys.readouterr().err)
    assert run(["split", "--data", str(tmp_path / "nothing"), "--out", str(tmp_path / "o")]) == EXIT_ERROR
    one_clean_line(capsys.readouterr().err)
    assert run(["train", "--data", str(tmp_path), "--model", "missing.pt", "--device", "cpu"]) == EXIT_ERROR
    one_clean_line(capsys.readouterr().err)


def test_train_checks_the_model_before_any_download(
    synthetic_dataset: SyntheticDataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "train",
        "--data",
        str(synthetic_dataset.split_dir),
        "--model",
        str(tmp_path / "yolov8n-cls.pt"),
        "--device",
        "cpu",
        "--out",
        str(tmp_path / "w.pt"),
    ]
    assert run(argv) == EXIT_ERROR
    assert "not found" in one_clean_line(capsys.readouterr().err)
    assert not (tmp_path / "yolov8n-cls.pt").exists()


def test_bench_classifier_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    short = ["--imgsz", "64", "--iterations", "1", "--warmup", "0"]
    argv = ["bench", "classifier", "--model", "yolov8n-cls", *short, "--device", "cpu"]
    assert run(argv) == EXIT_OK
    out = capsys.readouterr().out
    json_part, markdown = out.split("\n\n", 1)
    result = json.loads(json_part)
    assert [(r["device"], r["batch"]) for r in result["runs"]] == [("cpu", 1), ("cpu", 32)]
    assert "| device | batch | ms/image" in markdown and "≤25" in markdown
