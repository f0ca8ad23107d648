"""Every kind of bad input gets a localized reply, the question again, and no half-written state."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from conversations.intake_state import Step
from conversations.validation import HISTORY_MAX, NAME_MAX
from testkit.skin_photos import skin_photo
from tests.bot.helpers import agree, button, photo_to_name
from tests.conftest import Harness


async def _at_step(h: Harness, user_id: int, lang: str, photo: bytes, step: Step):
    user = h.api.user(user_id, lang)
    await agree(h, user, lang)
    if step == Step.PHOTO:
        return user
    await photo_to_name(h, user, lang, photo)
    if step == Step.NAME:
        return user
    await user.send("Lan")
    await h.wait_key(user, lang, "ask-age")
    if step == Step.AGE:
        return user
    await user.send("30")
    gender = await h.wait_key(user, lang, "ask-gender")
    await user.press(gender, button(gender, "answer", "male"))
    await h.wait_key(user, lang, "ask-history")
    return user


async def _rejected_then_asked_again(h: Harness, user, lang: str, key: str, ask: str, **args) -> None:
    """The reply names the problem and the same question follows; the stored step did not move."""
    before = await h.services.store.intakes.load(user.id)
    try:
        await h.wait_key(user, lang, key, **args)
    except TimeoutError:
        raise AssertionError([m.text for m in user.inbox()][-4:]) from None
    texts = [m.text for m in user.inbox()]
    reason_at = max(i for i, text in enumerate(texts) if text == h.t(lang, key, **args))
    ask_args = {"max": NAME_MAX} if ask == "ask-name" else {}
    await h.wait_until(
        lambda: [m.text for m in user.inbox()][reason_at + 1 :].count(h.t(lang, ask, **ask_args)) >= 1
    )
    after = await h.services.store.intakes.load(user.id)
    assert after == before


@pytest.mark.parametrize("lang", ["ko", "en", "vi"])
@pytest.mark.parametrize("text", ["abc", "-3", "200", "1.5e3", "", "15.5"])
async def test_bad_ages(harness: Harness, photo_bytes: bytes, lang: str, text: str) -> None:
    if text == "" and lang != "en":
        pytest.skip("one language is enough for the empty case")
    await harness.start()
    user = await _at_step(harness, 200, lang, photo_bytes, Step.AGE)
    await user.send(text or " ")
    await _rejected_then_asked_again(
        harness, user, lang, "invalid-age", "ask-age", text=(text or " ").strip()
    )


@pytest.mark.parametrize(
    ("text", "age"), [("15세", 15), ("15 tuổi", 15), (" 15 ", 15), ("15 years", 15), ("0", 0)]
)
async def test_good_ages(harness: Harness, photo_bytes: bytes, text: str, age: int) -> None:
    await harness.start()
    user = await _at_step(harness, 201, "ko", photo_bytes, Step.AGE)
    await user.send(text)
    await harness.wait_key(user, "ko", "ask-gender")
    intake = await harness.services.store.intakes.load(user.id)
    assert intake is not None and intake.draft.age == age


async def test_non_photo_inputs_at_photo_step(harness: Harness) -> None:
    await harness.start()
    user = await _at_step(harness, 202, "vi", b"", Step.PHOTO)
    for send in (user.send_sticker, user.send_location, lambda: user.send("hello")):
        count = len(user.inbox())
        await send()
        messages = await harness.wait_new(user, count, 2)
        assert [m.text for m in messages[:2]] == [
            harness.t("vi", "nudge-photo"),
            harness.t("vi", "ask-photo"),
        ]
    intake = await harness.services.store.intakes.load(user.id)
    assert intake is not None and intake.step == Step.PHOTO and intake.draft.photos == ()


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height)).save(out, "PNG", optimize=True)
    return out.getvalue()


async def test_bad_files(harness: Harness) -> None:
    await harness.start()
    user = await _at_step(harness, 203, "en", b"", Step.PHOTO)

    # 25 MB, refused from the size Telegram reports, before any download.
    await user.send_document(b"x" * 1024, "big.jpg", "image/jpeg", size=25 * 1024 * 1024)
    await _rejected_then_asked_again(
        harness, user, "en", "photo-too-large", "ask-photo", size_mb=25.0, max_mb=20
    )
    downloads_before = len(harness.api.calls_of("getFile"))

    # A corrupt JPEG: a real header, then garbage.
    corrupt = skin_photo()[:600] + b"\x00garbage" * 50
    await user.send_document(corrupt, "broken.jpg", "image/jpeg")
    await _rejected_then_asked_again(harness, user, "en", "photo-unreadable", "ask-photo")

    # A 20000x20000 PNG (a few hundred KB compressed, 400 megapixels decoded).
    bomb = _png(20000, 20000)
    await user.send_document(bomb, "bomb.png", "image/png")
    await _rejected_then_asked_again(
        harness, user, "en", "photo-too-many-pixels", "ask-photo", megapixels=400.0
    )

    # Not an image at all.
    await user.send_document(b"%PDF-1.4 not a photo", "notes.pdf", "application/pdf")
    await _rejected_then_asked_again(harness, user, "en", "photo-not-image", "ask-photo")

    assert len(harness.api.calls_of("getFile")) == downloads_before + 3
    assert not any((harness.settings.data_dir / "images").rglob("*.jpg"))


async def test_image_document_is_accepted(harness: Harness) -> None:
    await harness.start()
    user = await _at_step(harness, 204, "en", b"", Step.PHOTO)
    out = io.BytesIO()
    Image.open(io.BytesIO(skin_photo())).save(out, "PNG")
    await user.send_document(out.getvalue(), "skin.png", "image/png")
    await harness.wait_key(user, "en", "ask-more-photos", count=1, max=3)


async def test_long_name_and_history(harness: Harness, photo_bytes: bytes) -> None:
    await harness.start()
    user = await _at_step(harness, 205, "ko", photo_bytes, Step.NAME)
    await user.send("N" * 150)
    await _rejected_then_asked_again(
        harness, user, "ko", "invalid-name-long", "ask-name", length=150, max=NAME_MAX
    )
    await user.send("Minh")
    await harness.wait_key(user, "ko", "ask-age")
    await user.send("30")
    gender = await harness.wait_key(user, "ko", "ask-gender")
    await user.press(gender, button(gender, "answer", "male"))
    await harness.wait_key(user, "ko", "ask-history")
    await user.send("a" * 10_000)
    await _rejected_then_asked_again(
        harness, user, "ko", "invalid-history-long", "ask-history", length=10_000, max=HISTORY_MAX
    )
    await user.send("b" * HISTORY_MAX)
    await harness.wait_key(user, "ko", "ask-report-language")


async def test_text_at_a_button_step_and_photo_at_a_text_step(harness: Harness, photo_bytes: bytes) -> None:
    await harness.start()
    user = await _at_step(harness, 206, "en", photo_bytes, Step.AGE)
    await user.send_photo(photo_bytes)
    await _rejected_then_asked_again(harness, user, "en", "nudge-text", "ask-age")
    await user.send("33")
    await harness.wait_key(user, "en", "ask-gender")
    await user.send("female")
    await _rejected_then_asked_again(harness, user, "en", "nudge-buttons", "ask-gender")


def _encoded(size: tuple[int, int], fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("L", size, 128).save(out, fmt)
    return out.getvalue()


async def test_a_sliver_or_too_many_pixels_is_refused_at_upload(harness: Harness) -> None:
    """A 1x2048 image used to reach the model worker, whose quality gate spent seconds and gigabytes on it."""
    await harness.start()
    min_side = harness.settings.min_side
    user = await _at_step(harness, 207, "ko", b"", Step.PHOTO)
    # As a photo, Telegram's own dimensions of it are enough: refused before it is downloaded.
    await user.send_photo(_encoded((1, 2048), "JPEG"), width=1, height=2048)
    await _rejected_then_asked_again(
        harness, user, "ko", "photo-too-small", "ask-photo", side=1, min_side=min_side
    )
    assert harness.api.calls_of("getFile") == []
    # As a file, only its header tells: an AVIF of a few hundred bytes.
    await user.send_document(_encoded((1, 2048), "AVIF"), "sliver.avif", "image/avif")
    await _rejected_then_asked_again(
        harness, user, "ko", "photo-too-small", "ask-photo", side=1, min_side=min_side
    )
    # The header's pixel count, also of a JPEG (whose reduced-scale decode used to be measured instead).
    await user.send_document(_encoded((8200, 6400), "JPEG"), "big.jpg", "image/jpeg")
    await _rejected_then_asked_again(
        harness, user, "ko", "photo-too-many-pixels", "ask-photo", megapixels=52.48
    )
    intake = await harness.services.store.intakes.load(user.id)
    assert intake is not None and intake.draft.photos == ()
    assert not any((harness.settings.data_dir / "images").rglob("*.jpg"))


async def test_an_album_drops_what_is_not_a_photo_before_it_keeps_three(harness: Harness) -> None:
    await harness.start()
    user = await _at_step(harness, 208, "en", b"", Step.PHOTO)
    since = len(user.inbox())
    album = "album-with-a-document"
    await user.send_photo(skin_photo(seed=71), media_group_id=album)
    await user.send_document(b"%PDF-1.4 notes", "notes.pdf", "application/pdf", media_group_id=album)
    await user.send_photo(skin_photo(seed=72), media_group_id=album)
    await user.send_photo(skin_photo(seed=73), media_group_id=album)
    next_questions = {harness.t("en", "ask-body-site"), harness.t("en", "ask-more-photos", count=2, max=3)}
    await harness.wait_until(lambda: any(m.text in next_questions for m in user.inbox()[since:]))
    assert [m.text for m in user.inbox()[since:]] == [
        harness.t("en", "photo-not-image"),
        harness.t("en", "ask-body-site"),
    ]
    intake = await harness.services.store.intakes.load(user.id)
    assert intake is not None and len(intake.draft.photos) == 3
