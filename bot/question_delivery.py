"""The chat side of one question about a finished case: the answer streams like the report (drafts or paced
edits, through the same `StreamMode` and streams), then "Ask a doctor" (the existing send-to-a-clinic flow)
and "Ask another question" under it. Stop under the title, or /cancel, stops it as a report is stopped."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.callbacks import Action, button
from bot.telegram_calls import drop_buttons, with_retries
from conversations.domain import Case
from inference.events import Cancelled, Done, Event, Failed, Restart, Started, TextDelta

if TYPE_CHECKING:
    from bot.case_delivery import Delivering
    from inference.model_queue import Job

log = logging.getLogger(__name__)


def answer_markup(t: Any, lang: str, case: Case) -> InlineKeyboardMarkup:
    """Under each answer: a doctor is one press away, and so is the next question."""
    return InlineKeyboardMarkup(
        [
            [button(t(lang, "btn-ask-doctor"), Action.REVIEW, case.id, case.user_id)],
            [button(t(lang, "btn-ask-again"), Action.ASK, case.id, case.user_id)],
        ]
    )


class QuestionDelivery:
    def __init__(self, delivery: Delivering, case: Case, lang: str) -> None:
        self.d, self.case, self.lang = delivery, case, lang
        self.chat_id = case.chat_id
        self.question_id = ""
        self.title_id: int | None = None  # the title's message, while its Stop button is there

    def t(self, key: str, **args: Any) -> str:
        return self.d.services.t(self.lang, key, **args)

    async def send(self, text: str, markup: InlineKeyboardMarkup | None = None) -> int:
        message = await with_retries(
            lambda: self.d.bot.send_message(self.chat_id, text, reply_markup=markup), chat_id=self.chat_id
        )
        return int(message.message_id)

    async def drop_stop(self) -> None:
        """The answer has ended: its Stop button goes (best effort; a stale press is told "too late")."""
        title_id, self.title_id = self.title_id, None
        if title_id is not None:
            await drop_buttons(self.d.bot, self.chat_id, title_id)

    async def run(self, job: Job) -> None:
        self.question_id = job.spec.id
        stream = self.d.streams.open(self.d.bot, self.chat_id, self.d.pacer)
        try:
            async for event in job.events():
                try:
                    await self.handle(stream, event)
                except (TelegramError, OSError) as exc:
                    log.warning(
                        "question on case %s: %s not shown: %s",
                        self.case.short_id,
                        type(event).__name__,
                        type(exc).__name__,
                    )
        finally:
            stream.close()

    async def handle(self, stream: Any, event: Event) -> None:
        match event:
            case Started():
                stop = button(self.t("btn-stop"), Action.STOP_ANSWER, self.question_id, self.case.user_id)
                title = self.t("question-answer-title", case=self.case.short_id)
                self.title_id = await self.send(title, InlineKeyboardMarkup([[stop]]))
                await stream.begin()
            case TextDelta(text=text):
                stream.append(text)
            case Restart():
                await stream.restart()
            case Done(text=text):
                await stream.finish(text)  # the settled answer: it may not be what streamed
                await self.drop_stop()
                await self.send(
                    self.t("question-answer-footer"), answer_markup(self.d.services.t, self.lang, self.case)
                )
            case Failed():
                await stream.stop_partial()
                await self.drop_stop()
                await self.send(self.t("question-failed"))
            case Cancelled():
                await stream.stop_partial()
                await self.drop_stop()
                await self.send(self.t("question-cancelled"))
