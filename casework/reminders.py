"""Reminders to re-check a spot: offered after each report, sent by housekeeping when they come due.

A reminder lives in the store (`store.reminders`), so it survives restarts; housekeeping ticks every minute
on the store's clock, which tests control. It arrives in the user's language at the time it is sent, with a
button that starts a follow-up of the case.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.callbacks import Action, button
from bot.services import Services
from bot.telegram_calls import with_retries
from conversations.domain import Case, Reminder

log = logging.getLogger(__name__)

REMINDER_WEEKS = (2, 4, 12)


def site_of(t: Any, lang: str, case: Case) -> str:
    return t(lang, f"site-{case.body_site}" if case.body_site else "site-unknown")


async def offer_reminder(bot: Any, services: Services, case: Case, lang: str) -> None:
    """'Remind me to re-check this spot in 2 / 4 / 12 weeks', after the PDF. A convenience: a failure is
    only logged."""
    t = services.t
    row = [
        button(t(lang, "btn-remind-weeks", weeks=weeks), Action.REMIND, f"{case.id}.{weeks}", case.user_id)
        for weeks in REMINDER_WEEKS
    ]
    try:
        await with_retries(
            lambda: bot.send_message(
                case.chat_id, t(lang, "reminder-offer"), reply_markup=InlineKeyboardMarkup([row])
            ),
            chat_id=case.chat_id,
        )
    except TelegramError as exc:
        log.warning("reminder offer not sent: %s", type(exc).__name__)


class ReminderDesk:
    def __init__(self, services: Services, bot: Any) -> None:
        self.services, self.bot = services, bot

    async def send_due(self) -> int:
        """Send every reminder whose time has come. Returns how many went out; one Telegram could not take
        now is tried again at the next tick, one it refuses for good (the chat is gone) is dropped."""
        store = self.services.store
        sent = 0
        for reminder in await store.reminders.due(store.clock()):
            try:
                if await self._send(reminder):
                    sent += 1
                await store.reminders.mark_sent(reminder.case_id)
            except (BadRequest, Forbidden) as exc:
                log.warning("reminder dropped: %s", type(exc).__name__)
                await store.reminders.mark_sent(reminder.case_id)
            except TelegramError as exc:
                log.warning("reminder not sent yet: %s", type(exc).__name__)
        return sent

    async def _send(self, reminder: Reminder) -> bool:
        store, t = self.services.store, self.services.t
        case = await store.cases.by_id(reminder.case_id)
        user = await store.users.get(reminder.user_id)
        if case is None or user is None:
            return False
        lang = user.language
        text = t(
            lang,
            "reminder-due",
            date=case.created_at.date().isoformat(),
            site=site_of(t, lang, case),
            name=case.patient_name,
        )
        markup = InlineKeyboardMarkup(
            [[button(t(lang, "btn-follow-up-start"), Action.FOLLOW_UP, case.id, case.user_id)]]
        )
        await with_retries(
            lambda: self.bot.send_message(case.chat_id, text, reply_markup=markup), chat_id=case.chat_id
        )
        return True
