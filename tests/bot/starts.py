"""How most bot tests begin: the bot started, clinics made, a user who has agreed to the notes."""

from __future__ import annotations

from conversations.domain import Clinic
from testkit.fake_user import FakeUser
from tests.bot.helpers import agree
from tests.conftest import Harness


async def agreed_user(h: Harness, user_id: int, lang: str = "en") -> FakeUser:
    """A new user who sent /start and agreed to the notes in `lang`: the intake waits for a photo."""
    user = h.api.user(user_id, lang)
    await agree(h, user, lang)
    return user


async def started_with_agreed_user(h: Harness, user_id: int, lang: str = "en") -> FakeUser:
    """The bot started, and a new user who agreed to the notes in `lang`."""
    await h.start()
    return await agreed_user(h, user_id, lang)


async def started_with_clinics(h: Harness, *clinics: tuple[int, str, str]) -> list[Clinic]:
    """The bot started with these clinics (group chat id, name, language), their groups known to the fake
    Bot API; each is closed to patients without its link until the test opens it."""
    for chat_id, name, _ in clinics:
        h.api.add_group(chat_id, name)
    await h.start()
    return [await h.services.store.clinics.add(chat_id, name, lang) for chat_id, name, lang in clinics]
