"""The report streamed as native drafts (sendMessageDraft) in private chats, paced edits where drafts are
refused, and what makes the wait feel short: the heatmap, chat actions, the expected wait, the Stop button.

The real bot, queue and classifier run against the fake Bot API; the report text is scripted, so every
message can be checked exactly against what the model wrote.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.delivery import Delivery
from bot.services import Services
from bot.wait_estimate import wait_text
from casework.report_markup import split_summary, to_telegram_html
from conversations.domain import Case
from inference.classifier import SkinClassifier
from inference.model_queue import ModelQueue
from inference.worker import ModelWorker
from skinbot.inference_setup import quality_thresholds
from skinbot.settings import Settings
from testkit.bot_api_rules import visible_text
from testkit.fake_user import FakeUser
from testkit.sent_messages import SentMessage
from tests.bot.helpers import agree, answer_until_summary, confirm
from tests.bot.starts import agreed_user, started_with_agreed_user
from tests.bot.test_report_delivery import (
    assert_holds_exactly,
    report_messages,
    run_case,
    scores_message,
    shows,
    use_models,
    wait_pdf,
)
from tests.conftest import Harness
from tests.fakes import ScriptedWriter

SOURCES = {
    "en": (
        "## Summary\nThe photo most likely shows mild eczema. It is not urgent: keep the skin moisturised "
        "and see a doctor if it spreads.\n\n"
        "## 1. Visual observations\n- A dry, red, slightly scaly patch on the forearm, about 3 cm wide.\n"
        "- Borders are irregular but not raised; no crusting & no bleeding.\n\n"
        "## 2. Differential considerations\n- Eczema fits the dryness and the itch.\n"
        "- Contact dermatitis is possible if a new soap was used.\n\n"
        "## 3. Recommended care\n- Use a fragrance-free moisturiser twice a day.\n- Avoid scratching.\n\n"
        "## 4. When to see a doctor\nUrgency: routine\n- Swelling, pus or fever.\n\n"
        "## 5. Reminder\nThis is pre-screening, not a diagnosis; it does not replace a doctor's examination."
    ),
    "ko": (
        "## 요약\n사진은 가벼운 습진일 가능성이 가장 높습니다. 급하지 않으니 보습을 하고, 번지면 진료를 "
        "받으십시오.\n\n"
        "## 1. 육안 소견\n- 팔뚝에 약 3 cm 크기의 건조하고 붉으며 약간 각질이 있는 반점이 있습니다.\n"
        "- 경계는 불규칙하지만 솟아 있지 않고, 딱지나 출혈은 없습니다.\n\n"
        "## 2. 감별 고려 사항\n- 건조함과 가려움은 습진에 맞습니다.\n- 새 비누를 썼다면 접촉 피부염도 "
        "가능합니다.\n\n"
        "## 3. 권장 관리\n- 향이 없는 보습제를 하루 두 번 바르십시오.\n- 긁지 마십시오.\n\n"
        "## 4. 진료가 필요한 시점\n긴급도: 일반 진료\n- 붓기, 고름 또는 열이 나면 진료를 받으십시오.\n\n"
        "## 5. 안내\n이 보고서는 진단이 아니며 의사의 진찰을 대신하지 않습니다."
    ),
    "vi": (
        "## Tóm tắt\nẢnh có khả năng cao nhất là chàm nhẹ. Không khẩn cấp: hãy dưỡng ẩm và đi khám nếu "
        "vùng da lan rộng.\n\n"
        "## 1. Quan sát hình ảnh\n- Một mảng da khô, đỏ, hơi bong vảy ở cẳng tay, rộng khoảng 3 cm.\n"
        "- Bờ không đều nhưng không gồ lên; không đóng vảy và không chảy máu.\n\n"
        "## 2. Các khả năng cần phân biệt\n- Chàm phù hợp với tình trạng khô và ngứa.\n"
        "- Viêm da tiếp xúc có thể xảy ra nếu dùng xà phòng mới.\n\n"
        "## 3. Chăm sóc khuyến nghị\n- Dùng kem dưỡng ẩm không mùi hai lần mỗi ngày.\n- Tránh gãi.\n\n"
        "## 4. Khi nào cần đi khám\nMức độ khẩn cấp: khám định kỳ\n- Sưng, mủ hoặc sốt.\n\n"
        "## 5. Lưu ý\nĐây là sàng lọc sơ bộ, không phải chẩn đoán; không thay thế việc khám với bác sĩ."
    ),
}


def formatted(source: str) -> list[str]:
    """The final messages a report with a summary must end as: the summary in bold, then the rest."""
    summary, rest = split_summary(source)
    assert summary and rest and summary + rest == source
    return [to_telegram_html(summary, bold=True), to_telegram_html(rest)]


def scripted(source: str, delay: float = 0.008) -> Callable[[Services], ScriptedWriter]:
    return lambda s: ScriptedWriter(script=lambda r: source, token_delay=delay)


def stop_buttons(message: SentMessage) -> list[dict[str, Any]]:
    return [b for b in message.buttons() if b.get("callback_data", "").startswith("stop|")]


def assert_grows_in_place(h: Harness, chat_id: int) -> None:
    """Each draft id only ever grew (so Telegram animates it), and none expired while it was shown."""
    drafts = h.api.drafts_in(chat_id)
    assert drafts, "no draft was streamed"
    for draft in drafts:
        texts = [text for _, text in draft.updates]
        for before, after in itertools.pairwise(texts):
            assert after.startswith(before), (before[-40:], after[-40:])
        assert draft.expired == 0


def refuse_drafts(
    h: Harness, status: int, description: str, when: Callable[[dict[str, Any]], bool], **fault: Any
) -> None:
    """sendMessageDraft answers `status` with `description` to each draft that `when` picks."""
    h.api.inject("sendMessageDraft", status=status, description=description, match=when, **fault)


class StallingWriter(ScriptedWriter):
    """Stops for `stall_s` after `stall_at` tokens, as a slow model or a busy GPU would."""

    def __init__(self, source: str, stall_at: int, stall_s: float, delay: float = 0.003) -> None:
        super().__init__(script=lambda r: source, token_delay=delay)
        self.stall_at, self.stall_s = stall_at, stall_s

    def generate(self, requests, images, on_delta, should_stop=lambda row: False, on_restart=None):  # type: ignore[no-untyped-def]
        count = 0

        def delta(row: int, text: str) -> None:
            nonlocal count
            count += 1
            if count == self.stall_at:
                time.sleep(self.stall_s)
            on_delta(row, text)

        return super().generate(requests, images, delta, should_stop, on_restart)


class RetryingWriter(ScriptedWriter):
    """An engine retry: `first` tokens of the text, then the text is void and written again in full."""

    def __init__(self, source: str, first: int, delay: float = 0.003) -> None:
        super().__init__(script=lambda r: source, token_delay=delay)
        self.first = first

    def generate(self, requests, images, on_delta, should_stop=lambda row: False, on_restart=None):  # type: ignore[no-untyped-def]
        from tests.fakes import _tokens

        assert on_restart is not None
        for token in _tokens(self.script(requests[0]))[: self.first]:
            on_delta(0, token)
            time.sleep(self.token_delay)
        on_restart(0)
        return super().generate(requests, images, on_delta, should_stop, on_restart)


# --- private chats: drafts ----------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "user_id"), [("ko", 1501), ("en", 1502), ("vi", 1503)])
async def test_a_private_chat_sees_an_animated_draft_that_ends_as_messages(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path, lang: str, user_id: int
) -> None:
    source = SOURCES[lang]
    use_models(harness, trained_classifier_weights, scripted(source), edit_interval_s=0.1)
    await harness.start()
    user = harness.api.user(user_id, lang)
    case_id = await run_case(harness, user, lang, photo_bytes, report_language=lang)
    pdf = await wait_pdf(harness, user)

    # The report ends as real messages holding exactly the model's text: first the short analysis in
    # bold, then the full report, each sent once and never edited.
    messages = report_messages(harness, user, lang)
    assert [m.text for m in messages] == formatted(source)
    assert all(m.parse_mode == "HTML" and not m.edits for m in messages)
    assert messages[0].text.startswith("<b>")
    # Before it, the report grew as drafts: the "Thinking…" placeholder, then the text, animated in place.
    drafts = harness.api.drafts_in(user.id)
    assert drafts[0].updates[0][1] == ""
    assert sum(len(d.updates) for d in drafts) > 3
    assert_grows_in_place(harness, user.id)
    assert all(c.error is None for c in harness.api.calls_of("sendMessageDraft"))
    # The scores came on the heatmap, with the Stop button while the report was written; it is gone now.
    scores = scores_message(harness, user.inbox(), lang)
    assert scores.photo is not None and harness.t(lang, "heatmap-explained") in (scores.caption or "")
    [photo_call] = [c for c in harness.api.calls_of("sendPhoto") if c.params["chat_id"] == user.id]
    [stop] = [b for row in photo_call.params["reply_markup"]["inline_keyboard"] for b in row]
    assert stop["text"] == harness.t(lang, "btn-stop") and stop["callback_data"].split("|")[1] == case_id
    assert stop_buttons(scores) == []
    # "typing" while the report was written, "sending a file" just before the PDF.
    actions = [(a, at) for chat, a, at in harness.api.actions if chat == user.id]
    first_report = min(
        c.at for c in harness.api.calls_of("sendMessageDraft") if c.params["chat_id"] == user.id
    )
    assert any(a == "typing" and at <= first_report + 0.5 for a, at in actions)
    [pdf_call] = [c for c in harness.api.calls_of("sendDocument") if c.error is None]
    assert actions[-1][0] == "upload_document" and actions[-1][1] <= pdf_call.at
    assert pdf.document is not None
    await harness.wait_case(user.id, case_id, "done")
    assert await harness.services.store.stream_messages.of_case(case_id) == []


async def test_a_report_longer_than_4096_streams_one_draft_per_message(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    sentence = "The lesion shows uniform colour and regular borders without scaling or crusting."
    source = "\n\n".join(" ".join([sentence] * 6) for _ in range(25))  # about 12,000 characters
    use_models(harness, trained_classifier_weights, scripted(source, 0.0005), edit_interval_s=0.2)
    await harness.start()
    user = harness.api.user(1504, "en")
    await run_case(harness, user, "en", photo_bytes)
    await wait_pdf(harness, user)
    messages = report_messages(harness, user, "en")
    assert len(messages) >= 3
    assert all(len(visible_text(m.text or "", m.parse_mode)) <= 4096 and not m.edits for m in messages)
    assert_holds_exactly(messages, source)
    drafts = harness.api.drafts_in(user.id)
    # One draft id per message-sized piece; the last piece may go straight to its message when the report
    # ends before its draft's turn.
    assert len(messages) - 1 <= len({d.draft_id for d in drafts}) <= len(messages)
    assert_grows_in_place(harness, user.id)
    for draft in drafts:  # each draft shows the start of its own piece, never another piece's text
        assert any(visible_text(m.text or "", m.parse_mode).startswith(draft.text.strip()) for m in messages)


async def test_flood_control_on_drafts_waits_and_slows_the_chat(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    source = SOURCES["en"]
    use_models(harness, trained_classifier_weights, scripted(source, 0.01), edit_interval_s=0.2)
    await harness.start()
    refuse_drafts(
        harness, 429, "Too Many Requests: retry after 1", lambda p: bool(p.get("text")), retry_after=1
    )
    user = harness.api.user(1505, "en")
    await run_case(harness, user, "en", photo_bytes)
    await wait_pdf(harness, user)
    assert any(c.error and c.error[0] == 429 for c in harness.api.calls_of("sendMessageDraft"))
    assert [m.text for m in report_messages(harness, user, "en")] == formatted(source)
    pacer = harness.services.pipeline.pacer  # type: ignore[attr-defined]
    assert pacer.interval(user.id) == pytest.approx(0.4)
    assert harness.services.pipeline.streams.drafts_for(user.id)  # type: ignore[attr-defined]


async def test_a_draft_is_refreshed_before_it_expires(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    source = SOURCES["en"]
    writer = StallingWriter(source, stall_at=12, stall_s=2.5)
    use_models(harness, trained_classifier_weights, lambda s: writer, edit_interval_s=0.1)
    await harness.start()
    harness.api.draft_lifetime_s = 1.0  # Telegram's 30 s, shortened; the bot refreshes at 0.4 s
    harness.services.pipeline.streams.draft_refresh_s = 0.4  # type: ignore[attr-defined]
    user = harness.api.user(1506, "en")
    await run_case(harness, user, "en", photo_bytes)
    await wait_pdf(harness, user)
    assert_grows_in_place(harness, user.id)  # never expired, though no word came for 2.5 s
    refreshed = [
        d
        for d in harness.api.drafts_in(user.id)
        if any(a[1] == b[1] for a, b in itertools.pairwise(d.updates))
    ]
    assert refreshed, "the stalled draft was not sent again"
    assert [m.text for m in report_messages(harness, user, "en")] == formatted(source)


async def test_an_engine_retry_clears_what_the_drafts_showed(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    source = SOURCES["en"]
    summary, _ = split_summary(source)
    first = len(summary.split()) + 8  # past the summary, which is a message by then
    use_models(
        harness, trained_classifier_weights, lambda s: RetryingWriter(source, first), edit_interval_s=0.1
    )
    await harness.start()
    user = harness.api.user(1507, "en")
    await run_case(harness, user, "en", photo_bytes)
    await wait_pdf(harness, user)
    assert [m.text for m in report_messages(harness, user, "en")] == formatted(source)
    gone = [m for m in harness.api.messages.values() if m.chat_id == user.id and m.deleted]
    assert [m.text for m in gone] == [formatted(source)[0]]  # the first attempt's summary, deleted
    assert [m.text for m in user.inbox()].count(formatted(source)[0]) == 1


async def test_a_restart_mid_draft_leaves_the_report_once(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    source = SOURCES["en"] + "\n" + " ".join(["More detail on the reminder."] * 60)
    use_models(harness, trained_classifier_weights, scripted(source, 0.01), edit_interval_s=0.1)
    await harness.start()
    user = harness.api.user(1508, "en")
    case_id = await run_case(harness, user, "en", photo_bytes)
    summary_html = formatted(source)[0]
    await harness.wait_until(lambda: any(m.text == summary_html for m in user.inbox()), 30)
    for _ in range(100):  # the bot records the message just after Telegram has it
        if await harness.services.store.stream_messages.of_case(case_id):
            break
        await asyncio.sleep(0.02)
    assert await harness.services.store.stream_messages.of_case(case_id) != []
    await harness.restart()  # the process stopped mid-report, with the summary already a message
    await harness.wait_key(user, "en", "regenerating")
    await wait_pdf(harness, user)
    assert [m.text for m in report_messages(harness, user, "en")] == formatted(source)
    assert [m.text for m in user.inbox()].count(summary_html) == 1  # the cut-off attempt's copy is gone
    assert sum(m.document is not None for m in user.inbox()) == 1


# --- where drafts are refused: paced edits ----------------------------------------------------------------


async def group_case(h: Harness, user: FakeUser, group: int) -> Case:
    """A case whose chat is a group: the intake is private, so it is stored from the user's intake."""
    if await h.services.store.intakes.load(user.id) is None:
        since = len(user.inbox())
        await user.send("/new")  # the next case, as a health worker starts one
        await h.wait_key(user, "en", "new-case", since=since)
    await answer_until_summary(h, user, "en", photo_bytes_for(user), report_language="en")
    intake = await h.services.store.intakes.load(user.id)
    assert intake is not None
    case = await h.services.store.cases.create(user.id, group, intake.draft, "en")  # type: ignore[arg-type]
    await h.services.store.intakes.clear(user.id)  # as Confirm does: the next case starts afresh
    await h.services.pipeline.submit(case)
    return case


def photo_bytes_for(user: FakeUser) -> bytes:
    from testkit.skin_photos import skin_photo

    return skin_photo(seed=user.id % 7)


def group_report(h: Harness, group: int) -> list[SentMessage]:
    messages = h.api.chat(group)
    start = messages.index(scores_message(h, messages, "en")) + 1
    return [m for m in messages[start:] if m.document is None]


async def wait_group_pdfs(h: Harness, group: int, count: int) -> None:
    await h.wait_until(lambda: sum(m.document is not None for m in h.api.chat(group)) >= count, 60)


async def test_a_clinic_group_gets_paced_edits_remembered_until_restart(
    harness: Harness, trained_classifier_weights: Path
) -> None:
    source = SOURCES["en"]
    use_models(harness, trained_classifier_weights, scripted(source, 0.005), edit_interval_s=0.2)
    await harness.start()
    group = -100_555
    harness.api.add_group(group, "Hanoi Skin Clinic")
    user = await agreed_user(harness, 1511)

    def draft_calls() -> list[Any]:
        return [c for c in harness.api.calls_of("sendMessageDraft") if c.params["chat_id"] == group]

    await group_case(harness, user, group)
    await wait_group_pdfs(harness, group, 1)
    [refused] = draft_calls()
    assert refused.error == (400, "Bad Request: TEXTDRAFT_PEER_INVALID")
    messages = group_report(harness, group)
    assert [m.text for m in messages] == formatted(source)
    assert any(m.edits for m in messages)  # streamed by editing
    for m in messages:
        gaps = [b - a for a, b in zip(m.edits, m.edits[1:], strict=False)]
        assert all(gap >= 0.2 - 0.02 for gap in gaps), gaps
    stop = [b for m in harness.api.chat(group) for b in stop_buttons(m)]
    assert stop == []  # the Stop button rode on the growing message and went with the cursor

    await group_case(harness, user, group)  # the same group again: edits at once, no draft asked
    await wait_group_pdfs(harness, group, 2)
    assert len(draft_calls()) == 1

    await harness.restart()  # forgotten at restart: the group is asked once more
    await group_case(harness, user, group)
    await wait_group_pdfs(harness, group, 3)
    assert len(draft_calls()) == 2


async def test_a_refusal_mid_stream_hands_the_rest_to_edits(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    source = SOURCES["en"]
    summary, rest = split_summary(source)
    assert len(summary) < 200 < len(rest)
    # Slow enough that drafts paced 0.1 s apart pass 200 characters well before the report ends.
    use_models(harness, trained_classifier_weights, scripted(source, 0.02), edit_interval_s=0.1)
    await harness.start()
    refuse_drafts(
        harness,
        400,
        "Bad Request: method is not supported in this chat",
        lambda p: len(p.get("text") or "") > 200,
    )
    user = harness.api.user(1512, "en")
    await run_case(harness, user, "en", photo_bytes)
    await wait_pdf(harness, user)
    calls = harness.api.calls_of("sendMessageDraft")
    assert calls[-1].error is not None and all(c.error is None for c in calls[:-1])
    assert any(c.params.get("text") for c in calls[:-1])  # drafts were showing text before the refusal
    messages = report_messages(harness, user, "en")
    assert [m.text for m in messages] == formatted(source)
    assert not messages[0].edits and messages[1].edits  # the summary as a message, the rest by edits
    assert not harness.services.pipeline.streams.drafts_for(user.id)  # type: ignore[attr-defined]


async def test_an_older_bot_api_server_gets_edits(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    source = SOURCES["vi"]
    use_models(harness, trained_classifier_weights, scripted(source), edit_interval_s=0.1)
    await harness.start()
    harness.api.drafts_supported = False
    user = harness.api.user(1513, "vi")
    await run_case(harness, user, "vi", photo_bytes, report_language="vi")
    await wait_pdf(harness, user)
    [call] = harness.api.calls_of("sendMessageDraft")
    assert call.error is not None and call.error[0] == 404
    assert [m.text for m in report_messages(harness, user, "vi")] == formatted(source)


# --- Stop, the expected wait, the scores without a heatmap -------------------------------------------------


@pytest.mark.parametrize(("mode", "user_id"), [("draft", 1521), ("edit", 1522)])
async def test_stop_cancels_the_report_like_cancel(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path, mode: str, user_id: int
) -> None:
    source = "slow words " * 2000
    use_models(harness, trained_classifier_weights, scripted(source, 0.01), stream_mode=mode)
    await harness.start()
    user = harness.api.user(user_id, "en")
    case_id = await run_case(harness, user, "en", photo_bytes)
    await harness.wait_until(lambda: shows(harness, user, "slow words"), 30)
    await harness.wait_until(lambda: any(stop_buttons(m) for m in user.inbox()))
    holder = next(m for m in user.inbox() if stop_buttons(m))
    # Under the growing report when it is edited; on the scores right above the draft otherwise.
    assert (holder.photo is not None) == (mode == "draft")
    await user.press(holder, stop_buttons(holder)[0]["callback_data"])
    await harness.wait_key(user, "en", "report-cancelled")
    case = await harness.services.store.cases.get(user.id, case_id)
    assert case is not None and case.status == "cancelled"
    assert not any(m.document for m in user.inbox())
    assert not any(stop_buttons(m) for m in user.inbox())
    kept = "".join(visible_text(m.text or "", m.parse_mode) for m in report_messages(harness, user, "en"))
    assert kept.strip() and source.startswith(kept) and "▌" not in kept  # the partial text stays
    # A second press finds nothing to stop, and says so.
    answers = len(harness.api.calls_of("answerCallbackQuery"))
    await user.press(holder, f"stop|{case_id}||{user.id}")
    await harness.wait_until(lambda: len(harness.api.calls_of("answerCallbackQuery")) > answers)
    assert harness.api.calls_of("answerCallbackQuery")[-1].params["text"] == harness.t("en", "stop-too-late")
    assert [m.text for m in user.inbox()].count(harness.t("en", "report-cancelled")) == 1


async def test_the_status_tells_the_expected_wait(harness: Harness, trained_classifier_weights: Path) -> None:
    use_models(harness, trained_classifier_weights, scripted("word " * 80, 0.02), batch=1)
    first = await started_with_agreed_user(harness, 1531)
    await confirm(
        harness, first, "en", await answer_until_summary(harness, first, "en", photo_bytes_for(first))
    )
    await wait_pdf(harness, first)
    average = harness.services.pipeline.job_times.average  # type: ignore[attr-defined]
    assert average is not None and average > 0

    running, waiting = harness.api.user(1532, "en"), harness.api.user(1533, "ko")
    summaries = {}
    for user, lang in ((running, "en"), (waiting, "ko")):
        await agree(harness, user, lang)
        summaries[user.id] = await answer_until_summary(harness, user, lang, photo_bytes_for(user))
    await confirm(harness, running, "en", summaries[running.id])
    await confirm(harness, waiting, "ko", summaries[waiting.id])
    expected = harness.t("ko", "queue-position-eta", position=1, wait=wait_text(harness.t, "ko", average))
    await harness.wait_until(
        lambda: any(
            c.params.get("chat_id") == waiting.id and c.params.get("text") == expected
            for c in harness.api.calls
        ),
        30,
    )
    await wait_pdf(harness, waiting)


@pytest.mark.parametrize("caption_limit", [1024, 40])
async def test_scores_without_a_heatmap_stay_text_and_long_ones_follow_the_photo(
    harness: Harness,
    photo_bytes: bytes,
    trained_classifier_weights: Path,
    monkeypatch: pytest.MonkeyPatch,
    caption_limit: int,
) -> None:
    monkeypatch.setattr("bot.case_delivery.CAPTION_LIMIT", caption_limit)
    explain = caption_limit != 1024  # the first run: no heatmap, as with ONNX weights
    harness.settings = dataclasses.replace(harness.settings, classifier=trained_classifier_weights)

    def factory(settings: Settings, services: Services, app: Any) -> Delivery:
        classifier = SkinClassifier(trained_classifier_weights, device="cpu")
        writer = ScriptedWriter(script=lambda r: SOURCES["en"])
        worker = ModelWorker(
            classifier,
            writer,
            quality_thresholds(settings),
            explain=explain,
            read=services.files.read,
        )
        return Delivery(services, app.bot, ModelQueue(worker, services.store.jobs))

    harness.pipeline_factory = factory
    await harness.start()
    user = harness.api.user(1541 if explain else 1542, "en")
    await run_case(harness, user, "en", photo_bytes)
    await wait_pdf(harness, user)
    scores = scores_message(harness, user.inbox(), "en")
    assert scores.photo is None and scores.text is not None  # the scores as text
    photos = [m for m in user.inbox() if m.photo is not None]
    if explain:  # too long for a caption: the heatmap with its explanation, then the scores
        [photo] = photos
        assert photo.caption == harness.t("en", "heatmap-explained")
        assert user.inbox().index(photo) == user.inbox().index(scores) - 1
    else:
        assert photos == []
    assert [m.text for m in report_messages(harness, user, "en")] == formatted(SOURCES["en"])
