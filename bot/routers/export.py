"""/export: the user's own cases as ZIP files of JSON, PDFs and photos (the right of access).

The archive is split into parts of at most PART_BYTES so each fits the Bot API's 50 MB upload limit. Every
part is a complete ZIP that opens on its own: files go into parts whole and in order, and cases.json is the
first entry of part 1. The parts hold the photos and PDFs decrypted and the patients' names, so they never
touch the disk (a process that died half-way would leave them there): each part is built in memory, sent,
and dropped before the next. The captions say "part 1 of N" from the start, so a first pass works out which
files go into which part (building each part and dropping it), and the second builds them again to send.
"""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import InputFile
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.routing import Ctx, route
from bot.services import Services
from bot.telegram_calls import with_retries
from conversations.domain import Case, CaseQuestion, Review

# Under the Bot API's 50 MB upload limit, with room for the multipart request around the file.
PART_BYTES = 45 * 1024 * 1024
# Where exports were written as files before they were built in memory: a crash could leave one there.
EXPORTS_DIR = "exports"  # under SKINBOT_DATA_DIR
# Per entry, beyond its data and twice its name: local header (30), central directory entry (46) and
# room for a data descriptor and extra fields, so a part's size is never underestimated.
_ENTRY_OVERHEAD = 30 + 46 + 64
_END_RECORD = 22

Entry = tuple[str, Callable[[], bytes | None]]  # a name in the archive, and how to read its bytes


def case_record(case: Case, review: Review | None, questions: Sequence[CaseQuestion] = ()) -> dict[str, Any]:
    record: dict[str, Any] = {
        "case_id": case.id,
        "created_at": case.created_at.isoformat(),
        "status": case.status,
        "patient": {
            "name": case.patient_name,
            "age": case.age,
            "gender": case.gender,
            "history": case.history,
        },
        "report_language": case.report_language,
        "body_site": case.body_site,
        "follow_up_of": case.follow_up_of,
        "photos": [photo.kind for photo in case.photos],
        "classification": case.classification,
        "report": case.report,
        "image_seen_by_language_model": case.image_seen,
    }
    # "Ask about this report": the patient's questions and the answers they got.
    record["questions"] = [
        {
            "question": q.question,
            "answer": q.answer,
            "asked_at": q.created_at.isoformat(),
            "answered_at": q.answered_at.isoformat() if q.answered_at else None,
        }
        for q in questions
    ]
    if review is not None:
        record["review"] = {
            "clinic_chat_id": review.clinic_chat_id,
            "verdict": review.verdict,
            "note": review.note,
            "sent_at": review.created_at.isoformat(),
            "answered_at": review.answered_at.isoformat() if review.answered_at else None,
        }
    return record


class _Part:
    """One ZIP part, written in memory."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        self._zip = zipfile.ZipFile(self._buffer, "w", compression=zipfile.ZIP_DEFLATED)
        self._central = _END_RECORD  # bytes the central directory and end record will take at the close

    def fits(self, name: str, size: int, limit: int) -> bool:
        """Whether an entry of `size` bytes keeps the part under `limit`. An empty part takes any entry:
        one larger than `limit` on its own gets a part of its own."""
        cost = size + 2 * len(name.encode()) + _ENTRY_OVERHEAD
        return not self._zip.infolist() or self._buffer.tell() + self._central + cost <= limit

    def add_json(self, name: str, data: Any) -> None:
        """Streamed through the deflater: the JSON text is never held whole."""
        with (
            self._zip.open(name, "w", force_zip64=False) as raw,
            io.TextIOWrapper(raw, encoding="utf-8") as text,
        ):
            json.dump(data, text, ensure_ascii=False, indent=2)
        self._added(name)

    def add_file(self, name: str, data: bytes) -> None:
        # Photos and PDFs are compressed already: stored as they are, their size in the part is exact.
        self._zip.writestr(name, data, compress_type=zipfile.ZIP_STORED)
        self._added(name)

    def _added(self, name: str) -> None:
        self._central += 46 + len(name.encode()) + 32

    def finish(self) -> bytes:
        self._zip.close()
        content = self._buffer.getvalue()
        self._buffer.close()
        return content

    def drop(self) -> None:
        self._zip.close()
        self._buffer.close()


def plan_parts(data: Any, entries: Sequence[Entry], part_bytes: int | None = None) -> list[list[int]]:
    """Which entries (by index) go into each part: cases.json (`data`) then each entry that has bytes, a
    new part whenever the next entry would overflow `part_bytes`. Each part is built to measure it, then
    dropped, so at most one is held at a time."""
    limit = PART_BYTES if part_bytes is None else part_bytes
    plan: list[list[int]] = [[]]
    part = _Part()
    try:
        part.add_json("cases.json", data)
        for index, (name, read) in enumerate(entries):
            content = read()
            if content is None:
                continue
            if not part.fits(name, len(content), limit):
                part.drop()
                part = _Part()
                plan.append([])
            part.add_file(name, content)
            plan[-1].append(index)
    finally:
        part.drop()
    return plan


def build_part(data: Any | None, entries: Sequence[Entry], members: Sequence[int]) -> bytes:
    """One part of `plan_parts`' plan: cases.json first when `data` is given (part 1), then its entries.
    A file erased since the plan was made (the retention purge) is left out: the part is only smaller."""
    part = _Part()
    try:
        if data is not None:
            part.add_json("cases.json", data)
        for index in members:
            name, read = entries[index]
            content = read()
            if content is not None:
                part.add_file(name, content)
    except BaseException:
        part.drop()
        raise
    return part.finish()


@dataclass(frozen=True)
class Export:
    data: dict[str, Any]  # cases.json
    entries: list[Entry]
    cases: int


async def collect_export(services: Services, user_id: int) -> Export | None:
    """What the user's export holds, read lazily file by file; None when the user has no cases."""
    store, files = services.store, services.files
    cases = await store.cases.recent(user_id, limit=100_000)
    if not cases:
        return None
    reviews = await store.reviews.of_user(user_id)
    questions = await store.questions.answered_of_user(user_id)
    user = await store.users.get(user_id)
    data = {
        "user": {
            "language": user.language if user else None,
            "consent_at": user.consent_at.isoformat() if user else None,
        },
        "cases": [case_record(c, reviews.get(c.id), questions.get(c.id, ())) for c in cases],
    }
    entries: list[Entry] = []
    for case in cases:
        entries.append(
            (
                f"reports/{case.created_at.date().isoformat()}-{case.short_id}.pdf",
                lambda c=case: files.read_pdf(user_id, c.id),
            )
        )
        for number, token in enumerate(case.images, start=1):
            suffix = f"-{number}" if number > 1 else ""
            entries.append(
                (
                    f"photos/{case.short_id}{suffix}.jpg",
                    lambda tok=token: files.read_optional(files.image_path(user_id, tok)),
                )
            )
    return Export(data, entries, len(cases))


def part_names(date: str, count: int) -> list[str]:
    if count == 1:
        return [f"skinbot-export-{date}.zip"]
    return [f"skinbot-export-{date}-part{n}of{count}.zip" for n in range(1, count + 1)]


def remove_old_exports(data_dir: Path) -> None:
    """At start-up: exports written to disk by an earlier version, which a crash could leave there."""
    shutil.rmtree(data_dir / EXPORTS_DIR, ignore_errors=True)


async def _send_part(ctx: Ctx, content: bytes, name: str, caption: str) -> None:
    async def send() -> object:
        return await ctx.bot.send_document(
            ctx.chat_id, InputFile(content, filename=name), filename=name, caption=caption
        )

    await with_retries(send, chat_id=ctx.chat_id)


@route
async def on_export(ctx: Ctx) -> None:
    export = await collect_export(ctx.services, ctx.user_id) if ctx.user is not None else None
    if export is None:
        await ctx.say("export-empty")
        return
    plan = await asyncio.to_thread(plan_parts, export.data, export.entries)
    names = part_names(ctx.services.store.clock().date().isoformat(), len(plan))
    for number, (members, name) in enumerate(zip(plan, names, strict=True), start=1):
        data = export.data if number == 1 else None
        content = await asyncio.to_thread(build_part, data, export.entries, members)
        lines = [ctx.t("export-caption", count=export.cases)] if number == 1 else []
        if len(plan) > 1:
            lines.append(ctx.t("export-part", part=number, parts=len(plan)))
        await _send_part(ctx, content, name, "\n".join(lines))
        del content  # one part in memory at a time


def handlers() -> list[BaseHandler]:
    return [CommandHandler("export", on_export, filters=filters.ChatType.PRIVATE)]
