"""Running the load: the bot under test, the simulated users, the figures and the delivery check."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.bot_load.checks import check_chats, pdf_text_reader
from benchmarks.bot_load.server import LoadBotApi
from benchmarks.bot_load.users import FastWriter, SimulatedUser, plans
from benchmarks.cli import BOT_USERS_MAX as MAX_USERS
from benchmarks.cpu import snapshot, split
from benchmarks.harness_thread import HarnessLoop
from benchmarks.memory import RssSampler
from benchmarks.output import machine, percentile
from casework.translator import Translator
from testkit.skin_photos import skin_photo

log = logging.getLogger(__name__)

DEFAULT_USERS = 200
DEFAULT_TIMEOUT_S = 600.0
MAX_TIMEOUT_S = 3600.0
BENCH_TOKEN = "424242:bench-token-not-a-secret"
# Reads its own figures from the fake server's record of calls, before the server stops.
Measure = Callable[[LoadBotApi, list[SimulatedUser]], dict[str, Any]]


async def run_load(
    users: int = DEFAULT_USERS,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    batch: int = 4,
    imgsz: int = 224,
    data_dir: Path | None = None,
    check_pdf_text: bool = True,
    stream: str = "auto",
    writer: Any = None,
    measure: Measure | None = None,
    fail_rate: float = 0.0,
    pdf_workers: int = 0,
) -> dict[str, Any]:
    """Drive `users` simulated users at once; returns the figures and the delivery check as a dict.

    `stream` is SKINBOT_STREAM; `writer` replaces the instant scripted report; `measure(api, users)` adds
    its own figures, read from the fake server's record of calls before it stops, under "measured".
    `fail_rate` of the Bot API calls fail with 502; `pdf_workers` is SKINBOT_PDF_WORKERS."""
    if not 1 <= users <= MAX_USERS:
        raise ValueError(f"--users must be between 1 and {MAX_USERS}")
    timeout_s = min(max(timeout_s, 1.0), MAX_TIMEOUT_S)
    with contextlib.ExitStack() as stack:
        if data_dir is None:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="skinbot-bench-")))
        with HarnessLoop() as harness:
            return await _run(
                harness,
                users,
                timeout_s,
                batch,
                imgsz,
                data_dir,
                check_pdf_text,
                stream,
                writer or FastWriter(),
                measure,
                fail_rate,
                pdf_workers,
            )


async def _run(
    harness: HarnessLoop,
    users: int,
    timeout_s: float,
    batch: int,
    imgsz: int,
    data_dir: Path,
    check_pdf_text: bool,
    stream: str,
    writer: Any,
    measure: Measure | None,
    fail_rate: float,
    pdf_workers: int,
) -> dict[str, Any]:
    from bot.application import start_app, stop_app
    from bot.delivery import Delivery
    from inference.classifier import SkinClassifier
    from inference.model_queue import ModelQueue
    from inference.worker import ModelWorker
    from skinbot.app import build_application
    from skinbot.inference_setup import quality_thresholds
    from skinbot.settings import Settings
    from testkit.random_yolo import random_model

    # The fake server and the users live on the harness loop: their CPU is apart from the bot's.
    api = LoadBotApi(BENCH_TOKEN)
    await harness.run(api.start())  # 127.0.0.1 only
    env = {
        "TELEGRAM_BOT_TOKEN": BENCH_TOKEN,
        "TELEGRAM_API_URL": api.api_url,
        "TELEGRAM_FILE_URL": api.file_url,
        "SKINBOT_DATA_DIR": str(data_dir),
        "SKINBOT_DEVICE": "cpu",
        "SKINBOT_BATCH": str(batch),
        "SKINBOT_STREAM": stream,
        "SKINBOT_PDF_WORKERS": str(pdf_workers),
    }
    settings = Settings.from_env(env, env_file=None)
    t = Translator()
    classifier = SkinClassifier.from_torch_model(random_model("yolov8n-cls", imgsz), imgsz, device="cpu")

    def pipeline(settings: Settings, services: Any, app: Any) -> Delivery:
        worker = ModelWorker(classifier, writer, quality_thresholds(settings))
        queue = ModelQueue(
            worker, services.store.jobs, batch_size=settings.batch, job_timeout_s=settings.job_timeout_s
        )
        return Delivery(services, app.bot, queue)

    app = build_application(settings, pipeline_factory=pipeline, translator=t)
    user_plans = plans(users)
    photos = [skin_photo(320, 240, seed) for seed in range(min(users, 8))]
    simulated = [SimulatedUser(api, t, p, photos[p.index % len(photos)]) for p in user_plans]
    await start_app(app, poll_timeout=1)
    api.fail_rate = fail_rate

    async def all_users() -> None:
        await asyncio.gather(*(u.run() for u in simulated))

    try:
        with RssSampler() as rss:
            cpu_before, wall0 = snapshot(), time.monotonic()
            try:
                await asyncio.wait_for(harness.run(all_users()), timeout_s)
            except TimeoutError:
                log.warning("bench bot: stopped after %.0f s; unfinished users count as lost", timeout_s)
            wall = time.monotonic() - wall0
            cpu_split = split(cpu_before, snapshot())
            cpu = sum(cpu_split.values())
        services = app.bot_data["services"]
        case_ids = {
            p.user_id: [c.id for c in await services.store.cases.recent(p.user_id)] for p in user_plans
        }
        measured = measure(api, simulated) if measure is not None else None
    finally:
        api.fail_rate = 0.0
        await stop_app(app)
        await harness.run(api.stop())

    pdf_sent = {c.params["chat_id"]: c.at for c in api.calls_of("sendDocument") if c.error is None}
    latencies = sorted(
        pdf_sent[u.user.id] - u.outcome.confirmed_at
        for u in simulated
        if u.outcome.confirmed_at is not None and u.user.id in pdf_sent
    )
    reader = pdf_text_reader() if check_pdf_text else None
    chats = {chat_id: api.visible(chat_id) for chat_id in api.inboxes}
    tally = check_chats(t, user_plans, chats, case_ids, reader)
    updates = sum(u.outcome.updates for u in simulated)
    failures = [u.outcome.error for u in simulated if u.outcome.error]
    return {
        "benchmark": "bot",
        "users": users,
        "completed": sum(1 for u in simulated if u.outcome.error is None and u.user.id in pdf_sent),
        "updates": updates,
        "wall_s": round(wall, 3),
        "updates_per_s": round(updates / wall, 1) if wall > 0 else None,
        "cpu_s": round(cpu, 3),
        "cpu_ms_per_update": round(cpu * 1000 / updates, 2) if updates else None,
        "cpu_ms_per_case": round(cpu * 1000 / users, 1),
        # The bot's own work per update (its event loop and helper threads), apart from the per-case model
        # and PDF work and from the benchmark's harness.
        "cpu_split_s": cpu_split,
        "bot_cpu_ms_per_update": _per(cpu_split["bot"] + cpu_split["bot_helpers"], updates),
        "models_cpu_ms_per_case": _per(cpu_split["models"] + cpu_split["native"], users),
        "pdf_cpu_ms_per_case": _per(cpu_split["pdf"], users),
        "harness_cpu_ms_per_update": _per(cpu_split["harness"], updates),
        "rss_start_mb": round(rss.start / 2**20, 1),
        "peak_rss_mb": round(rss.peak / 2**20, 1),
        "peak_rss_growth_mb": round((rss.peak - rss.start) / 2**20, 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "confirm_to_pdf_s": {
            "p50": _round(percentile(latencies, 50)),
            "p95": _round(percentile(latencies, 95)),
            "max": _round(latencies[-1] if latencies else None),
        },
        "lost": tally.lost,
        "cross_delivered": tally.cross_delivered,
        "duplicated": tally.duplicated,
        "errors": tally.errors,
        "api_errors": sum(1 for c in api.calls if c.error is not None),
        "problems": tally.problems + failures[:5],
        "pdf_text_checked": reader is not None,
        "config": {
            "classifier": f"yolov8n-cls, random weights, imgsz {imgsz}, CPU",
            "writer": getattr(writer, "description", "scripted, no delay"),
            "batch": settings.batch,
            "edit_interval_s": settings.edit_interval_s,
            "stream": settings.stream_mode,
            "pdf_workers": settings.pdf_workers,
            "bot_api_fail_rate": fail_rate,
            "transport": "fake Bot API on 127.0.0.1 (same process, its own thread and event loop)",
        },
        "machine": machine(),
        **({"measured": measured} if measured is not None else {}),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _per(seconds: float, count: int) -> float | None:
    return round(seconds * 1000 / count, 2) if count else None


def markdown(result: dict[str, Any]) -> str:
    latency = result["confirm_to_pdf_s"]
    rows = [
        ("users (completed)", f"{result['users']} ({result['completed']})"),
        ("updates", result["updates"]),
        ("wall time", f"{result['wall_s']} s"),
        ("updates handled per second", result["updates_per_s"]),
        (
            "CPU per update (per case), all",
            f"{result['cpu_ms_per_update']} ms ({result['cpu_ms_per_case']} ms)",
        ),
        ("bot's own CPU per update", f"{result['bot_cpu_ms_per_update']} ms"),
        ("models' CPU per case", f"{result['models_cpu_ms_per_case']} ms"),
        ("PDF CPU per case", f"{result['pdf_cpu_ms_per_case']} ms"),
        ("harness CPU per update (not the bot)", f"{result['harness_cpu_ms_per_update']} ms"),
        ("peak RSS (growth during run)", f"{result['peak_rss_mb']} MB (+{result['peak_rss_growth_mb']} MB)"),
        ("Confirm → PDF p50 / p95 / max", f"{latency['p50']} / {latency['p95']} / {latency['max']} s"),
        ("lost / cross-delivered", f"{result['lost']} / {result['cross_delivered']}"),
        ("duplicated / error replies", f"{result['duplicated']} / {result['errors']}"),
    ]
    lines = ["| metric | value |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)]
    return "\n".join(lines)
