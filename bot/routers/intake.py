"""The intake conversation: updates in, `conversations.intake.advance` decides, we persist and reply."""

from __future__ import annotations

import asyncio
import logging

from telegram import Message, PhotoSize
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.callbacks import on_press
from bot.downloads import download_capped
from bot.routers.common import accept, begin_intake, new_intake, own_press, refuse_stale, welcome
from bot.routers.questions import close_question, take_question
from bot.routing import Ctx, guarded, route
from bot.telegram_calls import with_retries
from casework.case_messages import upload_rejection_lines
from casework.upload_checks import PhotoUnusable, checked_photo
from conversations import intake as flow
from conversations import intake_prompts as prompts
from conversations.intake_state import (
    MAX_PHOTOS,
    Album,
    Answer,
    Choice,
    Intake,
    IntakeAction,
    Other,
    Photo,
    Text,
)
from conversations.photos import PhotoRejected, check_dimensions, check_size
from conversations.store import StoreError

log = logging.getLogger(__name__)


async def apply(ctx: Ctx, outcome: flow.Outcome) -> None:
    """Persist first, then speak: after a crash the user is asked again, never told something we lost."""
    store = ctx.services.store
    if outcome.confirmed:
        assert outcome.intake is not None
        await confirm(ctx, outcome.intake)
        return
    if outcome.intake is None:
        await store.intakes.clear(ctx.user_id)
    else:
        await store.intakes.save(ctx.user_id, outcome.intake)
    for token in outcome.discard_images:
        ctx.services.files.delete_image(ctx.user_id, token)
    await ctx.says(outcome.says, outcome.intake)


async def confirm(ctx: Ctx, intake: Intake) -> None:
    store = ctx.services.store
    if not flow.is_complete(intake.draft):
        await ctx.says((prompts.current_prompt(intake, ctx.lang),), intake)
        return
    if await store.cases.active(ctx.user_id) is not None:
        await ctx.say("case-active")
        await ctx.says((prompts.summary(intake.draft),), intake)
        return
    midnight = store.clock().replace(hour=0, minute=0, second=0, microsecond=0)
    limit = ctx.services.bot_config.daily_cases
    if await store.cases.count_since(ctx.user_id, midnight) >= limit:
        await ctx.say("daily-limit", count=limit)
        await ctx.says((prompts.summary(intake.draft),), intake)
        return
    case = await store.cases.create(ctx.user_id, ctx.chat_id, intake.draft, ctx.lang)
    log.info("case %s queued", case.short_id)
    await ctx.say("case-received", case=case.short_id)
    await ctx.services.pipeline.submit(case)


async def _photo_answer(ctx: Ctx, message: Message, item: tuple[int, int] | None = None) -> Photo | None:
    """Download, check and store an uploaded image. Tells the user why when it is refused, naming it as
    `item` (its position in an album and the album's size) when it is one of several."""
    limits = ctx.services.case_config
    max_bytes = limits.max_download_mb * 1024 * 1024
    if message.photo:
        media = message.photo[-1]  # the largest size Telegram made
    elif message.document is not None:
        media = message.document
    else:
        return None
    try:
        check_size(media.file_size, max_bytes)
        if isinstance(media, PhotoSize):  # Telegram tells a photo's dimensions: a sliver needs no download
            check_dimensions(media.width, media.height, limits.min_side)
        # A transient 5xx or timeout is retried: re-asking for the photo would lose the user's place.
        tg_file = await with_retries(media.get_file, chat_id=ctx.chat_id)
        check_size(tg_file.file_size, max_bytes)
        # Telegram may leave the size out: the download itself stops past the limit.
        data = await with_retries(
            lambda: download_capped(tg_file, max_bytes, ctx.services.downloads), chat_id=ctx.chat_id
        )
        async with ctx.services.uploads.decoding:
            # The quality and colour checks too, on the decoded image: a few ms on this thread, before
            # anything is stored or the next question is asked.
            jpeg = await asyncio.to_thread(checked_photo, data, limits)
    except PhotoRejected as rejected:
        await ctx.say(rejected.key, **rejected.params)
        return None
    except PhotoUnusable as unusable:
        await ctx.send("\n".join(_unusable_lines(ctx, unusable.issues, item)))
        return None
    except TelegramError as exc:
        log.warning("photo download failed: %s", type(exc).__name__)
        await ctx.say("photo-download-failed")
        return None
    token = await asyncio.to_thread(ctx.services.files.save_image, ctx.user_id, jpeg)
    return Photo(token)


def _unusable_lines(ctx: Ctx, issues: tuple[str, ...], item: tuple[int, int] | None) -> list[str]:
    lines = upload_rejection_lines(ctx.services.t, ctx.lang, issues)
    if item is None:
        return [*lines, ctx.t("upload-send-another")]
    position, count = item
    return [ctx.t("upload-album-item", position=position, count=count), *lines]


def _has_image(message: Message) -> bool:
    return bool(message.photo) or message.document is not None


@route
async def on_message(ctx: Ctx) -> None:
    message = ctx.update.effective_message
    if message is None:
        return
    if ctx.user is None:
        await ctx.say("consent-needed")
        await welcome(ctx)
        return
    if await take_question(ctx, message):  # the question the user pressed "Ask about this report" for
        return
    if message.media_group_id and _has_image(message):
        # One photo of an album: answered once, with the others, when the album is complete.
        ctx.services.albums.add(ctx.user_id, message.media_group_id, message, lambda ms: _on_album(ctx, ms))
        return
    intake = await ctx.services.store.intakes.load(ctx.user_id)
    if intake is None:
        if not _has_image(message):
            await ctx.say("idle")
            return
        intake = await new_intake(ctx)  # a photo sent between cases starts the next one
    answer: Answer
    if flow.photo_slots(intake) and _has_image(message):
        photo = await _photo_answer(ctx, message)
        if photo is None:
            await ctx.says((prompts.current_prompt(intake, ctx.lang),), intake)
            return
        answer = photo
    elif message.text is not None:
        answer = Text(message.text)
    else:
        answer = Other()
    await _advance(ctx, intake, answer)


async def _advance(ctx: Ctx, intake: Intake, answer: Answer) -> None:
    try:
        await apply(ctx, flow.advance(intake, answer, ctx.lang))
    except StoreError:
        tokens = answer.images if isinstance(answer, Album) else ()
        if isinstance(answer, Photo):
            tokens = (answer.image,)
        for token in tokens:  # no half-written state on disk either
            ctx.services.files.delete_image(ctx.user_id, token)
        raise


async def _on_album(ctx: Ctx, messages: list[Message]) -> None:
    async def answer_album(ctx: Ctx) -> None:
        if ctx.user is None:  # erased (/delete) while the album came in
            return
        intake = await ctx.services.store.intakes.load(ctx.user_id) or await new_intake(ctx)
        slots = flow.photo_slots(intake)
        if not slots:
            await _advance(ctx, intake, Other())  # one nudge for the whole album
            return
        # Refused items (a document that is no image, a damaged file) are told and dropped first, so the
        # photos kept are the first that are usable; the rest are not even downloaded.
        tokens: list[str] = []
        pending = iter(messages)
        for position, message in enumerate(pending, 1):
            photo = await _photo_answer(ctx, message, (position, len(messages)))
            if photo is not None:
                tokens.append(photo.image)
            if len(tokens) == slots:
                break
        if next(pending, None) is not None:
            await ctx.say("photos-over-limit", max=MAX_PHOTOS)
        if not tokens:
            await ctx.says((prompts.current_prompt(intake, ctx.lang),), intake)
            return
        await _advance(ctx, intake, Album(tuple(tokens)))

    await guarded(ctx, answer_album)


@route
async def on_button(ctx: Ctx) -> None:
    data = await own_press(ctx)
    if data is None:
        return
    intake = await ctx.services.store.intakes.load(ctx.user_id)
    # Shown for another intake, or for this one before an answer changed it: it names what is gone.
    if intake is None or data.step != intake.step or data.intake != intake.key:
        await refuse_stale(ctx)
        return
    await accept(ctx)
    assert isinstance(data.action, IntakeAction)
    await apply(ctx, flow.advance(intake, Choice(data.action, data.value), ctx.lang))


@route
async def on_new(ctx: Ctx) -> None:
    if ctx.user is None:
        await welcome(ctx)
        return
    await ctx.say("new-case")
    await begin_intake(ctx)


@route
async def on_cancel(ctx: Ctx) -> None:
    if await close_question(ctx):
        return
    intake = await ctx.services.store.intakes.load(ctx.user_id) if ctx.user else None
    if intake is not None:
        await apply(ctx, flow.cancel(intake))
        return
    if ctx.user is not None and await ctx.services.pipeline.cancel_user(ctx.user_id):
        return  # the delivery says "cancelled" once generation has actually stopped
    await ctx.say("nothing-to-cancel")


@route
async def on_unknown_command(ctx: Ctx) -> None:
    await ctx.say("help-text")


def handlers() -> list[BaseHandler]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("new", on_new, filters=private),
        CommandHandler("cancel", on_cancel, filters=private),
        on_press(on_button, *IntakeAction),
        MessageHandler(private & filters.COMMAND, on_unknown_command),
        MessageHandler(private & ~filters.COMMAND, on_message),
    ]
