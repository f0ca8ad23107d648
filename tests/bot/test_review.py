"""The doctors' review loop: patient → clinic → verdict → patient, on the fake Bot API with groups."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.callbacks import Action, Callback
from bot.telegram_channel import TelegramChannel, verdict_data
from casework.review_desk import ReviewDesk
from conversations.domain import Language
from skinbot.check import check_clinics, stored_clinics
from testkit.fake_user import FakeUser
from testkit.sent_messages import SentMessage
from testkit.skin_photos import skin_photo
from tests.bot.helpers import agree, answer_until_summary, button, button_about, confirm
from tests.bot.test_report_delivery import use_models
from tests.conftest import Harness
from tests.fakes import ScriptedWriter

CLINIC, OTHER_CLINIC = -100500, -100600


def setup_clinics(h: Harness, weights: Path, clinics: str) -> None:
    h.api.add_group(CLINIC, "Hanoi Skin Clinic")
    h.api.add_group(OTHER_CLINIC, "Seoul Derm")
    use_models(h, weights, lambda s: ScriptedWriter(script=lambda r: f"## Care\nReport for {r.age}."))
    import dataclasses

    from skinbot.settings import _clinics

    # Any clinic takes any patient here (SKINBOT_CLINIC_ACCESS=all): these tests are about the review loop;
    # who may send where is tested in tests/bot/test_clinic_access.py.
    h.settings = dataclasses.replace(h.settings, review_chats=_clinics(clinics), clinic_access="all")


async def finished_case(
    h: Harness, user: FakeUser, lang: str, name: str = "Henry Nguyen", seed: int = 0
) -> str:
    summary = await answer_until_summary(
        h, user, lang, skin_photo(seed=seed), name=name, report_language=lang
    )
    since = len(user.inbox())
    case_id = await confirm(h, user, lang, summary)
    offer = h.t(lang, "review-offer")
    await h.wait_until(lambda: any(m.text == offer for m in user.inbox()[since:]), 60)
    return case_id


async def send_for_review(h: Harness, user: FakeUser, lang: str, case_id: str, clinic_name: str) -> None:
    offer = next(m for m in user.inbox() if m.text == h.t(lang, "review-offer"))
    await user.press(offer, button(offer, "review", case_id))
    consent = await h.wait_key(user, lang, "review-consent", clinic=clinic_name, count=1)
    await user.press(consent, button(consent, "rvsend", f"{case_id}.1"))  # clinic 1: the first listed
    await h.wait_key(user, lang, "review-sent", clinic=clinic_name, count=1)


async def case_under_review(h: Harness, weights: Path, user_id: int, lang: str) -> tuple[FakeUser, str]:
    """The bot started with one clinic (Hanoi Skin Clinic, in English), and a consenting patient's finished
    case sent to it: the patient and the case id."""
    setup_clinics(h, weights, f"{CLINIC}:Hanoi Skin Clinic:en")
    await h.start()
    patient = h.api.user(user_id, lang)
    await agree(h, patient, lang)
    case_id = await finished_case(h, patient, lang)
    await send_for_review(h, patient, lang, case_id, "Hanoi Skin Clinic")
    return patient, case_id


def clinic_summary(h: Harness, chat_id: int) -> SentMessage:
    return next(m for m in reversed(h.api.chat(chat_id)) if m.text and m.text.startswith("🩺"))


@pytest.mark.parametrize("lang", ["ko", "en", "vi"])
async def test_patient_clinic_verdict_patient(
    harness: Harness, trained_classifier_weights: Path, lang: str
) -> None:
    setup_clinics(harness, trained_classifier_weights, f"{CLINIC}:Hanoi Skin Clinic:vi")
    await harness.start()
    patient, doctor = harness.api.user(501, lang), harness.api.user(901, "vi", "Dr Lan")
    await agree(harness, patient, lang)
    case_id = await finished_case(harness, patient, lang)
    await send_for_review(harness, patient, lang, case_id, "Hanoi Skin Clinic")

    clinic_msgs = harness.api.chat(CLINIC)
    assert any(m.document is not None for m in clinic_msgs)  # the PDF
    summary = clinic_summary(harness, CLINIC)
    assert case_id[:8] in summary.text and "15" in summary.text
    assert all("Henry" not in (m.text or "") for m in clinic_msgs)  # the name is only inside the PDF
    assert len(summary.buttons()) == 4

    await doctor.press(summary, verdict_data((await harness.services.store.reviews.of_case(case_id)).id, "v"))
    day = datetime.now(UTC).date().isoformat()
    verdict = harness.t(lang, "verdict-visit")
    await harness.wait_key(
        patient,
        lang,
        "review-verdict",
        clinic="Hanoi Skin Clinic",
        case=case_id[:8],
        date=day,
        verdict=verdict,
    )
    await harness.wait_until(
        lambda: any(m.text and m.text.startswith("✅") for m in harness.api.chat(CLINIC))
    )

    # /cases shows the verdict, and the re-sent PDF carries it.
    await patient.send("/cases")
    await harness.wait_until(
        lambda: any(
            m.text and harness.t(lang, "case-reviewed", verdict=verdict) in m.text for m in patient.inbox()
        )
    )
    listing = next(
        m for m in reversed(patient.inbox()) if m.text and m.text.startswith(harness.t(lang, "cases-title"))
    )
    before = sum(m.document is not None for m in patient.inbox())
    await patient.press(listing, button(listing, "pdf", case_id))
    await harness.wait_until(lambda: sum(m.document is not None for m in patient.inbox()) == before + 1)
    pdf = [m for m in patient.inbox() if m.document is not None][-1].document
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    stamp = harness.t(lang, "review-stamp", clinic="Hanoi Skin Clinic", date=day, verdict=verdict)
    assert " ".join(stamp.split()) in " ".join(text.split())


async def test_note_is_relayed_in_full(harness: Harness, trained_classifier_weights: Path) -> None:
    patient, case_id = await case_under_review(harness, trained_classifier_weights, 502, "ko")
    doctor = harness.api.user(902, "en", "Dr Kim")
    review = await harness.services.store.reviews.of_case(case_id)
    await doctor.press(clinic_summary(harness, CLINIC), verdict_data(review.id, "n"))
    prompt_text = harness.t("en", "clinic-note-ask", reviewer="Dr Kim", case=case_id[:8], max=1000)
    prompt = await harness.wait_text_in(CLINIC, prompt_text)
    assert prompt.reply_markup and prompt.reply_markup.get("force_reply")

    await doctor.say_in(CLINIC, "x" * 1001, reply_to=prompt)
    await harness.wait_text_in(
        CLINIC, harness.t("en", "clinic-note-too-long", length=1001, max=1000, case=case_id[:8])
    )
    note = (
        "Please apply the cream twice daily & avoid sun <2h>. " * 19
    )  # ~1000 characters, with markup-ish text
    note = note[:1000]
    await doctor.say_in(CLINIC, note, reply_to=prompt)
    await harness.wait_key(patient, "ko", "review-note", note=note)
    await harness.wait_text_in(CLINIC, harness.t("en", "clinic-note-sent", case=case_id[:8]))


async def test_first_verdict_wins(harness: Harness, trained_classifier_weights: Path) -> None:
    patient, case_id = await case_under_review(harness, trained_classifier_weights, 503, "en")
    a, b = harness.api.user(903, "en", "Dr A"), harness.api.user(904, "en", "Dr B")
    review = await harness.services.store.reviews.of_case(case_id)
    summary = clinic_summary(harness, CLINIC)
    answered = len(harness.api.calls_of("answerCallbackQuery"))
    await asyncio.gather(doctor_press(a, summary, review.id, "r"), doctor_press(b, summary, review.id, "u"))
    await harness.wait_until(lambda: len(harness.api.calls_of("answerCallbackQuery")) >= answered + 2)
    verdicts = [m.text for m in patient.inbox() if m.text and m.text.startswith("👩‍⚕️")]
    await asyncio.sleep(0.5)
    verdicts = [m.text for m in patient.inbox() if m.text and m.text.startswith("👩‍⚕️")]
    assert len(verdicts) == 1
    stored = await harness.services.store.reviews.get(review.id)
    loser = "Dr B" if stored.reviewer == "Dr A" else "Dr A"
    refusals = [c.params.get("text") for c in harness.api.calls_of("answerCallbackQuery")[answered:]]
    assert harness.t("en", "clinic-already-answered", reviewer=stored.reviewer) in refusals
    assert loser not in (stored.reviewer or "")


async def doctor_press(doctor: FakeUser, summary: SentMessage, review_id: str, code: str) -> None:
    await doctor.press(summary, verdict_data(review_id, code))


async def test_press_from_a_non_clinic_chat_is_refused(
    harness: Harness, trained_classifier_weights: Path
) -> None:
    setup_clinics(
        harness, trained_classifier_weights, f"{CLINIC}:Hanoi Skin Clinic:en,{OTHER_CLINIC}:Seoul Derm:ko"
    )
    await harness.start()
    patient, intruder = harness.api.user(504, "en"), harness.api.user(905, "en", "Mallory")
    await agree(harness, patient, "en")
    case_id = await finished_case(harness, patient, "en")
    offer = next(m for m in patient.inbox() if m.text == harness.t("en", "review-offer"))
    await patient.press(offer, button(offer, "review", case_id))
    pick = await harness.wait_key(patient, "en", "review-pick-clinic")
    await patient.press(pick, button(pick, "rvpick", f"{case_id}.2"))  # clinic 2: Seoul Derm
    consent = await harness.wait_key(patient, "en", "review-consent", clinic="Seoul Derm", count=1)
    await patient.press(consent, button(consent, "rvsend", f"{case_id}.2"))
    await harness.wait_key(patient, "en", "review-sent", clinic="Seoul Derm", count=1)
    # Only the chosen clinic got the case.
    assert harness.api.chat(CLINIC) == [] and harness.api.chat(OTHER_CLINIC)
    review = await harness.services.store.reviews.of_case(case_id)

    count = len(harness.api.calls_of("answerCallbackQuery"))
    # The same button pressed from a private chat, and from the other (listed) clinic.
    await intruder.press(patient.inbox()[-1], verdict_data(review.id, "u"))
    await intruder.press(harness.api.chat(OTHER_CLINIC)[-1], verdict_data(review.id, "u"))
    fake_other = SentMessage(CLINIC, 1, "x", None)
    await intruder.press(fake_other, verdict_data(review.id, "u"))
    await harness.wait_until(lambda: len(harness.api.calls_of("answerCallbackQuery")) >= count + 3)
    stored = await harness.services.store.reviews.get(review.id)
    assert stored.verdict == "urgent"  # the press inside Seoul Derm's own chat counts
    texts = [c.params.get("text") for c in harness.api.calls_of("answerCallbackQuery")[count:]]
    assert texts.count(harness.t("en", "clinic-not-a-clinic")) == 2


async def test_a_clinic_may_take_verdicts_from_its_registered_staff_only(
    harness: Harness, trained_classifier_weights: Path
) -> None:
    patient, case_id = await case_under_review(harness, trained_classifier_weights, 509, "en")
    store = harness.services.store
    clinic = await store.clinics.by_chat(CLINIC)
    assert clinic is not None
    await store.clinics.set_verdicts_by_staff(clinic.id, True)
    member, doctor = harness.api.user(911, "en", "Group Member"), harness.api.user(912, "en", "Lan N.")
    staff = await store.staff.add(CLINIC, "Dr Lan", Language.EN, telegram_id=doctor.id)
    review = await store.reviews.of_case(case_id)
    summary = clinic_summary(harness, CLINIC)

    # A member of the chat who is not on the staff list: refused, nothing recorded.
    count = len(harness.api.calls_of("answerCallbackQuery"))
    await member.press(summary, verdict_data(review.id, "u"))
    refusal = harness.t("en", "clinic-not-staff", id=str(member.id))
    await harness.wait_until(
        lambda: any(
            c.params.get("text") == refusal for c in harness.api.calls_of("answerCallbackQuery")[count:]
        )
    )
    assert (await store.reviews.get(review.id)).verdict is None  # type: ignore[union-attr]
    # The registered doctor: the verdict counts, under their staff name, in the audit log with their id.
    await doctor.press(summary, verdict_data(review.id, "n"))
    prompt_text = harness.t("en", "clinic-note-ask", reviewer="Dr Lan", case=case_id[:8], max=1000)
    prompt = await harness.wait_text_in(CLINIC, prompt_text)
    stored = await store.reviews.get(review.id)
    assert stored is not None and (stored.verdict, stored.reviewer) == ("note", "Dr Lan")
    [entry] = [e for e in await store.audit.of_clinic(CLINIC) if e.action == "verdict"]
    assert entry.staff_id == staff.id and entry.source == "telegram"
    # The note asked for: only the staff's reply is relayed.
    await member.say_in(CLINIC, "Not from the staff.", reply_to=prompt)
    await harness.wait_text_in(CLINIC, refusal)
    await doctor.say_in(CLINIC, "Apply the cream twice daily.", reply_to=prompt)
    await harness.wait_key(patient, "en", "review-note", note="Apply the cream twice daily.")
    assert not any("Not from the staff." in (m.text or "") for m in patient.inbox())


async def test_reflag_once_after_timeout(harness: Harness, trained_classifier_weights: Path) -> None:
    now = [datetime(2026, 11, 1, 9, 0, tzinfo=UTC)]
    harness.clock = lambda: now[0]
    patient, case_id = await case_under_review(harness, trained_classifier_weights, 505, "en")
    desk = ReviewDesk(harness.services, TelegramChannel(harness.app.bot))
    reflag = harness.t("en", "clinic-reflag", case=case_id[:8])

    now[0] += timedelta(hours=23)
    assert await desk.reflag_due() == 0
    now[0] += timedelta(hours=2)
    assert await desk.reflag_due() == 1
    await harness.wait_text_in(CLINIC, reflag)
    now[0] += timedelta(hours=48)
    assert await desk.reflag_due() == 0  # once only
    assert [m.text for m in harness.api.chat(CLINIC)].count(reflag) == 1
    await patient.send("/cases")
    await harness.wait_until(
        lambda: any(m.text and harness.t("en", "case-waiting-review") in m.text for m in patient.inbox())
    )


async def test_delete_removes_the_pending_review(harness: Harness, trained_classifier_weights: Path) -> None:
    patient, case_id = await case_under_review(harness, trained_classifier_weights, 506, "en")
    doctor = harness.api.user(906, "en", "Dr C")
    review = await harness.services.store.reviews.of_case(case_id)
    await patient.send("/delete")
    ask = await harness.wait_key(patient, "en", "delete-ask")
    await patient.press(ask, button_about(ask, "delete", "yes"))
    await harness.wait_key(patient, "en", "delete-done")
    assert await harness.services.store.reviews.get(review.id) is None
    count = len(harness.api.calls_of("answerCallbackQuery"))
    await doctor.press(clinic_summary(harness, CLINIC), verdict_data(review.id, "r"))
    await harness.wait_until(lambda: len(harness.api.calls_of("answerCallbackQuery")) > count)
    assert not any(m.text and m.text.startswith("👩‍⚕️") for m in patient.inbox())
    assert await ReviewDesk(harness.services, TelegramChannel(harness.app.bot)).reflag_due() == 0


async def test_health_worker_sends_all_unreviewed(harness: Harness, trained_classifier_weights: Path) -> None:
    setup_clinics(harness, trained_classifier_weights, f"{CLINIC}:Hanoi Skin Clinic:en")
    await harness.start()
    worker = harness.api.user(507, "vi")
    await agree(harness, worker, "vi")
    await finished_case(harness, worker, "vi", name="Patient One", seed=1)
    await worker.send("/new")
    await harness.wait_key(worker, "vi", "new-case")
    await finished_case(harness, worker, "vi", name="Patient Two", seed=2)
    await worker.send("/cases")
    label = harness.t("vi", "btn-review-all", count=2)
    try:
        await harness.wait_until(
            lambda: any(any(b["text"] == label for b in m.buttons()) for m in worker.inbox())
        )
    except TimeoutError:
        raise AssertionError([(m.text or "")[:40] for m in worker.inbox()]) from None
    listing = next(m for m in worker.inbox() if any(b["text"] == label for b in m.buttons()))
    assert listing.text.index("Patient Two") < listing.text.index("Patient One")  # grouped, newest first
    await worker.press(listing, button_about(listing, "rvall", "all"))
    consent = await harness.wait_key(worker, "vi", "review-consent", clinic="Hanoi Skin Clinic", count=2)
    # A third patient's case is finished before the Send button of the consent that named two is pressed.
    await worker.send("/new")
    await harness.wait_key(worker, "vi", "ask-follow-up", since=len(worker.inbox()))
    await finished_case(harness, worker, "vi", name="Patient Three", seed=3)
    [send] = [b["callback_data"] for b in consent.buttons() if b["callback_data"].startswith("rvsend|all@")]
    await worker.press(consent, send)
    await harness.wait_key(worker, "vi", "review-sent", clinic="Hanoi Skin Clinic", count=2)
    assert sum(m.document is not None for m in harness.api.chat(CLINIC)) == 2
    # The button shared what its message named and nothing more: the third case is still unsent.
    [left] = await harness.services.store.cases.unreviewed(worker.id)
    assert left.patient_name == "Patient Three"


async def test_check_verifies_clinic_membership(harness: Harness, trained_classifier_weights: Path) -> None:
    setup_clinics(harness, trained_classifier_weights, f"{CLINIC}:Hanoi:en,-100999:Missing:en")
    items = await check_clinics(harness.settings, await stored_clinics(harness.settings))
    assert [(i.name, i.ok) for i in items] == [("clinic Hanoi", True), ("clinic Missing", False)]
    assert "Add the bot" in items[1].detail


def test_forged_owner_cannot_send_someone_elses_case() -> None:
    data = Callback(Action.REVIEW_SEND, "0" * 32 + ".0", 42).pack()
    assert Callback.unpack(data).owner == 42  # checked against the presser by own_press in the router
