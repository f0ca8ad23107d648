"""Small steps that several routers share."""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import urlsplit

from telegram import InlineKeyboardMarkup

from bot.callbacks import Action, Callback, button
from bot.routing import Ctx, acknowledge, pressed
from bot.settings import Settings
from conversations import intake as flow


async def welcome(ctx: Ctx) -> None:
    """Greeting, disclaimer, privacy note and the Agree button. Stores nothing."""
    await ctx.say("welcome")
    await ctx.say("disclaimer")
    await say_privacy(ctx)
    markup = InlineKeyboardMarkup([[button(ctx.t("btn-agree"), Action.AGREE, ctx.lang, ctx.user_id)]])
    await ctx.send(ctx.t("consent-ask"), markup)


def engine_origin(url: str) -> str:
    """Scheme and host of an engine URL: never its credentials, port, path or query (they may hold keys)."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{parts.scheme}://[{host}]" if ":" in host else f"{parts.scheme}://{host}"


def privacy_args(settings: Settings) -> dict[str, Any]:
    """What the privacy note must say about where data goes, from the settings this bot runs with."""
    return {
        "days": settings.retention_days,
        "engine": "remote" if settings.llm_is_url else "local",
        "host": engine_origin(settings.llm) if settings.llm_is_url else "",
        "clinics": len(settings.review_chats),
        "clinic_names": ", ".join(c.name for c in settings.review_chats),
    }


async def say_privacy(ctx: Ctx) -> None:
    await ctx.say("privacy-text", **privacy_args(ctx.services.settings))


async def begin_intake(ctx: Ctx) -> None:
    """Start a fresh intake, dropping an unconfirmed draft's photo, and ask the first question."""
    old = await ctx.services.store.intakes.load(ctx.user_id)
    fresh = flow.start()
    await ctx.services.store.intakes.save(ctx.user_id, fresh)
    if old is not None and old.draft.photo:
        ctx.services.files.delete_image(ctx.user_id, old.draft.photo)
    await ctx.says((flow.current_prompt(fresh, ctx.lang),), fresh.step)


async def own_press(ctx: Ctx) -> Callback | None:
    """The pressed button's data if this user may press it; otherwise tell them politely and return None."""
    got = pressed(ctx)
    if got is None:
        if ctx.update.callback_query is not None:
            await acknowledge(ctx.update.callback_query, ctx.t("button-stale"))
        return None
    query, data = got
    if data.owner != ctx.user_id:
        await acknowledge(query, ctx.t("button-foreign"), alert=True)
        return None
    return data


async def accept_press(ctx: Ctx, drop: bool = False) -> Callback | None:
    """The pressed button's data, acknowledged (and its keyboard removed when `drop`), if the presser
    owns it; otherwise None after a polite refusal."""
    data = await own_press(ctx)
    if data is None:
        return None
    assert ctx.update.callback_query is not None
    await acknowledge(ctx.update.callback_query)
    if drop:
        await drop_keyboard(ctx)
    return data


async def drop_keyboard(ctx: Ctx) -> None:
    """A pressed question's buttons go away, so an old message cannot be answered twice."""
    query = ctx.update.callback_query
    if query is not None and query.message is not None:
        # Already gone or too old to edit: harmless.
        with contextlib.suppress(Exception):
            await query.edit_message_reply_markup(None)
