"""Online backup and restore of SKINBOT_DATA_DIR: the SQLite database, photos, heatmaps and PDFs.

The backup can run while the bot is writing. The database is copied with SQLite's online backup API, which
reads one consistent snapshot (in WAL mode the bot's writes carry on meanwhile); the files are copied after
it, so every case in the copied database finds its photo (a file written later is copied as well, harmlessly).
Files are copied as they are: encrypted files stay encrypted, the encryption marker comes along, and the key,
which lives only in the settings, never enters the backup. The backup is assembled in a hidden temporary
directory and renamed into place at the end, so a backup that exists is complete; `manifest.json` says what
it holds.

Restore goes into an empty or new data directory; a non-empty one is only replaced with `force`, and then
it is moved aside, not deleted. Nothing here imports telegram or torch.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from conversations.files import MARKER
from conversations.store.database import describe

DB_NAME = "skinbot.sqlite3"
MANIFEST = "manifest.json"
FORMAT = 1
FILE_KINDS = ("images", "reports")  # the folders FileStore writes, one sub-folder per user


class BackupError(Exception):
    """One line that says what is wrong, without user data."""


@dataclass(frozen=True)
class Manifest:
    format: int
    created_at: str
    schema_version: int
    users: int
    cases: int
    files: dict[str, int]  # per kind
    bytes: int  # database plus files
    encrypted: bool

    def summary(self) -> str:
        files = sum(self.files.values())
        return (
            f"{self.users} users, {self.cases} cases, {files} files ({self.bytes / 1e6:.1f} MB), "
            f"schema v{self.schema_version}" + (", files encrypted" if self.encrypted else "")
        )


def _check(db: sqlite3.Connection, what: str) -> tuple[int, int, int]:
    """quick_check reads every page; then (schema version, users, cases)."""
    row = db.execute("PRAGMA quick_check").fetchone()
    if row is None or row[0] != "ok":
        raise BackupError(f"{what} is corrupt (SQLite quick_check failed)")
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not {"users", "cases"} <= tables:
        raise BackupError(f"{what} is not a skinbot database (no users and cases tables)")
    users = int(db.execute("SELECT COUNT(*) FROM users").fetchone()[0])
    cases = int(db.execute("SELECT COUNT(*) FROM cases").fetchone()[0])
    return version, users, cases


def _data_files(root: Path) -> list[Path]:
    """Stored files under `root`, relative; FileStore's `.part` files are writes in progress, not data."""
    found = []
    for kind in FILE_KINDS:
        base = root / kind
        if base.is_dir():
            paths = sorted(base.rglob("*"))
            found.extend(p.relative_to(root) for p in paths if p.is_file() and p.suffix != ".part")
    return found


def _staging(final: Path, tag: str) -> Path:
    return final.parent / f".{final.name}.{tag}-{uuid.uuid4().hex[:8]}"


def backup(data_dir: Path, dest: Path, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> Manifest:
    """Copy `data_dir` into the new directory `dest`. Safe while the bot runs."""
    db_path = data_dir / DB_NAME
    if not db_path.is_file():
        raise BackupError(f"no database at {db_path}: is SKINBOT_DATA_DIR right?")
    if dest.exists():
        raise BackupError(f"{dest} already exists: back up into a new path")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = _staging(dest, "tmp")
        tmp.mkdir()
    except OSError as exc:
        raise BackupError(f"cannot write to {dest.parent}: {exc.strerror}") from None
    try:
        manifest = _backup_into(data_dir, tmp, clock)
        os.replace(tmp, dest)
        return manifest
    except OSError as exc:
        raise BackupError(f"cannot write the backup to {dest.parent}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _backup_into(data_dir: Path, tmp: Path, clock: Callable[[], datetime]) -> Manifest:
    created = clock().isoformat()
    try:
        # mode=rw: never create a database that is not there. The timeout rides out a writer's commit.
        source = sqlite3.connect(f"file:{data_dir / DB_NAME}?mode=rw", uri=True, timeout=30.0)
    except sqlite3.Error as exc:
        raise BackupError(f"{describe(exc)}: {data_dir / DB_NAME}") from None
    target = sqlite3.connect(tmp / DB_NAME)
    try:
        # One step: the whole copy is one read transaction, so one consistent snapshot.
        source.backup(target)
        # A self-contained file: no -wal or -shm to carry along, and readable from a read-only medium.
        target.execute("PRAGMA journal_mode=DELETE")
        version, users, cases = _check(target, f"the database {data_dir / DB_NAME}")
    except sqlite3.Error as exc:
        raise BackupError(f"{describe(exc)}: {data_dir / DB_NAME}") from None
    finally:
        target.close()
        source.close()

    counts = dict.fromkeys(FILE_KINDS, 0)
    total = (tmp / DB_NAME).stat().st_size
    for relative in _data_files(data_dir):
        copy = tmp / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copy2(data_dir / relative, copy)
        except FileNotFoundError:
            continue  # erased (/delete, retention) after the listing: gone from the bot too
        counts[relative.parts[0]] += 1
        total += copy.stat().st_size
    encrypted = (data_dir / MARKER).is_file()
    if encrypted:
        shutil.copy2(data_dir / MARKER, tmp / MARKER)
    manifest = Manifest(FORMAT, created, version, users, cases, counts, total, encrypted)
    (tmp / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2) + "\n", encoding="utf-8")
    return manifest


def read_manifest(src: Path) -> Manifest:
    """The manifest of a backup, after checking that the backup holds what it says."""
    path = src / MANIFEST
    if not path.is_file() or not (src / DB_NAME).is_file():
        raise BackupError(f"{src} is not a skinbot backup (no {MANIFEST} and {DB_NAME})")
    try:
        manifest = Manifest(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError):
        raise BackupError(f"{path} is unreadable") from None
    if manifest.format != FORMAT:
        raise BackupError(
            f"{src} is a backup of format {manifest.format}; this skinbot reads format {FORMAT}"
        )
    try:
        with contextlib.closing(sqlite3.connect(f"file:{src / DB_NAME}?mode=ro", uri=True)) as db:
            version, users, cases = _check(db, f"the database in {src}")
    except sqlite3.Error as exc:
        raise BackupError(f"{describe(exc)}: {src / DB_NAME}") from None
    counts = dict.fromkeys(FILE_KINDS, 0)
    for relative in _data_files(src):
        counts[relative.parts[0]] += 1
    if (version, users, cases, counts) != (
        manifest.schema_version,
        manifest.users,
        manifest.cases,
        manifest.files,
    ):
        raise BackupError(f"{src} does not hold what its manifest lists: it is incomplete or was changed")
    return manifest


def restore(src: Path, data_dir: Path, force: bool = False) -> tuple[Manifest, Path | None]:
    """Copy the backup `src` into `data_dir`. Returns the manifest and where a replaced data dir was moved."""
    manifest = read_manifest(src)
    if data_dir.exists() and not data_dir.is_dir():
        raise BackupError(f"{data_dir} exists and is not a directory")
    occupied = data_dir.is_dir() and any(data_dir.iterdir())
    if occupied and not force:
        raise BackupError(
            f"{data_dir} is not empty: restore refuses to overwrite it; stop the bot and pass --force to "
            "replace it (its contents are moved aside, not deleted)"
        )
    try:
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = _staging(data_dir, "restore")
        shutil.copytree(src, tmp, ignore=shutil.ignore_patterns(MANIFEST))
    except OSError as exc:
        raise BackupError(f"cannot write to {data_dir.parent}: {exc.strerror or exc}") from None
    aside: Path | None = None
    try:
        if occupied:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            aside = data_dir.with_name(f"{data_dir.name}.before-restore-{stamp}")
            os.replace(data_dir, aside)
        elif data_dir.is_dir():
            data_dir.rmdir()
        os.replace(tmp, data_dir)
    except OSError as exc:
        raise BackupError(f"cannot put the restored data at {data_dir}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return manifest, aside
