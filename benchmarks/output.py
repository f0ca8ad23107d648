"""What every benchmark prints: its JSON, a blank line, a Markdown table; plus the machine it ran on."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
from pathlib import Path
from typing import Any


def emit(result: dict[str, Any], table: str, json_path: str | Path | None = None) -> None:
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if json_path:
        Path(json_path).write_text(text + "\n", encoding="utf-8")
    print(text)
    print()
    print(table)


def table_row(cells: list[str], run: dict[str, Any], keys: tuple[str, ...]) -> str:
    """A Markdown table row: `cells`, then each of `keys` from the run (blank when missing), then its error
    cut to fit a cell."""
    values = list(cells)
    for key in keys:
        value = run.get(key)
        values.append("" if value is None else f"{value}")
    values.append((run.get("error") or "").replace("|", "/")[:80])
    return "| " + " | ".join(values) + " |"


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def machine() -> dict[str, Any]:
    """CPU model, usable cores, Python, torch and GPU: enough to tell two runs' machines apart."""
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    info: dict[str, Any] = {
        "cpu": model,
        "cpus": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
    }
    try:
        import torch

        info["torch"] = torch.__version__
        info["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
        info["torch_threads"] = torch.get_num_threads()
    except ImportError:
        info["gpu"] = None
    return info
