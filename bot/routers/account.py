"""/delete: erase everything we hold about a user, after an explicit confirmation."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.callbacks import Callback
from bot.routers.common import accept_press
from bot.routing import Ctx, route

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
    data = await accept_press(ctx, drop=True)
    if data is None:
        return
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
