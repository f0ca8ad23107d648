"""What the Telegram adapter's handlers need, built once by the composition root and handed to every router:
the case services both channels share, plus the chat's own settings, the pipeline a confirmed case goes to,
albums, uploads and downloads, and housekeeping."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Protocol

from bot.albums import Albums
from bot.config import BotConfig
from bot.downloads import Downloads
from casework.housekeeping import Housekeeping
from casework.services import CaseServices
from conversations.domain import Case, CaseQuestion


class Pipeline(Protocol):
    """Where a confirmed case goes: `bot.delivery.Delivery` puts it on the model queue and delivers it."""

    async def submit(self, case: Case) -> None: ...

    async def ask(self, case: Case, question: CaseQuestion) -> bool: ...

    async def cancel_user(self, user_id: int) -> bool: ...

    async def cancel_job(self, user_id: int, job_id: str) -> bool: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class HoldQueued:
    """Keeps confirmed cases queued in the store; used when no model is configured."""

    async def submit(self, case: Case) -> None:
        return None

    async def ask(self, case: Case, question: CaseQuestion) -> bool:
        return False

    async def cancel_user(self, user_id: int) -> bool:
        return False

    async def cancel_job(self, user_id: int, job_id: str) -> bool:
        return False

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


class Uploads:
    """Photos and documents are the expensive updates: a download of up to 20 MB and a decode of up to
    50 MP each (`conversations.photos.MAX_PIXELS`: 250-750 MB at its peak for a PNG or WebP that big, far
    less for a JPEG, which is decoded at reduced scale). One user may have at most `per_user` of them in
    flight (waiting or running) at a time, so a burst cannot hold the shared update slots that everyone
    else's messages need; and at most `decoding` images are decoded at once in the whole bot, which bounds
    the memory a burst of big images can take.

    An album (Telegram sends each of its photos as an update of its own, with one media group id) is one
    answer, so it counts once: while one of its photos is in flight, the others join its slot instead of
    taking more, and an album of three is never refused because of its own photos."""

    def __init__(self, per_user: int = 2, decoding: int = 2) -> None:
        self.per_user = per_user
        self._in_flight: dict[int, int] = {}
        self._albums: dict[tuple[int, str], int] = {}  # (user, media group) -> its photos in flight
        self.decoding = asyncio.Semaphore(decoding)

    def admit(self, user_id: int, album: str | None = None) -> bool:
        """Take a slot for this user's upload (or join its album's); False when they already have
        `per_user` in flight."""
        if album is not None and (user_id, album) in self._albums:
            self._albums[user_id, album] += 1
            return True
        count = self._in_flight.get(user_id, 0)
        if count >= self.per_user:
            return False
        self._in_flight[user_id] = count + 1
        if album is not None:
            self._albums[user_id, album] = 1
        return True

    def release(self, user_id: int, album: str | None = None) -> None:
        if album is not None:
            left = self._albums.get((user_id, album), 0) - 1
            if left > 0:
                self._albums[user_id, album] = left
                return  # the album's other photos still hold its slot
            self._albums.pop((user_id, album), None)
        count = self._in_flight.get(user_id, 0) - 1
        if count > 0:
            self._in_flight[user_id] = count
        else:
            self._in_flight.pop(user_id, None)

    def in_flight(self, user_id: int) -> int:
        """Slots this user holds: an album in flight counts once, however many of its photos are."""
        return self._in_flight.get(user_id, 0)

    def album_photos(self, user_id: int) -> int:
        """This user's album photos in flight, all albums together."""
        return sum(count for (user, _), count in self._albums.items() if user == user_id)


@dataclass(kw_only=True)
class Services(CaseServices):
    bot_config: BotConfig
    pipeline: Pipeline = field(default_factory=HoldQueued)
    albums: Albums = field(default_factory=Albums)
    uploads: Uploads = field(default_factory=Uploads)
    downloads: Downloads = field(default_factory=Downloads)
    housekeeping: Housekeeping | None = None
