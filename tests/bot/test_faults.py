"""Faults: Bot API 5xx, a read-only or full database, the daily limit, and /export."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from conversations.intake_state import Step
from testkit.skin_photos import skin_photo
from tests.bot.helpers import agree, answer_until_summary, button, confirm, photo_to_name
from tests.bot.starts import started_with_agreed_user
from tests.bot.test_report_delivery import report_messages, run_case, start_scripted, use_models, wait_pdf
from tests.conftest import Harness
from tests.fakes import ScriptedWriter


async def test_bot_api_5xx_is_retried_and_the_pdf_sent_once(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    source = "## Care\n" + " ".join(["Keep the area clean and dry."] * 40)
    writer = ScriptedWriter(script=lambda r: source, token_delay=0.002)
    use_models(harness, trained_classifier_weights, lambda s: writer, edit_interval_s=0.2)
    await harness.start()
    for method in ("sendMessage", "editMessageText", "sendDocument"):
        harness.api.inject(method, status=502, description="Bad Gateway", remaining=2)
    user = harness.api.user(701, "en")
    await run_case(harness, user, "en", photo_bytes)
    await wait_pdf(harness, user)
    for method in ("sendMessage", "editMessageText", "sendDocument"):
        assert sum(1 for c in harness.api.calls_of(method) if c.error) == 2, method
    assert sum(m.document is not None for m in user.inbox()) == 1
    shown = "".join((m.text or "") for m in report_messages(harness, user, "en"))
    assert "Keep the area clean and dry." in shown
    texts = [m.text for m in user.inbox() if m.text]
    assert len(texts) == len(set(texts))  # nothing sent twice


async def test_a_transient_getfile_failure_keeps_the_photo(harness: Harness, photo_bytes: bytes) -> None:
    # A 5% fault-rate load run lost users here: one 502 on getFile made the bot ask for the photo again.
    user = await started_with_agreed_user(harness, 704)
    harness.api.inject("getFile", status=502, description="Bad Gateway", remaining=2)
    await photo_to_name(harness, user, "en", photo_bytes)
    assert [c.error for c in harness.api.calls_of("getFile")][:3] == [
        (502, "Bad Gateway"),
        (502, "Bad Gateway"),
        None,
    ]
    failed = harness.t("en", "photo-download-failed")
    assert all(m.text != failed for m in user.inbox())


async def test_read_only_database_says_unavailable_and_writes_nothing(
    harness: Harness, photo_bytes: bytes
) -> None:
    user = await started_with_agreed_user(harness, 702, "ko")
    await photo_to_name(harness, user, "ko", photo_bytes)
    before = await harness.services.store.intakes.load(user.id)
    db = harness.services.store.db._db  # the raw connection, to break it as a disk would
    await db.execute("PRAGMA query_only=ON")  # every write now fails as on a read-only file
    await user.send("Minh")
    await harness.wait_key(user, "ko", "unavailable")
    await db.execute("PRAGMA query_only=OFF")
    assert await harness.services.store.intakes.load(user.id) == before  # nothing half-written
    await user.send("Minh")
    await harness.wait_key(user, "ko", "ask-age")


async def test_full_disk_says_unavailable(harness: Harness, photo_bytes: bytes) -> None:
    import itertools
    import sqlite3

    user = await started_with_agreed_user(harness, 703)
    db = harness.services.store.db._db  # the raw connection, to break it as a disk would
    async with db.execute("PRAGMA page_count") as cur:
        pages = (await cur.fetchone())[0]
    await db.execute(f"PRAGMA max_page_count={pages}")  # the file may not grow any more
    # Fill the free space, as a full disk would leave it: large rows, then ever smaller ones, so that not
    # even a few bytes are left for the next write. First after every row (which also uses up the free
    # pages), then just before the user's own row, so the page that holds their intake is full too,
    # whatever its size. Filler rows need no users (foreign keys off while filling).
    await db.execute("PRAGMA foreign_keys=OFF")
    for ids in (itertools.count(10**9), itertools.count(user.id - 1, -1)):
        for size in (40, 4, 0):
            for filler in ids:
                try:
                    await db.execute(
                        "INSERT INTO conversations VALUES (?, ?, '2026-01-01')", (filler, "{}" * size)
                    )
                    await db.commit()
                except sqlite3.OperationalError as exc:
                    assert "full" in str(exc)
                    await db.rollback()
                    break
    await db.execute("PRAGMA foreign_keys=ON")
    await user.send_photo(photo_bytes)
    try:
        await harness.wait_key(user, "en", "unavailable")
    except TimeoutError:
        raise AssertionError([m.text for m in user.inbox()][-3:]) from None
    await db.execute("PRAGMA max_page_count=1073741823")
    intake = await harness.services.store.intakes.load(user.id)
    assert intake is not None and intake.step == Step.PHOTO and intake.draft.photos == ()
    assert not any((harness.settings.data_dir / "images").rglob("*.jpg"))  # the photo was not left behind


async def test_daily_case_limit(harness: Harness, photo_bytes: bytes) -> None:
    import dataclasses

    harness.settings = dataclasses.replace(harness.settings, daily_cases=1)
    user = await started_with_agreed_user(harness, 704, "vi")
    summary = await answer_until_summary(harness, user, "vi", photo_bytes)
    await confirm(harness, user, "vi", summary)
    # The first case stays queued (no models here); free the user for a second attempt.
    [case] = await harness.services.store.cases.recent(user.id)
    await harness.services.store.jobs.save_report(case.id, "a report", image_seen=True)
    await user.send("/new")
    await harness.wait_key(user, "vi", "new-case")
    summary = await answer_until_summary(harness, user, "vi", skin_photo(seed=5), name="Second")
    await user.press(summary, button(summary, "confirm"))
    await harness.wait_key(user, "vi", "daily-limit", count=1)
    assert len(await harness.services.store.cases.recent(user.id)) == 1
    intake = await harness.services.store.intakes.load(user.id)
    assert intake is not None and intake.step == Step.SUMMARY  # the answers are kept


async def test_export_holds_own_cases_only(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    await start_scripted(harness, trained_classifier_weights, "Report text.")
    user, other = harness.api.user(705, "en"), harness.api.user(706, "en")
    await agree(harness, user, "en")
    await user.send("/export")
    await harness.wait_key(user, "en", "export-empty")
    case_id = await run_case_named(harness, user, "Export Patient")
    await agree(harness, other, "en")
    await run_case_named(harness, other, "Other Person", seed=9)
    await user.send("/export")
    await harness.wait_until(
        lambda: any(m.document_name and m.document_name.endswith(".zip") for m in user.inbox())
    )
    export = next(m for m in user.inbox() if m.document_name and m.document_name.endswith(".zip"))
    assert export.caption == harness.t("en", "export-caption", count=1)
    archive = zipfile.ZipFile(io.BytesIO(export.document))
    data = json.loads(archive.read("cases.json"))
    assert [c["case_id"] for c in data["cases"]] == [case_id]
    assert (
        data["cases"][0]["patient"]["name"] == "Export Patient"
        and data["cases"][0]["report"] == "Report text."
    )
    assert any(name.endswith(".pdf") for name in archive.namelist())
    assert b"Other Person" not in export.document


async def run_case_named(h: Harness, user, name: str, seed: int = 0) -> str:
    summary = await answer_until_summary(h, user, "en", skin_photo(seed=seed), name=name)
    case_id = await confirm(h, user, "en", summary)
    await wait_pdf(h, user)
    return case_id


async def test_bot_api_timeouts_are_retried_and_the_pdf_sent_once(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    await start_scripted(harness, trained_classifier_weights, "A short report.")
    # Longer than python-telegram-bot's 5 s read timeout: the bot sees TimedOut and must try again.
    harness.api.inject("sendDocument", status=504, description="Gateway Timeout", delay=6.0)
    harness.api.inject("editMessageText", status=504, description="Gateway Timeout", delay=6.0)
    user = harness.api.user(707, "en")
    await run_case(harness, user, "en", photo_bytes)
    await wait_pdf(harness, user, timeout=90)
    # Both stalls happened (the client hung up on each), and the retry delivered the PDF exactly once.
    assert [f.remaining for f in harness.api.faults] == [0, 0]
    assert sum(m.document is not None for m in user.inbox()) == 1
