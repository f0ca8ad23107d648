"""Steps a test user takes through the intake, checking each reply against the Fluent text."""

from __future__ import annotations

from conversations.validation import NAME_MAX
from testkit.fake_user import FakeUser
from testkit.sent_messages import SentMessage
from tests.conftest import Harness


def button(message: SentMessage, action: str, value: str = "") -> str:
    """The callback data of the button with this action and value; fails the test if absent."""
    for b in message.buttons():
        parts = b["callback_data"].split("|")
        if parts[0] == action and parts[1] == value:
            return b["callback_data"]
    raise AssertionError(f"no {action}:{value} button in {message.buttons()}")


def button_about(message: SentMessage, action: str, head: str) -> str:
    """The callback data of the button with this action whose value is `head` plus what names the thing
    it was shown for (".<consent>", ".<due day>", "@<time>"); fails the test if absent."""
    for b in message.buttons():
        parts = b["callback_data"].split("|")
        if parts[0] == action and parts[1][: len(head) + 1] in (f"{head}.", f"{head}@"):
            return b["callback_data"]
    raise AssertionError(f"no {action}:{head}… button in {message.buttons()}")


async def agree(h: Harness, user: FakeUser, lang: str) -> None:
    since = len(user.inbox())  # an earlier consent (before a /delete) is not this one
    await user.send("/start")
    consent = await h.wait_key(user, lang, "consent-ask", since=since)
    assert consent.buttons()[0]["text"] == h.t(lang, "btn-agree")
    await user.press(consent, button(consent, "agree", lang))
    await h.wait_key(user, lang, "ask-photo", since=since)


def summary_text(
    h: Harness,
    lang: str,
    name: str,
    age: int,
    gender: str,
    history: str | None,
    report_language: str,
    *,
    photos: int = 1,
    body_site: str | None = None,
    follow_up: str | None = None,
) -> str:
    return h.t(
        lang,
        "summary",
        photos=photos,
        site=h.t(lang, f"site-{body_site}") if body_site else h.t(lang, "summary-no-site"),
        follow_up=follow_up or h.t(lang, "summary-new-spot"),
        name=name,
        age=age,
        gender=h.t(lang, f"gender-{gender}"),
        history=history if history else h.t(lang, "summary-no-history"),
        language=h.t(lang, f"lang-{report_language}"),
    )


async def send_photos(
    h: Harness, user: FakeUser, lang: str, photos: list[bytes], album: bool = False
) -> None:
    """The close-up, then the others one by one with "add" (or all at once as an album), then "Done" unless
    three photos already ended the question."""
    since = len(user.inbox())
    if album:
        await user.send_album(photos)
    else:
        await user.send_photo(photos[0])
        for count, photo in enumerate(photos[1:], start=1):
            ask = await h.wait_key(user, lang, "ask-more-photos", since=since, count=count, max=3)
            await user.press(ask, button(ask, "answer", "add"))
            kind = "overview" if count == 1 else "extra"
            await h.wait_key(user, lang, f"ask-photo-{kind}", since=since)
            await user.send_photo(photo)
    if len(photos) < 3:
        ask = await h.wait_key(user, lang, "ask-more-photos", since=since, count=len(photos), max=3)
        await user.press(ask, button(ask, "answer", "done"))


async def new_spot_if_asked(h: Harness, user: FakeUser, lang: str) -> None:
    """A user with earlier reports is first asked whether this is one of those spots: "No, a new spot"."""
    from conversations.intake_state import Step

    intake = await h.services.store.intakes.load(user.id)
    if intake is not None and intake.step == Step.PHOTO:
        return
    under_way = bool(user.inbox()) and user.inbox()[-1].text == h.t(lang, "new-case")
    if intake is None and not under_way:  # between cases: the next one starts with /new
        # (not a second time: the question of an intake that a second /new replaced would be out of date)
        await user.send("/new")
    # Just after /new the fresh intake may not be stored yet: its first question tells which it is.
    first = (h.t(lang, "ask-photo"), h.t(lang, "ask-follow-up"))
    await h.wait_until(lambda: bool(user.inbox()) and user.inbox()[-1].text in first)
    ask = user.inbox()[-1]
    if ask.text == first[0]:
        return
    since = len(user.inbox())
    await user.press(ask, button(ask, "answer", "new"))
    await h.wait_key(user, lang, "ask-photo", since=since)


async def answer_body_site(h: Harness, user: FakeUser, lang: str, body_site: str | None, since: int) -> None:
    ask = await h.wait_key(user, lang, "ask-body-site", since=since)
    await user.press(ask, button(ask, "answer", body_site) if body_site else button(ask, "skip"))


async def answer_until_summary(
    h: Harness,
    user: FakeUser,
    lang: str,
    photo: bytes | list[bytes],
    *,
    name: str = "Henry Nguyen",
    age: str = "15",
    gender: str = "female",
    history: str | None = "Itchy patches for two weeks",
    report_language: str = "ko",
    body_site: str | None = None,
    album: bool = False,
) -> SentMessage:
    since = len(user.inbox())  # earlier cases in this chat asked the same questions
    photos = photo if isinstance(photo, list) else [photo]
    await new_spot_if_asked(h, user, lang)
    await send_photos(h, user, lang, photos, album)
    await answer_body_site(h, user, lang, body_site, since)
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
    summary = summary_text(
        h, lang, name, age_number, gender, history, report_language, photos=len(photos), body_site=body_site
    )
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


async def photo_to_name(h: Harness, user: FakeUser, lang: str, photo: bytes) -> None:
    """One close-up, "Done", the body site skipped: the intake waits for the patient's name."""
    since = len(user.inbox())
    await send_photos(h, user, lang, [photo])
    await answer_body_site(h, user, lang, None, since)
    await h.wait_key(user, lang, "ask-name", since=since, max=NAME_MAX)


async def new_photo_to_summary(h: Harness, user: FakeUser, photo: bytes, name: str = "Henry Nguyen") -> None:
    """After a rejected photo, an English user sends `photo` and "Done": the intake goes straight back to the
    summary, so the other answers were kept."""
    since = len(user.inbox())
    await user.send_photo(photo)
    more = await h.wait_key(user, "en", "ask-more-photos", since=since, count=1, max=3)
    await user.press(more, button(more, "answer", "done"))
    await h.wait_until(lambda: user.inbox()[-1].buttons() != [] and name in (user.inbox()[-1].text or ""))


def photos_unchecked_at_upload(h: Harness) -> None:
    """Photos go into the intake unchecked, as those sent before the checks at upload existed (an intake
    under way at an upgrade): the worker's gates, the last line of defence, must turn them back."""
    from dataclasses import replace

    from inference.photo_checks import PhotoChecks
    from inference.quality import QualityThresholds
    from inference.skin_gate import SkinGate

    nothing = QualityThresholds(
        min_side=0, min_brightness=0, max_brightness=255, min_sharpness=0, min_contrast=0
    )
    config = h.services.case_config
    h.services.case_config = replace(config, photo_checks=PhotoChecks(nothing, SkinGate(min_skin_share=0)))
