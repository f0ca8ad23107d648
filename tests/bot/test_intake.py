"""The whole intake, driven through the real Application over HTTP against the fake Bot API."""

from __future__ import annotations

import re

import pytest

from tests.bot.helpers import agree, answer_until_summary, button, confirm
from tests.conftest import Harness


@pytest.mark.parametrize("lang", ["ko", "en", "vi"])
async def test_whole_intake_in_each_language(harness: Harness, photo_bytes: bytes, lang: str) -> None:
    await harness.start()
    user = harness.api.user(101, language_code={"ko": "ko-KR", "en": "en", "vi": "vi"}[lang])
    await agree(harness, user, lang)
    # Nothing was stored before Agree; the consent date is stored after it.
    stored = await harness.services.store.users.get(user.id)
    assert stored is not None and stored.language == lang and stored.consent_at is not None

    summary = await answer_until_summary(harness, user, lang, photo_bytes, age=" 15 ", report_language="vi")
    case_id = await confirm(harness, user, lang, summary)
    assert re.fullmatch(r"[0-9a-f]{32}", case_id)
    await harness.wait_key(user, lang, "case-received", case=case_id[:8])

    case = await harness.services.store.cases.get(user.id, case_id)
    assert case is not None
    assert (case.patient_name, case.age, case.gender, case.report_language) == (
        "Henry Nguyen",
        15,
        "female",
        "vi",
    )
    assert case.history == "Itchy patches for two weeks"
    assert case.status == "queued"
    image = harness.services.files.image_path(user.id, case.image)
    assert image.is_file() and image.read_bytes()[:2] == b"\xff\xd8"
    # The intake is over: the conversation row is gone.
    assert await harness.services.store.intakes.load(user.id) is None


async def test_unknown_language_falls_back_to_english(harness: Harness) -> None:
    await harness.start()
    user = harness.api.user(102, language_code="de")
    await user.send("/start")
    await harness.wait_key(user, "en", "consent-ask")
    assert await harness.services.store.users.get(user.id) is None  # nothing stored before consent


async def test_messages_before_consent_are_not_stored(harness: Harness, photo_bytes: bytes) -> None:
    await harness.start()
    user = harness.api.user(103, "en")
    await user.send_photo(photo_bytes)
    await harness.wait_key(user, "en", "consent-needed")
    assert await harness.services.store.users.get(user.id) is None
    assert not (harness.settings.data_dir / "images").exists()


async def test_skip_history_and_edit_one_field(harness: Harness, photo_bytes: bytes) -> None:
    await harness.start()
    user = harness.api.user(104, "en")
    await agree(harness, user, "en")
    summary = await answer_until_summary(harness, user, "en", photo_bytes, history=None, report_language="en")
    await user.press(summary, button(summary, "edit"))
    menu = await harness.wait_key(user, "en", "edit-which")
    await user.press(menu, button(menu, "field", "age"))
    await harness.wait_key(user, "en", "ask-age")
    await user.send("42 years")
    # Straight back to the summary, with only the age changed.
    from tests.bot.helpers import summary_text

    await harness.wait_text(user, summary_text(harness, "en", "Henry Nguyen", 42, "female", None, "en"))


async def test_cancel_at_summary_drops_photo(harness: Harness, photo_bytes: bytes) -> None:
    await harness.start()
    user = harness.api.user(105, "en")
    await agree(harness, user, "en")
    summary = await answer_until_summary(harness, user, "en", photo_bytes)
    intake = await harness.services.store.intakes.load(user.id)
    assert intake is not None and len(intake.draft.photos) == 1
    photo = harness.services.files.image_path(user.id, intake.draft.photos[0])
    assert photo.is_file()
    await user.press(summary, button(summary, "cancel"))
    await harness.wait_key(user, "en", "intake-cancelled")
    assert await harness.services.store.intakes.load(user.id) is None
    assert not photo.exists()
    assert await harness.services.store.cases.recent(user.id) == []
