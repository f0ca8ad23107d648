"""/delete: erase everything we hold about a user, after an explicit confirmation."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.callbacks import Action, button, on_press
from bot.routers.common import accept_press
from bot.routing import Ctx, route

log = logging.getLogger(__name__)


@route
async def on_delete(ctx: Ctx) -> None:
    rows = [
        [button(ctx.t("btn-delete-yes"), Action.DELETE, "yes", ctx.user_id)],
        [button(ctx.t("btn-delete-no"), Action.DELETE, "no", ctx.user_id)],
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
    removed = await ctx.services.store.erasure.delete_user(ctx.user_id)
    ctx.services.files.delete_user(ctx.user_id)
    log.info("user data deleted on request: %d cases", removed)
    await ctx.say("delete-done")


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("delete", on_delete, filters=filters.ChatType.PRIVATE),
        on_press(on_delete_answer, Action.DELETE),
    ]
