"""'Ask about this report': the button after the PDF (and under each answer) opens a question about that
case; the patient's next message is the question. It is checked (text, not empty, not too long), counted
against SKINBOT_QA_PER_CASE, stored with the case and queued behind new cases (bot.delivery.Delivery.ask).

The next message is taken here before the intake sees it (`take_question`, called first by the intake's
message handler), and /cancel closes an open question (`close_question`)."""

from __future__ import annotations

from telegram import Message
from telegram.ext import BaseHandler

from bot.callbacks import Action, on_press
from bot.routers.common import accept, drop_keyboard, own_press, refuse_stale
from bot.routing import Ctx, acknowledge, route
from casework.case_questions import question_problem
from conversations.store.questions import Asked


@route
async def on_ask(ctx: Ctx) -> None:
    data = await own_press(ctx)
    if data is None:
        return
    store, limit = ctx.services.store, ctx.services.bot_config.qa_per_case
    case = await store.cases.by_id(data.value)
    if case is None:  # deleted, or purged by retention, since the button was shown
        await accept(ctx, drop=False)
        await ctx.say("question-gone")
        return
    if case.user_id != ctx.user_id or not case.has_report:
        await refuse_stale(ctx)
        return
    await accept(ctx, drop=False)
    left = limit - await store.questions.asked(case.id)
    if left <= 0:
        await ctx.say("question-limit", limit=limit)
        return
    if await store.questions.open(ctx.user_id, case.id) is None:
        await ctx.say("question-gone")
        return
    await ctx.say("question-prompt", case=case.short_id, left=left)


async def take_question(ctx: Ctx, message: Message) -> bool:
    """Handle the message as the question the user was asked for; False when no question is open."""
    if ctx.user is None:
        return False
    store, limit = ctx.services.store, ctx.services.bot_config.qa_per_case
    waiting = await store.questions.waiting_for(ctx.user_id)
    if waiting is None:
        return False
    problem = question_problem(message.text)
    if problem is not None:
        key, args = problem
        await ctx.say(key, **args)  # the question stays open: the next message may be a better one
        return True
    case = await store.cases.by_id(waiting.case_id)
    asked = await store.questions.ask(waiting.id, (message.text or "").strip(), limit)
    if case is None or asked is Asked.GONE:
        await ctx.say("question-gone")
        return True
    if asked is Asked.LIMIT:
        await ctx.say("question-limit", limit=limit)
        return True
    question = await store.questions.get(waiting.id)
    assert question is not None
    if not await ctx.services.pipeline.ask(case, question):
        await ctx.say("question-busy")
        return True
    await ctx.say("question-queued")
    return True


async def close_question(ctx: Ctx) -> bool:
    """/cancel while a question is awaited: nothing is asked."""
    if ctx.user is None or not await ctx.services.store.questions.close_open(ctx.user_id):
        return False
    await ctx.say("question-closed")
    return True


@route
async def on_stop_answer(ctx: Ctx) -> None:
    """Stop under an answer being written: as /cancel, for that answer only; the delivery says
    "cancelled" once the writing has actually stopped."""
    data = await own_press(ctx)
    if data is None:
        return
    query = ctx.update.callback_query
    assert query is not None
    if not await ctx.services.pipeline.cancel_job(ctx.user_id, data.value):
        await acknowledge(query, ctx.t("stop-too-late"))
        await drop_keyboard(ctx)
        return
    await acknowledge(query, ctx.t("stop-stopping"))


def handlers() -> list[BaseHandler]:
    return [on_press(on_ask, Action.ASK), on_press(on_stop_answer, Action.STOP_ANSWER)]
