"""Photos are checked as they arrive (issue #27, item 1): a blurred, dark, flat or non-skin photo is turned
back with its reason and a request for another before the next question; nothing of it is kept or queued,
and a retake loses none of the answers given."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageFilter

from conversations.intake_state import Step
from testkit.fake_user import FakeUser
from testkit.skin_photos import skin_photo
from tests.bot.helpers import agree, answer_until_summary, button, new_photo_to_summary
from tests.classifier.skin_images import skimage_photo
from tests.conftest import Harness


def jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def blurred() -> bytes:
    return jpeg(Image.open(io.BytesIO(skin_photo(seed=5))).filter(ImageFilter.GaussianBlur(6)))


def dark() -> bytes:
    return jpeg(Image.new("RGB", (800, 600), (4, 4, 4)))


def flat() -> bytes:
    return jpeg(Image.new("RGB", (800, 600), (180, 140, 120)))  # skin-coloured, and nothing else


def rocket() -> bytes:
    return jpeg(skimage_photo("rocket"))  # a real photograph, sharp and well lit, of no skin


def rejection(h: Harness, lang: str, issue: str, album_item: tuple[int, int] | None = None) -> str:
    """The text a photo turned back at upload gets, written out from the Fluent messages."""
    if issue == "not_skin":
        lines = [h.t(lang, "upload-not-skin"), h.t(lang, "scores-not-skin-tip")]
    else:
        message = "quality-" + issue.replace("_", "-")
        reason = h.t(lang, "quality-reason", reason=h.t(lang, message), tip=h.t(lang, message + "-tip"))
        lines = [h.t(lang, "upload-quality-rejected"), reason]
    if album_item is None:
        return "\n".join([*lines, h.t(lang, "upload-send-another")])
    position, count = album_item
    return "\n".join([h.t(lang, "upload-album-item", position=position, count=count), *lines])


def stored_photos(h: Harness) -> list[str]:
    return sorted(p.name for p in (h.settings.data_dir / "images").rglob("*.jpg"))


async def nothing_queued(h: Harness, user: FakeUser) -> bool:
    return await h.services.store.jobs.queued() == [] and await h.services.store.cases.recent(user.id) == []


@pytest.mark.parametrize(
    ("lang", "photo", "issue"),
    [("en", blurred, "blurry"), ("ko", dark, "too_dark"), ("vi", flat, "flat"), ("en", rocket, "not_skin")],
)
async def test_a_bad_photo_is_turned_back_before_the_next_question(
    harness: Harness, lang: str, photo: object, issue: str
) -> None:
    await harness.start()
    user = harness.api.user(2701, lang)
    await agree(harness, user, lang)
    since = len(user.inbox())
    await user.send_photo(photo())  # type: ignore[operator]
    await harness.wait_key(user, lang, "ask-photo", since=since)
    # The reason and the request for another photo, then the photo question again: not the next question.
    assert [m.text for m in user.inbox()[since:]] == [
        rejection(harness, lang, issue),
        harness.t(lang, "ask-photo"),
    ]
    intake = await harness.services.store.intakes.load(user.id)
    assert intake is not None and intake.step == Step.PHOTO and intake.draft.photos == ()
    assert stored_photos(harness) == []
    assert await nothing_queued(harness, user)
    # A good photo then goes on as usual.
    await user.send_photo(skin_photo(seed=6))
    await harness.wait_key(user, lang, "ask-more-photos", since=since, count=1, max=3)


async def test_a_retake_from_the_summary_keeps_every_answer(harness: Harness) -> None:
    await harness.start()
    user = harness.api.user(2702, "en")
    await agree(harness, user, "en")
    summary = await answer_until_summary(harness, user, "en", skin_photo(seed=7), body_site="arm")
    before = await harness.services.store.intakes.load(user.id)
    assert before is not None
    await user.press(summary, button(summary, "edit"))
    menu = await harness.wait_key(user, "en", "edit-which")
    since = len(user.inbox())
    await user.press(menu, button(menu, "field", "photo"))
    await harness.wait_key(user, "en", "ask-photo", since=since)
    since = len(user.inbox())
    await user.send_photo(blurred())
    await harness.wait_key(user, "en", "ask-photo", since=since)
    assert [m.text for m in user.inbox()[since:]] == [
        rejection(harness, "en", "blurry"),
        harness.t("en", "ask-photo"),
    ]
    # Still editing the photo; the earlier photo and every answer are as they were, and nothing was stored.
    during = await harness.services.store.intakes.load(user.id)
    assert during is not None and during.step == Step.PHOTO and during.editing
    assert during.draft == before.draft
    assert len(stored_photos(harness)) == 1
    assert await nothing_queued(harness, user)
    # The retake goes straight back to the summary with the same answers.
    await new_photo_to_summary(harness, user, skin_photo(seed=8))
    after = await harness.services.store.intakes.load(user.id)
    assert after is not None and after.step == Step.SUMMARY
    kept = ("name", "age", "gender", "history", "report_language", "body_site")
    assert {f: getattr(after.draft, f) for f in kept} == {f: getattr(before.draft, f) for f in kept}
    assert after.draft.photos != before.draft.photos and len(stored_photos(harness)) == 1


async def test_an_album_keeps_its_good_photos_and_names_the_bad_one(harness: Harness) -> None:
    await harness.start()
    user = harness.api.user(2703, "ko")
    await agree(harness, user, "ko")
    since = len(user.inbox())
    await user.send_album([skin_photo(seed=11), dark(), skin_photo(seed=12)])
    await harness.wait_key(user, "ko", "ask-more-photos", since=since, count=2, max=3)
    assert [m.text for m in user.inbox()[since:]] == [
        rejection(harness, "ko", "too_dark", album_item=(2, 3)),
        harness.t("ko", "ask-more-photos", count=2, max=3),
    ]
    intake = await harness.services.store.intakes.load(user.id)
    assert intake is not None and len(intake.draft.photos) == 2
    assert len(stored_photos(harness)) == 2
    assert await nothing_queued(harness, user)


async def test_an_album_of_bad_photos_keeps_nothing_and_asks_again(harness: Harness) -> None:
    await harness.start()
    user = harness.api.user(2704, "vi")
    await agree(harness, user, "vi")
    since = len(user.inbox())
    await user.send_album([rocket(), flat()])
    await harness.wait_key(user, "vi", "ask-photo", since=since)
    assert [m.text for m in user.inbox()[since:]] == [
        rejection(harness, "vi", "not_skin", album_item=(1, 2)),
        rejection(harness, "vi", "flat", album_item=(2, 2)),
        harness.t("vi", "ask-photo"),
    ]
    intake = await harness.services.store.intakes.load(user.id)
    assert intake is not None and intake.draft.photos == () and stored_photos(harness) == []
    assert await nothing_queued(harness, user)
