"""A case's report PDF sent into a chat as a Telegram document, named by `casework.case_pdf.pdf_filename`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InputFile

from bot.telegram_calls import with_retries
from casework.case_pdf import pdf_filename
from conversations.domain import Case


async def send_pdf(
    bot: Any,
    chat_id: int,
    case: Case,
    pdf: bytes,
    caption: str,
    guard: Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]] | None = None,
) -> None:
    """`guard` wraps each attempt, e.g. to stop retries once Telegram may have applied the send."""

    def call() -> Awaitable[Any]:
        return bot.send_document(
            chat_id,
            InputFile(pdf, filename=pdf_filename(case)),
            caption=caption[:1024],
            filename=pdf_filename(case),
        )

    def attempt() -> Awaitable[Any]:
        return guard(call) if guard is not None else call()

    await with_retries(attempt, chat_id=chat_id)
