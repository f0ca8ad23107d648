"""Periodic work: tell patients verdicts that did not reach them, re-flag unanswered reviews, send the
reminders that came due, and purge data past its retention time.

Each pass is a plain coroutine, so tests call it directly with a clock they control; the loop that
runs them in production only decides when.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from casework.background import BackgroundService
from casework.channel import CaseChannel
from casework.reminders import ReminderDesk
from casework.review_desk import ReviewDesk
from casework.services import CaseServices

log = logging.getLogger(__name__)
TICK_S = 60.0
PURGE_EVERY = timedelta(days=1)


class Housekeeping(BackgroundService):
    """`channel` reaches clinics and patients; without one (`skinbot web`, no clinics) only `purge` runs."""

    task_name = "housekeeping"

    def __init__(self, services: CaseServices, channel: CaseChannel | None, tick_s: float = TICK_S) -> None:
        self.services, self.channel, self.tick_s = services, channel, tick_s
        self._last_purge = None

    async def _run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception as exc:  # one failed pass must not end housekeeping for good
                log.error("housekeeping pass failed: %s", type(exc).__name__, exc_info=exc)
            await asyncio.sleep(self.tick_s)

    async def tick(self) -> None:
        assert self.channel is not None, "a tick tells patients and clinics: without a channel, only purge"

        desk = ReviewDesk(self.services, self.channel)
        try:
            told = await desk.notify_pending()
            if told:
                log.info("told %d patient(s) a verdict that had not reached them", told)
        except Exception as exc:  # the steps below must run whatever happens here
            log.error("verdict notification failed: %s", type(exc).__name__, exc_info=exc)
        try:
            flagged = await desk.reflag_due()
            if flagged:
                log.info("re-flagged %d unanswered review(s)", flagged)
        except Exception as exc:  # the purge below must run whatever happens to re-flagging
            log.error("re-flagging failed: %s", type(exc).__name__, exc_info=exc)
        try:
            reminded = await ReminderDesk(self.services, self.channel).send_due()
            if reminded:
                log.info("sent %d reminder(s) to re-check a spot", reminded)
        except Exception as exc:  # the purge below must run whatever happens to reminders
            log.error("reminders failed: %s", type(exc).__name__, exc_info=exc)
        now = self.services.store.clock()
        if self._last_purge is None or now - self._last_purge >= PURGE_EVERY:
            await self.purge()
            self._last_purge = now

    async def purge(self) -> tuple[int, int]:
        """Delete cases, photos and PDFs older than SKINBOT_RETENTION_DAYS. Logs counts only."""
        store, files = self.services.store, self.services.files
        cutoff = store.clock() - timedelta(days=self.services.case_config.retention_days)
        expired = await store.erasure.purge_before(cutoff)
        removed_files = 0
        for user_id, case_id, images in expired:
            removed_files += await asyncio.to_thread(files.delete_case_files, user_id, case_id, images)
        log.info(
            "retention purge: %d case(s), %d file(s) older than %d days removed",
            len(expired),
            removed_files,
            self.services.case_config.retention_days,
        )
        return len(expired), removed_files
