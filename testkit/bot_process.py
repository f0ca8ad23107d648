"""The real `skinbot` process against a fake Bot API: its environment and its start, for the process tests
and `skinbot bench start`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from testkit.fake_bot_api import FakeBotApi

ROOT = Path(__file__).resolve().parents[1]


def bot_env(api: FakeBotApi, token: str, data_dir: Path, **settings: str) -> dict[str, str]:
    """Ours minus any TELEGRAM_/SKINBOT_ setting (the caller's own configuration must not leak in), plus
    the fake server, the data folder, the CPU, no downloads, and these settings."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SKINBOT_"))},
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_URL": api.api_url,
        "TELEGRAM_FILE_URL": api.file_url,
        "SKINBOT_DATA_DIR": str(data_dir),
        "SKINBOT_DEVICE": "cpu",
        "HF_HUB_OFFLINE": "1",
        "YOLO_OFFLINE": "1",
        "PYTHONPATH": str(ROOT),
        **settings,
    }


def start_bot(
    env: dict[str, str], log: Path, command: str = "run", *, fresh_log: bool = False
) -> subprocess.Popen[bytes]:
    """`skinbot COMMAND` with its output in `log`: appended, so a restarted process keeps the earlier
    lines, unless `fresh_log`."""
    return subprocess.Popen(
        [sys.executable, "-m", "skinbot", command],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb" if fresh_log else "ab"),
        stderr=subprocess.STDOUT,
    )


def run_to_end(
    env: dict[str, str], command: str, *, cwd: Path = ROOT, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`skinbot COMMAND` run until it exits, its output captured: for commands expected to stop by
    themselves, such as one refused at start."""
    return subprocess.run(
        [sys.executable, "-m", "skinbot", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
