"""/delete: erase everything we hold about a user, after an explicit confirmation."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.callbacks import Callback
from bot.routers.common import drop_keyboard, own_press
from bot.routing import Ctx, acknowledge, route

log = logging.getLogger(__name__)


@route
async def on_delete(ctx: Ctx) -> None:
    rows = [
        [
            InlineKeyboardButton(
                ctx.t("btn-delete-yes"), callback_data=Callback("delete", "yes", ctx.user_id).pack()
            )
        ],
        [
            InlineKeyboardButton(
                ctx.t("btn-delete-no"), callback_data=Callback("delete", "no", ctx.user_id).pack()
            )
        ],
    ]
    await ctx.send(ctx.t("delete-ask"), InlineKeyboardMarkup(rows))


@route
async def on_delete_answer(ctx: Ctx) -> None:
    data = await own_press(ctx)
    if data is None:
        return
    query = ctx.update.callback_query
    assert query is not None
    await acknowledge(query)
    await drop_keyboard(ctx)
    if data.value != "yes":
        await ctx.say("delete-kept")
        return
    await ctx.services.pipeline.cancel_user(ctx.user_id)
    removed = await ctx.services.store.delete_user(ctx.user_id)
    ctx.services.files.delete_user(ctx.user_id)
    log.info("user data deleted on request: %d cases", removed)
    await ctx.say("delete-done")


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("delete", on_delete, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(on_delete_answer, pattern=r"^delete\|"),
    ]
