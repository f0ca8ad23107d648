"""/cases with PDF re-download; the Retry button of a failed report, the Stop button of one being written."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.callbacks import Action, button, on_press
from bot.pdf_documents import send_pdf
from bot.routers.common import accept_press, drop_keyboard, own_press
from bot.routers.review import ALL, bound
from bot.routing import Ctx, acknowledge, route
from casework.case_pdf import services_case_pdf
from casework.review_desk import clinics_for
from conversations.domain import Case, CaseStatus, Review
from inference.labels import Classification

SHOWN = 10


@route
async def on_cases(ctx: Ctx) -> None:
    store = ctx.services.store
    cases = await store.cases.recent(ctx.user_id, limit=SHOWN) if ctx.user else []
    if not cases:
        await ctx.say("cases-empty")
        return
    reviews = await store.reviews.of_user(ctx.user_id)
    # Grouped by patient, so a health worker sees each patient's cases together, newest patient first; a
    # spot followed up over time reads as one chain, oldest first, its follow-ups indented under it.
    by_patient: dict[str, list[Case]] = {}
    for case in cases:
        by_patient.setdefault(case.patient_name, []).append(case)
    lines, rows = [ctx.t("cases-title")], []
    for name, group in by_patient.items():
        lines.append("")
        for case, follows in chains(group):
            day = case.created_at.date().isoformat()
            result = _result(ctx, case, reviews.get(case.id))
            site = ctx.t(f"site-{case.body_site}") if case.body_site else ""
            if follows:
                lines.append(ctx.t("case-line-follow-up", date=day, site=site, result=result))
            else:
                line = ctx.t("case-line", date=day, name=name, result=result)
                lines.append(f"{line} · {site}" if site else line)
            if case.has_report:
                rows.append([button(f"📄 {day} · {name}"[:60], Action.PDF, case.id, ctx.user_id)])
    may_send = bool(await clinics_for(ctx.services, ctx.user_id))
    unreviewed = await store.cases.unreviewed(ctx.user_id) if may_send else []
    if unreviewed:
        label = ctx.t("btn-review-all", count=len(unreviewed))
        # Bound to the cases counted here: pressed later, it never sends a case this listing did not count.
        rows.append([button(label, Action.REVIEW_ALL, bound(ALL, unreviewed), ctx.user_id)])
    await ctx.send("\n".join(lines), InlineKeyboardMarkup(rows) if rows else None)


def chains(cases: list[Case]) -> list[tuple[Case, bool]]:
    """Cases (newest first) as chains of follow-ups: each chain from its first case on, oldest first; chains
    in the order of their first cases. Each case comes with whether it is a follow-up (of one above it)."""
    shown = {case.id for case in cases}
    later: dict[str, list[Case]] = {}
    for case in sorted(cases, key=lambda case: case.created_at):
        if case.follow_up_of in shown:
            later.setdefault(case.follow_up_of, []).append(case)
    out: list[tuple[Case, bool]] = []

    def walk(case: Case, follows: bool) -> None:
        out.append((case, follows))
        for next_case in later.get(case.id, ()):
            walk(next_case, True)

    for root in cases:
        if root.follow_up_of not in shown:
            walk(root, False)
    return out


def _result(ctx: Ctx, case: Case, review: Review | None) -> str:
    if case.status != CaseStatus.DONE or not case.classification:
        return ctx.t(f"case-status-{case.status}")
    result = ctx.t(f"label-{Classification.from_record(case.classification).top}")
    if review is None:
        return result
    if review.verdict is None:
        return f"{result} · {ctx.t('case-waiting-review')}"
    return f"{result} · {ctx.t('case-reviewed', verdict=ctx.t(f'verdict-{review.verdict}'))}"


@route
async def on_pdf(ctx: Ctx) -> None:
    data = await accept_press(ctx)
    if data is None:
        return
    # Scoped by the presser's id: a case id alone never reaches someone else's report.
    case = await ctx.services.store.cases.get(ctx.user_id, data.value)
    if case is None or not case.has_report:
        await ctx.say("case-pdf-missing")
        return
    try:
        pdf = await services_case_pdf(ctx.services, case)
    except OSError:  # the photo itself is gone, so no PDF can be made again
        await ctx.say("case-pdf-missing")
        return
    await send_pdf(ctx.bot, ctx.chat_id, case, pdf, ctx.t("pdf-caption", case=case.short_id))


@route
async def on_retry(ctx: Ctx) -> None:
    data = await accept_press(ctx)
    if data is None:
        return
    store = ctx.services.store
    case = await store.cases.get(ctx.user_id, data.value)
    if case is None or case.status != CaseStatus.FAILED or await store.cases.active(ctx.user_id) is not None:
        await ctx.say("retry-not-possible")
        return
    await drop_keyboard(ctx)
    await store.jobs.requeue(case.id)
    requeued = await store.cases.get(ctx.user_id, case.id)
    assert requeued is not None
    await ctx.say("retry-started")
    await ctx.services.pipeline.submit(requeued)


@route
async def on_stop(ctx: Ctx) -> None:
    """Stop: as /cancel, for the case under the button only, and only while it is the presser's own
    active case; the delivery says "cancelled" once generation has actually stopped."""
    data = await own_press(ctx)
    if data is None:
        return
    query = ctx.update.callback_query
    assert query is not None
    active = await ctx.services.store.cases.active(ctx.user_id)
    if active is None or active.id != data.value or not await ctx.services.pipeline.cancel_user(ctx.user_id):
        await acknowledge(query, ctx.t("stop-too-late"))
        await drop_keyboard(ctx)
        return
    await acknowledge(query, ctx.t("stop-stopping"))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("cases", on_cases, filters=filters.ChatType.PRIVATE),
        on_press(on_pdf, Action.PDF),
        on_press(on_retry, Action.RETRY),
        on_press(on_stop, Action.STOP),
    ]
