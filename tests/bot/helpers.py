"""Steps a test user takes through the intake, checking each reply against the Fluent text."""

from __future__ import annotations

from conversations.validation import NAME_MAX
from testkit.fake_bot_api import SentMessage
from testkit.fake_user import FakeUser
from tests.conftest import Harness


def button(message: SentMessage, action: str, value: str = "") -> str:
    """The callback data of the button with this action and value; fails the test if absent."""
    for b in message.buttons():
        parts = b["callback_data"].split("|")
        if parts[0] == action and parts[1] == value:
            return b["callback_data"]
    raise AssertionError(f"no {action}:{value} button in {message.buttons()}")


async def agree(h: Harness, user: FakeUser, lang: str) -> None:
    await user.send("/start")
    consent = await h.wait_key(user, lang, "consent-ask")
    assert consent.buttons()[0]["text"] == h.t(lang, "btn-agree")
    await user.press(consent, button(consent, "agree", lang))
    await h.wait_key(user, lang, "ask-photo")


def summary_text(
    h: Harness, lang: str, name: str, age: int, gender: str, history: str | None, report_language: str
) -> str:
    return h.t(
        lang,
        "summary",
        name=name,
        age=age,
        gender=h.t(lang, f"gender-{gender}"),
        history=history if history else h.t(lang, "summary-no-history"),
        language=h.t(lang, f"lang-{report_language}"),
    )


async def answer_until_summary(
    h: Harness,
    user: FakeUser,
    lang: str,
    photo: bytes,
    *,
    name: str = "Henry Nguyen",
    age: str = "15",
    gender: str = "female",
    history: str | None = "Itchy patches for two weeks",
    report_language: str = "ko",
) -> SentMessage:
    since = len(user.inbox())  # earlier cases in this chat asked the same questions
    await user.send_photo(photo)
    await h.wait_key(user, lang, "ask-name", since=since, max=NAME_MAX)
    await user.send(name)
    await h.wait_key(user, lang, "ask-age", since=since)
    await user.send(age)
    ask_gender = await h.wait_key(user, lang, "ask-gender", since=since)
    await user.press(ask_gender, button(ask_gender, "answer", gender))
    ask_history = await h.wait_key(user, lang, "ask-history", since=since)
    if history is None:
        await user.press(ask_history, button(ask_history, "skip"))
    else:
        await user.send(history)
    ask_lang = await h.wait_key(user, lang, "ask-report-language", since=since)
    await user.press(ask_lang, button(ask_lang, "answer", report_language))
    age_number = int("".join(ch for ch in age if ch.isdigit()))
    summary = summary_text(h, lang, name, age_number, gender, history, report_language)
    return await h.wait_text(user, summary, since=since)


async def confirm(h: Harness, user: FakeUser, lang: str, summary: SentMessage) -> str:
    """Press Confirm, wait for the "received" reply, and return the new case's id."""
    before = {c.id for c in await h.services.store.cases.recent(user.id)}
    since = len(user.inbox())
    await user.press(summary, button(summary, "confirm"))
    head = h.t(lang, "case-received", case="@@").split("@@")[0]
    await h.wait_until(lambda: any(m.text and m.text.startswith(head) for m in user.inbox()[since:]))
    case_id = next(c.id for c in await h.services.store.cases.recent(user.id) if c.id not in before)
    await h.wait_key(user, lang, "case-received", case=case_id[:8])
    return case_id
