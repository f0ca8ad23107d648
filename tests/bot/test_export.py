"""/export in parts: every part a complete ZIP under the part limit, every file exactly once, nothing
held in memory as one archive, and no temporary file left behind, also when sending fails."""

from __future__ import annotations

import io
import json
import os
import tracemalloc
import zipfile
from collections import Counter
from pathlib import Path

import pytest

import bot.routers.export as export
from conversations.domain import Language
from conversations.intake import Draft
from testkit.fake_bot_api import SentMessage
from testkit.fake_user import FakeUser
from tests.conftest import Harness

LIMIT = 160 * 1024  # stands in for the 45 MB of production, so the test stays small


def noise(size: int, seed: int) -> bytes:
    """Incompressible bytes, as JPEG and PDF data are: ZIP can not shrink them below the limit."""
    import random

    return random.Random(seed).randbytes(size)


def test_parts_stay_under_the_limit_and_hold_each_file_once(tmp_path: Path) -> None:
    entries = [(f"photos/{n:02d}.jpg", lambda n=n: noise(20_000 + 997 * n, n)) for n in range(30)]
    entries.append(("reports/missing.pdf", lambda: None))  # a case without a PDF yet
    data = {"cases": [{"case_id": n, "report": "text " * 200} for n in range(30)]}
    parts = export.write_parts(tmp_path, data, entries, part_bytes=100_000)
    assert len(parts) >= 7
    names: Counter[str] = Counter()
    for index, part in enumerate(parts):
        assert part.parent == tmp_path and part.is_file()  # written to disk, part by part
        assert part.stat().st_size <= 100_000
        with zipfile.ZipFile(part) as archive:  # each part opens on its own
            assert archive.testzip() is None
            names.update(archive.namelist())
            if index == 0:
                assert archive.namelist()[0] == "cases.json"
                assert json.loads(archive.read("cases.json")) == data
            for name in archive.namelist():
                if name.startswith("photos/"):
                    n = int(name[7:9])
                    assert archive.read(name) == noise(20_000 + 997 * n, n)
    assert names == Counter({"cases.json": 1, **{f"photos/{n:02d}.jpg": 1 for n in range(30)}})


def test_the_archive_is_never_held_in_memory(tmp_path: Path) -> None:
    """Peak memory stays near one file's size, far below the ~3 MB the archive adds up to."""
    entries = [(f"photos/{n:03d}.jpg", lambda n=n: noise(30_000, n)) for n in range(100)]
    tracemalloc.start()
    try:
        parts = export.write_parts(tmp_path, {"cases": []}, entries, part_bytes=1_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    total = sum(p.stat().st_size for p in parts)
    assert total > 3_000_000
    assert peak < total / 5


async def make_cases(h: Harness, user_id: int, count: int) -> list[str]:
    store, files = h.services.store, h.services.files
    await store.users.add_consent(user_id, Language.EN)
    ids = []
    for n in range(count):
        photo = files.save_image(user_id, noise(25_000, 100 + n))
        draft = Draft(
            photos=(photo,),
            name=f"Patient {n}",
            age=30 + n,
            gender="female",
            history_answered=True,
            report_language="en",
        )
        case = await store.cases.create(user_id, user_id, draft, Language.EN)
        await store.jobs.save_report(case.id, f"Report {n}.", image_seen=True)
        files.save_pdf(user_id, case.id, noise(30_000, 500 + n))
        ids.append(case.id)
    return ids


def exports(user: FakeUser) -> list[SentMessage]:
    return [m for m in user.inbox() if m.document_name and m.document_name.startswith("skinbot-export-")]


async def test_export_of_many_cases_comes_in_numbered_parts(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "PART_BYTES", LIMIT)
    await harness.start()
    user = harness.api.user(1301, "en")
    ids = await make_cases(harness, user.id, 12)  # about 660 KB of photos and PDFs: five parts or so
    await user.send("/export")
    await harness.wait_until(
        lambda: (got := exports(user)) != [] and len(got) == int(got[0].document_name.split("of")[-1][:-4]),
        timeout=30,
    )
    parts = exports(user)
    count = len(parts)
    assert count >= 4
    date = harness.services.store.clock().date().isoformat()
    assert [m.document_name for m in parts] == [
        f"skinbot-export-{date}-part{n}of{count}.zip" for n in range(1, count + 1)
    ]
    t = harness.t
    assert parts[0].caption == t("en", "export-caption", count=12) + "\n" + t(
        "en", "export-part", part=1, parts=count
    )
    assert parts[1].caption == t("en", "export-part", part=2, parts=count)
    files, store = harness.services.files, harness.services.store
    seen: Counter[str] = Counter()
    for number, message in enumerate(parts, start=1):
        assert message.document is not None and len(message.document) <= LIMIT
        with zipfile.ZipFile(io.BytesIO(message.document)) as archive:
            assert archive.testzip() is None
            seen.update(archive.namelist())
            assert ("cases.json" in archive.namelist()) == (number == 1)
            if number == 1:
                data = json.loads(archive.read("cases.json"))
                assert sorted(c["case_id"] for c in data["cases"]) == sorted(ids)
            for name in archive.namelist():
                if name == "cases.json":
                    continue
                short = name.rsplit("-", 1)[-1].split("/")[-1][:8]
                case = next(c for c in await store.cases.recent(user.id, 100) if c.short_id == short)
                if name.startswith("reports/"):
                    assert archive.read(name) == files.read_pdf(user.id, case.id)
                elif name.startswith("photos/"):
                    assert archive.read(name) == files.read_image(user.id, case.image)
    for case_id in ids:
        assert sum(v for k, v in seen.items() if k.startswith("reports/") and case_id[:8] in k) == 1
        assert sum(v for k, v in seen.items() if k.startswith("photos/") and case_id[:8] in k) == 1
    assert seen["cases.json"] == 1
    assert os.listdir(harness.settings.data_dir / export.EXPORTS_DIR) == []  # the parts were deleted


async def test_a_failed_send_leaves_no_temporary_files(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "PART_BYTES", LIMIT)
    await harness.start()
    user = harness.api.user(1302, "en")
    await make_cases(harness, user.id, 6)
    harness.api.inject("sendDocument", 400, "Bad Request: file is too big", remaining=1)
    await user.send("/export")
    await harness.wait_until(lambda: any(c.error for c in harness.api.calls_of("sendDocument")))
    root = harness.settings.data_dir / export.EXPORTS_DIR
    await harness.wait_until(lambda: root.is_dir() and os.listdir(root) == [])
    assert exports(user) == []


async def test_a_single_part_keeps_the_plain_name(harness: Harness) -> None:
    await harness.start()
    user = harness.api.user(1303, "en")
    await make_cases(harness, user.id, 2)
    await user.send("/export")
    await harness.wait_until(lambda: exports(user) != [])
    [message] = exports(user)
    date = harness.services.store.clock().date().isoformat()
    assert message.document_name == f"skinbot-export-{date}.zip"
    assert message.caption == harness.t("en", "export-caption", count=2)
