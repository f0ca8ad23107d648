"""`skinbot backup` while a writer keeps writing, `skinbot restore`, and their refusals."""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from conversations.backup import DB_NAME, MANIFEST
from conversations.domain import Case
from conversations.files import MARKER, FileStore
from conversations.intake_state import Draft
from conversations.store import Store
from skinbot.cli import main

KEY = Fernet.generate_key().decode()


def use(monkeypatch: pytest.MonkeyPatch, data_dir: Path, key: str | None = None) -> None:
    monkeypatch.setenv("SKINBOT_DATA_DIR", str(data_dir))
    if key:
        monkeypatch.setenv("SKINBOT_DATA_KEY", key)
    else:
        monkeypatch.delenv("SKINBOT_DATA_KEY", raising=False)


@dataclass
class Written:
    """What the writer stored, to compare the restored copy against."""

    images: dict[str, bytes] = field(default_factory=dict)  # case id -> photo
    pdfs: dict[str, bytes] = field(default_factory=dict)  # case id -> PDF
    users: dict[str, int] = field(default_factory=dict)  # case id -> user id


async def restored_case(data_dir: Path, written: Written, key: str | None = None) -> Case:
    """User 7's one case in the restored copy at `data_dir`, its photo checked against what was written."""
    copy = await Store.open(data_dir / DB_NAME)
    try:
        (case,) = await copy.cases.recent(7)
        assert FileStore(data_dir, key).read_image(7, case.image) == written.images[case.id]
        return case
    finally:
        await copy.close()


async def add_case(store: Store, files: FileStore, written: Written, user_id: int, n: int) -> None:
    if await store.users.get(user_id) is None:
        await store.users.add_consent(user_id, "en")
    photo = os.urandom(20_000)
    token = files.save_image(user_id, photo)
    draft = Draft(
        photos=(token,),
        name=f"Patient {n}",
        age=20 + n % 60,
        gender="female",
        history="itchy",
        history_answered=True,
        report_language="en",
    )
    case = await store.cases.create(user_id, user_id, draft, "en")
    pdf = b"%PDF-1.4 report " + os.urandom(5_000)
    files.save_pdf(user_id, case.id, pdf)
    written.images[case.id], written.pdfs[case.id], written.users[case.id] = photo, pdf, user_id


async def one_case_backed_up(data: Path, dest: Path, monkeypatch: pytest.MonkeyPatch) -> Written:
    """`data` holds one case of user 7, and `skinbot backup` has copied it to `dest`."""
    store = await Store.open(data / DB_NAME)
    written = Written()
    await add_case(store, FileStore(data), written, 7, 0)
    await store.close()
    use(monkeypatch, data)
    assert main(["backup", str(dest)]) == 0
    return written


def one_error_line(code: int, err: str) -> str:
    assert code == 2
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("skinbot: "), err
    return lines[0]


@pytest.mark.parametrize("key", [None, KEY], ids=["plain", "encrypted"])
async def test_backup_while_writing_restores_every_case_intact(
    key: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data, dest, restored = tmp_path / "var", tmp_path / "backups" / "today", tmp_path / "restored"
    files = FileStore(data, key)
    files.check_key()
    store = await Store.open(data / DB_NAME)
    written = Written()
    for n in range(40):
        await add_case(store, files, written, 1000 + n % 4, n)

    stop = asyncio.Event()

    async def writer() -> None:
        n = 40
        while not stop.is_set():
            await add_case(store, files, written, 1000 + n % 5, n)
            n += 1
            await asyncio.sleep(0)

    counts: dict[str, int] = {}

    def take_backup() -> int:
        counts["start"] = len(written.images)
        code = main(["backup", str(dest)])
        counts["end"] = len(written.images)
        return code

    use(monkeypatch, data, key)
    task = asyncio.create_task(writer())
    code = await asyncio.to_thread(take_backup)
    stop.set()
    await task
    await store.close()
    out = capsys.readouterr().out
    assert code == 0, out
    assert counts["end"] > counts["start"]  # the writer kept writing while the backup ran

    manifest = json.loads((dest / MANIFEST).read_text())
    assert counts["start"] <= manifest["cases"] <= counts["end"]
    assert manifest["users"] in (4, 5) and manifest["schema_version"] >= 1
    assert manifest["encrypted"] is (key is not None)
    assert [p.name for p in dest.parent.iterdir()] == ["today"]  # no temporary directory left
    assert (dest / MARKER).is_file() == (key is not None)
    if key:
        assert all(KEY.encode() not in p.read_bytes() for p in dest.rglob("*") if p.is_file())
        copied = {p.read_bytes() for p in (dest / "images").rglob("*.jpg")}
        assert copied and not copied & set(written.images.values())  # still encrypted

    use(monkeypatch, restored, key)
    assert main(["restore", str(dest)]) == 0
    assert "warning" not in capsys.readouterr().out

    copy = await Store.open(restored / DB_NAME)
    copy_files = FileStore(restored, key)
    copy_files.check_key()
    try:
        cases = [c for user in set(written.users.values()) for c in await copy.cases.recent(user, limit=1000)]
        assert len(cases) == manifest["cases"]
        first_40 = set(list(written.images)[:40])
        assert first_40 <= {c.id for c in cases}
        for case in cases:
            assert copy_files.read_image(case.user_id, case.image) == written.images[case.id]
            pdf = copy_files.read_pdf(case.user_id, case.id)
            assert pdf == written.pdfs[case.id] or (pdf is None and case.id not in first_40)
            assert case.patient_name.startswith("Patient ")
    finally:
        await copy.close()


async def test_restore_refuses_a_non_empty_data_dir_unless_forced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data, dest, live = tmp_path / "var", tmp_path / "backup", tmp_path / "live"
    written = await one_case_backed_up(data, dest, monkeypatch)
    live.mkdir()
    (live / "notes.txt").write_text("someone's data")
    use(monkeypatch, live)
    capsys.readouterr()

    line = one_error_line(main(["restore", str(dest)]), capsys.readouterr().err)

    assert "is not empty" in line and "--force" in line
    assert [p.name for p in live.iterdir()] == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

    assert main(["restore", str(dest), "--force"]) == 0
    (aside,) = tmp_path.glob("live.before-restore-*")
    assert (aside / "notes.txt").read_text() == "someone's data"
    assert str(aside) in capsys.readouterr().out
    await restored_case(live, written)


async def test_restore_refuses_a_backup_that_does_not_match_its_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data, dest = tmp_path / "var", tmp_path / "backup"
    await one_case_backed_up(data, dest, monkeypatch)
    next(dest.glob("images/7/*.jpg")).unlink()
    use(monkeypatch, tmp_path / "new")

    line = one_error_line(main(["restore", str(dest)]), capsys.readouterr().err)

    assert "does not hold what its manifest lists" in line
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("damage", ["not a database", "damaged page"])
async def test_backup_of_a_corrupt_database_fails_with_one_line(
    damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data, dest = tmp_path / "var", tmp_path / "backups" / "today"
    store = await Store.open(data / DB_NAME)
    written = Written()
    for n in range(60):
        await add_case(store, FileStore(data), written, 1 + n % 3, n)
    await store.close()
    db = data / DB_NAME
    raw = bytearray(db.read_bytes())
    if damage == "not a database":
        raw = bytearray(os.urandom(len(raw)))
    else:
        page = 4096
        assert len(raw) > 6 * page
        raw[3 * page : 4 * page] = os.urandom(page)  # a b-tree page in the middle, its header included
    db.write_bytes(bytes(raw))
    use(monkeypatch, data)

    line = one_error_line(main(["backup", str(dest)]), capsys.readouterr().err)

    assert line.startswith("skinbot: backup failed: ") and "corrupt" in line, line
    assert not dest.exists()
    assert list(dest.parent.iterdir()) == []  # the temporary directory is gone too


def test_backup_refuses_an_existing_destination(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / DB_NAME).write_bytes(b"")
    (tmp_path / "old").mkdir()
    use(monkeypatch, tmp_path / "var")
    line = one_error_line(main(["backup", str(tmp_path / "old")]), capsys.readouterr().err)
    assert "already exists" in line
