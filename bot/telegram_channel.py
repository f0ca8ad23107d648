"""The case services' channel (`casework.channel`) over Telegram: how a review, a verdict, a note request, a
re-flag, a reminder and a patient's messages look in a chat, sent with `with_retries`.

Telegram's errors become the channel's: a request Telegram refuses as it is, or a chat that blocks the bot
(BadRequest, Forbidden), is `RecipientGone`; anything else (flood control that outlasted its retries, a
timeout, a server error) is `ChannelUnavailable`, worth another try later.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.callbacks import Action, Callback, button
from bot.pdf_documents import send_pdf
from bot.telegram_calls import with_retries
from casework.case_pdf import pdf_filename
from casework.channel import ChannelError, ChannelUnavailable, RecipientGone, ReviewPost
from conversations.domain import Case

T = TypeVar("T")


def verdict_data(review_id: str, code: str) -> str:
    # Owner 0: clinic buttons belong to a chat, not a user; the press is checked against the clinic list.
    return Callback(Action.VERDICT, f"{review_id}.{code}").pack()


# `/start desk-<clinic id>`: the review message's way to the desk, through the bot's private chat.
DESK_START = "desk-"


def desk_deep_link(bot_username: str, clinic_id: int) -> str:
    return f"https://t.me/{bot_username}?start={DESK_START}{clinic_id}"


def channel_error(exc: TelegramError) -> ChannelError:
    """The channel's error for what Telegram answered; it names Telegram's error, for the log."""
    gone = isinstance(exc, BadRequest | Forbidden)
    return (RecipientGone if gone else ChannelUnavailable)(type(exc).__name__)


class TelegramChannel:
    """`casework.channel.CaseChannel` on a `telegram.Bot`."""

    def __init__(self, bot: Any) -> None:
        self.bot = bot

    async def _send(self, chat_id: int, call: Callable[[], Awaitable[T]]) -> T:
        try:
            return await with_retries(call, chat_id=chat_id)
        except TelegramError as exc:
            raise channel_error(exc) from exc

    # --- clinics --------------------------------------------------------------------------------

    async def post_for_review(self, clinic_chat_id: int, post: ReviewPost) -> int:
        name, desk = pdf_filename(post.case), post.desk
        await self._send(
            clinic_chat_id,
            lambda: self.bot.send_document(clinic_chat_id, InputFile(post.pdf, filename=name), filename=name),
        )
        rows = [
            [InlineKeyboardButton(c.label, callback_data=verdict_data(post.review_id, c.code))]
            for c in post.choices
        ]
        if desk is not None:
            # Groups take no web_app button: this one opens the bot's private chat, which offers it.
            rows.append(
                [InlineKeyboardButton(desk.label, url=desk_deep_link(self.bot.username, desk.clinic_id))]
            )
        markup = InlineKeyboardMarkup(rows)
        message = await self._send(
            clinic_chat_id, lambda: self.bot.send_message(clinic_chat_id, post.summary, reply_markup=markup)
        )
        return message.message_id

    async def close_review(self, clinic_chat_id: int, summary_message_id: int, answered: str) -> None:
        failed: ChannelError | None = None
        for call in (
            lambda: self.bot.edit_message_reply_markup(
                chat_id=clinic_chat_id, message_id=summary_message_id, reply_markup=None
            ),
            lambda: self.bot.send_message(clinic_chat_id, answered, reply_to_message_id=summary_message_id),
        ):
            try:
                await self._send(clinic_chat_id, call)
            except ChannelError as exc:
                failed = failed or exc
        if failed is not None:
            raise failed

    async def ask_for_note(self, clinic_chat_id: int, prompt: str) -> int:
        message = await self._send(
            clinic_chat_id,
            lambda: self.bot.send_message(clinic_chat_id, prompt, reply_markup=ForceReply(selective=True)),
        )
        return message.message_id

    async def reflag(self, clinic_chat_id: int, text: str) -> None:
        await self._send(clinic_chat_id, lambda: self.bot.send_message(clinic_chat_id, text))

    # --- patients -------------------------------------------------------------------------------

    async def tell(self, chat_id: int, texts: Sequence[str]) -> None:
        for text in texts:
            await self._send(chat_id, lambda text=text: self.bot.send_message(chat_id, text))

    async def send_report(self, chat_id: int, case: Case, pdf: bytes, caption: str) -> None:
        try:
            await send_pdf(self.bot, chat_id, case, pdf, caption)
        except TelegramError as exc:
            raise channel_error(exc) from exc

    async def remind(self, chat_id: int, case: Case, text: str, follow_up: str) -> None:
        markup = InlineKeyboardMarkup([[button(follow_up, Action.FOLLOW_UP, case.id, case.user_id)]])
        await self._send(chat_id, lambda: self.bot.send_message(chat_id, text, reply_markup=markup))
