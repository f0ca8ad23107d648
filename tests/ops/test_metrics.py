"""GET /metrics after a whole case through the real bot, queue, classifier and streaming: every value the
operator watches moved, and each bot counts on its own registry."""

from __future__ import annotations

import threading
from pathlib import Path

from casework.metrics import Metrics
from skinbot.app import build_application
from tests.bot.helpers import agree, answer_until_summary, confirm
from tests.bot.test_report_delivery import use_models, wait_pdf
from tests.conftest import Harness
from tests.fakes import ScriptedWriter
from tests.ops.helpers import free_port, get, samples, total, value

REPORT = "Pre-screening only, not a diagnosis. " + "The patch is even in colour with regular borders. " * 6


async def scrape(port: int) -> dict:
    response = await get(port, "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


async def test_a_whole_case_moves_every_metric(
    harness: Harness, trained_classifier_weights: Path, photo_bytes: bytes
) -> None:
    gate = threading.Event()  # the models "load" until the test opens it: the case waits in line
    writer = ScriptedWriter(script=lambda r: REPORT, token_delay=0.002, setup_gate=gate)
    port = free_port()
    use_models(harness, trained_classifier_weights, lambda s: writer, health_port=port, edit_interval_s=0.1)
    await harness.start()
    api, t = harness.api, harness.t
    user = api.user(801, "en")
    try:
        before = await scrape(port)
        for name in (
            "skinbot_jobs_total",
            "skinbot_classifier_seconds_count",
            "skinbot_report_first_text_seconds_count",
            "skinbot_report_tokens_per_second_count",
            "skinbot_report_tokens_total",
            "skinbot_telegram_flood_waits_total",
            "skinbot_telegram_retries_total",
            "skinbot_update_seconds_count",
        ):
            assert total(before, name) == 0, name
        assert value(before, "skinbot_models_ready") == 0

        # The greeting meets a Bot API 502 once: sent again, as a network retry.
        api.inject("sendMessage", 502, "Bad Gateway")
        await agree(harness, user, "en")
        summary = await answer_until_summary(harness, user, "en", photo_bytes, report_language="en")
        during_intake = await scrape(port)
        assert value(during_intake, "skinbot_active_intakes") == 1
        assert value(during_intake, "skinbot_telegram_retries_total", reason="network") == 1

        case_id = await confirm(harness, user, "en", summary)
        await harness.wait_key(user, "en", "queue-starting", position=1)
        waiting = await scrape(port)
        assert value(waiting, "skinbot_queue_depth") == 1
        assert value(waiting, "skinbot_active_intakes") == 0  # confirmed: no longer an intake

        # Telegram's flood control meets the first status edit once: 429, then the same edit again.
        analysing = t("en", "analysing")
        api.inject(
            "editMessageText", 429, "Too Many Requests", retry_after=1, match=lambda p: p["text"] == analysing
        )
    finally:
        gate.set()
    await wait_pdf(harness, user)
    await harness.wait_case(user.id, case_id, "done")

    after = await scrape(port)
    assert value(after, "skinbot_queue_depth") == 0
    assert value(after, "skinbot_models_ready") == 1
    assert value(after, "skinbot_jobs_total", outcome="done") == 1
    assert total(after, "skinbot_jobs_total") == 1
    assert value(after, "skinbot_classifier_seconds_count") == 1
    assert value(after, "skinbot_classifier_seconds_sum") > 0
    assert value(after, "skinbot_classified_images_total") == 1
    assert value(after, "skinbot_report_first_text_seconds_count") == 1
    assert value(after, "skinbot_report_tokens_per_second_count") == 1
    assert value(after, "skinbot_report_tokens_per_second_sum") > 0
    assert value(after, "skinbot_report_tokens_total") == len(REPORT.split())
    assert value(after, "skinbot_telegram_flood_waits_total") == 1
    assert value(after, "skinbot_telegram_retries_total", reason="flood") == 1
    assert value(after, "skinbot_telegram_retries_total", reason="network") == 1
    # Every update the user sent was timed, under its handler's name.
    assert total(after, "skinbot_update_seconds_count") >= 9
    handlers = {dict(labels)["handler"] for (name, labels) in after if name == "skinbot_update_seconds_count"}
    assert len(handlers) >= 3
    assert value(after, "skinbot_active_intakes") == 0


def test_each_bot_counts_on_its_own_registry(tmp_path: Path) -> None:
    from skinbot.settings import Settings
    from tests.conftest import TOKEN

    settings = Settings.from_env(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "SKINBOT_DATA_DIR": str(tmp_path)}, env_file=None
    )
    # With one process-wide registry the second bot's metrics would clash with the first's.
    first, second = Metrics(), Metrics()
    build_application(settings, metrics=first)
    build_application(settings, metrics=second)
    build_application(settings)  # and one that makes its own
    first.job_finished("done")
    first.retry("flood")
    assert value(samples(first.exposition().decode()), "skinbot_jobs_total", outcome="done") == 1
    theirs = samples(second.exposition().decode())
    assert value(theirs, "skinbot_jobs_total", outcome="done") == 0
    assert value(theirs, "skinbot_telegram_retries_total", reason="flood") == 0
