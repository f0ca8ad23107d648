"""/start, the consent button, /help, /privacy and /language."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.callbacks import Callback
from bot.i18n import LANGUAGES
from bot.routers.common import accept_press, begin_intake, welcome
from bot.routing import Ctx, route
from conversations import intake as flow


@route
async def on_start(ctx: Ctx) -> None:
    if ctx.user is None:
        await welcome(ctx)
        return
    await ctx.say("welcome")
    await ctx.say("disclaimer")
    intake = await ctx.services.store.load_intake(ctx.user_id)
    if intake is None:
        await begin_intake(ctx)
    else:
        await ctx.says((flow.current_prompt(intake, ctx.lang),), intake.step)


@route
async def on_agree(ctx: Ctx) -> None:
    data = await accept_press(ctx, drop=True)
    if data is None:
        return
    if ctx.user is not None:
        return  # a second press of the same button: consent is already recorded
    ctx.lang = data.value if data.value in LANGUAGES else ctx.lang
    ctx.user = await ctx.services.store.add_consent(ctx.user_id, ctx.lang)
    await ctx.say("consent-thanks")
    await begin_intake(ctx)


@route
async def on_help(ctx: Ctx) -> None:
    await ctx.say("help-text")


@route
async def on_privacy(ctx: Ctx) -> None:
    await ctx.say("privacy-text", days=ctx.services.settings.retention_days)


@route
async def on_language(ctx: Ctx) -> None:
    rows = [
        [
            InlineKeyboardButton(
                ctx.t(f"lang-{lang}"), callback_data=Callback("lang", lang, ctx.user_id).pack()
            )
        ]
        for lang in LANGUAGES
    ]
    await ctx.send(ctx.t("language-choose"), InlineKeyboardMarkup(rows))


@route
async def on_language_chosen(ctx: Ctx) -> None:
    data = await accept_press(ctx, drop=True)
    if data is None or data.value not in LANGUAGES:
        return
    ctx.lang = data.value
    if ctx.user is None:
        await welcome(ctx)  # not agreed yet: show the notes again, now in the chosen language
        return
    await ctx.services.store.set_language(ctx.user_id, ctx.lang)
    await ctx.say("language-set")


def handlers() -> list[BaseHandler]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("start", on_start, filters=private),
        CommandHandler("help", on_help, filters=private),
        CommandHandler("privacy", on_privacy, filters=private),
        CommandHandler("language", on_language, filters=private),
        CallbackQueryHandler(on_agree, pattern=r"^agree\|"),
        CallbackQueryHandler(on_language_chosen, pattern=r"^lang\|"),
    ]
