"""Reminders: set one from the offer after a report, list and cancel them (/reminders), and start the
follow-up a reminder asks for."""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardMarkup
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.callbacks import Action, button, on_press
from bot.routers.common import accept, accept_press, begin_intake, earlier_offer, own_press, refuse_stale
from bot.routing import Ctx, route
from casework.reminders import REMINDER_WEEKS, site_of
from conversations import intake as flow
from conversations.domain import Reminder


@route
async def on_remind(ctx: Ctx) -> None:
    data = await accept_press(ctx, drop=True)
    if data is None or ctx.user is None:
        return
    case_id, _, weeks = data.value.partition(".")
    if not weeks.isdigit() or int(weeks) not in REMINDER_WEEKS:
        return
    store = ctx.services.store
    due = store.clock() + timedelta(weeks=int(weeks))
    if await store.reminders.set(ctx.user_id, case_id, due) is None:
        await ctx.say("reminder-not-possible")
        return
    await ctx.say("reminder-set", date=due.date().isoformat(), weeks=int(weeks))


@route
async def on_reminders(ctx: Ctx) -> None:
    store = ctx.services.store
    reminders = await store.reminders.pending(ctx.user_id) if ctx.user else []
    if not reminders:
        await ctx.say("reminders-empty")
        return
    lines, rows = [ctx.t("reminders-title")], []
    for reminder in reminders:
        case = await store.cases.get(ctx.user_id, reminder.case_id)
        if case is None:
            continue
        due = reminder.due_at.date().isoformat()
        lines.append(
            ctx.t(
                "reminder-line",
                due=due,
                date=case.created_at.date().isoformat(),
                site=site_of(ctx.services.t, ctx.lang, case),
                name=case.patient_name,
            )
        )
        label = ctx.t("btn-reminder-cancel", due=due, name=case.patient_name)[:60]
        rows.append([button(label, Action.REMIND_CANCEL, f"{case.id}.{_day(reminder)}", ctx.user_id)])
    await ctx.send("\n".join(lines), InlineKeyboardMarkup(rows))


def _day(reminder: Reminder) -> str:
    """The due day a listing showed: a reminder set again for the case since is another reminder."""
    return reminder.due_at.strftime("%Y%m%d")


@route
async def on_reminder_cancel(ctx: Ctx) -> None:
    data = await own_press(ctx)
    if data is None or ctx.user is None:
        return
    store = ctx.services.store
    case_id, _, day = data.value.partition(".")
    reminder = await store.reminders.get(ctx.user_id, case_id)
    if reminder is not None and reminder.sent_at is None and _day(reminder) != day:
        await refuse_stale(ctx)
        return
    await accept(ctx, drop=False)
    if await store.reminders.cancel(ctx.user_id, case_id):
        await ctx.say("reminder-cancelled")
    else:
        await ctx.say("reminder-not-found")


@route
async def on_follow_up(ctx: Ctx) -> None:
    """A reminder's button: a new case that follows up the reminded one, starting at the photos."""
    data = await accept_press(ctx)
    if data is None or ctx.user is None:
        return
    case = await ctx.services.store.cases.get(ctx.user_id, data.value)
    if case is None or not case.classification:
        await ctx.say("follow-up-case-gone")
        return
    offer = earlier_offer(case)
    await ctx.say("follow-up-started", date=offer.day, name=offer.patient_name)
    await begin_intake(ctx, flow.start_follow_up(offer))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("reminders", on_reminders, filters=filters.ChatType.PRIVATE),
        on_press(on_remind, Action.REMIND),
        on_press(on_reminder_cancel, Action.REMIND_CANCEL),
        on_press(on_follow_up, Action.FOLLOW_UP),
    ]
