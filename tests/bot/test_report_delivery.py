"""From Confirm to PDF through the real bot, queue and classifier, with the fake Bot API.

The language model is either the tiny random Gemma 3 (real loading and generation code) or a
scripted token source whose text is known in advance, so the chat side can be checked exactly.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.delivery import Delivery
from bot.services import Services
from inference.report_model import ReportModel
from inference.worker import ReportWriter
from skinbot.app import default_pipeline
from skinbot.settings import Settings
from testkit.bot_api_rules import visible_text
from testkit.fake_bot_api import Call
from testkit.fake_user import FakeUser
from testkit.sent_messages import SentMessage
from tests.bot.helpers import (
    agree,
    answer_until_summary,
    button,
    confirm,
    new_photo_to_summary,
    photos_unchecked_at_upload,
)
from tests.bot.starts import agreed_user
from tests.conftest import Harness
from tests.fakes import ScriptedWriter


def use_models(
    h: Harness, classifier: Path, writer: Callable[[Settings], ReportWriter], **settings: object
) -> None:
    h.settings = dataclasses.replace(h.settings, classifier=classifier, **settings)

    def factory(s: Settings, services: Services, app) -> Delivery:
        return default_pipeline(s, services, app, writer(s))  # the production wiring

    h.pipeline_factory = factory


async def start_scripted(
    h: Harness, classifier: Path, text: str, delay: float = 0.0, **settings: object
) -> None:
    """The bot started on the real classifier and a writer whose every report is `text`, a token each
    `delay` seconds."""
    use_models(h, classifier, lambda s: ScriptedWriter(script=lambda r: text, token_delay=delay), **settings)
    await h.start()


async def run_case(h: Harness, user: FakeUser, lang: str, photo: bytes, report_language: str = "en") -> str:
    await agree(h, user, lang)
    summary = await answer_until_summary(h, user, lang, photo, report_language=report_language)
    return await confirm(h, user, lang, summary)


async def wait_pdf(h: Harness, user: FakeUser, timeout: float = 60) -> SentMessage:
    await h.wait_until(lambda: any(m.document is not None for m in user.inbox()), timeout)
    return next(m for m in user.inbox() if m.document is not None)


def shows(h: Harness, user: FakeUser, fragment: str) -> bool:
    """Whether the user can see `fragment` in the chat: in a message, or in a draft being streamed."""
    return any(fragment in (m.text or "") for m in user.inbox()) or any(
        fragment in d.text for d in h.api.visible_drafts(user.id)
    )


def scores_message(h: Harness, messages: list[SentMessage], lang: str) -> SentMessage:
    """The classification message: the heatmap's caption, or a text message without a heatmap."""
    title = h.t(lang, "classification-title")
    return next(m for m in reversed(messages) if title in (m.text or m.caption or ""))


def report_messages(h: Harness, user: FakeUser, lang: str) -> list[SentMessage]:
    """The messages between the classification message and the PDF: the streamed report."""
    inbox = user.inbox()
    start = inbox.index(scores_message(h, inbox, lang)) + 1
    out = []
    for m in inbox[start:]:
        if m.document is not None or (
            m.text and m.text.startswith(h.t(lang, "report-failed", reason="@").split("(")[0])
        ):
            break
        if m.text in (
            h.t(lang, "report-cancelled"),
            h.t(lang, "report-cut-length"),
            h.t(lang, "report-cut-repetition"),
        ):
            break
        out.append(m)
    return out


def joined(messages: list[SentMessage]) -> str:
    return "".join(visible_text(m.text or "", m.parse_mode) for m in messages)


def assert_holds_exactly(messages: list[SentMessage], source: str) -> None:
    """Each message shows an exact, consecutive slice of the source; between slices only whitespace
    may be missing, because Telegram trims a message's outer whitespace."""
    pos = 0
    for m in messages:
        shown = visible_text(m.text or "", m.parse_mode)
        start = pos + len(source[pos:]) - len(source[pos:].lstrip())
        assert source[start : start + len(shown)] == shown, (start, shown[:80])
        pos = start + len(shown)
        # Never inside a word: a cut sits next to whitespace.
        assert pos >= len(source) or source[pos - 1].isspace() or source[pos].isspace(), source[
            pos - 20 : pos + 20
        ]
    assert source[pos:].strip() == ""


@pytest.mark.parametrize("lang", ["ko", "en", "vi"])
async def test_full_case_on_tiny_models(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path, tiny_gemma_dir: Path, lang: str
) -> None:
    use_models(
        harness,
        trained_classifier_weights,
        lambda s: ReportModel(tiny_gemma_dir, device="cpu", max_new_tokens=24),
        max_new_tokens=24,
    )
    await harness.start()
    user = harness.api.user(401, lang)
    case_id = await run_case(harness, user, lang, photo_bytes, report_language=lang)
    pdf_message = await wait_pdf(harness, user)

    # The classification message lists all six classes with percentages.
    scores = scores_message(harness, user.inbox(), lang)
    assert scores.photo is not None  # on the Grad-CAM heatmap, with what its colours mean
    assert scores.caption is not None and harness.t(lang, "heatmap-explained") in scores.caption
    for label in ("acne", "carcinoma", "eczema", "keratosis", "milia", "rosacea"):
        assert harness.t(lang, f"label-{label}") in scores.caption
    case = await harness.wait_case(user.id, case_id, "done")
    assert case.report is not None
    # The chat holds the stored report text, and the PDF is named and captioned as specified.
    assert pdf_message.document_name == f"skin-report-{case_id[:8]}-{case.created_at.date().isoformat()}.pdf"
    assert pdf_message.caption == harness.t(lang, "pdf-caption", case=case_id[:8])
    text = "".join(PdfReader(io.BytesIO(pdf_message.document)).pages[0].extract_text() for _ in [0])
    assert "Henry Nguyen" in text
    assert harness.services.files.pdf_path(user.id, case_id).read_bytes() == pdf_message.document


async def _scripted_case(
    harness: Harness,
    photo: bytes,
    weights: Path,
    text: str,
    lang: str = "en",
    delay: float = 0.0,
    unchecked: bool = False,
    **settings,
) -> tuple[FakeUser, str]:
    """`unchecked`: the photo skips the checks at upload, so the worker's gates decide."""
    await start_scripted(harness, weights, text, delay, **settings)
    if unchecked:
        photos_unchecked_at_upload(harness)
    user = harness.api.user(402, lang)
    case_id = await run_case(harness, user, lang, photo)
    return user, case_id


async def _writing_case(
    harness: Harness, photo: bytes, weights: Path, words: str, times: int
) -> tuple[FakeUser, str]:
    """A case whose report is `words` said `times` over, slowly: under way once the chat shows the words."""
    user, case_id = await _scripted_case(harness, photo, weights, f"{words} " * times, delay=0.01)
    await harness.wait_until(lambda: shows(harness, user, words), 30)
    return user, case_id


async def test_long_report_splits_exactly_and_paces_edits(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    sentence = "The lesion shows uniform colour and regular borders without scaling or crusting."
    source = "\n\n".join(" ".join([sentence] * 6) for _ in range(25))  # about 12,000 characters, plain text
    assert len(source) > 10_000
    user, _ = await _scripted_case(
        harness,
        photo_bytes,
        trained_classifier_weights,
        source,
        delay=0.0005,
        edit_interval_s=0.3,
        stream_mode="edit",
    )
    await wait_pdf(harness, user)
    messages = report_messages(harness, user, "en")
    assert len(messages) >= 3
    assert all(len(visible_text(m.text or "", m.parse_mode)) <= 4096 for m in messages)
    assert_holds_exactly(messages, source)
    # Pacing from the fake server's timestamps: no two edits of one message closer than the interval.
    for m in messages:
        gaps = [b - a for a, b in zip(m.edits, m.edits[1:], strict=False)]
        assert all(gap >= 0.3 - 0.02 for gap in gaps), gaps
    assert "▌" not in joined(messages)


async def test_flood_control_mid_stream_loses_nothing(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    source = "\n\n".join(f"Paragraph {i}: " + " ".join(["steady words"] * 30) for i in range(6))
    writer = ScriptedWriter(script=lambda r: source, token_delay=0.01)
    use_models(harness, trained_classifier_weights, lambda s: writer, edit_interval_s=0.2, stream_mode="edit")
    await harness.start()
    harness.api.inject(
        "editMessageText", status=429, description="Too Many Requests: retry after 1", retry_after=1
    )
    user = harness.api.user(403, "en")
    await run_case(harness, user, "en", photo_bytes)
    await wait_pdf(harness, user)
    assert any(c.error and c.error[0] == 429 for c in harness.api.calls_of("editMessageText"))
    messages = report_messages(harness, user, "en")
    assert_holds_exactly(messages, source)
    texts = [m.text for m in user.inbox() if m.text]
    assert len(texts) == len(set(texts)), "a message was sent twice"
    # After the 429 the chat's edit interval doubled.
    pacer = harness.services.pipeline.pacer  # type: ignore[attr-defined]
    assert pacer.interval(user.id) == pytest.approx(0.4)


async def test_a_late_status_edit_never_overwrites_the_finished_state(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    # Telegram holds the "writing" status edit back (429, retry after 3 s) while a short report is written
    # and its PDF sent: the edit must not land after the end and leave "Writing the report…" for good.
    await start_scripted(harness, trained_classifier_weights, "Short.")
    writing = harness.t("en", "writing")
    harness.api.inject(
        "editMessageText",
        status=429,
        description="Too Many Requests: retry after 3",
        retry_after=3,
        match=lambda p: p["text"] == writing,
    )
    user = harness.api.user(409, "en")
    await run_case(harness, user, "en", photo_bytes)
    pdf = await wait_pdf(harness, user)
    done = harness.t("en", "status-done")
    await harness.wait_until(lambda: any(m.text == done for m in user.inbox()))
    await asyncio.sleep(4)  # past the time the held edit would have been tried again
    [status] = [m for m in user.inbox() if m.text == done]
    assert status.message_id < pdf.message_id  # the status message itself, edited: not a new one
    assert not any(m.text == writing for m in user.inbox())
    late = [
        c
        for c in harness.api.calls_of("editMessageText")
        if c.params["text"] == writing and c.error is None and c.at > pdf_sent(harness, user).at
    ]
    assert late == []


def pdf_sent(h: Harness, user: FakeUser) -> Call:
    return next(c for c in h.api.calls_of("sendDocument") if c.params["chat_id"] == user.id)


async def test_markup_and_special_characters(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    source = (
        "## 1. Visual observations\n- redness < 2 cm & mild *scaling* with snake_case_words\n"
        "- **bold** and an **unclosed bold\n\n## 2. Recommended care\nUse <b>this</b> & that_ _thing.\n"
    )
    user, _ = await _scripted_case(harness, photo_bytes, trained_classifier_weights, source)
    await wait_pdf(harness, user)
    [message] = report_messages(harness, user, "en")
    assert message.parse_mode == "HTML"  # the fake accepted it, so the HTML was balanced and escaped
    shown = visible_text(message.text, message.parse_mode)
    for fragment in (
        "redness < 2 cm & mild",
        "snake_case_words",
        "<b>this</b> & that_ _thing",
        "unclosed bold",
    ):
        assert fragment in shown


async def test_failure_keeps_partial_text_and_retry_works(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    writer = ScriptedWriter(
        script=lambda r: "Partial words here " * 10, fail_with=RuntimeError("boom"), fail_after_tokens=4
    )
    use_models(harness, trained_classifier_weights, lambda s: writer)
    await harness.start()
    user = harness.api.user(404, "vi")
    case_id = await run_case(harness, user, "vi", photo_bytes)
    head = harness.t("vi", "report-failed", reason=harness.t("vi", "failure-error"))
    failure = await harness.wait_text(user, head, timeout=30)
    partial = report_messages(harness, user, "vi")
    assert joined(partial) == "Partial words here Partial "  # 4 tokens, cursor removed
    case = await harness.services.store.cases.get(user.id, case_id)
    assert case is not None and case.status == "failed"

    writer.fail_with = None
    await user.press(failure, button(failure, "retry", case_id))
    await harness.wait_key(user, "vi", "retry-started")
    await wait_pdf(harness, user)
    case = await harness.wait_case(user.id, case_id, "done")
    assert case.attempts == 2


async def test_cancel_during_generation(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    user, case_id = await _writing_case(harness, photo_bytes, trained_classifier_weights, "slow words", 2000)
    await user.send("/cancel")
    await harness.wait_key(user, "en", "report-cancelled")
    case = await harness.services.store.cases.get(user.id, case_id)
    assert case is not None and case.status == "cancelled"
    assert not any(m.document for m in user.inbox())
    assert [m.text for m in user.inbox()].count(harness.t("en", "report-cancelled")) == 1


async def test_bad_photo_quality_asks_for_another_right_away(
    harness: Harness, trained_classifier_weights: Path
) -> None:
    from PIL import Image

    dark = io.BytesIO()
    Image.new("RGB", (800, 600), (4, 4, 4)).save(dark, "JPEG")
    # Turned back at upload now (tests/bot/test_upload_checks.py); the worker still checks a photo that was
    # not, and reopens the intake at the photos.
    user, case_id = await _scripted_case(
        harness, dark.getvalue(), trained_classifier_weights, "never written", unchecked=True
    )
    await harness.wait_until(
        lambda: any(m.text and m.text.startswith(harness.t("en", "quality-rejected")) for m in user.inbox()),
        30,
    )
    rejection = next(
        m for m in user.inbox() if m.text and m.text.startswith(harness.t("en", "quality-rejected"))
    )
    assert harness.t("en", "quality-too-dark") in rejection.text
    assert harness.t("en", "quality-too-dark-tip") in rejection.text
    case = await harness.services.store.cases.get(user.id, case_id)
    assert case is not None and case.status == "rejected"
    # Another photo, and then "Done", go straight back to the summary: the other answers were kept.
    from testkit.skin_photos import skin_photo

    await new_photo_to_summary(harness, user, skin_photo(seed=3))


async def test_restart_during_generation_regenerates_once(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    user, case_id = await _writing_case(harness, photo_bytes, trained_classifier_weights, "long text", 300)
    await harness.restart()  # the process stopped mid-generation; the new one finds the case 'running'
    await harness.wait_key(user, "en", "regenerating")
    await wait_pdf(harness, user)
    await harness.wait_case(user.id, case_id, "done")
    cases = await harness.services.store.cases.recent(user.id)
    assert [c.id for c in cases] == [case_id]  # not lost, not duplicated
    assert cases[0].attempts == 2
    assert sum(m.document is not None for m in user.inbox()) == 1


@pytest.mark.parametrize(("mode", "method"), [("edit", "editMessageText"), ("draft", "sendMessage")])
async def test_formatting_refused_falls_back_to_plain_text(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path, mode: str, method: str
) -> None:
    source = "## Care\n- keep the skin moisturised\n- avoid scratching"
    await start_scripted(harness, trained_classifier_weights, source, stream_mode=mode)
    harness.api.inject(
        method,
        status=400,
        description="Bad Request: can't parse entities: unsupported start tag",
        match=lambda params: params.get("parse_mode") == "HTML",
    )
    user = harness.api.user(405, "en")
    await run_case(harness, user, "en", photo_bytes)
    await wait_pdf(harness, user)
    [message] = report_messages(harness, user, "en")
    assert message.parse_mode is None and message.text == source
    assert any(c.error and c.params.get("parse_mode") == "HTML" for c in harness.api.calls_of(method))


async def test_cases_lists_and_resends_the_pdf(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    user, case_id = await _scripted_case(
        harness, photo_bytes, trained_classifier_weights, "Short report.", lang="ko"
    )
    first_pdf = await wait_pdf(harness, user)
    await user.send("/cases")
    await harness.wait_until(
        lambda: any(m.text and m.text.startswith(harness.t("ko", "cases-title")) for m in user.inbox())
    )
    listing = next(m for m in user.inbox() if m.text and m.text.startswith(harness.t("ko", "cases-title")))
    assert "Henry Nguyen" in listing.text
    count = sum(m.document is not None for m in user.inbox())
    await user.press(listing, button(listing, "pdf", case_id))
    await harness.wait_until(lambda: sum(m.document is not None for m in user.inbox()) == count + 1)
    resent = [m for m in user.inbox() if m.document is not None][-1]
    assert resent.document == first_pdf.document and resent.document_name == first_pdf.document_name

    # Someone else pressing a forged button for this case gets nothing.
    stranger = await agreed_user(harness, 406)
    from bot.callbacks import Action, Callback

    await stranger.press(stranger.inbox()[-1], Callback(Action.PDF, case_id, stranger.id).pack())
    await harness.wait_key(stranger, "en", "case-pdf-missing")
    assert not any(m.document for m in stranger.inbox())
