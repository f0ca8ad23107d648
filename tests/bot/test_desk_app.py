"""The way from a clinic's review message to the review desk inside Telegram: groups take no Mini App
(web_app) button (the fake Bot API refuses one there, as Telegram does), so the message links into the
bot's private chat, where the clinic's staff get the web_app button and anyone else a localized refusal.
Without an https SKINBOT_WEB_URL there is no such button."""

from __future__ import annotations

import dataclasses

import pytest

from conversations.domain import Language
from testkit.bot_api_rules import BotApiError, check_buttons
from testkit.sent_messages import SentMessage
from tests.bot.helpers import agree
from tests.conftest import Harness
from tests.web.desk_setup import (
    CLINIC,
    CLINIC_NAME,
    ROUTINE,
    reviewed_case,
    routine_case_at_the_desk,
    start_desk,
)

DESK_URL = "https://desk.example.org"
DOCTOR, STRANGER = 4242, 5151


def summary_of(h: Harness, message_id: int | None) -> SentMessage:
    found = [m for m in h.api.chat(CLINIC) if m.message_id == message_id]
    assert len(found) == 1
    return found[0]


async def test_the_review_message_leads_staff_to_the_desk_in_telegram(harness: Harness) -> None:
    start_desk(harness, [ROUTINE])
    harness.settings = dataclasses.replace(harness.settings, web_url=DESK_URL)
    await harness.start()
    patient = harness.api.user(731, "en")
    await agree(harness, patient, "en")
    _, review = await reviewed_case(harness, patient, "en")
    store, t = harness.services.store, harness.t
    clinic = await store.clinics.by_chat(CLINIC)
    assert clinic is not None

    # In the clinic's group: the verdicts, then a link (not a web_app button) into the bot's private chat.
    buttons = summary_of(harness, review.summary_message_id).buttons()
    assert [b.get("callback_data", "")[:3] for b in buttons[:4]] == ["vd|"] * 4
    assert buttons[4] == {
        "text": t("vi", "btn-open-desk"),  # the clinic's language
        "url": f"https://t.me/skin_test_bot?start=desk-{clinic.id}",
    }

    # The clinic's staff member opens it: a web_app button to the desk, in their own language.
    await store.staff.add(CLINIC, "Dr Lan", Language.KO, telegram_id=DOCTOR)
    doctor = harness.api.user(DOCTOR, "en")
    await doctor.send(f"/start desk-{clinic.id}")
    offer = await harness.wait_key(doctor, "ko", "desk-app-open", clinic=CLINIC_NAME, name="Dr Lan")
    assert offer.buttons() == [
        {"text": t("ko", "btn-open-desk"), "web_app": {"url": f"{DESK_URL}/desk/telegram?clinic={clinic.id}"}}
    ]
    assert await store.users.get(DOCTOR) is None  # a doctor passing through is no patient: nothing stored

    # Anyone else, and any clinic that is not one, gets a refusal in their language, and no button.
    stranger = harness.api.user(STRANGER, "vi")
    for start in (f"desk-{clinic.id}", "desk-999999", "desk-x"):
        before = len(stranger.inbox())
        await stranger.send(f"/start {start}")
        refusal = await harness.wait_key(stranger, "vi", "desk-app-not-staff", since=before, id=str(STRANGER))
        assert refusal.buttons() == []


async def test_no_desk_button_without_an_https_desk_address(harness: Harness) -> None:
    # routine_case_at_the_desk leaves SKINBOT_WEB_URL unset: the desk is on http://127.0.0.1.
    _, _, review = await routine_case_at_the_desk(harness, 732, "en")
    buttons = summary_of(harness, review.summary_message_id).buttons()
    assert [b["callback_data"][:3] for b in buttons] == ["vd|"] * 4
    doctor = harness.api.user(DOCTOR, "en")
    await doctor.send("/start desk-1")
    await harness.wait_key(doctor, "en", "desk-app-off")


def test_the_fake_bot_api_refuses_web_app_buttons_where_telegram_does() -> None:
    # What keeps the review message honest: a web_app button in a group fails there as it would for real.
    def markup(url: str) -> dict[str, object]:
        return {"inline_keyboard": [[{"text": "desk", "web_app": {"url": url}}]]}

    check_buttons({"chat_id": 4242, "reply_markup": markup("https://desk.example.org")})
    with pytest.raises(BotApiError, match="BUTTON_TYPE_INVALID"):
        check_buttons({"chat_id": CLINIC, "reply_markup": markup("https://desk.example.org")})
    with pytest.raises(BotApiError, match="BUTTON_URL_INVALID"):
        check_buttons({"chat_id": 4242, "reply_markup": markup("http://desk.example.org")})
