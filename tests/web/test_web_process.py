"""`skinbot web` as its own process: the API with its own model worker, and the review desk telling a
Telegram patient a verdict through the Bot API without polling. Real processes, tiny real models."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from conversations.domain import Language
from conversations.store import Store
from testkit.bot_process import run_to_end, start_bot
from testkit.fake_bot_api import FakeBotApi
from testkit.skin_photos import skin_photo
from tests.conftest import TOKEN, Harness
from tests.hardening.process import bot_env
from tests.ops.helpers import free_port
from tests.web.desk_setup import (
    CLINIC,
    CLINIC_NAME,
    OTHER,
    OTHER_NAME,
    routine_case_at_the_desk,
)
from tests.web.helpers import form


async def serving(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            try:
                if (await http.get(f"{url}/openapi.json")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("skinbot web did not start: " + log.read_text()[-2000:])


def stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=30)


@pytest.mark.parametrize("writer", ["transformers", "llama"])
async def test_the_api_alone(
    tmp_path: Path, trained_classifier_weights: Path, request: pytest.FixtureRequest, writer: str
) -> None:
    """Once with each in-process writer: the tiny model folder, and the tiny GGUF through llama.cpp."""
    llm = request.getfixturevalue("tiny_gemma_dir" if writer == "transformers" else "tiny_gguf")
    api = FakeBotApi(TOKEN)  # only for bot_env's URLs: nothing here talks to Telegram
    port = free_port()
    env = {
        k: v
        for k, v in bot_env(
            api,
            tmp_path / "var",
            SKINBOT_CLASSIFIER=str(trained_classifier_weights),
            SKINBOT_LLM=str(llm if writer == "transformers" else llm[0]),
            SKINBOT_MAX_NEW_TOKENS="16",
            SKINBOT_WEB_PORT=str(port),
        ).items()
        if k != "TELEGRAM_BOT_TOKEN"
    }
    store = await Store.open(tmp_path / "var" / "skinbot.sqlite3")
    _, secret = await store.api_keys.create("test")
    await store.close()
    log = tmp_path / "web.log"
    process = start_bot(env, log, "web")
    try:
        url = f"http://127.0.0.1:{port}"
        await serving(url, process, log)
        data, files = form(skin_photo(seed=20), language="vi")
        async with httpx.AsyncClient(base_url=url, headers={"X-API-Key": secret}, timeout=120) as http:
            classified = await http.post("/api/v1/classify", data=data, files=files)
            diagnosed = await http.post("/api/v1/diagnose", data=data, files=files)
            assert classified.status_code == 200, classified.text
            assert diagnosed.status_code == 200, diagnosed.text
            pdf = await http.get(diagnosed.json()["pdf_url"])
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
            assert (await http.get("/desk")).status_code == 404  # no clinics: no desk
    finally:
        code = stop(process) if process.poll() is None else process.returncode
    assert code == 0, log.read_text()[-2000:]
    assert "skinbot web stopped" in log.read_text()
    assert ("through llama.cpp" in log.read_text()) == (writer == "llama")


async def test_the_desk_without_a_token_is_refused(tmp_path: Path) -> None:
    api = FakeBotApi(TOKEN)
    env = {
        k: v
        for k, v in bot_env(
            api, tmp_path / "var", SKINBOT_REVIEW_CHAT_ID=f"{CLINIC}:{CLINIC_NAME}:vi"
        ).items()
        if k != "TELEGRAM_BOT_TOKEN"
    }
    done = run_to_end(env, "web", timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "skinbot: the review desk tells patients their verdicts over Telegram: set TELEGRAM_BOT_TOKEN, or "
        "leave SKINBOT_REVIEW_CHAT_ID empty to serve the API alone"
    ]


async def test_a_verdict_given_at_the_desk_alone_reaches_the_patient(
    harness: Harness, trained_classifier_weights: Path, tiny_gemma_dir: Path, tmp_path: Path
) -> None:
    # The bot takes a case and sends it to the clinic; then it stops and `skinbot web` runs alone.
    patient, case_id, review = await routine_case_at_the_desk(harness, 811, "vi")
    staff = await harness.services.store.staff.add(CLINIC, "Dr Lan", Language.VI)
    token = await harness.services.store.staff.new_link(staff.id, timedelta(hours=1))
    await harness.stop()

    port = free_port()
    env = bot_env(
        harness.api,
        harness.settings.data_dir,
        SKINBOT_CLASSIFIER=str(trained_classifier_weights),
        SKINBOT_LLM=str(tiny_gemma_dir),
        SKINBOT_WEB_PORT=str(port),
        SKINBOT_REVIEW_CHAT_ID=f"{CLINIC}:{CLINIC_NAME}:vi,{OTHER}:{OTHER_NAME}:ko",
    )
    log = tmp_path / "web.log"
    before = len(harness.api.calls)
    process = start_bot(env, log, "web")
    try:
        url = f"http://127.0.0.1:{port}"
        await serving(url, process, log)
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            assert (await http.post(f"/desk/login/{token}")).status_code == 303
            page = await http.get(f"/desk/cases/{review.id}")
            csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            decided = await http.post(
                f"/desk/cases/{review.id}/verdict", data={"csrf": csrf, "verdict": "urgent"}
            )
            assert decided.status_code == 303
        await harness.wait_key(
            patient,
            "vi",
            "review-verdict",
            clinic=CLINIC_NAME,
            case=case_id[:8],
            date=datetime.now(UTC).date().isoformat(),
            verdict=harness.t("vi", "verdict-urgent"),
        )
        assert not any(c.method == "getUpdates" for c in harness.api.calls[before:])  # it never polls
    finally:
        code = stop(process) if process.poll() is None else process.returncode
    assert code == 0, log.read_text()[-2000:]
