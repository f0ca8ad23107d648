"""Sending cases to a clinic (patient side, with explicit consent) and verdicts (clinic side)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from telegram import InlineKeyboardMarkup
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.callbacks import Action, button, on_press
from bot.routers.common import accept, own_press, refuse_stale
from bot.routing import Ctx, acknowledge, pressed, route
from bot.telegram_channel import TelegramChannel
from casework.review_desk import VERDICTS, ReviewDesk, clinics_for
from conversations.domain import Case, CaseStatus, Clinic
from conversations.web_domain import Staff

ALL = "all"
# "all@<ms>": every unreviewed case created up to that moment. The consent button carries the moment its
# message counted the cases at, so a button pressed later never sends a case the message did not name.
_UNTIL = "@"


def desk(ctx: Ctx) -> ReviewDesk:
    return ReviewDesk(ctx.services, TelegramChannel(ctx.bot))


async def _cases(ctx: Ctx, which: str) -> list[Case]:
    store = ctx.services.store
    if which == ALL:
        return await store.cases.unreviewed(ctx.user_id)
    if which.startswith(ALL + _UNTIL):
        ms = which.removeprefix(ALL + _UNTIL)
        if not ms.isdigit():
            return []
        return await store.cases.unreviewed(ctx.user_id, datetime.fromtimestamp(int(ms) / 1000, UTC))
    case = await store.cases.get(ctx.user_id, which)
    return [case] if case is not None and case.status == CaseStatus.DONE else []


def bound(which: str, cases: list[Case]) -> str:
    """`which` as a button must carry it: "all" becomes "all@<newest case, in ms, rounded up>", the cases
    the message with the button counted."""
    if which != ALL:
        return which
    newest = max(case.created_at for case in cases)
    return f"{ALL}{_UNTIL}{math.ceil(newest.timestamp() * 1000)}"


async def _clinic_for(ctx: Ctx, clinic_id: str) -> Clinic | None:
    """A clinic this user may send to now (one who came through a clinic's link: only that clinic)."""
    if not clinic_id.isdigit():
        return None
    return next((c for c in await clinics_for(ctx.services, ctx.user_id) if c.id == int(clinic_id)), None)


@route
async def on_review_asked(ctx: Ctx) -> None:
    """'Send to a doctor' (one case) or 'send all unreviewed' (those /cases counted): pick a clinic if there
    are several."""
    data = await own_press(ctx)
    if data is None or ctx.user is None:
        return
    which = data.value
    if data.action == Action.REVIEW_ALL and not which.startswith(ALL + _UNTIL):
        await refuse_stale(ctx)  # not bound to what a listing counted (a button from before they were)
        return
    await accept(ctx, drop=False)
    clinics = await clinics_for(ctx.services, ctx.user_id)
    if not clinics or not await _cases(ctx, which):
        await ctx.say("review-nothing-to-send")
        return
    if len(clinics) == 1:
        await _ask_consent(ctx, which, clinics[0])
        return
    rows = [
        [button(clinic.name, Action.REVIEW_CLINIC, f"{which}.{clinic.id}", ctx.user_id)] for clinic in clinics
    ]
    await ctx.send(ctx.t("review-pick-clinic"), InlineKeyboardMarkup(rows))


@route
async def on_clinic_picked(ctx: Ctx) -> None:
    data = await own_press(ctx)
    if data is None:
        return
    which, _, clinic_id = data.value.rpartition(".")
    clinic = await _clinic_for(ctx, clinic_id)
    if clinic is None:  # no longer one this user may send to (bound to another clinic meanwhile)
        await refuse_stale(ctx)
        return
    await accept(ctx)
    await _ask_consent(ctx, which, clinic)


async def _ask_consent(ctx: Ctx, which: str, clinic: Clinic) -> None:
    """An explicit step that names what will be shared, and with whom."""
    cases = await _cases(ctx, which)
    if not cases:
        await ctx.say("review-nothing-to-send")
        return
    value = f"{bound(which, cases)}.{clinic.id}"
    rows = [
        [button(ctx.t("btn-review-send"), Action.REVIEW_SEND, value, ctx.user_id)],
        [button(ctx.t("btn-review-cancel"), Action.REVIEW_KEEP, "", ctx.user_id)],
    ]
    await ctx.send(ctx.t("review-consent", clinic=clinic.name, count=len(cases)), InlineKeyboardMarkup(rows))


@route
async def on_consent(ctx: Ctx) -> None:
    data = await own_press(ctx)
    if data is None or ctx.user is None:
        return
    which, _, clinic_id = data.value.rpartition(".")
    clinic = await _clinic_for(ctx, clinic_id) if data.action == Action.REVIEW_SEND else None
    if data.action == Action.REVIEW_SEND and clinic is None:
        await refuse_stale(ctx)
        return
    await accept(ctx)
    if clinic is None:
        await ctx.say("review-not-sent")
        return
    sent = await desk(ctx).send(ctx.user_id, await _cases(ctx, which), clinic)
    if sent:
        await ctx.say("review-sent", clinic=clinic.name, count=sent)
    else:
        await ctx.say("review-nothing-to-send")


@route
async def on_verdict(ctx: Ctx) -> None:
    """A doctor's button in a clinic chat. Only that clinic may answer; the first answer wins."""
    got = pressed(ctx)
    query = ctx.update.callback_query
    if got is None or query is None or query.message is None:
        return
    _, data = got
    clinic = await ctx.services.store.clinics.by_chat(query.message.chat.id)
    review_id, _, code = data.value.partition(".")
    review = await ctx.services.store.reviews.get(review_id) if clinic is not None else None
    if clinic is not None and review is None:
        # Gone since it was shown (the patient deleted their data): the press changes nothing.
        await acknowledge(query, ctx.services.t(clinic.language, "button-stale"), True)
        return
    if clinic is None or review is None or review.clinic_chat_id != clinic.chat_id or code not in VERDICTS:
        await acknowledge(
            query, ctx.services.t(clinic.language if clinic else ctx.lang, "clinic-not-a-clinic"), True
        )
        return
    staff = await _verdict_staff(ctx, clinic)
    if clinic.verdicts_by_staff and staff is None:
        await acknowledge(query, _not_staff(ctx, clinic), True)
        return
    reviewer = staff.name if staff is not None else query.from_user.full_name
    won, first = await desk(ctx).verdict(
        review, clinic, code, reviewer, staff_id=staff.id if staff is not None else None
    )
    if won:
        await acknowledge(query)
    else:
        text = ctx.services.t(clinic.language, "clinic-already-answered", reviewer=first or "?")
        await acknowledge(query, text, alert=True)


async def _verdict_staff(ctx: Ctx, clinic: Clinic) -> Staff | None:
    """The clinic's registered staff member pressing or replying, by their Telegram id; None for anyone else
    (who may still answer unless the clinic takes verdicts from its staff only)."""
    return await ctx.services.store.staff.by_telegram(clinic.chat_id, ctx.user_id)


def _not_staff(ctx: Ctx, clinic: Clinic) -> str:
    return ctx.services.t(clinic.language, "clinic-not-staff", id=str(ctx.user_id))


@route
async def on_clinic_reply(ctx: Ctx) -> None:
    message = ctx.update.effective_message
    if message is None or message.reply_to_message is None or message.text is None:
        return
    # Checked here, not by a fixed chat filter: clinics added while the bot runs count at once.
    clinic = await ctx.services.store.clinics.by_chat(ctx.chat_id)
    if clinic is None:
        return
    review = await ctx.services.store.reviews.by_note_prompt(
        clinic.chat_id, message.reply_to_message.message_id
    )
    if review is None:
        return
    if clinic.verdicts_by_staff and await _verdict_staff(ctx, clinic) is None:
        await ctx.bot.send_message(
            clinic.chat_id, _not_staff(ctx, clinic), reply_to_message_id=message.message_id
        )
        return
    key = await desk(ctx).note(review, clinic, message.text)
    if key:
        case = await ctx.services.store.cases.by_id(review.case_id)
        text = ctx.services.t(
            clinic.language, key, length=len(message.text), max=1000, case=case.short_id if case else "?"
        )
        await ctx.bot.send_message(clinic.chat_id, text, reply_to_message_id=message.message_id)


def handlers() -> list[BaseHandler]:
    return [
        on_press(on_review_asked, Action.REVIEW, Action.REVIEW_ALL),
        on_press(on_clinic_picked, Action.REVIEW_CLINIC),
        on_press(on_consent, Action.REVIEW_SEND, Action.REVIEW_KEEP),
        on_press(on_verdict, Action.VERDICT),
        MessageHandler(~filters.ChatType.PRIVATE & filters.REPLY & filters.TEXT, on_clinic_reply),
    ]
