"""/delete: erase everything we hold about a user, after an explicit confirmation."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.callbacks import Action, button, on_press
from bot.routers.common import accept, own_press, refuse_stale
from bot.routing import Ctx, route
from conversations.domain import User

log = logging.getLogger(__name__)


def _account(user: User | None) -> str:
    """The account a confirmation asks about: when its consent was given (0: nothing agreed yet). After a
    /delete and a new consent it is another account, which an old "yes" must not erase."""
    return str(int(user.consent_at.timestamp() * 1000)) if user is not None else "0"


@route
async def on_delete(ctx: Ctx) -> None:
    rows = [
        [button(ctx.t("btn-delete-yes"), Action.DELETE, f"yes.{_account(ctx.user)}", ctx.user_id)],
        [button(ctx.t("btn-delete-no"), Action.DELETE, "no", ctx.user_id)],
    ]
    await ctx.send(ctx.t("delete-ask"), InlineKeyboardMarkup(rows))


@route
async def on_delete_answer(ctx: Ctx) -> None:
    data = await own_press(ctx)
    if data is None:
        return
    answer, _, account = data.value.partition(".")
    if answer == "yes" and account != _account(ctx.user):
        await refuse_stale(ctx)
        return
    await accept(ctx)
    if answer != "yes":
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
