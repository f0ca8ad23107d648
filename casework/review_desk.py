"""The doctors' review loop: cases go to a clinic chat, the first verdict wins and returns to the patient.

Only chats in the store's clinic list (seeded from SKINBOT_REVIEW_CHAT_ID, extended with `skinbot clinic`) are
clinics. A review is bound to the one clinic it was sent to, so a doctor never sees, or answers, another
clinic's cases. What is said, and what is stored, is decided here; the channel (`casework.channel`) decides
how it looks in the chat.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from casework.case_pdf import render_case_pdf, services_case_pdf
from casework.case_questions import questions_text
from casework.channel import CaseChannel, ChannelError, Choice, DeskLink, ReviewPost
from casework.services import CaseServices
from conversations.domain import Case, Clinic, Review
from inference.labels import Classification
from inference.triage import triage

log = logging.getLogger(__name__)
T = TypeVar("T")

VERDICTS = {"r": "routine", "v": "visit", "u": "urgent", "n": "note"}
NOTE_MAX = 1000
SUMMARY_LIMIT = 4096  # a Telegram message's length: the questions are cut before the summary is


async def clinics_for(services: CaseServices, user_id: int) -> list[Clinic]:
    """The clinics this patient may send cases to, under SKINBOT_CLINIC_ACCESS (see Clinics.for_user)."""
    return await services.store.clinics.for_user(user_id, services.case_config.clinic_access == "all")


class ReviewDesk:
    def __init__(self, services: CaseServices, channel: CaseChannel) -> None:
        self.services, self.channel = services, channel

    # --- patient → clinic -----------------------------------------------------------------------

    async def send(self, user_id: int, cases: list[Case], clinic: Clinic) -> int:
        """Send finished cases to a clinic. Returns how many were sent (already-sent ones are skipped)."""
        sent = 0
        for case in cases:
            review = await self.services.store.reviews.create(user_id, case.id, clinic.chat_id)
            if review is None:
                continue
            try:
                await self._post(case, review, clinic)
            except Exception:
                # Not delivered: the case must stay sendable, not "waiting for review" forever.
                await self.services.store.reviews.delete(review.id)
                raise
            sent += 1
        log.info("%d case(s) sent for review", sent)
        return sent

    async def _post(self, case: Case, review: Review, clinic: Clinic) -> None:
        t, lang = self.services.t, clinic.language
        pdf = await services_case_pdf(self.services, case)
        assert case.classification is not None
        result = Classification.from_record(case.classification)
        level = triage(result, self.services.case_config.carcinoma_referral)
        text = t(
            lang,
            "clinic-summary",
            case=case.short_id,
            age=case.age,
            gender=t(lang, f"gender-{case.gender}"),
            label=t(lang, f"label-{result.top}"),
            confidence=result.confidence,
            triage=t(lang, f"triage-{level.value}-title"),
        )
        # The patient's questions about the report so far, and the answers they got (no name in either).
        asked = questions_text(t, lang, await self.services.store.questions.answered(case.id))
        if asked:
            text = f"{text}\n\n{asked}"
            if len(text) > SUMMARY_LIMIT:
                text = text[: SUMMARY_LIMIT - 1].rstrip() + "…"
        choices = [Choice(t(lang, f"btn-verdict-{name}"), code) for code, name in VERDICTS.items()]
        desk = None
        if self.services.case_config.desk_app_url:
            desk = DeskLink(t(lang, "btn-open-desk"), clinic.id)
        # The patient's name is only inside the PDF, never in the chat text.
        post = ReviewPost(review.id, case, pdf, text, choices, desk)
        message_id = await self.channel.post_for_review(clinic.chat_id, post)
        await self.services.store.reviews.set_message(review.id, message_id)

    # --- clinic → patient -----------------------------------------------------------------------

    async def verdict(
        self,
        review: Review,
        clinic: Clinic,
        code: str,
        reviewer: str,
        note: str | None = None,
        *,
        source: str = "telegram",
        staff_id: int | None = None,
    ) -> tuple[bool, str | None]:
        """Record a verdict if it is the first, from the clinic chat or the web review desk (`source`).
        Returns (won, who answered first).

        The verdict is recorded first; telling the patient is an outbox (`patient_notified`) that
        housekeeping retries, so a verdict never stops half-way. What the clinic chat sees is best effort.
        A note given with the verdict (the desk's form) is recorded with it; a "note" verdict without one
        (the chat's button) asks the clinic chat for it.
        """
        verdict = VERDICTS[code]
        store, t, lang = self.services.store, self.services.t, clinic.language
        if not await store.reviews.claim_verdict(review.id, clinic.chat_id, verdict, reviewer, note):
            current = await store.reviews.get(review.id)
            return False, current.reviewer if current else None
        await store.audit.add(
            clinic.chat_id,
            reviewer,
            "verdict",
            source=source,
            staff_id=staff_id,
            review_id=review.id,
            case_id=review.case_id,
            detail=verdict,
        )
        if review.summary_message_id is not None:
            # The clinic reads the verdict as its button says it; the patient gets the sentence meant for it.
            answered = t(
                lang, "clinic-answered", reviewer=reviewer, verdict=t(lang, f"btn-verdict-{verdict}")
            )
            summary = review.summary_message_id
            await self._to_clinic(lambda: self.channel.close_review(clinic.chat_id, summary, answered))
        if verdict == "note" and note is None:
            case = await store.cases.by_id(review.case_id)
            prompt = t(
                lang, "clinic-note-ask", reviewer=reviewer, case=case.short_id if case else "?", max=NOTE_MAX
            )
            message_id = await self._to_clinic(lambda: self.channel.ask_for_note(clinic.chat_id, prompt))
            if message_id is not None:
                await store.reviews.set_note_prompt(review.id, message_id)
                return True, reviewer
            # No way to ask for the note: the patient hears the verdict without one.
            await store.reviews.save_note(review.id, "")
        await self.notify_patient(review.id)
        return True, reviewer

    async def _to_clinic(self, call: Callable[[], Awaitable[T]]) -> T | None:
        """What the clinic chat sees is best effort: the verdict is recorded whatever happens to it."""
        try:
            return await call()
        except ChannelError as exc:
            log.warning("clinic chat update failed: %s", exc)
            return None

    async def note(self, review: Review, clinic: Clinic, text: str) -> str:
        """A doctor's reply to the note prompt. Returns the Fluent key to answer the clinic with."""
        if len(text) > NOTE_MAX:
            return "clinic-note-too-long"
        if not await self.services.store.reviews.save_note(review.id, text):
            return ""  # a second reply to the same prompt: the first note stands
        await self.notify_patient(review.id)
        return "clinic-note-sent"

    async def notify_pending(self) -> int:
        """Tell every patient whose verdict has not reached them yet. Returns how many were told."""
        told = 0
        for review in await self.services.store.reviews.unnotified():
            told += await self.notify_patient(review.id)
        return told

    async def notify_patient(self, review_id: str) -> bool:
        """The verdict (and the doctor's note) to the patient, in their language, then the PDF stamped with
        it. The stamped PDF is saved first, so a re-download carries the verdict whatever happens next.
        Returns False when the channel failed; the review stays unnotified for the next attempt."""
        review = await self.services.store.reviews.get(review_id)
        if review is None:
            return False
        # The verdict's handler and housekeeping may both try: one at a time per patient, checked inside.
        async with self.services.locks.hold(review.user_id):
            return await self._notify_patient(review_id)

    async def _notify_patient(self, review_id: str) -> bool:
        store, t = self.services.store, self.services.t
        review = await store.reviews.get(review_id)
        if review is None or review.verdict is None or review.patient_notified:
            return False
        case = await store.cases.by_id(review.case_id)
        if case is None:  # deleted by the patient meanwhile: nobody left to tell
            await store.reviews.mark_notified(review.id)
            return False
        clinic = await store.clinics.by_chat(review.clinic_chat_id)
        clinic_name = clinic.name if clinic is not None else str(review.clinic_chat_id)
        user = await store.users.get(case.user_id)
        lang = user.language if user else case.ui_language
        day = (review.answered_at or store.clock()).date().isoformat()
        report_lang = case.report_language
        stamp = t(
            report_lang,
            "review-stamp",
            clinic=clinic_name,
            date=day,
            verdict=t(report_lang, f"verdict-{review.verdict}"),
        )
        pdf = await render_case_pdf(
            case,
            self.services.files,
            self.services.render_pdf,
            self.services.case_config.carcinoma_referral,
            stamp,
            store=store,
        )
        if await store.cases.by_id(case.id) is None:  # deleted meanwhile: leave no file behind
            self.services.files.delete_case_files(case.user_id, case.id, case.images)
            await store.reviews.mark_notified(review.id)
            return False
        verdict = t(lang, f"verdict-{review.verdict}")
        texts = [t(lang, "review-verdict", clinic=clinic_name, case=case.short_id, date=day, verdict=verdict)]
        if review.note:
            # Relayed as written: the doctor's own words, in full.
            texts.append(t(lang, "review-note", note=review.note))
        try:
            await self.channel.tell(case.chat_id, texts)
        except ChannelError as exc:
            log.warning("verdict not delivered yet (%s); housekeeping tries again", exc)
            return False
        await store.reviews.mark_notified(review.id)
        # The PDF again, now carrying the verdict, ready to forward; /cases re-sends it if this fails.
        try:
            caption = t(lang, "pdf-caption", case=case.short_id)
            await self.channel.send_report(case.chat_id, case, pdf, caption)
        except ChannelError as exc:
            log.warning("stamped PDF not sent: %s", exc)
        return True

    # --- housekeeping ---------------------------------------------------------------------------

    async def reflag_due(self) -> int:
        """Flag each review still unanswered after the set time to its clinic once more."""
        store = self.services.store
        cutoff = store.clock() - timedelta(hours=self.services.case_config.review_reflag_hours)
        flagged = 0
        for review in await store.reviews.due_for_reflag(cutoff):
            clinic = await store.clinics.by_chat(review.clinic_chat_id)
            case = await store.cases.by_id(review.case_id)
            # Marked first: a clinic chat that fails (bot removed, message deleted) is flagged once, not every
            # minute, and never holds up the rest of housekeeping.
            await store.reviews.mark_reflagged(review.id)
            if clinic is None or case is None:
                continue
            text = self.services.t(clinic.language, "clinic-reflag", case=case.short_id)
            try:
                await self.channel.reflag(clinic.chat_id, text)
            except ChannelError as exc:
                log.warning("re-flag to a clinic failed: %s", exc)
                continue
            flagged += 1
        return flagged
