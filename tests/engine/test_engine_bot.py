"""The whole bot against a real OpenAI-compatible engine: fake Bot API, queue, classifier, transformers serve.

The writer is built by the production wiring (SKINBOT_LLM=<url>), and a counting proxy sits between the
bot and the engine, so what the engine received and how many requests overlapped is observed from outside.
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
from pypdf import PdfReader

from inference.prompt import render_system
from skinbot.app import hold_queued
from skinbot.inference_setup import build_writer
from skinbot.settings import Secret
from testkit.fake_user import FakeUser
from tests.bot.test_report_delivery import (
    assert_holds_exactly,
    report_messages,
    run_case,
    use_models,
    wait_pdf,
)
from tests.conftest import Harness
from tests.engine.conftest import IMAGE_MODEL, TEXT_MODEL
from tests.engine.servers import CountingProxy, EngineServer, is_skin_question

API_KEY = "sk-test-7f3a9c1e5b"
HISTORY = "Itchy patches for two weeks"  # what tests.bot.helpers answers for the history


def use_engine(h: Harness, weights: Path, url: str, model: str, tokens: int, **settings: object) -> None:
    use_models(
        h,
        weights,
        build_writer,
        llm=url,
        llm_model=model,
        llm_api_key=Secret(API_KEY),
        max_new_tokens=tokens,
        edit_interval_s=0.05,
        **settings,
    )


async def queue_then_serve(h: Harness, users: list[tuple[FakeUser, str]], photo: bytes) -> list[str]:
    """Confirm every user's case while no model runs, then start the engine pipeline: the queue restores
    them all at once, so they form one batch and their requests compete for the engine."""
    factory, h.pipeline_factory = h.pipeline_factory, hold_queued
    await h.start()
    case_ids = [await run_case(h, user, lang, photo, report_language=lang) for user, lang in users]
    h.pipeline_factory = factory
    await h.restart()
    return case_ids


async def assert_report_shown_once(h: Harness, user: FakeUser, lang: str, case_id: str) -> str:
    case = await h.wait_case(user.id, case_id, "done")
    assert case.report
    messages = report_messages(h, user, lang)
    assert messages, "no report text reached the chat"
    assert_holds_exactly(messages, case.report)
    texts = [m.text for m in user.inbox() if m.text]
    assert len(texts) == len(set(texts)), "a message was sent twice"
    return case.report


async def test_report_streams_from_engine_to_pdf(
    harness: Harness,
    photo_bytes: bytes,
    trained_classifier_weights: Path,
    proxy: CountingProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    use_engine(harness, trained_classifier_weights, proxy.url, IMAGE_MODEL, tokens=300, llm_concurrency=2)
    await harness.start()
    user = harness.api.user(501, "en")
    case_id = await run_case(harness, user, "en", photo_bytes, report_language="en")
    pdf = await wait_pdf(harness, user, timeout=120)

    report = await assert_report_shown_once(harness, user, "en", case_id)
    messages = report_messages(harness, user, "en")
    # A private chat streams into a draft (sendMessageDraft); edits are the fallback.
    shown_while_written = sum(len(m.edits) for m in messages) + sum(
        sum(1 for _, text in d.updates if text) for d in harness.api.drafts_in(user.id)
    )
    assert shown_while_written >= 2, "the report arrived whole instead of streaming"
    assert pdf.document_name.startswith(f"skin-report-{case_id[:8]}")
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.document)).pages)
    assert " ".join(harness.t("en", "pdf-image-not-seen").split()) not in " ".join(pdf_text.split())

    # The skin gate asked the engine about the photo once: the photo and the question, no patient data.
    [question] = [b for b in proxy.bodies if is_skin_question(b)]
    assert not question["stream"] and HISTORY not in json.dumps(question)
    assert [p["type"] for p in question["messages"][-1]["content"]] == ["image_url", "text"]
    # What the engine received: the in-process prompt, the photo as a JPEG data URL, greedy, streamed.
    [body] = [b for b in proxy.bodies if b.get("stream")]
    assert body["model"] == IMAGE_MODEL and body["temperature"] == 0 and body["max_tokens"] == 300
    system, user_turn = body["messages"]
    assert system == {"role": "system", "content": render_system("en")}
    image_part, text_part = user_turn["content"]
    assert image_part["image_url"]["url"].startswith("data:image/jpeg;base64,")
    assert HISTORY in text_part["text"]
    assert report.strip()
    # The key travels in the header and nowhere else; the history never reaches the engine writer's logs.
    assert set(proxy.authorizations) == {f"Bearer {API_KEY}"}
    assert API_KEY not in caplog.text
    assert not [r for r in caplog.records if r.name.startswith("inference") and HISTORY in r.getMessage()]


async def test_three_users_share_two_engine_slots(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path, proxy: CountingProxy
) -> None:
    use_engine(harness, trained_classifier_weights, proxy.url, IMAGE_MODEL, tokens=200, llm_concurrency=2)
    users = [(harness.api.user(510 + i, lang), lang) for i, lang in enumerate(("en", "ko", "vi"))]
    case_ids = await queue_then_serve(harness, users, photo_bytes)
    for user, _ in users:
        await wait_pdf(harness, user, timeout=180)

    assert proxy.streams == 3
    # Three reports in one batch, two engine slots: the limit held, and it was reached.
    assert proxy.max_in_flight == 2
    for (user, lang), case_id in zip(users, case_ids, strict=True):
        await assert_report_shown_once(harness, user, lang, case_id)


async def test_stream_cut_mid_way_restarts_without_duplicate_text(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path, proxy: CountingProxy
) -> None:
    # 300 tokens of the tiny model are ~1,500 characters; the repetition guard releases them ~600 at a time,
    # so by event 200 the user has already seen text from the attempt that is cut.
    use_engine(harness, trained_classifier_weights, proxy.url, IMAGE_MODEL, tokens=300, llm_concurrency=2)
    proxy.cut_after_chunks = 200
    users = [(harness.api.user(520 + i, "en"), "en") for i in range(2)]
    case_ids = await queue_then_serve(harness, users, photo_bytes)
    for user, _ in users:
        await wait_pdf(harness, user, timeout=180)

    assert proxy.cuts == 1
    assert proxy.streams == 3  # two reports, one of them sent again
    # The greedy retry repeats the cut attempt's text; only the restart keeps it from showing twice.
    for (user, lang), case_id in zip(users, case_ids, strict=True):
        await assert_report_shown_once(harness, user, lang, case_id)


async def test_text_only_engine_notes_image_not_seen(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path, text_engine: EngineServer
) -> None:
    use_engine(harness, trained_classifier_weights, text_engine.url, TEXT_MODEL, tokens=60)
    await harness.start()
    user = harness.api.user(530, "en")
    case_id = await run_case(harness, user, "en", photo_bytes, report_language="en")
    pdf = await wait_pdf(harness, user, timeout=120)

    await assert_report_shown_once(harness, user, "en", case_id)
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.document)).pages)
    assert " ".join(harness.t("en", "pdf-image-not-seen").split()) in " ".join(pdf_text.split())
