"""Which clinics a patient may send cases to (issue #24, item 9): one who came through a clinic's link, that
clinic only; anyone else, only the clinics marked open, unless SKINBOT_CLINIC_ACCESS=all. Driven through the
real bot against the fake Bot API, with the cases finished in the store (no models run)."""

from __future__ import annotations

import dataclasses

import pytest

from bot.callbacks import Action, Callback
from conversations.domain import Clinic
from testkit.fake_user import FakeUser
from tests.bot.helpers import button
from tests.bot.starts import agreed_user, started_with_clinics
from tests.bot.test_stale_buttons import answered_with, answers, finished_case
from tests.conftest import Harness

HANOI, SEOUL = -100700, -100800


async def two_clinics(h: Harness) -> tuple[Clinic, Clinic]:
    """Hanoi (closed: its link's patients only) and Seoul (open to every patient)."""
    hanoi, seoul = await started_with_clinics(
        h, (HANOI, "Hanoi Skin Clinic", "vi"), (SEOUL, "Seoul Derm", "ko")
    )
    await h.services.store.clinics.set_open(seoul.id, True)
    return hanoi, seoul


async def privacy_note(h: Harness, user: FakeUser, lang: str) -> str:
    since = len(user.inbox())
    await user.send("/privacy")
    await h.wait_until(lambda: any((m.text or "").startswith("🔒") for m in user.inbox()[since:]))
    return next(m.text for m in user.inbox()[since:] if (m.text or "").startswith("🔒"))


@pytest.mark.parametrize("lang", ["en", "ko", "vi"])
async def test_a_patient_without_a_link_sees_and_reaches_only_open_clinics(
    harness: Harness, photo_bytes: bytes, lang: str
) -> None:
    hanoi, seoul = await two_clinics(harness)
    user = await agreed_user(harness, 2501, lang)
    note = await privacy_note(harness, user, lang)
    assert "Seoul Derm" in note and "Hanoi Skin Clinic" not in note

    case_id = await finished_case(harness, user, photo_bytes, "Chau Nguyen", lang)
    anchor = user.inbox()[-1]
    # "Send to a doctor": the one clinic open to this patient, without a choice of the closed one.
    await user.press(anchor, Callback(Action.REVIEW, case_id, user.id).pack())
    consent = await harness.wait_key(user, lang, "review-consent", clinic="Seoul Derm", count=1)
    # Forged presses naming the closed clinic change nothing.
    for action in (Action.REVIEW_CLINIC, Action.REVIEW_SEND):
        since = answers(harness)
        await user.press(anchor, Callback(action, f"{case_id}.{hanoi.id}", user.id).pack())
        await answered_with(harness, harness.t(lang, "button-stale"), since)
    assert harness.api.chat(HANOI) == []
    assert await harness.services.store.reviews.of_case(case_id) is None

    # Closed meanwhile: the consent on screen no longer sends, and /cases offers no clinic.
    await harness.services.store.clinics.set_open(seoul.id, False)
    since = answers(harness)
    await user.press(consent, button(consent, "rvsend", f"{case_id}.{seoul.id}"))
    await answered_with(harness, harness.t(lang, "button-stale"), since)
    assert harness.api.chat(SEOUL) == []
    since = len(user.inbox())
    await user.send("/cases")
    await harness.wait_until(
        lambda: any(harness.t(lang, "cases-title") in (m.text or "") for m in user.inbox()[since:])
    )
    listing = user.inbox()[-1]
    assert not any(b["callback_data"].startswith("rvall|") for b in listing.buttons())
    note = await privacy_note(harness, user, lang)
    assert "Seoul Derm" not in note and "Hanoi Skin Clinic" not in note


async def test_with_access_for_all_every_clinic_may_be_chosen(harness: Harness, photo_bytes: bytes) -> None:
    harness.settings = dataclasses.replace(harness.settings, clinic_access="all")
    hanoi, _ = await two_clinics(harness)
    user = await agreed_user(harness, 2502)
    case_id = await finished_case(harness, user, photo_bytes, "Chau Nguyen")
    await user.press(user.inbox()[-1], Callback(Action.REVIEW, case_id, user.id).pack())
    pick = await harness.wait_key(user, "en", "review-pick-clinic")
    assert [b["text"] for b in pick.buttons()] == ["Hanoi Skin Clinic", "Seoul Derm"]
    await user.press(pick, button(pick, "rvpick", f"{case_id}.{hanoi.id}"))
    await harness.wait_key(user, "en", "review-consent", clinic="Hanoi Skin Clinic", count=1)


async def test_a_patient_bound_by_a_link_reaches_their_clinic_even_when_closed(
    harness: Harness, photo_bytes: bytes
) -> None:
    hanoi, _ = await two_clinics(harness)  # Seoul is open, but not to a patient of Hanoi's
    token = await harness.services.store.clinics.create_link(hanoi.id)
    user = harness.api.user(2503, "en")
    await user.send(f"/start c_{token}")
    consent = await harness.wait_key(user, "en", "consent-ask")
    await user.press(consent, consent.buttons()[0]["callback_data"])
    await harness.wait_key(user, "en", "clinic-bound", clinic="Hanoi Skin Clinic")
    note = await privacy_note(harness, user, "en")
    assert "Hanoi Skin Clinic" in note and "Seoul Derm" not in note  # the open one is not theirs
    case_id = await finished_case(harness, user, photo_bytes, "Chau Nguyen")
    await user.press(user.inbox()[-1], Callback(Action.REVIEW, case_id, user.id).pack())
    await harness.wait_key(user, "en", "review-consent", clinic="Hanoi Skin Clinic", count=1)
