"""Reminders to re-check a spot: offered with each report's PDF (the Telegram adapter's `bot.outbox`), sent
by housekeeping when they come due.

A reminder lives in the store (`store.reminders`), so it survives restarts; housekeeping ticks every minute
on the store's clock, which tests control. It arrives in the user's language at the time it is sent, with a
choice that starts a follow-up of the case.
"""

from __future__ import annotations

import logging
from typing import Any

from casework.channel import ChannelUnavailable, PatientChannel, RecipientGone
from casework.services import CaseServices
from conversations.domain import Case, Reminder

log = logging.getLogger(__name__)

REMINDER_WEEKS = (2, 4, 12)


def site_of(t: Any, lang: str, case: Case) -> str:
    return t(lang, f"site-{case.body_site}" if case.body_site else "site-unknown")


class ReminderDesk:
    def __init__(self, services: CaseServices, channel: PatientChannel) -> None:
        self.services, self.channel = services, channel

    async def send_due(self) -> int:
        """Send every reminder whose time has come. Returns how many went out; one the channel could not
        take now is tried again at the next tick, one it refuses for good (the chat is gone) is dropped."""
        store = self.services.store
        sent = 0
        for reminder in await store.reminders.due(store.clock()):
            try:
                if await self._send(reminder):
                    sent += 1
                await store.reminders.mark_sent(reminder.case_id)
            except RecipientGone as exc:
                log.warning("reminder dropped: %s", exc)
                await store.reminders.mark_sent(reminder.case_id)
            except ChannelUnavailable as exc:
                log.warning("reminder not sent yet: %s", exc)
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
        await self.channel.remind(case.chat_id, case, text, t(lang, "btn-follow-up-start"))
        return True
