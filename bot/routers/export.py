"""/export: the user's own cases as a ZIP of JSON and PDFs (the right of access)."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from typing import Any

from telegram import InputFile
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.routing import Ctx, route
from bot.services import Services
from conversations.domain import Case, Review


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


async def build_export(services: Services, user_id: int) -> tuple[bytes, int]:
    store, files = services.store, services.files
    cases = await store.cases.recent(user_id, limit=100_000)
    reviews = await store.reviews.of_user(user_id)
    user = await store.users.get(user_id)

    def pack() -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            data = {
                "user": {
                    "language": user.language if user else None,
                    "consent_at": user.consent_at.isoformat() if user else None,
                },
                "cases": [case_record(c, reviews.get(c.id)) for c in cases],
            }
            archive.writestr("cases.json", json.dumps(data, ensure_ascii=False, indent=2))
            for case in cases:
                pdf = files.read_pdf(user_id, case.id)
                if pdf is not None:
                    archive.writestr(f"reports/{case.created_at.date().isoformat()}-{case.short_id}.pdf", pdf)
                for number, token in enumerate(case.images, start=1):
                    photo = files.read_optional(files.image_path(user_id, token))
                    if photo is not None:
                        suffix = f"-{number}" if number > 1 else ""
                        archive.writestr(f"photos/{case.short_id}{suffix}.jpg", photo)
        return out.getvalue()

    return await asyncio.to_thread(pack), len(cases)


@route
async def on_export(ctx: Ctx) -> None:
    if ctx.user is None:
        await ctx.say("export-empty")
        return
    archive, count = await build_export(ctx.services, ctx.user_id)
    if count == 0:
        await ctx.say("export-empty")
        return
    name = f"skinbot-export-{ctx.services.store.clock().date().isoformat()}.zip"
    await ctx.bot.send_document(
        ctx.chat_id,
        InputFile(archive, filename=name),
        filename=name,
        caption=ctx.t("export-caption", count=count),
    )


def handlers() -> list[BaseHandler]:
    return [CommandHandler("export", on_export, filters=filters.ChatType.PRIVATE)]
