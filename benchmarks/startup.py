"""`skinbot bench start`: how long a real `skinbot run` takes to poll Telegram, warm and with empty caches.

Each run starts the real process against a fake Bot API on 127.0.0.1, with a random-weight yolov8n-cls and
the tiny random Gemma 3 (built once and cached), and times: the first getUpdates (the bot can answer from
then on), and "models ready" from the process's log (the models load in the background meanwhile).
`--cold` gives each run an empty HOME, so the PDF fonts are instanced again, and a new data folder.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.output import emit, machine

TOKEN = "424242:startup-bench-not-a-secret"
GOALS_S = {"warm": 5.0, "cold": 15.0}
_READY = re.compile(r"models ready in ([\d.]+) s")


def _models() -> tuple[Path, Path]:
    from testkit.cache import cached_dir
    from testkit.random_gemma import cached_tiny_gemma_dir
    from testkit.random_yolo import save_random_classifier

    classifier = cached_dir("random-yolov8n-cls", lambda d: save_random_classifier(d / "skin-cls.pt"))
    return classifier / "skin-cls.pt", cached_tiny_gemma_dir()


async def _one_run(classifier: Path, llm: Path, cold: bool, workdir: Path) -> dict[str, Any]:
    from testkit.bot_process import bot_env, start_bot
    from testkit.fake_bot_api import FakeBotApi

    api = FakeBotApi(TOKEN)
    await api.start()
    home = workdir / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = bot_env(api, TOKEN, workdir / "var", SKINBOT_CLASSIFIER=str(classifier), SKINBOT_LLM=str(llm))
    if cold:
        env["HOME"] = str(home)
        env["YOLO_CONFIG_DIR"] = str(home / "ultralytics")
    log = workdir / "bot.log"
    started = time.monotonic()
    proc = start_bot(env, log, fresh_log=True)
    first_poll = ready = None
    try:
        while time.monotonic() - started < 300 and (first_poll is None or ready is None):
            if first_poll is None and api.polls:
                first_poll = api.polls[0] - started
            found = _READY.search(log.read_text(errors="replace"))
            if ready is None and found:
                ready = time.monotonic() - started
            if proc.poll() is not None:
                break
            await asyncio.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(proc.wait, 30)
        except subprocess.TimeoutExpired:
            proc.kill()
        await api.stop()
    return {
        "cold": cold,
        "first_getupdates_s": None if first_poll is None else round(first_poll, 2),
        "models_ready_s": None if ready is None else round(ready, 2),
    }


def run(args: argparse.Namespace) -> int:
    classifier, llm = _models()
    runs = []
    for index in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="skinbot-start-") as tmp:
            if not args.cold and index == 0:
                asyncio.run(_one_run(classifier, llm, False, Path(tmp)))  # fills the caches first
            runs.append(asyncio.run(_one_run(classifier, llm, args.cold, Path(tmp))))
    kind = "cold" if args.cold else "warm"
    polls = [r["first_getupdates_s"] for r in runs if r["first_getupdates_s"] is not None]
    median = statistics.median(polls) if polls else None
    result = {
        "benchmark": "start",
        "caches": kind,
        "runs": runs,
        "first_getupdates_median_s": median,
        "goal_s": GOALS_S[kind],
        "goal_met": None if median is None else median <= GOALS_S[kind],
        "models": {"classifier": "yolov8n-cls, random weights", "report": "tiny random Gemma 3"},
        "machine": machine(),
    }
    emit(result, table(result), args.json)
    return 0 if median is not None else 1


def table(result: dict[str, Any]) -> str:
    lines = ["| run | caches | first getUpdates | models ready |", "|---:|---|---:|---:|"]
    for number, r in enumerate(result["runs"], start=1):
        lines.append(
            f"| {number} | {result['caches']} | {r['first_getupdates_s']} s | {r['models_ready_s']} s |"
        )
    lines.append(
        f"\nMedian first getUpdates: {result['first_getupdates_median_s']} s "
        f"(goal ≤ {result['goal_s']:g} s {result['caches']}: {'met' if result['goal_met'] else 'not met'})"
    )
    return "\n".join(lines)
