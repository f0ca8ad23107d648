"""The clinical workflow end to end over the fake Bot API, in ko, en and vi: several photos a case (one by one
or as an album), the body site, the follow-up of a spot, reminders on a controlled clock, and clinic links.

The classifier is the tiny trained one and the report model a scripted writer that records what it was given,
so the queue, worker, prompt, chat and PDF code under test are the real ones.
"""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from bot.callbacks import Action, Callback
from bot.telegram_channel import TelegramChannel, verdict_data
from casework.case_messages import which_photo_line
from casework.housekeeping import Housekeeping
from conversations.intake_state import Step
from inference.prompt import render_prompt
from testkit.fake_user import FakeUser
from testkit.sent_messages import SentMessage
from testkit.skin_photos import skin_photo
from tests.bot.helpers import (
    agree,
    answer_body_site,
    answer_until_summary,
    button,
    button_about,
    confirm,
    photos_unchecked_at_upload,
    summary_text,
)
from tests.bot.starts import agreed_user, started_with_agreed_user
from tests.bot.test_report_delivery import scores_message, use_models
from tests.conftest import Harness
from tests.fakes import ScriptedWriter
from tests.qr import decode_qr

LANGS = ["ko", "en", "vi"]


class Clock:
    """The store's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def scripted(h: Harness, weights: Path, **settings: object) -> ScriptedWriter:
    writer = ScriptedWriter(script=lambda r: f"## 1. Findings\nReport for age {r.age}.")
    use_models(h, weights, lambda s: writer, **settings)
    return writer


async def scripted_user(
    h: Harness, weights: Path, user_id: int, lang: str
) -> tuple[ScriptedWriter, FakeUser]:
    """The bot started with the scripted writer, and a new user who agreed to the notes in `lang`."""
    writer = scripted(h, weights)
    return writer, await started_with_agreed_user(h, user_id, lang)


def pdf_text(message: SentMessage) -> str:
    assert message.document is not None
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(message.document)).pages)


def squash(text: str) -> str:
    return "".join(text.split())


async def wait_done(h: Harness, user: FakeUser, case_id: str, lang: str) -> SentMessage:
    """The case's PDF, once the reminder offer after it has arrived too."""
    await h.wait_case(user.id, case_id, "done", timeout=60)
    await h.wait_until(lambda: any(m.text == h.t(lang, "reminder-offer") for m in user.inbox()), 30)
    return next(
        m for m in reversed(user.inbox()) if m.document is not None and case_id[:8] in m.document_name
    )


def about_patient(h: Harness, lang: str, key: str, site: str, **args: object) -> str:
    """The text `key` about the patient that answer_until_summary names and the body site they chose."""
    return h.t(lang, key, name="Henry Nguyen", site=h.t(lang, f"site-{site}"), **args)


def dark_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (4, 4, 4)).save(out, "JPEG")
    return out.getvalue()


# --- several photos, body site ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
async def test_two_photos_and_a_body_site_reach_the_model_the_chat_and_the_pdf(
    harness: Harness, trained_classifier_weights: Path, lang: str
) -> None:
    writer, user = await scripted_user(harness, trained_classifier_weights, 801, lang)
    photos = [skin_photo(seed=21), skin_photo(640, 480, seed=22)]
    summary = await answer_until_summary(harness, user, lang, photos, body_site="arm", report_language=lang)
    case_id = await confirm(harness, user, lang, summary)
    pdf = await wait_done(harness, user, case_id, lang)

    case = await harness.services.store.cases.get(user.id, case_id)
    assert case is not None and [p.kind for p in case.photos] == ["close_up", "overview"]
    assert case.body_site == "arm"
    assert all(harness.services.files.image_path(user.id, token).is_file() for token in case.images)
    # The model got both photos, their kinds, the mean of their scores and the body site.
    [(request, images)] = writer.rows
    assert images == 2 and request.photo_kinds == ("close_up", "overview") and request.body_site == "arm"
    record = case.classification
    assert record is not None and len(record["photos"]) == 2
    for label, mean in record["probs"].items():
        each = [photo["probs"][label] for photo in record["photos"]]
        assert mean == pytest.approx(sum(each) / 2)
    site_word = {"en": "arm", "ko": "팔", "vi": "cánh tay"}[lang]
    assert site_word in render_prompt(request)
    # The chat says the scores are a mean; the PDF has the body site and each photo's scores.
    scores = scores_message(harness, user.inbox(), lang)  # the close-up's heatmap caption, or a text
    assert harness.t(lang, "scores-mean-of-photos", count=2) in (scores.caption or scores.text or "")
    text = squash(pdf_text(pdf))
    for needle in (harness.t(lang, "pdf-per-photo-title"), harness.t(lang, "site-arm")):
        assert squash(needle) in text


@pytest.mark.parametrize("lang", LANGS)
async def test_an_album_is_one_answer_of_up_to_three_photos(
    harness: Harness, trained_classifier_weights: Path, lang: str
) -> None:
    writer, user = await scripted_user(harness, trained_classifier_weights, 802, lang)
    since = len(user.inbox())
    # Four photos at once: one answer, three kept, the user told about the fourth.
    await user.send_album([skin_photo(seed=s) for s in (31, 32, 33, 34)])
    await harness.wait_key(user, lang, "ask-body-site", since=since)
    said = [m.text for m in user.inbox()[since:]]
    assert said == [harness.t(lang, "photos-over-limit", max=3), harness.t(lang, "ask-body-site")]
    intake = await harness.services.store.intakes.load(user.id)
    assert intake is not None and len(intake.draft.photos) == 3 and intake.draft.photos_done
    assert len(harness.api.calls_of("getFile")) == 3  # the fourth was not even downloaded
    await answer_body_site(harness, user, lang, "back", since)
    await user.send("Lan")
    await harness.wait_key(user, lang, "ask-age", since=since)
    await user.send("40")
    gender = await harness.wait_key(user, lang, "ask-gender", since=since)
    await user.press(gender, button(gender, "answer", "female"))
    history = await harness.wait_key(user, lang, "ask-history", since=since)
    await user.press(history, button(history, "skip"))
    language = await harness.wait_key(user, lang, "ask-report-language", since=since)
    await user.press(language, button(language, "answer", lang))
    text = summary_text(harness, lang, "Lan", 40, "female", None, lang, photos=3, body_site="back")
    summary = await harness.wait_text(user, text, since=since)
    case_id = await confirm(harness, user, lang, summary)
    await wait_done(harness, user, case_id, lang)
    [(request, images)] = writer.rows
    assert images == 3 and request.photo_kinds == ("close_up", "overview", "extra")


async def test_an_album_after_the_close_up_adds_to_it_and_at_a_text_question_gets_one_nudge(
    harness: Harness,
) -> None:
    user = await started_with_agreed_user(harness, 803)
    await user.send_photo(skin_photo(seed=40))
    await harness.wait_key(user, "en", "ask-more-photos", count=1, max=3)
    since = len(user.inbox())
    await user.send_album([skin_photo(seed=41), skin_photo(seed=42)])
    await harness.wait_key(user, "en", "ask-body-site", since=since)
    intake = await harness.services.store.intakes.load(user.id)
    assert intake is not None and len(intake.draft.photos) == 3
    ask = await harness.wait_key(user, "en", "ask-body-site")
    await user.press(ask, button(ask, "skip"))
    await harness.wait_key(user, "en", "ask-name", max=100)
    since = len(user.inbox())
    await user.send_album([skin_photo(seed=43), skin_photo(seed=44), skin_photo(seed=45)])
    await harness.wait_key(user, "en", "ask-name", since=since, max=100)
    await asyncio.sleep(1.5)  # nothing more comes for the other photos of the album
    assert [m.text for m in user.inbox()[since:]] == [
        harness.t("en", "nudge-text"),
        harness.t("en", "ask-name", max=100),
    ]


@pytest.mark.parametrize("lang", LANGS)
async def test_a_rejected_second_photo_is_named_and_the_photos_are_asked_again(
    harness: Harness, trained_classifier_weights: Path, lang: str
) -> None:
    writer = scripted(harness, trained_classifier_weights)
    await harness.start()
    photos_unchecked_at_upload(harness)  # the dark photo reaches the worker, whose gate names it
    user = await agreed_user(harness, 804, lang)
    summary = await answer_until_summary(
        harness, user, lang, [skin_photo(seed=50), dark_photo()], body_site="leg"
    )
    case_id = await confirm(harness, user, lang, summary)
    await harness.wait_case(user.id, case_id, "rejected", timeout=60)
    which = which_photo_line(harness.t, lang, 2, 2)
    await harness.wait_until(lambda: any(m.text and m.text.startswith(which) for m in user.inbox()), 30)
    rejection = next(m for m in user.inbox() if m.text and m.text.startswith(which))
    assert harness.t(lang, "quality-too-dark") in rejection.text
    assert harness.t(lang, "quality-send-photos-again") in rejection.text
    assert writer.rows == []  # no model wrote about a case with a photo turned back
    intake = await harness.services.store.intakes.load(user.id)
    assert intake is not None and intake.step == Step.PHOTO and intake.draft.photos == ()
    assert intake.draft.body_site == "leg" and intake.draft.name == "Henry Nguyen"


# --- follow-up --------------------------------------------------------------------------------------------


async def finished(h: Harness, user: FakeUser, lang: str, **answers: object) -> str:
    summary = await answer_until_summary(h, user, lang, **answers)  # type: ignore[arg-type]
    case_id = await confirm(h, user, lang, summary)
    await wait_done(h, user, case_id, lang)
    return case_id


async def choose_follow_up(h: Harness, user: FakeUser, lang: str, label: str) -> None:
    since = len(user.inbox())
    await user.send("/new")
    ask = await h.wait_key(user, lang, "ask-follow-up", since=since)
    [data] = [b["callback_data"] for b in ask.buttons() if b["text"] == label]
    await user.press(ask, data)


@pytest.mark.parametrize("lang", LANGS)
async def test_a_follow_up_links_compares_and_shows_as_a_chain(
    harness: Harness, trained_classifier_weights: Path, lang: str
) -> None:
    clock = Clock()
    harness.clock = clock
    writer, user = await scripted_user(harness, trained_classifier_weights, 805, lang)
    first = await finished(
        harness, user, lang, photo=skin_photo(seed=60), body_site="hand", report_language=lang
    )
    earlier = await harness.services.store.cases.get(user.id, first)
    assert earlier is not None and earlier.classification is not None
    clock.now += timedelta(days=30)

    # The offer lists the earlier case with its date, patient, body site and result.
    top = max(earlier.classification["probs"], key=earlier.classification["probs"].get)
    result = harness.t(lang, f"label-{top}")
    label = about_patient(harness, lang, "follow-up-option", "hand", date="2026-03-02", result=result)
    await choose_follow_up(harness, user, lang, label)
    # Same patient, same spot: straight to the photos, then only the history is asked again.
    since = len(user.inbox())
    await harness.wait_key(user, lang, "ask-photo", since=since)
    await user.send_photo(skin_photo(seed=61))
    more = await harness.wait_key(user, lang, "ask-more-photos", since=since, count=1, max=3)
    await user.press(more, button(more, "answer", "done"))
    await harness.wait_key(user, lang, "ask-history", since=since)
    await user.send("Bigger than last month")
    text = summary_text(
        harness,
        lang,
        "Henry Nguyen",
        15,
        "female",
        "Bigger than last month",
        lang,
        body_site="hand",
        follow_up="2026-03-02",
    )
    summary = await harness.wait_text(user, text, since=since)
    second = await confirm(harness, user, lang, summary)
    pdf = await wait_done(harness, user, second, lang)

    case = await harness.services.store.cases.get(user.id, second)
    assert case is not None and case.follow_up_of == first and case.body_site == "hand"
    # The model was told the earlier date and scores, asked what changed, and shown the earlier close-up.
    request, images = writer.rows[-1]
    assert request.earlier is not None and request.earlier.day == "2026-03-02"
    assert request.earlier.classification.probs == pytest.approx(
        tuple(earlier.classification["probs"].values())
    )
    assert request.earlier.photo_attached and images == 2
    # The PDF compares the two, with both dates.
    text = squash(pdf_text(pdf))
    for needle in (
        harness.t(lang, "pdf-section-follow-up", date="2026-03-02"),
        harness.t(lang, "pdf-earlier-caption", date="2026-03-02"),
        harness.t(lang, "pdf-now-caption", date="2026-04-01"),
    ):
        assert squash(needle) in text
    # /cases shows the chain: the earlier case, and the follow-up under it.
    since = len(user.inbox())
    await user.send("/cases")
    await harness.wait_until(
        lambda: any(harness.t(lang, "cases-title") in (m.text or "") for m in user.inbox()[since:])
    )
    listing = next(m.text for m in user.inbox()[since:] if harness.t(lang, "cases-title") in (m.text or ""))
    lines = listing.splitlines()
    first_line = next(i for i, line in enumerate(lines) if line.startswith("2026-03-02"))
    follow_line = harness.t(
        lang, "case-line-follow-up", date="2026-04-01", site=harness.t(lang, "site-hand"), result=""
    )
    assert lines[first_line + 1].startswith(follow_line.rstrip())
    # The chain's newest case is what a next follow-up is offered.
    offers = await harness.services.store.cases.follow_up_candidates(user.id)
    assert [c.id for c in offers] == [second]


async def test_a_health_worker_follows_up_each_patient(
    harness: Harness, trained_classifier_weights: Path
) -> None:
    _, worker = await scripted_user(harness, trained_classifier_weights, 806, "vi")
    first = await finished(harness, worker, "vi", photo=skin_photo(seed=70), name="Bà Lan", age="60")
    await worker.send("/new")
    await harness.wait_key(worker, "vi", "new-case")
    await finished(
        harness, worker, "vi", photo=skin_photo(seed=71), name="Anh Minh", age="30", body_site="foot"
    )
    since = len(worker.inbox())
    await worker.send("/new")
    ask = await harness.wait_key(worker, "vi", "ask-follow-up", since=since)
    labels = [b["text"] for b in ask.buttons()]
    assert len(labels) == 3 and "Anh Minh" in labels[0] and "Bà Lan" in labels[1]
    await worker.press(ask, button(ask, "answer", first[:12]))  # Bà Lan's spot, named by her case
    await harness.wait_key(worker, "vi", "ask-photo", since=since)
    intake = await harness.services.store.intakes.load(worker.id)
    assert intake is not None
    assert (intake.draft.name, intake.draft.age, intake.draft.follow_up) == ("Bà Lan", 60, first)


# --- reminders ----------------------------------------------------------------------------------------------


async def offered_a_reminder(
    h: Harness, weights: Path, user_id: int, lang: str, **answers: object
) -> tuple[Clock, FakeUser, str, SentMessage]:
    """The bot on a test clock, and a user whose finished case offers a reminder: the clock, the user, the
    case and the offer."""
    clock = Clock()
    h.clock = clock
    scripted(h, weights)
    await h.start()
    user = h.api.user(user_id, lang)
    await agree(h, user, lang)
    case_id = await finished(h, user, lang, **answers)
    offer = next(m for m in user.inbox() if m.text == h.t(lang, "reminder-offer"))
    return clock, user, case_id, offer


@pytest.mark.parametrize("lang", LANGS)
async def test_a_reminder_survives_a_restart_and_arrives_on_time_in_the_users_language(
    harness: Harness, trained_classifier_weights: Path, lang: str
) -> None:
    clock, user, case_id, offer = await offered_a_reminder(
        harness, trained_classifier_weights, 807, lang, photo=skin_photo(seed=80), body_site="face"
    )
    labels = [b["text"] for b in offer.buttons()]
    assert labels == [harness.t(lang, "btn-remind-weeks", weeks=w) for w in (2, 4, 12)]
    await user.press(offer, button(offer, "rmd", f"{case_id}.2"))
    await harness.wait_key(user, lang, "reminder-set", date="2026-03-16", weeks=2)

    await harness.restart()  # stored in SQLite: nothing is lost
    housekeeping = Housekeeping(harness.services, TelegramChannel(harness.app.bot))
    clock.now += timedelta(days=13, hours=23)
    await housekeeping.tick()
    due = about_patient(harness, lang, "reminder-due", "face", date="2026-03-02")
    assert not any(m.text == due for m in user.inbox())  # not yet
    clock.now += timedelta(hours=2)
    await housekeeping.tick()
    reminder = await harness.wait_text(user, due)
    await housekeeping.tick()
    assert sum(m.text == due for m in user.inbox()) == 1  # sent once
    # Its button starts a follow-up of the case, at the photos.
    since = len(user.inbox())
    await user.press(reminder, button(reminder, "fup", case_id))
    await harness.wait_key(
        user, lang, "follow-up-started", since=since, date="2026-03-02", name="Henry Nguyen"
    )
    await harness.wait_key(user, lang, "ask-photo", since=since)
    intake = await harness.services.store.intakes.load(user.id)
    assert intake is not None and intake.draft.follow_up == case_id
    # A reminder already sent is no longer listed.
    await user.send("/reminders")
    await harness.wait_key(user, lang, "reminders-empty")


@pytest.mark.parametrize("lang", LANGS)
async def test_reminders_are_listed_cancelled_and_deleted(
    harness: Harness, trained_classifier_weights: Path, lang: str
) -> None:
    clock, user, case_id, offer = await offered_a_reminder(
        harness, trained_classifier_weights, 808, lang, photo=skin_photo(seed=90)
    )
    await user.press(offer, button(offer, "rmd", f"{case_id}.12"))
    await harness.wait_key(user, lang, "reminder-set", date="2026-05-25", weeks=12)

    await user.send("/reminders")
    line = about_patient(harness, lang, "reminder-line", "unknown", due="2026-05-25", date="2026-03-02")
    listing = await harness.wait_text(user, "\n".join([harness.t(lang, "reminders-title"), line]))
    await user.press(listing, button_about(listing, "rmx", case_id))
    await harness.wait_key(user, lang, "reminder-cancelled")
    assert await harness.services.store.reminders.pending(user.id) == []
    clock.now += timedelta(days=1)
    await Housekeeping(harness.services, TelegramChannel(harness.app.bot)).tick()
    assert not any((m.text or "").startswith("⏰") for m in user.inbox()[-3:])

    # /delete takes reminders with everything else.
    # (its offer's keyboard went with the first press; the same button data, as a client still holding it)
    await user.press(offer, Callback(Action.REMIND, f"{case_id}.4", user.id).pack())
    await harness.wait_key(
        user, lang, "reminder-set", date=(clock.now + timedelta(weeks=4)).date().isoformat(), weeks=4
    )
    assert len(await harness.services.store.reminders.pending(user.id)) == 1
    await user.send("/delete")
    ask = await harness.wait_key(user, lang, "delete-ask")
    await user.press(ask, button_about(ask, "delete", "yes"))
    await harness.wait_key(user, lang, "delete-done")
    rows = await harness.services.store.db.all("SELECT * FROM reminders")
    assert rows == []


# --- clinic links -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
async def test_a_clinic_link_binds_the_patient_and_a_revoked_one_does_not(
    harness: Harness,
    trained_classifier_weights: Path,
    lang: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from skinbot.cli import main

    harness.api.add_group(-100700, "Da Nang Skin")
    harness.api.add_group(-100800, "Busan Derm")
    scripted(harness, trained_classifier_weights)
    await harness.start()
    env = {
        "TELEGRAM_BOT_TOKEN": harness.settings.telegram_bot_token.get(),
        "TELEGRAM_API_URL": harness.api.api_url,
        "SKINBOT_DATA_DIR": str(harness.settings.data_dir),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    # Clinics added while the bot runs count at once; the link's bot username comes from getMe.
    assert (
        await asyncio.to_thread(main, ["clinic", "add", "-100700", "Da Nang Skin", "--language", "vi"]) == 0
    )
    assert await asyncio.to_thread(main, ["clinic", "add", "-100800", "Busan Derm", "--language", "ko"]) == 0
    [danang] = [c for c in await harness.services.store.clinics.all() if c.chat_id == -100700]
    [link] = await make_links(main, tmp_path, monkeypatch, "Da Nang Skin")
    token = link.rsplit("=c_", 1)[1]

    patient = harness.api.user(809, lang)
    await patient.send(f"/start c_{token}")
    await harness.wait_key(patient, lang, "clinic-link-welcome", clinic="Da Nang Skin")
    consent = await harness.wait_key(patient, lang, "consent-ask")
    await patient.press(consent, consent.buttons()[0]["callback_data"])
    await harness.wait_key(patient, lang, "clinic-bound", clinic="Da Nang Skin")
    user = await harness.services.store.users.get(patient.id)
    assert user is not None and user.clinic_id == danang.id
    case_id = await finished(harness, patient, lang, photo=skin_photo(seed=100), report_language=lang)
    # Two clinics exist, but this patient's "send to a doctor" goes to theirs, without a choice; a forged
    # press naming the other clinic reaches nothing.
    other = next(c for c in await harness.services.store.clinics.all() if c.chat_id == -100800)
    offer = next(m for m in patient.inbox() if m.text == harness.t(lang, "review-offer"))
    answered = len(harness.api.calls_of("answerCallbackQuery"))
    await patient.press(offer, Callback(Action.REVIEW_SEND, f"{case_id}.{other.id}", patient.id).pack())
    stale = harness.t(lang, "button-stale")
    await harness.wait_until(
        lambda: any(
            c.params.get("text") == stale for c in harness.api.calls_of("answerCallbackQuery")[answered:]
        )
    )
    await patient.press(offer, Callback(Action.REVIEW, case_id, patient.id).pack())
    consent = await harness.wait_key(patient, lang, "review-consent", clinic="Da Nang Skin", count=1)
    await patient.press(consent, button(consent, "rvsend", f"{case_id}.{danang.id}"))
    await harness.wait_key(patient, lang, "review-sent", clinic="Da Nang Skin", count=1)
    assert any(m.document is not None for m in harness.api.chat(-100700))
    assert harness.api.chat(-100800) == []
    # The clinic, added while the bot ran, answers with a note: its chat counts as a clinic at once.
    doctor = harness.api.user(909, "vi", "Bs Hoa")
    review = await harness.services.store.reviews.of_case(case_id)
    assert review is not None
    summary = next(m for m in reversed(harness.api.chat(-100700)) if m.text and m.text.startswith("🩺"))
    await doctor.press(summary, verdict_data(review.id, "n"))
    prompt_text = harness.t("vi", "clinic-note-ask", reviewer="Bs Hoa", case=case_id[:8], max=1000)
    prompt = await harness.wait_text_in(-100700, prompt_text)
    await doctor.say_in(-100700, "Bôi kem hai lần mỗi ngày.", reply_to=prompt)
    await harness.wait_key(patient, lang, "review-note", note="Bôi kem hai lần mỗi ngày.")

    # Revoked: a new patient is told, and carries on unbound.
    assert await asyncio.to_thread(main, ["clinic", "revoke", link]) == 0
    late = harness.api.user(810, lang)
    await late.send(f"/start c_{token}")
    await harness.wait_key(late, lang, "clinic-link-invalid")
    await agree_after_start(harness, late, lang)
    user = await harness.services.store.users.get(late.id)
    assert user is not None and user.clinic_id is None
    # An unknown token: the same.
    stranger = harness.api.user(811, lang)
    await stranger.send("/start c_not-a-real-token")
    await harness.wait_key(stranger, lang, "clinic-link-invalid")
    await harness.wait_key(stranger, lang, "consent-ask")


async def agree_after_start(h: Harness, user: FakeUser, lang: str) -> None:
    consent = await h.wait_key(user, lang, "consent-ask")
    assert button(consent, "agree", lang)  # no clinic token rides on the button
    await user.press(consent, button(consent, "agree", lang))
    await h.wait_key(user, lang, "ask-photo")


async def make_links(main, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    import contextlib

    qr = tmp_path / "link.png"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert await asyncio.to_thread(main, ["clinic", "link", name, "--qr", str(qr)]) == 0
    link = out.getvalue().splitlines()[0]
    assert link.startswith("https://t.me/skin_test_bot?start=c_")
    assert decode_qr(qr) == link
    return [link]


async def test_a_bound_user_whose_link_is_used_again_stays_with_the_newest_clinic(
    harness: Harness,
) -> None:
    await harness.start()
    store = harness.services.store
    first = await store.clinics.add(-100901, "First", "en")
    second = await store.clinics.add(-100902, "Second", "en")
    one, two = await store.clinics.create_link(first.id), await store.clinics.create_link(second.id)
    user = harness.api.user(812, "en")
    await user.send(f"/start c_{one}")
    consent = await harness.wait_key(user, "en", "consent-ask")
    await user.press(consent, consent.buttons()[0]["callback_data"])
    await harness.wait_key(user, "en", "clinic-bound", clinic="First")
    await user.send(f"/start c_{two}")
    await harness.wait_key(user, "en", "clinic-bound", clinic="Second")
    assert [c.name for c in await store.clinics.for_user(user.id)] == ["Second"]
    # Revoked while the notes were being read: the agree press binds nothing.
    newcomer = harness.api.user(813, "en")
    await newcomer.send(f"/start c_{one}")
    consent = await harness.wait_key(newcomer, "en", "consent-ask")
    assert await store.clinics.revoke(one)
    await newcomer.press(consent, consent.buttons()[0]["callback_data"])
    await harness.wait_key(newcomer, "en", "clinic-link-invalid")
    user_row = await store.users.get(newcomer.id)
    assert user_row is not None and user_row.clinic_id is None
