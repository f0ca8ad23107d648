"""/export: the user's own cases as ZIP files of JSON, PDFs and photos (the right of access).

The archive is streamed to temporary files under the data directory, never built in memory, and split
into parts of at most PART_BYTES so each fits the Bot API's 50 MB upload limit. Every part is a complete
ZIP that opens on its own: files go into parts whole and in order, and cases.json is the first entry of
part 1. The temporary files are deleted when the parts have been sent, and also when anything fails.
"""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

from telegram import InputFile
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.routing import Ctx, route
from bot.services import Services
from bot.telegram_calls import with_retries
from conversations.domain import Case, Review

# Under the Bot API's 50 MB upload limit, with room for the multipart request around the file.
PART_BYTES = 45 * 1024 * 1024
EXPORTS_DIR = "exports"  # under SKINBOT_DATA_DIR
STALE_AFTER_S = 24 * 3600  # a temporary export older than this was left by a crash
# Per entry, beyond its data and twice its name: local header (30), central directory entry (46) and
# room for a data descriptor and extra fields, so a part's size is never underestimated.
_ENTRY_OVERHEAD = 30 + 46 + 64
_END_RECORD = 22

Entry = tuple[str, Callable[[], bytes | None]]  # a name in the archive, and how to read its bytes


def case_record(case: Case, review: Review | None) -> dict[str, Any]:
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
    if review is not None:
        record["review"] = {
            "clinic_chat_id": review.clinic_chat_id,
            "verdict": review.verdict,
            "note": review.note,
            "sent_at": review.created_at.isoformat(),
            "answered_at": review.answered_at.isoformat() if review.answered_at else None,
        }
    return record


class _PartWriter:
    """ZIP parts on disk, each kept under `limit` bytes by starting a new one before an entry would
    overflow it. An entry larger than `limit` on its own still gets a part of its own."""

    def __init__(self, directory: Path, limit: int) -> None:
        self.directory, self.limit = directory, limit
        self.paths: list[Path] = []
        self._file: BinaryIO | None = None
        self._zip: zipfile.ZipFile | None = None
        self._central = 0  # bytes the central directory and end record will take when the part closes

    def _open(self) -> zipfile.ZipFile:
        self.close()
        path = self.directory / f"part{len(self.paths) + 1}.zip"
        self._file = path.open("wb")
        self._zip = zipfile.ZipFile(self._file, "w", compression=zipfile.ZIP_DEFLATED)
        self._central = _END_RECORD
        self.paths.append(path)
        return self._zip

    def _room_for(self, name: str, size: int) -> zipfile.ZipFile:
        cost = size + 2 * len(name.encode()) + _ENTRY_OVERHEAD
        if self._zip is None or self._file is None:
            return self._open()
        if self._zip.infolist() and self._file.tell() + self._central + cost > self.limit:
            return self._open()
        return self._zip

    def _added(self, name: str) -> None:
        self._central += 46 + len(name.encode()) + 32

    def add_json(self, name: str, data: Any) -> None:
        """Streamed through the deflater: the JSON text is never held whole either."""
        archive = self._zip or self._open()
        with (
            archive.open(name, "w", force_zip64=False) as raw,
            io.TextIOWrapper(raw, encoding="utf-8") as text,
        ):
            json.dump(data, text, ensure_ascii=False, indent=2)
        self._added(name)

    def add_file(self, name: str, data: bytes) -> None:
        # Photos and PDFs are compressed already: stored as they are, their size in the part is exact.
        self._room_for(name, len(data)).writestr(name, data, compress_type=zipfile.ZIP_STORED)
        self._added(name)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
        if self._file is not None:
            self._file.close()
        self._zip, self._file = None, None


def write_parts(
    directory: Path, data: Any, entries: Iterable[Entry], part_bytes: int | None = None
) -> list[Path]:
    """`data` as cases.json, then each entry that has bytes, into numbered ZIP files in `directory`."""
    writer = _PartWriter(directory, PART_BYTES if part_bytes is None else part_bytes)
    try:
        writer.add_json("cases.json", data)
        for name, read in entries:
            content = read()
            if content is not None:
                writer.add_file(name, content)
    finally:
        writer.close()
    return writer.paths


async def build_export(services: Services, user_id: int, directory: Path) -> tuple[list[Path], int]:
    """The user's export as ZIP parts written into `directory`, and how many cases it holds."""
    store, files = services.store, services.files
    cases = await store.cases.recent(user_id, limit=100_000)
    if not cases:
        return [], 0
    reviews = await store.reviews.of_user(user_id)
    user = await store.users.get(user_id)
    data = {
        "user": {
            "language": user.language if user else None,
            "consent_at": user.consent_at.isoformat() if user else None,
        },
        "cases": [case_record(c, reviews.get(c.id)) for c in cases],
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
    parts = await asyncio.to_thread(write_parts, directory, data, entries)
    return parts, len(cases)


def part_names(date: str, count: int) -> list[str]:
    if count == 1:
        return [f"skinbot-export-{date}.zip"]
    return [f"skinbot-export-{date}-part{n}of{count}.zip" for n in range(1, count + 1)]


def _exports_root(data_dir: Path) -> Path:
    root = data_dir / EXPORTS_DIR
    root.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - STALE_AFTER_S
    for leftover in root.iterdir():
        try:
            if leftover.stat().st_mtime < cutoff:
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            continue
    return root


async def _send_part(ctx: Ctx, path: Path, name: str, caption: str) -> None:
    async def send() -> object:
        with path.open("rb") as part:
            return await ctx.bot.send_document(
                ctx.chat_id, InputFile(part, filename=name), filename=name, caption=caption
            )

    await with_retries(send, chat_id=ctx.chat_id)


@route
async def on_export(ctx: Ctx) -> None:
    if ctx.user is None:
        await ctx.say("export-empty")
        return
    root = await asyncio.to_thread(_exports_root, ctx.services.settings.data_dir)
    with tempfile.TemporaryDirectory(prefix="export-", dir=root) as work:
        parts, count = await build_export(ctx.services, ctx.user_id, Path(work))
        if count == 0:
            await ctx.say("export-empty")
            return
        names = part_names(ctx.services.store.clock().date().isoformat(), len(parts))
        for number, (path, name) in enumerate(zip(parts, names, strict=True), start=1):
            lines = [ctx.t("export-caption", count=count)] if number == 1 else []
            if len(parts) > 1:
                lines.append(ctx.t("export-part", part=number, parts=len(parts)))
            await _send_part(ctx, path, name, "\n".join(lines))


def handlers() -> list[BaseHandler]:
    return [CommandHandler("export", on_export, filters=filters.ChatType.PRIVATE)]
