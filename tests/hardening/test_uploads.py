"""Expensive updates cannot starve everyone: two users flooding photos while a third completes an intake."""

from __future__ import annotations

import asyncio

from testkit.skin_photos import skin_photo
from tests.bot.helpers import agree, answer_until_summary
from tests.conftest import Harness
from tests.polling import until

BURST = 12


class CountingDecodes:
    """Wraps the bot's decode semaphore to record how many decodes ran at once."""

    def __init__(self, inner: asyncio.Semaphore) -> None:
        self.inner, self.now, self.most = inner, 0, 0

    async def __aenter__(self) -> None:
        await self.inner.acquire()
        self.now += 1
        self.most = max(self.most, self.now)

    async def __aexit__(self, *exc: object) -> None:
        self.now -= 1
        self.inner.release()


async def test_photo_floods_from_two_users_leave_a_third_unharmed(harness: Harness) -> None:
    await harness.start()
    services = harness.services
    decodes = CountingDecodes(services.uploads.decoding)
    services.uploads.decoding = decodes  # type: ignore[assignment]
    big = skin_photo(3000, 2400, seed=9)  # a 7 MP photo: decoding it costs real time and memory
    flooders = [harness.api.user(1501, "en"), harness.api.user(1502, "vi")]
    for user, lang in zip(flooders, ("en", "vi"), strict=True):
        await agree(harness, user, lang)
    third = harness.api.user(1503, "ko")

    async def flood(user) -> None:  # type: ignore[no-untyped-def]
        for _ in range(BURST):
            await user.send_photo(big, width=3000, height=2400)

    await asyncio.gather(
        *(flood(u) for u in flooders),
        agree(harness, third, "ko"),
    )
    await answer_until_summary(harness, third, "ko", skin_photo(seed=4), name="Park Jisoo")
    # At most two of a user's photos were ever in flight; the rest were refused at once, with a notice.
    for user, lang in zip(flooders, ("en", "vi"), strict=True):
        notice = harness.t(lang, "upload-one-at-a-time")
        await harness.wait_until(lambda u=user, n=notice: any(m.text == n for m in u.inbox()), 30)
    assert 1 <= decodes.most <= 2


async def test_an_albums_photos_in_flight_at_once_share_one_upload_slot(harness: Harness) -> None:
    await harness.start()
    services = harness.services
    user = harness.api.user(1504, "en")
    await agree(harness, user, "en")
    since = len(user.inbox())
    notice = harness.t("en", "upload-one-at-a-time")
    # The user's turn is held (as by a slow answer before it), so all three photos of the album are in
    # flight at once: more than the two uploads a user may have, yet one album, so none is refused.
    async with services.locks.hold(user.id):
        await user.send_album([skin_photo(seed=s) for s in (61, 62, 63)])
        await until(
            lambda: (
                services.uploads.album_photos(user.id) == 3
                or any(m.text == notice for m in user.inbox()[since:])
            ),
            30,
            "the album's photos in flight",
        )
        assert services.uploads.in_flight(user.id) == 1
    await harness.wait_key(user, "en", "ask-body-site", since=since)
    assert not any(m.text == notice for m in user.inbox()[since:])
    intake = await services.store.intakes.load(user.id)
    assert intake is not None and len(intake.draft.photos) == 3
    assert services.uploads.in_flight(user.id) == 0 and services.uploads.album_photos(user.id) == 0
    # An album that finds both slots taken is refused; once one frees, its photos share that one.
    assert services.uploads.admit(user.id) and services.uploads.admit(user.id)
    assert not services.uploads.admit(user.id, "later-album")
    services.uploads.release(user.id)
    assert services.uploads.admit(user.id, "later-album") and services.uploads.admit(user.id, "later-album")
    assert services.uploads.in_flight(user.id) == 2 and services.uploads.album_photos(user.id) == 2
