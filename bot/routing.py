"""The one place where an update becomes a handler call: per-user ordering, language, and errors.

A handler never lets an exception reach the user as silence: storage trouble says "temporarily
unavailable", anything else says "something went wrong", both in the user's language.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.callbacks import Callback, private_only
from bot.keyboards import keyboard, text_of
from bot.services import Services
from bot.telegram_calls import with_retries
from casework.channel import ChannelError
from casework.flood import Verdict
from casework.translator import pick_language
from conversations.domain import User
from conversations.intake_prompts import Say
from conversations.intake_state import Intake
from conversations.store import StoreError

log = logging.getLogger(__name__)


@dataclass
class Ctx:
    """One update, already resolved to a user, a chat and a language."""

    services: Services
    update: Update
    context: ContextTypes.DEFAULT_TYPE
    user_id: int
    chat_id: int
    lang: str
    user: User | None  # None until the user has agreed: nothing is stored before that

    @property
    def bot(self) -> Any:
        return self.context.bot

    def t(self, key: str, **args: Any) -> str:
        return self.services.t(self.lang, key, **args)

    async def send(self, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
        return await with_retries(
            lambda: self.bot.send_message(self.chat_id, text, reply_markup=markup), chat_id=self.chat_id
        )

    async def say(self, key: str, **args: Any) -> Message:
        return await self.send(self.t(key, **args))

    async def says(self, says: tuple[Say, ...] | list[Say], intake: Intake | None) -> None:
        """Say these; their buttons act only on `intake` as it is now."""
        for say in says:
            markup = keyboard(self.services.t, self.lang, say.buttons, self.user_id, intake)
            await self.send(text_of(self.services.t, self.lang, say), markup)


Handler = Callable[[Ctx], Awaitable[None]]


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]


async def _slow_down(
    services: Services, context: ContextTypes.DEFAULT_TYPE, user_id: int, chat_id: int, lang: str
) -> None:
    log.warning("flood control: dropping updates from a user (%d dropped in all)", services.flood.dropped)
    try:
        user = await services.store.users.get(user_id)
        if user is not None:
            lang = user.language
        await context.bot.send_message(chat_id, services.t(lang, "flood-slow-down"))
    except Exception as exc:  # telling a flooder is a courtesy; failing to is not an error
        log.warning("could not send the slow-down notice: %s", type(exc).__name__)


def route(fn: Handler) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
    @wraps(fn)
    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        tg_user, chat = update.effective_user, update.effective_chat
        if tg_user is None or chat is None:
            return
        services = services_of(context)
        fallback_lang = pick_language(tg_user.language_code)
        # Checked before the per-user lock: a flooder's updates must not queue up holding update slots
        # (concurrent_updates) that other users' updates need.
        verdict = services.flood.check(tg_user.id)
        if not verdict.allowed:
            if verdict is Verdict.DROP_NOTIFY:
                await _slow_down(services, context, tg_user.id, chat.id, fallback_lang)
            return
        upload = _is_upload(update)
        album = _album_of(update) if upload else None
        if upload and not services.uploads.admit(tg_user.id, album):
            # Checked before the per-user lock too: a burst of photos waits nowhere, it is refused.
            await _one_at_a_time(services, context, tg_user.id, chat.id, fallback_lang)
            return
        try:
            await _handle(fn, services, update, context, tg_user.id, chat.id, fallback_lang)
        finally:
            if upload:
                services.uploads.release(tg_user.id, album)

    return handle


def _is_upload(update: Update) -> bool:
    message = update.effective_message
    return message is not None and (bool(message.photo) or message.document is not None)


def _album_of(update: Update) -> str | None:
    """The media group of a photo sent in an album: its photos share one upload slot (see Uploads)."""
    message = update.effective_message
    return message.media_group_id if message is not None else None


async def _one_at_a_time(
    services: Services, context: ContextTypes.DEFAULT_TYPE, user_id: int, chat_id: int, lang: str
) -> None:
    try:
        user = await services.store.users.get(user_id)
        if user is not None:
            lang = user.language
        await context.bot.send_message(chat_id, services.t(lang, "upload-one-at-a-time"))
    except Exception as exc:  # a courtesy, like the flood notice
        log.warning("could not send the one-at-a-time notice: %s", type(exc).__name__)


async def _handle(
    fn: Handler,
    services: Services,
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    user_id: int,
    chat_id: int,
    fallback_lang: str,
) -> None:
    """One user's updates one at a time; errors become a localized reply, never silence."""
    started = time.perf_counter()
    async with services.locks.hold(user_id):
        ctx = Ctx(services, update, context, user_id, chat_id, fallback_lang, None)
        try:
            await _answered(ctx, fn)
        finally:
            services.metrics.update_handled(fn.__name__, time.perf_counter() - started)


async def _answered(ctx: Ctx, fn: Handler) -> None:
    """Run `fn` with the user's language; the caller holds the user's lock. Errors become a localized
    reply, never silence."""
    name = getattr(fn, "__name__", "?")
    try:
        ctx.user = await ctx.services.store.users.get(ctx.user_id)
        if ctx.user is not None:
            ctx.lang = ctx.user.language
        await fn(ctx)
    except StoreError as exc:
        # The reason names the database state only, never user data.
        log.error("storage unavailable: %s", exc)
        await _tell(ctx, "unavailable")
    except TelegramError as exc:
        log.warning("telegram call failed in %s: %s", name, type(exc).__name__)
    except ChannelError as exc:  # a Telegram call the case services made (bot.telegram_channel)
        log.warning("telegram call failed in %s: %s", name, exc)
    except Exception as exc:
        log.error("handler %s failed: %s", name, type(exc).__name__, exc_info=exc)
        await _tell(ctx, "error-generic")


async def _tell(ctx: Ctx, key: str) -> None:
    try:
        query = ctx.update.callback_query
        if query is not None:
            await query.answer()
        await ctx.say(key)
    except Exception as exc:  # the user's chat may be gone; nothing more to do
        log.warning("could not tell the user about an error: %s", type(exc).__name__)


async def acknowledge(query: CallbackQuery, text: str | None = None, alert: bool = False) -> None:
    # A query older than 15 minutes can no longer be answered; the press is still handled.
    with contextlib.suppress(TelegramError):
        await query.answer(text, show_alert=alert)


def pressed(ctx: Ctx) -> tuple[CallbackQuery, Callback] | None:
    """The callback and its parsed data, or None (after telling the presser) when it is not theirs."""
    query = ctx.update.callback_query
    if query is None:
        return None
    data = Callback.unpack(query.data)
    if data is None:
        return None
    chat = ctx.update.effective_chat
    if private_only(data.action) and (chat is None or chat.type != ChatType.PRIVATE):
        return None
    return query, data


async def guarded(ctx: Ctx, fn: Handler) -> None:
    """Run `fn` for `ctx` outside an update (e.g. an album answered once its photos are in), holding the
    user's lock and answering errors as `route` does."""
    async with ctx.services.locks.hold(ctx.user_id):
        await _answered(ctx, fn)
