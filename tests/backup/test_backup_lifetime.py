"""What a backup keeps and for how long: readable by its owner only whatever the umask, the database
encrypted under SKINBOT_DATA_KEY, restored only with that key, and backups older than
SKINBOT_RETENTION_DAYS pruned at every backup, so a patient erased by /delete or the retention purge does
not live on in them."""

from __future__ import annotations

import json
import os
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from conversations.backup import DB_NAME, MANIFEST, backup, restore
from conversations.files import FileStore
from conversations.store import Store
from skinbot.cli import main
from tests.backup.test_backup import KEY, Written, add_case, one_error_line, restored_case, use

OTHER_KEY = Fernet.generate_key().decode()


async def one_case(data: Path, key: str | None) -> Written:
    """`data` holds one case of user 7, "Patient 0", history "itchy"."""
    files = FileStore(data, key)
    files.check_key()
    store = await Store.open(data / DB_NAME)
    written = Written()
    try:
        await add_case(store, files, written, 7, 0)
    finally:
        await store.close()
    return written


def assert_private(root: Path) -> None:
    """`root` and everything under it: directories 0700, files 0600."""
    paths = [root, *root.rglob("*")]
    assert any(p.suffix == ".jpg" for p in paths) and any(p.suffix == ".pdf" for p in paths)
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path.relative_to(root.parent)}: {mode:o}"


def make_older(backup_dir: Path, days: float) -> None:
    path = backup_dir / MANIFEST
    manifest = json.loads(path.read_text())
    manifest["created_at"] = (datetime.now(UTC) - timedelta(days=days)).isoformat()
    path.write_text(json.dumps(manifest))


@pytest.mark.parametrize("key", [None, KEY], ids=["plain", "encrypted"])
async def test_backup_and_restore_are_readable_by_their_owner_only(
    key: str | None, tmp_path: Path, loose_umask: None
) -> None:
    data, dest, restored = tmp_path / "var", tmp_path / "backups" / "today", tmp_path / "restored"
    await one_case(data, key)

    backup(data, dest, key)
    assert_private(dest.parent)  # the folder it made for the backups too
    restore(dest, restored, key)
    assert_private(restored)


async def test_an_encrypted_backup_holds_no_patient_data_in_the_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data, dest, restored = tmp_path / "var", tmp_path / "backup", tmp_path / "restored"
    written = await one_case(data, KEY)
    use(monkeypatch, data, KEY)
    assert main(["backup", str(dest)]) == 0
    assert "encrypted" in capsys.readouterr().out

    stored = [p for p in dest.rglob("*") if p.is_file()]
    assert len(stored) >= 4  # database, photo, PDF, manifest
    for path in stored:
        content = path.read_bytes()
        assert b"Patient 0" not in content and b"itchy" not in content, path.name
        assert not content.startswith(b"SQLite format 3"), path.name
        assert KEY.encode() not in content and set(written.images.values()).isdisjoint({content})

    use(monkeypatch, restored, KEY)
    assert main(["restore", str(dest)]) == 0
    assert "warning" not in capsys.readouterr().out
    case = await restored_case(restored, written, KEY)
    assert case.patient_name == "Patient 0" and case.history == "itchy"


@pytest.mark.parametrize("key", [None, OTHER_KEY], ids=["no key", "another key"])
async def test_an_encrypted_backup_restores_only_with_its_key(
    key: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data, dest, restored = tmp_path / "var", tmp_path / "backup", tmp_path / "restored"
    await one_case(data, KEY)
    use(monkeypatch, data, KEY)
    assert main(["backup", str(dest)]) == 0
    use(monkeypatch, restored, key)
    capsys.readouterr()

    line = one_error_line(main(["restore", str(dest)]), capsys.readouterr().err)

    assert line.startswith("skinbot: restore failed: ") and "SKINBOT_DATA_KEY" in line, line
    assert not restored.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging left


@pytest.mark.parametrize("key", [None, OTHER_KEY], ids=["no key", "another key"])
async def test_an_encrypted_data_dir_is_backed_up_only_with_its_key(
    key: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the key the database copy would hold the names in the clear beside encrypted photos."""
    data, dest = tmp_path / "var", tmp_path / "backups" / "today"
    await one_case(data, KEY)
    use(monkeypatch, data, key)

    line = one_error_line(main(["backup", str(dest)]), capsys.readouterr().err)

    assert line.startswith("skinbot: backup failed: ") and "SKINBOT_DATA_KEY" in line, line
    assert not dest.exists()


async def test_backups_older_than_the_retention_are_pruned_at_every_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data, folder = tmp_path / "var", tmp_path / "backups"
    await one_case(data, None)
    use(monkeypatch, data)
    monkeypatch.setenv("SKINBOT_RETENTION_DAYS", "30")
    for name in ("expired", "recent"):
        assert main(["backup", str(folder / name)]) == 0
    make_older(folder / "expired", days=30.5)
    make_older(folder / "recent", days=29.5)
    (folder / "notes").mkdir()
    (folder / "notes" / MANIFEST).write_text("{}")  # not a backup: never touched
    crashed = folder / ".crashed.tmp-0123abcd"  # a backup that died half-way, a month ago
    crashed.mkdir()
    (crashed / DB_NAME).write_bytes(b"SQLite format 3\x00 names")
    month_ago = time.time() - 31 * 86400
    os.utime(crashed, (month_ago, month_ago))
    running = folder / ".running.tmp-89abcdef"  # a backup being written right now
    running.mkdir()
    capsys.readouterr()

    assert main(["backup", str(folder / "today")]) == 0

    assert sorted(p.name for p in folder.iterdir()) == [".running.tmp-89abcdef", "notes", "recent", "today"]
    out = capsys.readouterr().out
    assert str(folder / "expired") in out and "30 days" in out


async def test_a_format_1_backup_still_restores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Backups made before the database could be encrypted: format 1, no `database_encrypted`."""
    data, dest, restored = tmp_path / "var", tmp_path / "backup", tmp_path / "restored"
    written = await one_case(data, None)
    use(monkeypatch, data)
    assert main(["backup", str(dest)]) == 0
    manifest = json.loads((dest / MANIFEST).read_text())
    manifest["format"] = 1
    manifest.pop("database_encrypted", None)
    (dest / MANIFEST).write_text(json.dumps(manifest))

    use(monkeypatch, restored)
    assert main(["restore", str(dest)]) == 0
    await restored_case(restored, written)
