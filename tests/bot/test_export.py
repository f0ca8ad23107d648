"""/export in parts: every part a complete ZIP under the part limit, every file exactly once, built in
memory one part at a time, and never written to disk (also when sending fails)."""

from __future__ import annotations

import io
import json
import os
import sys
import tracemalloc
import zipfile
from collections import Counter
from pathlib import Path

import pytest

import bot.routers.export as export
from conversations.domain import Language
from conversations.intake_state import Draft
from testkit.fake_user import FakeUser
from testkit.sent_messages import SentMessage
from tests.conftest import Harness

LIMIT = 160 * 1024  # stands in for the 45 MB of production, so the test stays small


def noise(size: int, seed: int) -> bytes:
    """Incompressible bytes, as JPEG and PDF data are: ZIP can not shrink them below the limit."""
    import random

    return random.Random(seed).randbytes(size)


def all_parts(data: object, entries: list[export.Entry], part_bytes: int) -> list[bytes]:
    plan = export.plan_parts(data, entries, part_bytes=part_bytes)
    return [export.build_part(data if n == 0 else None, entries, members) for n, members in enumerate(plan)]


def test_parts_stay_under_the_limit_and_hold_each_file_once() -> None:
    entries = [(f"photos/{n:02d}.jpg", lambda n=n: noise(20_000 + 997 * n, n)) for n in range(30)]
    entries.append(("reports/missing.pdf", lambda: None))  # a case without a PDF yet
    data = {"cases": [{"case_id": n, "report": "text " * 200} for n in range(30)]}
    parts = all_parts(data, entries, part_bytes=100_000)
    assert len(parts) >= 7
    names: Counter[str] = Counter()
    for index, part in enumerate(parts):
        assert len(part) <= 100_000
        with zipfile.ZipFile(io.BytesIO(part)) as archive:  # each part opens on its own
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


def test_a_file_erased_after_planning_leaves_its_part_smaller() -> None:
    """The retention purge may delete a photo between planning and writing: the parts announced stay."""
    erased: set[int] = set()
    entries = [
        (f"photos/{n:02d}.jpg", lambda n=n: None if n in erased else noise(30_000, n)) for n in range(10)
    ]
    plan = export.plan_parts({"cases": []}, entries, part_bytes=100_000)
    erased.add(plan[1][0])
    part = export.build_part(None, entries, plan[1])
    with zipfile.ZipFile(io.BytesIO(part)) as archive:
        assert archive.namelist() == [entries[i][0] for i in plan[1][1:]]


def test_at_most_one_part_is_held_in_memory() -> None:
    """Parts are built in memory one at a time, so peak memory stays near one part's size, far below the
    ~3 MB the whole archive adds up to."""
    entries = [(f"photos/{n:03d}.jpg", lambda n=n: noise(30_000, n)) for n in range(100)]
    part_bytes = 300_000
    total = 0
    tracemalloc.start()
    try:
        plan = export.plan_parts({"cases": []}, entries, part_bytes=part_bytes)
        for members in plan:
            total += len(export.build_part(None, entries, members))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total > 3_000_000 and len(plan) >= 10
    assert peak < 4 * part_bytes


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


class FileWrites:
    """The files and folders opened for writing or made under `root`, through an audit hook (hooks cannot
    be removed, so one hook serves the module and records only while a test watches)."""

    watching: FileWrites | None = None

    def __init__(self, root: Path) -> None:
        self.root = str(root)
        self.paths: list[str] = []

    @staticmethod
    def hook(event: str, args: tuple) -> None:
        watch = FileWrites.watching
        if watch is None or event not in ("open", "os.mkdir", "os.rename", "os.replace"):
            return
        path = args[0]
        if event == "open":
            flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
            if not flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                return
        if isinstance(path, (str, os.PathLike)) and os.fspath(path).startswith(watch.root):
            watch.paths.append(os.fspath(path))

    def __enter__(self) -> FileWrites:
        FileWrites.watching = self
        return self

    def __exit__(self, *exc: object) -> None:
        FileWrites.watching = None


sys.addaudithook(FileWrites.hook)


@pytest.mark.parametrize("send_fails", [False, True], ids=["sent", "send fails"])
async def test_an_export_writes_nothing_to_disk(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, send_fails: bool
) -> None:
    """The archive holds decrypted photos, PDFs and names: if the process died half-way, a file of it
    would stay behind."""
    monkeypatch.setattr(export, "PART_BYTES", LIMIT)
    await harness.start()
    user = harness.api.user(1302, "en")
    await make_cases(harness, user.id, 6)
    if send_fails:
        harness.api.inject("sendDocument", 400, "Bad Request: file is too big", remaining=1)
    with FileWrites(harness.settings.data_dir) as writes:
        await user.send("/export")
        if send_fails:
            await harness.wait_until(lambda: any(c.error for c in harness.api.calls_of("sendDocument")))
        else:
            await harness.wait_until(
                lambda: (got := exports(user)) != [] and got[-1].document_name.endswith(f"of{len(got)}.zip")
            )
    assert writes.paths == []
    if send_fails:
        assert exports(user) == []


async def test_an_export_left_on_disk_by_an_older_version_is_removed_at_start(harness: Harness) -> None:
    leftover = harness.settings.data_dir / export.EXPORTS_DIR / "export-k2j3h4"
    leftover.mkdir(parents=True)
    (leftover / "part1.zip").write_bytes(b"PK decrypted photos")
    await harness.start()
    assert not (harness.settings.data_dir / export.EXPORTS_DIR).exists()


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
