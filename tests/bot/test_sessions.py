"""Restarts, several users at once, buttons pressed by the wrong person, /delete and /language."""

from __future__ import annotations

import asyncio
import sqlite3

from bot.callbacks import Callback
from conversations.intake_state import IntakeAction, Step
from testkit.skin_photos import skin_photo
from tests.bot.helpers import agree, answer_until_summary, button, button_about, confirm, photo_to_name
from tests.bot.starts import started_with_agreed_user
from tests.conftest import Harness


async def test_restart_mid_intake_resumes_at_same_step(harness: Harness, photo_bytes: bytes) -> None:
    user = await started_with_agreed_user(harness, 301, "vi")
    await photo_to_name(harness, user, "vi", photo_bytes)
    await user.send("Lan")
    await harness.wait_key(user, "vi", "ask-age")

    await harness.restart()  # a new Application, a new store connection, the same data directory
    await user.send("41 tuổi")
    gender = await harness.wait_key(user, "vi", "ask-gender")
    intake = await harness.services.store.intakes.load(user.id)
    assert intake is not None and intake.step == Step.GENDER
    assert (intake.draft.name, intake.draft.age) == ("Lan", 41)

    # A button sent before the restart still works after it.
    await user.press(gender, button(gender, "answer", "female"))
    await harness.wait_key(user, "vi", "ask-history")


async def test_two_users_interleaving_keep_their_own_data(harness: Harness, photo_bytes: bytes) -> None:
    await harness.start()
    alice, bob = harness.api.user(302, "en", "Alice"), harness.api.user(303, "ko", "Bob")
    await asyncio.gather(agree(harness, alice, "en"), agree(harness, bob, "ko"))
    summaries = await asyncio.gather(
        answer_until_summary(
            harness,
            alice,
            "en",
            photo_bytes,
            name="Alice A",
            age="30",
            gender="female",
            history="alice history",
            report_language="en",
        ),
        answer_until_summary(
            harness,
            bob,
            "ko",
            photo_bytes,
            name="Bob B",
            age="61",
            gender="male",
            history=None,
            report_language="ko",
        ),
    )
    ids = await asyncio.gather(
        confirm(harness, alice, "en", summaries[0]), confirm(harness, bob, "ko", summaries[1])
    )
    a = await harness.services.store.cases.get(alice.id, ids[0])
    b = await harness.services.store.cases.get(bob.id, ids[1])
    assert a is not None and b is not None
    assert (a.patient_name, a.age, a.history, a.report_language) == ("Alice A", 30, "alice history", "en")
    assert (b.patient_name, b.age, b.history, b.report_language) == ("Bob B", 61, None, "ko")
    # Scoped reads: neither can load the other's case.
    assert await harness.services.store.cases.get(alice.id, ids[1]) is None
    assert await harness.services.store.cases.get(bob.id, ids[0]) is None
    # Nothing of one user's answers reached the other's chat.
    assert not any("Bob B" in (m.text or "") for m in alice.inbox())
    assert not any("Alice A" in (m.text or "") or "alice history" in (m.text or "") for m in bob.inbox())


async def test_foreign_and_stale_and_forged_presses_are_refused(harness: Harness, photo_bytes: bytes) -> None:
    await harness.start()
    owner, stranger = harness.api.user(304, "en"), harness.api.user(305, "ko")
    await agree(harness, owner, "en")
    await agree(harness, stranger, "ko")
    await photo_to_name(harness, owner, "en", photo_bytes)
    await owner.send("Owner")
    await harness.wait_key(owner, "en", "ask-age")
    await owner.send("20")
    gender = await harness.wait_key(owner, "en", "ask-gender")

    answers_before = len(harness.api.calls_of("answerCallbackQuery"))
    await stranger.press(gender, button(gender, "answer", "male"))
    await harness.wait_until(lambda: len(harness.api.calls_of("answerCallbackQuery")) > answers_before)
    refusal = harness.api.calls_of("answerCallbackQuery")[-1].params
    assert refusal["text"] == harness.t("ko", "button-foreign")
    intake = await harness.services.store.intakes.load(owner.id)
    assert intake is not None and intake.step == Step.GENDER and intake.draft.gender is None

    # Forged data claiming to be the owner's does not help: the presser's own id is what counts.
    forged = Callback(IntakeAction.ANSWER, "male", owner.id, Step.GENDER).pack()
    count = len(harness.api.calls_of("answerCallbackQuery"))
    await stranger.press(gender, forged)
    await harness.wait_until(lambda: len(harness.api.calls_of("answerCallbackQuery")) > count)
    assert harness.api.calls_of("answerCallbackQuery")[-1].params["text"] == harness.t("ko", "button-foreign")
    intake = await harness.services.store.intakes.load(owner.id)
    assert intake is not None and intake.draft.gender is None

    # The owner answers; pressing the same (now stale) button again is refused politely.
    stale_male = button(gender, "answer", "male")
    await owner.press(gender, button(gender, "answer", "female"))
    await harness.wait_key(owner, "en", "ask-history")
    count = len(harness.api.calls_of("answerCallbackQuery"))
    assert gender.buttons() == []  # the answered question's keyboard was removed
    await owner.press(gender, stale_male)
    await harness.wait_until(lambda: len(harness.api.calls_of("answerCallbackQuery")) > count)
    assert harness.api.calls_of("answerCallbackQuery")[-1].params["text"] == harness.t("en", "button-stale")
    intake = await harness.services.store.intakes.load(owner.id)
    assert intake is not None and intake.draft.gender == "female" and intake.step == Step.HISTORY

    # Garbage callback data.
    count = len(harness.api.calls_of("answerCallbackQuery"))
    await owner.press(gender, "answer|x|zz|notanumber")
    await harness.wait_until(lambda: len(harness.api.calls_of("answerCallbackQuery")) > count)


async def test_delete_erases_everything(harness: Harness, photo_bytes: bytes) -> None:
    await harness.start()
    user, other = harness.api.user(306, "en"), harness.api.user(307, "en")
    for u, name, photo in (
        (user, "Secret Patient", photo_bytes),
        (other, "Other Patient", skin_photo(seed=7)),
    ):
        await agree(harness, u, "en")
        summary = await answer_until_summary(harness, u, "en", photo, name=name, history="private history")
        await confirm(harness, u, "en", summary)
    # One more unconfirmed draft with a photo.
    await user.send("/new")
    await harness.wait_key(user, "en", "new-case")
    await photo_to_name(harness, user, "en", photo_bytes)
    image_bytes = next((harness.settings.data_dir / "images" / str(user.id)).glob("*.jpg")).read_bytes()

    await user.send("/delete")
    ask = await harness.wait_key(user, "en", "delete-ask")
    await user.press(ask, button_about(ask, "delete", "yes"))
    await harness.wait_key(user, "en", "delete-done")

    store = harness.services.store
    assert await store.users.get(user.id) is None
    assert await store.cases.recent(user.id) == []
    assert await store.intakes.load(user.id) is None
    assert not (harness.settings.data_dir / "images" / str(user.id)).exists()
    # The other user's data is untouched.
    assert len(await store.cases.recent(other.id)) == 1
    await harness.stop()
    # Read the raw database files: the name and the photo bytes are gone from every page.
    raw = b"".join(p.read_bytes() for p in harness.settings.data_dir.glob("skinbot.sqlite3*"))
    assert b"Secret Patient" not in raw
    assert b"Other Patient" in raw
    with sqlite3.connect(harness.settings.db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM cases WHERE user_id=?", (user.id,)).fetchone()[0] == 0
    for path in harness.settings.data_dir.rglob("*"):
        if path.is_file():
            assert image_bytes not in path.read_bytes()


async def test_delete_can_be_declined(harness: Harness, photo_bytes: bytes) -> None:
    user = await started_with_agreed_user(harness, 308, "ko")
    await user.send("/delete")
    ask = await harness.wait_key(user, "ko", "delete-ask")
    await user.press(ask, button(ask, "delete", "no"))
    await harness.wait_key(user, "ko", "delete-kept")
    assert await harness.services.store.users.get(user.id) is not None


async def test_language_command_switches_ui(harness: Harness) -> None:
    user = await started_with_agreed_user(harness, 309)
    await user.send("/language")
    menu = await harness.wait_key(user, "en", "language-choose")
    await user.press(menu, button(menu, "lang", "vi"))
    await harness.wait_key(user, "vi", "language-set")
    await user.send("/help")
    await harness.wait_key(user, "vi", "help-text")
    stored = await harness.services.store.users.get(user.id)
    assert stored is not None and stored.language == "vi"


async def test_cancel_and_new(harness: Harness, photo_bytes: bytes) -> None:
    await harness.start()
    user = harness.api.user(310, "en")
    await user.send("/cancel")
    await harness.wait_key(user, "en", "nothing-to-cancel")
    await agree(harness, user, "en")
    await user.send("/cancel")
    await harness.wait_key(user, "en", "intake-cancelled")
    await user.send("anything")
    await harness.wait_key(user, "en", "idle")
    # A photo between cases starts the next one directly.
    await photo_to_name(harness, user, "en", photo_bytes)


async def test_corrupt_database_gives_a_clear_error(harness: Harness) -> None:
    harness.settings.data_dir.mkdir(parents=True)
    harness.settings.db_path.write_bytes(b"this is not a sqlite database" * 100)
    from conversations.store import Store, StoreError

    try:
        await Store.open(harness.settings.db_path)
    except StoreError as exc:
        assert "corrupt" in str(exc)
    else:
        raise AssertionError("a corrupt database opened without error")
