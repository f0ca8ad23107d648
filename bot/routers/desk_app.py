"""`/start desk-<clinic id>`: a clinic's review message led a doctor into the bot's private chat, where
Telegram allows what groups do not, a button that opens the review desk as a Mini App (`web_app`). Only
that clinic's staff (by their Telegram id, `skinbot clinic staff --telegram-id`) get it; the desk checks
who they are again, from the data Telegram signs (`web.telegram_login`)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from bot.routing import Ctx
from bot.telegram_calls import with_retries
from bot.telegram_channel import DESK_START


def desk_request(args: list[str] | None) -> str | None:
    """The clinic id of a `/start desk-<clinic id>`, or None for any other /start."""
    if not args or not args[0].startswith(DESK_START):
        return None
    return args[0].removeprefix(DESK_START)


async def open_desk(ctx: Ctx, clinic_id: str) -> None:
    store, url = ctx.services.store, ctx.services.case_config.desk_app_url
    if not url:  # a button from before SKINBOT_WEB_URL changed
        await ctx.say("desk-app-off")
        return
    clinic = await store.clinics.get(int(clinic_id)) if clinic_id.isdigit() and len(clinic_id) <= 12 else None
    staff = await store.staff.by_telegram(clinic.chat_id, ctx.user_id) if clinic else None
    if clinic is None or staff is None:
        await ctx.say("desk-app-not-staff", id=str(ctx.user_id))
        return
    t, lang = ctx.services.t, staff.language
    button = InlineKeyboardButton(t(lang, "btn-open-desk"), web_app=WebAppInfo(f"{url}?clinic={clinic.id}"))
    text = t(lang, "desk-app-open", clinic=clinic.name, name=staff.name)
    await with_retries(
        lambda: ctx.bot.send_message(ctx.chat_id, text, reply_markup=InlineKeyboardMarkup([[button]])),
        chat_id=ctx.chat_id,
    )
