"""Every finished case delivers exactly one PDF, whatever happens to the chat or to Telegram on the way;
a verdict always reaches its patient; a button works only in the chat it belongs to."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from bot.callbacks import Action, Callback
from bot.case_delivery import save_heatmap_of
from bot.telegram_channel import verdict_data
from testkit.fake_user import FakeUser
from tests.bot.helpers import answer_until_summary, confirm
from tests.bot.starts import started_with_agreed_user
from tests.bot.test_report_delivery import run_case, start_scripted, use_models, wait_pdf
from tests.bot.test_review import (
    CLINIC,
    case_under_review,
    clinic_summary,
)
from tests.conftest import Harness
from tests.fakes import ScriptedWriter


def pdfs(user: FakeUser) -> int:
    return sum(m.document is not None for m in user.inbox())


async def test_a_deleted_status_message_is_replaced_and_the_pdf_still_comes(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    await start_scripted(harness, trained_classifier_weights, "word " * 40, 0.05, edit_interval_s=0.1)
    user = harness.api.user(1301, "en")
    await run_case(harness, user, "en", photo_bytes)
    analysing = await harness.wait_key(user, "en", "analysing")
    harness.api.messages[(user.id, analysing.message_id)].deleted = True  # the user cleared the chat
    await wait_pdf(harness, user)
    # The status went on in a new message, since the old one could not be edited any more, and ended there.
    done = harness.t("en", "status-done")
    await harness.wait_until(lambda: any(m.text == done for m in user.inbox()))
    assert [m.message_id != analysing.message_id for m in user.inbox() if m.text == done] == [True]
    await asyncio.sleep(1)
    assert pdfs(user) == 1


async def test_telegram_away_for_30_s_during_delivery_still_gives_one_pdf(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    writer = ScriptedWriter(script=lambda r: "word " * 60, token_delay=0.05)
    use_models(harness, trained_classifier_weights, lambda s: writer, edit_interval_s=0.2)
    await harness.start()
    user = harness.api.user(1302, "ko")
    case_id = await run_case(harness, user, "ko", photo_bytes)
    await asyncio.to_thread(writer.started.wait, 60)
    harness.api.outage(30)  # every call fails, getUpdates too, while the report is written and sent
    await harness.wait_case(user.id, case_id, "reported", timeout=60)
    assert pdfs(user) == 0
    await wait_pdf(harness, user, timeout=120)
    await harness.wait_case(user.id, case_id, "done", timeout=30)
    await asyncio.sleep(2)
    assert pdfs(user) == 1


async def test_a_pdf_telegram_took_without_answering_is_not_sent_twice(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    await start_scripted(harness, trained_classifier_weights, "A short report.")
    # Applied, then the answer stalls past the client's read timeout: the bot cannot know it arrived.
    harness.api.inject("sendDocument", 504, "Gateway Timeout", delay=6.0, applied=True)
    user = harness.api.user(1303, "vi")
    case_id = await run_case(harness, user, "vi", photo_bytes)
    await harness.wait_case(user.id, case_id, "done", timeout=90)
    await asyncio.sleep(1)
    assert pdfs(user) == 1
    assert len(harness.api.calls_of("sendDocument")) == 1  # checked, not re-sent
    # The check left the PDF as it was.
    [pdf] = [m for m in user.inbox() if m.document is not None]
    assert pdf.caption == harness.t("vi", "pdf-caption", case=case_id[:8])


async def test_a_cut_report_says_so_in_the_chat_and_the_pdf(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    from pypdf import PdfReader

    writer = ScriptedWriter(script=lambda r: "Findings so far. " * 5, ends_with="length")
    use_models(harness, trained_classifier_weights, lambda s: writer)
    await harness.start()
    user = harness.api.user(1304, "en")
    case_id = await run_case(harness, user, "en", photo_bytes)
    await harness.wait_key(user, "en", "report-cut-length")
    pdf = await wait_pdf(harness, user)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.document)).pages)
    assert " ".join(harness.t("en", "pdf-report-cut").split()[:6]) in " ".join(text.split())
    case = await harness.wait_case(user.id, case_id, "done")
    assert case.report_cut and case.report_end == "length"


async def test_a_verdict_reaches_the_patient_once_telegram_is_back(
    harness: Harness, trained_classifier_weights: Path
) -> None:
    patient, case_id = await case_under_review(harness, trained_classifier_weights, 1305, "ko")
    review = await harness.services.store.reviews.of_case(case_id)
    assert review is not None
    doctor = harness.api.user(9001, "en", first_name="Dr Lee")
    # Every message to the patient fails for now (five retries' worth), and the clinic's edit too.
    harness.api.inject(
        "sendMessage", 502, "Bad Gateway", remaining=5, match=lambda p: p["chat_id"] == patient.id
    )
    harness.api.inject("editMessageReplyMarkup", 502, "Bad Gateway", remaining=5)
    await doctor.press(clinic_summary(harness, CLINIC), verdict_data(review.id, "r"))
    for _ in range(200):
        review = await harness.services.store.reviews.of_case(case_id)
        if review is not None and review.verdict is not None:
            break
        await asyncio.sleep(0.05)
    assert review is not None and review.verdict == "routine" and not review.patient_notified
    day = review.answered_at.date().isoformat()
    verdict_text = harness.t(
        "ko",
        "review-verdict",
        clinic="Hanoi Skin Clinic",
        case=case_id[:8],
        date=day,
        verdict=harness.t("ko", "verdict-routine"),
    )
    await asyncio.sleep(0.5)
    assert not any(m.text == verdict_text for m in patient.inbox())
    assert harness.services.housekeeping is not None
    await harness.services.housekeeping.tick()  # Telegram answers again
    await harness.services.housekeeping.tick()  # a second pass must not tell the patient twice
    assert [m.text for m in patient.inbox()].count(verdict_text) == 1
    assert (await harness.services.store.reviews.of_case(case_id)).patient_notified


async def test_a_patients_button_pressed_in_a_group_reaches_nothing(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    use_models(harness, trained_classifier_weights, lambda s: ScriptedWriter())
    await harness.start()
    user = harness.api.user(1306, "en")
    case_id = await run_case(harness, user, "en", photo_bytes)
    await wait_pdf(harness, user)
    group = -100777
    harness.api.add_group(group, "Family chat")
    in_group = harness.api._new_message(group, text="a message of the bot's in a group", reply_markup=None)
    forged = Callback(Action.PDF, case_id, user.id).pack()  # the user's own id: only the chat is wrong
    await user.press(in_group, forged)
    await asyncio.sleep(1.5)
    assert not any(m.document is not None for m in harness.api.chat(group))


async def test_a_heatmap_of_a_deleted_case_is_not_kept(harness: Harness, photo_bytes: bytes) -> None:
    user = await started_with_agreed_user(harness, 1307)
    summary = await answer_until_summary(harness, user, "en", photo_bytes)
    case_id = await confirm(harness, user, "en", summary)
    case = await harness.services.store.cases.get(user.id, case_id)
    await harness.services.store.erasure.delete_user(user.id)
    await save_heatmap_of(harness.services, case, b"\x89PNG not really")
    assert not harness.services.files.heatmap_path(user.id, case_id).exists()
