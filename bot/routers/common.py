"""Small steps that several routers share."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from telegram import InlineKeyboardMarkup

from bot.callbacks import Action, Callback, button
from bot.routing import Ctx, acknowledge, pressed
from casework.review_desk import clinics_for
from casework.translator import emergency_args
from conversations import intake as flow
from conversations import intake_prompts as prompts
from conversations.domain import Case, Clinic
from conversations.intake_state import MAX_OFFERS, Earlier, Intake
from inference.labels import Classification


async def greet(ctx: Ctx) -> None:
    """The greeting and the disclaimer, with the deployment's emergency number when it has one."""
    await ctx.say("welcome")
    await ctx.say("disclaimer", **emergency_args(ctx.services.case_config.emergency_number))


async def welcome(ctx: Ctx, clinic_token: str = "") -> None:
    """Greeting, disclaimer, privacy note and the Agree button. Stores nothing: a clinic link's token rides
    on the button, and binds the user only once they agree."""
    await greet(ctx)
    await say_privacy(ctx, clinic_token)
    value = f"{ctx.lang}.{clinic_token}" if clinic_token else ctx.lang
    markup = InlineKeyboardMarkup([[button(ctx.t("btn-agree"), Action.AGREE, value, ctx.user_id)]])
    await ctx.send(ctx.t("consent-ask"), markup)


def engine_origin(url: str) -> str:
    """Scheme and host of an engine URL: never its credentials, port, path or query (they may hold keys)."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{parts.scheme}://[{host}]" if ":" in host else f"{parts.scheme}://{host}"


def privacy_args(retention_days: int, engine_url: str, clinics: Sequence[Clinic]) -> dict[str, Any]:
    """What the privacy note must say about where data goes: how long it is kept, where reports are written
    (`engine_url`, or "" for this machine), and the clinics a case of this user could be sent to."""
    return {
        "days": retention_days,
        "engine": "remote" if engine_url else "local",
        "host": engine_origin(engine_url) if engine_url else "",
        "clinics": len(clinics),
        "clinic_names": ", ".join(c.name for c in clinics),
    }


async def say_privacy(ctx: Ctx, clinic_token: str = "") -> None:
    """The privacy note, naming the clinics of the store's list this user's cases may go to: the clinic of
    the link they came through (or are coming through, before they agree), else the clinics open to them."""
    linked = await ctx.services.store.clinics.by_token(clinic_token) if clinic_token else None
    shown = [linked] if linked is not None else await clinics_for(ctx.services, ctx.user_id)
    services = ctx.services
    args = privacy_args(services.case_config.retention_days, services.bot_config.report_engine_url, shown)
    await ctx.say("privacy-text", **args)


def earlier_offer(case: Case) -> Earlier:
    """An earlier reported case as the follow-up question offers it."""
    assert case.classification is not None
    return Earlier(
        case_id=case.id,
        day=case.created_at.date().isoformat(),
        patient_name=case.patient_name,
        age=case.age,
        gender=case.gender,
        report_language=case.report_language,
        body_site=case.body_site,
        top_label=Classification.from_record(case.classification).top,
    )


async def new_intake(ctx: Ctx) -> Intake:
    """A fresh intake; it asks first whether this is a spot sent before when the user has reported cases."""
    cases = await ctx.services.store.cases.follow_up_candidates(ctx.user_id, MAX_OFFERS)
    return flow.start(tuple(earlier_offer(case) for case in cases))


async def begin_intake(ctx: Ctx, fresh: Intake | None = None) -> None:
    """Start a fresh intake (or `fresh`), drop an unconfirmed draft's photos, ask the first question."""
    old = await ctx.services.store.intakes.load(ctx.user_id)
    fresh = fresh or await new_intake(ctx)
    await ctx.services.store.intakes.save(ctx.user_id, fresh)
    for token in old.draft.photos if old is not None else ():
        if token not in fresh.draft.photos:
            ctx.services.files.delete_image(ctx.user_id, token)
    await ctx.says((prompts.current_prompt(fresh, ctx.lang),), fresh)


async def own_press(ctx: Ctx) -> Callback | None:
    """The pressed button's data if this user may press it; otherwise tell them politely and return None."""
    got = pressed(ctx)
    if got is None:
        if ctx.update.callback_query is not None:
            await acknowledge(ctx.update.callback_query, ctx.t("button-stale"))
        return None
    query, data = got
    if data.owner != ctx.user_id:
        await acknowledge(query, ctx.t("button-foreign"), alert=True)
        return None
    return data


async def refuse_stale(ctx: Ctx) -> None:
    """A press of a button whose subject has changed or gone since it was shown: "out of date", its
    keyboard removed, nothing else changed."""
    query = ctx.update.callback_query
    if query is not None:
        await acknowledge(query, ctx.t("button-stale"))
    await drop_keyboard(ctx)


async def accept_press(ctx: Ctx, drop: bool = False) -> Callback | None:
    """The pressed button's data, acknowledged (and its keyboard removed when `drop`), if the presser
    owns it; otherwise None after a polite refusal."""
    data = await own_press(ctx)
    if data is not None:
        await accept(ctx, drop)
    return data


async def accept(ctx: Ctx, drop: bool = True) -> None:
    """Acknowledge an owned press that will act (and remove its keyboard when `drop`)."""
    assert ctx.update.callback_query is not None
    await acknowledge(ctx.update.callback_query)
    if drop:
        await drop_keyboard(ctx)


async def drop_keyboard(ctx: Ctx) -> None:
    """A pressed question's buttons go away, so an old message cannot be answered twice."""
    query = ctx.update.callback_query
    if query is not None and query.message is not None:
        # Already gone or too old to edit: harmless.
        with contextlib.suppress(Exception):
            await query.edit_message_reply_markup(None)
