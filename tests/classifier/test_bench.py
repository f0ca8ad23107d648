"""The classifier benchmark's JSON shape (never its timings)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.classifier import GOAL_MS, bench, markdown_table


def check_shape(result: dict, batches: tuple[int, ...]) -> None:
    json.dumps(result)  # serialisable as printed
    assert set(result) >= {"weights", "model", "imgsz", "goals_ms", "runs"}
    assert result["goals_ms"] == GOAL_MS == {"cuda": 2.0, "cpu": 25.0}
    assert [r["batch"] for r in result["runs"]] == list(batches)
    for run in result["runs"]:
        assert set(run) == {
            "device",
            "batch",
            "ms_per_image",
            "images_per_s",
            "goal_ms",
            "meets_goal",
            "iterations",
        }
        assert run["device"] == "cpu" and run["goal_ms"] == 25.0
        assert isinstance(run["ms_per_image"], float) and run["ms_per_image"] > 0
        assert run["meets_goal"] == (run["ms_per_image"] <= run["goal_ms"])


def test_bench_random_weights_from_yaml() -> None:
    result = bench(
        None, model="yolov8n-cls", imgsz=64, batches=(1, 4), iterations=2, warmup=1, devices=["cpu"]
    )
    check_shape(result, (1, 4))
    assert result["weights"] is None and result["model"] == "yolov8n-cls" and result["imgsz"] == 64
    table = markdown_table(result)
    assert table.count("\n| cpu |") == 2


def test_bench_given_weights(trained_classifier_weights: Path) -> None:
    result = bench(
        trained_classifier_weights, imgsz=32, batches=(1, 2), iterations=1, warmup=0, devices=["cpu"]
    )
    check_shape(result, (1, 2))
    assert result["weights"] == str(trained_classifier_weights)
