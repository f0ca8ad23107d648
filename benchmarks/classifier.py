"""`skinbot bench classifier`: latency ms per image at batch 1 and 32, on CPU and on CUDA when present.

Times `SkinClassifier.predict` end to end (preprocessing included), because that is what a request pays.
Without a weights file a yolov8n-cls/yolov8x-cls is built from its yaml with random weights: speed does not
depend on what the weights learned, so the benchmark runs on any machine.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from benchmarks.output import emit
from inference.classifier import SkinClassifier
from testkit.random_yolo import random_model

log = logging.getLogger(__name__)

GOAL_MS = {"cuda": 2.0, "cpu": 25.0}  # per image; the CUDA goal was set on an H100
DEFAULT_BATCHES = (1, 32)


def available_devices() -> list[str]:
    import torch

    return ["cpu", "cuda:0"] if torch.cuda.is_available() else ["cpu"]


def _classifier(weights: Path | None, model: str, imgsz: int, device: str) -> SkinClassifier:
    if weights is not None:
        classifier = SkinClassifier(Path(weights), device=device)
        classifier.setup()
        return classifier
    return SkinClassifier.from_torch_model(random_model(model, imgsz), imgsz, device=device)


def _images(count: int, size: int, seed: int = 0) -> list[Image.Image]:
    rng = np.random.default_rng(seed)
    return [Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8)) for _ in range(count)]


def bench(
    weights: Path | None = None,
    model: str = "yolov8x-cls",
    imgsz: int = 224,
    batches: Sequence[int] = DEFAULT_BATCHES,
    iterations: int = 10,
    warmup: int = 2,
    devices: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Median ms per image for each device and batch size, with the goal beside each number."""
    runs = []
    for device in devices or available_devices():
        classifier = _classifier(weights, model, imgsz, device)
        kind = "cuda" if device.startswith("cuda") else "cpu"
        for batch in batches:
            images = _images(batch, imgsz)
            for _ in range(warmup):  # cuDNN autotuning and lazy allocations happen in the first calls
                classifier.predict(images)
            samples = []
            for _ in range(iterations):
                began = time.perf_counter()
                classifier.predict(images)
                samples.append((time.perf_counter() - began) * 1000.0 / batch)
            ms = statistics.median(samples)
            runs.append(
                {
                    "device": device,
                    "batch": batch,
                    "ms_per_image": round(ms, 3),
                    "images_per_s": round(1000.0 / ms, 1) if ms else None,
                    "goal_ms": GOAL_MS[kind],
                    "meets_goal": ms <= GOAL_MS[kind],
                    "iterations": iterations,
                }
            )
            log.info("%s batch %d: %.2f ms/image", device, batch, ms)
    return {
        "weights": str(weights) if weights else None,
        "model": model if weights is None else Path(weights).name,
        "imgsz": imgsz,
        "goals_ms": GOAL_MS,
        "runs": runs,
    }


def markdown_table(result: dict[str, Any]) -> str:
    lines = [
        f"Classifier `{result['model']}` at {result['imgsz']} px",
        "",
        "| device | batch | ms/image | images/s | goal ms/image | meets goal |",
        "|---|---:|---:|---:|---:|:---:|",
    ]
    for r in result["runs"]:
        lines.append(
            f"| {r['device']} | {r['batch']} | {r['ms_per_image']:.2f} | {r['images_per_s']} | "
            f"≤{r['goal_ms']:g} | {'yes' if r['meets_goal'] else 'no'} |"
        )
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from inference.device import resolve_device

    devices = None if args.device == "all" else [resolve_device(args.device)]
    result = bench(
        Path(args.weights) if args.weights else None,
        model=args.model,
        imgsz=args.imgsz,
        iterations=args.iterations,
        warmup=args.warmup,
        devices=devices,
    )
    emit(result, markdown_table(result), args.json)
    return 0
