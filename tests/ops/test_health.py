"""GET /healthz and /readyz on the real bot: 200 only while the event loop answers on time, the model worker
is alive and not hung, and the database takes a write; otherwise 503 with the reason. Loading models are
healthy but not ready."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

from skinbot.ops_server import OpsServer
from tests.bot.test_report_delivery import run_case, use_models
from tests.conftest import Harness
from tests.fakes import ScriptedWriter
from tests.ops.helpers import HangingWriter, free_port, get


def with_health(h: Harness, **extra: object) -> int:
    import dataclasses

    port = free_port()
    h.settings = dataclasses.replace(h.settings, health_port=port, **extra)
    return port


async def until_status(port: int, path: str, status: int, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        response = await get(port, path)
        if response.status_code == status:
            return response.json()
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} stayed {response.status_code}: {response.text}")
        await asyncio.sleep(0.1)


async def test_healthy_bot_answers_200_on_all_three(harness: Harness) -> None:
    port = with_health(harness)
    await harness.start()
    health = await get(port, "/healthz")
    assert health.status_code == 200
    assert health.headers["content-type"].startswith("application/json")
    body = health.json()
    assert body["status"] == "ok" and body["ready"] is True and body["reasons"] == []
    assert {name for name, check in body["checks"].items() if check["ok"]} == {
        "event_loop",
        "models",
        "database",
    }
    assert (await get(port, "/readyz")).status_code == 200
    metrics = await get(port, "/metrics")
    assert metrics.status_code == 200 and "skinbot_queue_depth" in metrics.text
    assert (await get(port, "/nothing")).status_code == 404


async def test_no_health_port_unless_asked(harness: Harness) -> None:
    await harness.start()
    assert "ops_server" not in harness.app.bot_data  # type: ignore[attr-defined]


async def test_loading_models_are_healthy_but_not_ready(
    harness: Harness, trained_classifier_weights: Path
) -> None:
    gate = threading.Event()
    use_models(harness, trained_classifier_weights, lambda s: ScriptedWriter(setup_gate=gate))
    port = with_health(harness)
    await harness.start()
    try:
        health = await get(port, "/healthz")
        assert health.status_code == 200, health.text
        assert health.json()["ready"] is False
        assert health.json()["checks"]["models"]["state"] == "loading"
        ready = await get(port, "/readyz")
        assert ready.status_code == 503 and ready.json()["ready"] is False
    finally:
        gate.set()
    body = await until_status(port, "/readyz", 200)
    assert body["checks"]["models"]["state"] == "ready"


async def test_a_read_only_database_fails_the_check(harness: Harness) -> None:
    port = with_health(harness)
    await harness.start()
    db = harness.services.store.db
    # The tests run as root, whom file modes do not stop; query_only makes SQLite refuse writes the same
    # way a read-only file does (SQLITE_READONLY).
    await db.execute("PRAGMA query_only=ON")
    try:
        response = await get(port, "/healthz")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "failing" and body["checks"]["database"]["ok"] is False
        assert body["reasons"] == ["database: the database file is read-only"]
    finally:
        await db.execute("PRAGMA query_only=OFF")
    assert (await get(port, "/healthz")).status_code == 200


async def test_a_blocked_event_loop_fails_the_check(harness: Harness) -> None:
    port = with_health(harness, health_max_lag_s=0.5)
    await harness.start()
    assert (await get(port, "/healthz")).status_code == 200
    time.sleep(2.0)  # blocks the event loop the bot runs on, as a synchronous call in a handler would
    response = await get(port, "/healthz")
    assert response.status_code == 503, response.text
    assert response.json()["reasons"][0].startswith("event loop: blocked for ")
    await until_status(port, "/healthz", 200)


async def test_a_dead_heartbeat_fails_the_check(harness: Harness) -> None:
    port = with_health(harness)
    await harness.start()
    ops: OpsServer = harness.app.bot_data["ops_server"]  # type: ignore[attr-defined]
    await ops.heartbeat.stop()
    response = await get(port, "/healthz")
    assert response.status_code == 503
    assert response.json()["reasons"] == ["event loop: the heartbeat task has stopped"]


async def test_a_hung_model_worker_fails_the_check(
    harness: Harness, trained_classifier_weights: Path, photo_bytes: bytes
) -> None:
    writer = HangingWriter()
    # 0.5 s per job: a worker still on its batch 0.5 s past that deadline is hung.
    use_models(harness, trained_classifier_weights, lambda s: writer, job_timeout_s=0.5)
    port = with_health(harness)
    await harness.start()
    try:
        user = harness.api.user(701, "en")
        await run_case(harness, user, "en", photo_bytes)
        assert await asyncio.to_thread(writer.entered.wait, 60)
        body = await until_status(port, "/healthz", 503)
        assert body["checks"]["models"]["ok"] is False
        assert body["reasons"][0].startswith("models: the model worker has been on one batch for ")
    finally:
        writer.release.set()
    await until_status(port, "/healthz", 200)  # the writer came back: healthy again
