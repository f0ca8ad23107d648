"""/start, the consent button, /help, /privacy and /language."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.callbacks import Action, button, on_press
from bot.routers.common import (
    accept,
    accept_press,
    begin_intake,
    greet,
    own_press,
    refuse_stale,
    say_privacy,
    welcome,
)
from bot.routers.desk_app import desk_request, open_desk
from bot.routing import Ctx, route
from casework.clinic_links import LINK_PREFIX  # /start c_<token>: the deep link a clinic hands out
from conversations import intake_prompts as prompts
from conversations.domain import Clinic, Language

log = logging.getLogger(__name__)


def _link_token(ctx: Ctx) -> str | None:
    """The clinic token of a deep link, or None for a plain /start."""
    args = ctx.context.args or []
    if not args or not args[0].startswith(LINK_PREFIX):
        return None
    return args[0].removeprefix(LINK_PREFIX)


async def _linked_clinic(ctx: Ctx, token: str) -> Clinic | None:
    """The clinic of a live link; an unknown or revoked one is said so, and the bot carries on unbound."""
    clinic = await ctx.services.store.clinics.by_token(token) if token else None
    if clinic is None:
        log.info("a clinic link that is unknown or revoked was used")
        await ctx.say("clinic-link-invalid")
    return clinic


@route
async def on_start(ctx: Ctx) -> None:
    desk = desk_request(ctx.context.args)
    if desk is not None:  # a doctor on the way to the review desk, not a patient: nothing is stored
        await open_desk(ctx, desk)
        return
    token = _link_token(ctx)
    clinic = await _linked_clinic(ctx, token) if token is not None else None
    if ctx.user is None:
        if clinic is not None:
            await ctx.say("clinic-link-welcome", clinic=clinic.name)
        await welcome(ctx, token if clinic is not None and token else "")
        return
    if clinic is not None:
        await ctx.services.store.clinics.bind(ctx.user_id, clinic.id)
        await ctx.say("clinic-bound", clinic=clinic.name)
    await greet(ctx)
    intake = await ctx.services.store.intakes.load(ctx.user_id)
    if intake is None:
        await begin_intake(ctx)
    else:
        await ctx.says((prompts.current_prompt(intake, ctx.lang),), intake)


@route
async def on_agree(ctx: Ctx) -> None:
    data = await own_press(ctx)
    if data is None:
        return
    if ctx.user is not None:  # consent is already recorded (a second Agree on screen)
        await refuse_stale(ctx)
        return
    await accept(ctx)
    lang, _, token = data.value.partition(".")
    ctx.lang = Language.of(lang) or ctx.lang
    ctx.user = await ctx.services.store.users.add_consent(ctx.user_id, ctx.lang)
    await ctx.say("consent-thanks")
    if token:
        # Checked again: the link may have been revoked while the notes were being read.
        clinic = await _linked_clinic(ctx, token)
        if clinic is not None:
            await ctx.services.store.clinics.bind(ctx.user_id, clinic.id)
            await ctx.say("clinic-bound", clinic=clinic.name)
    await begin_intake(ctx)


@route
async def on_help(ctx: Ctx) -> None:
    await ctx.say("help-text")


@route
async def on_privacy(ctx: Ctx) -> None:
    await say_privacy(ctx)


@route
async def on_language(ctx: Ctx) -> None:
    rows = [[button(ctx.t(f"lang-{lang}"), Action.LANGUAGE, lang, ctx.user_id)] for lang in Language]
    await ctx.send(ctx.t("language-choose"), InlineKeyboardMarkup(rows))


@route
async def on_language_chosen(ctx: Ctx) -> None:
    data = await accept_press(ctx, drop=True)
    chosen = Language.of(data.value) if data is not None else None
    if chosen is None:
        return
    ctx.lang = chosen
    if ctx.user is None:
        await welcome(ctx)  # not agreed yet: show the notes again, now in the chosen language
        return
    await ctx.services.store.users.set_language(ctx.user_id, ctx.lang)
    await ctx.say("language-set")


def handlers() -> list[BaseHandler]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("start", on_start, filters=private),
        CommandHandler("help", on_help, filters=private),
        CommandHandler("privacy", on_privacy, filters=private),
        CommandHandler("language", on_language, filters=private),
        on_press(on_agree, Action.AGREE),
        on_press(on_language_chosen, Action.LANGUAGE),
    ]
