"""The real `skinbot run` process in production mode: updates arrive on its webhook (with the secret, as
Telegram posts them), /healthz, /readyz and /metrics answer on the health port while the models still load,
and the secret never reaches the log."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from casework.translator import Translator
from tests.conftest import TOKEN
from tests.engine.servers import sse
from tests.hardening.process import (
    bot_on_engine,
    is_probe,
)
from tests.ops.helpers import WEBHOOK_SECRET, WEBHOOK_URL, free_port, get, post_update, samples, total
from tests.ops.test_webhook import PATH, start_update
from tests.polling import until

LOAD_S = 20  # how long the report model takes to "load": the test runs within it


async def refused_until_up(port: int, timeout: float = 60) -> httpx.Response:
    """Post as the proxy would pass an update on, retrying while the port does not take connections yet."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await post_update(port, PATH, start_update(77, 1401), secret=None)
        except httpx.ConnectError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def test_the_process_serves_a_webhook_and_its_health_port(
    tmp_path: Path, trained_classifier_weights: Path
) -> None:
    probes: list[dict] = []

    def script(number: int, body: dict) -> tuple[int, list[str]]:
        if is_probe(body):
            probes.append(body)
            if len(probes) == 1:  # the report model "loads" for the whole test
                return 200, [f"SLEEP {LOAD_S}", *sse(["ok"])]
            return 200, sse(["ok"])
        return 200, sse(["A ", "report."])

    t = Translator()
    webhook_port, health_port = free_port(), free_port()
    async with bot_on_engine(
        tmp_path,
        trained_classifier_weights,
        script,
        TELEGRAM_WEBHOOK_URL=WEBHOOK_URL,
        TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
        SKINBOT_WEBHOOK_PORT=str(webhook_port),
        SKINBOT_HEALTH_PORT=str(health_port),
        SKINBOT_LOG_LEVEL="DEBUG",
    ) as bot:
        api = bot.api
        proc = bot.proc
        await until(lambda: api.webhook is not None or proc.poll() is not None, 120, "setWebhook")
        assert proc.poll() is None, bot.output()
        assert (api.webhook["url"], api.webhook["secret_token"]) == (WEBHOOK_URL, WEBHOOK_SECRET)
        assert (await refused_until_up(webhook_port)).status_code == 403

        api.webhook_upstream = f"http://127.0.0.1:{webhook_port}/{PATH}"
        user = api.user(1401, "en")
        await user.send("/start")
        await api.wait_for(lambda: any(m.text == t("en", "consent-ask") for m in user.inbox()), 60)
        assert api.webhook_answers == [200]
        assert [m.text for m in user.inbox()].count(t("en", "consent-ask")) == 1  # the refused one never ran
        assert api.calls_of("getUpdates") == []

        health = await get(health_port, "/healthz")
        assert health.status_code == 200, health.text
        assert health.json()["ready"] is False and health.json()["checks"]["models"]["state"] == "loading"
        assert (await get(health_port, "/readyz")).status_code == 503
        metrics = samples((await get(health_port, "/metrics")).text)
        assert total(metrics, "skinbot_update_seconds_count") == 1
        assert total(metrics, "process_resident_memory_bytes") > 0
        proc.terminate()
        # A stop waits for a model load in progress to end.
        await asyncio.to_thread(proc.wait, LOAD_S + 20)
    output = bot.output()
    assert WEBHOOK_SECRET not in output and TOKEN not in output
    assert "Traceback" not in output
