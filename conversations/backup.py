"""Online backup and restore of SKINBOT_DATA_DIR: the SQLite database, photos, heatmaps and PDFs.

The backup can run while the bot is writing. The database is copied with SQLite's online backup API, which
reads one consistent snapshot (in WAL mode the bot's writes carry on meanwhile); the files are copied after
it, so every case in the copied database finds its photo (a file written later is copied as well, harmlessly).
Files are copied as they are: encrypted files stay encrypted, the encryption marker comes along, and the key,
which lives only in the settings, never enters the backup. With the key, the database copy is encrypted
under it too (`skinbot.sqlite3.enc`): the snapshot is taken in memory, so the names and histories never
reach the backup's disk in the clear; and an encrypted data directory is backed up only with its key, so no
backup holds its database in the clear beside its encrypted photos. Everything in a backup is readable by
its owner only (0700 and 0600). The backup is assembled in a hidden temporary directory and renamed into
place at the end, so a backup that exists is complete; `manifest.json` says what it holds.

A backup outlives /delete and the retention purge, so `prune` deletes backups older than the retention
period: what those erase is gone from the backups that long after at the latest.

Restore goes into an empty or new data directory; a non-empty one is only replaced with `force`, and then
it is moved aside, not deleted. An encrypted backup restores only with its key. Nothing here imports
telegram or torch.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from conversations.files import (
    MARKER,
    PRIVATE_DIR,
    DataKeyError,
    FileStore,
    copy_private,
    private_dir,
    private_file,
    write_private,
)
from conversations.store.database import describe

DB_NAME = "skinbot.sqlite3"
SEALED_DB = DB_NAME + ".enc"  # the database copy, encrypted under SKINBOT_DATA_KEY
MANIFEST = "manifest.json"
FORMAT = 2  # 2: the database copy may be encrypted
READABLE_FORMATS = (1, 2)
FILE_KINDS = ("images", "reports")  # the folders FileStore writes, one sub-folder per user
_STAGING = re.compile(r"^\..+\.tmp-[0-9a-f]{8}$")  # a backup being assembled, or one that died half-way


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
    encrypted: bool  # the files
    database_encrypted: bool = False  # format 1 never encrypted the database

    def summary(self) -> str:
        files = sum(self.files.values())
        encryption = ""
        if self.database_encrypted:
            encryption = ", database and files encrypted"
        elif self.encrypted:
            encryption = ", files encrypted"
        return (
            f"{self.users} users, {self.cases} cases, {files} files ({self.bytes / 1e6:.1f} MB), "
            f"schema v{self.schema_version}{encryption}"
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


def backup(
    data_dir: Path,
    dest: Path,
    key: str | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Manifest:
    """Copy `data_dir` into the new directory `dest`, the database encrypted under `key` when there is
    one. Safe while the bot runs."""
    db_path = data_dir / DB_NAME
    if not db_path.is_file():
        raise BackupError(f"no database at {db_path}: is SKINBOT_DATA_DIR right?")
    if dest.exists():
        raise BackupError(f"{dest} already exists: back up into a new path")
    files = FileStore(data_dir, key)
    try:
        files.verify_key()
    except DataKeyError as exc:
        raise BackupError(str(exc)) from None
    try:
        private_dir(dest.parent)
        tmp = _staging(dest, "tmp")
        tmp.mkdir(mode=PRIVATE_DIR)
    except OSError as exc:
        raise BackupError(f"cannot write to {dest.parent}: {exc.strerror}") from None
    try:
        manifest = _backup_into(data_dir, tmp, files if key else None, clock)
        os.replace(tmp, dest)
        return manifest
    except OSError as exc:
        raise BackupError(f"cannot write the backup to {dest.parent}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _backup_into(
    data_dir: Path, tmp: Path, sealer: FileStore | None, clock: Callable[[], datetime]
) -> Manifest:
    created = clock().isoformat()
    version, users, cases, total = _copy_database(data_dir / DB_NAME, tmp, sealer)
    counts = dict.fromkeys(FILE_KINDS, 0)
    for relative in _data_files(data_dir):
        copy = tmp / relative
        private_dir(copy.parent)
        try:
            copy_private(data_dir / relative, copy)
        except FileNotFoundError:
            continue  # erased (/delete, retention) after the listing: gone from the bot too
        counts[relative.parts[0]] += 1
        total += copy.stat().st_size
    encrypted = (data_dir / MARKER).is_file()
    if encrypted:
        copy_private(data_dir / MARKER, tmp / MARKER)
    manifest = Manifest(FORMAT, created, version, users, cases, counts, total, encrypted, sealer is not None)
    write_private(tmp / MANIFEST, (json.dumps(asdict(manifest), indent=2) + "\n").encode())
    return manifest


def _copy_database(db_path: Path, tmp: Path, sealer: FileStore | None) -> tuple[int, int, int, int]:
    """The snapshot, as `skinbot.sqlite3`, or sealed as `skinbot.sqlite3.enc` by way of memory only.
    Returns (schema version, users, cases, bytes written)."""
    try:
        # mode=rw: never create a database that is not there. The timeout rides out a writer's commit.
        source = sqlite3.connect(f"file:{db_path}?mode=rw", uri=True, timeout=30.0)
    except sqlite3.Error as exc:
        raise BackupError(f"{describe(exc)}: {db_path}") from None
    try:
        if sealer is None:
            private_file(tmp / DB_NAME)  # SQLite keeps the mode of a file that is there
        target = sqlite3.connect(tmp / DB_NAME if sealer is None else ":memory:")
        try:
            # One step: the whole copy is one read transaction, so one consistent snapshot.
            source.backup(target)
            if sealer is None:
                # Self-contained: no -wal or -shm to carry along, and readable from a read-only medium.
                target.execute("PRAGMA journal_mode=DELETE")
            version, users, cases = _check(target, f"the database {db_path}")
            image = None if sealer is None else _rollback_journal(target.serialize())
        finally:
            target.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{describe(exc)}: {db_path}") from None
    finally:
        source.close()
    if sealer is None or image is None:
        return version, users, cases, (tmp / DB_NAME).stat().st_size
    write_private(tmp / SEALED_DB, sealer.seal(image))
    return version, users, cases, (tmp / SEALED_DB).stat().st_size


def _rollback_journal(image: bytes) -> bytes:
    """A database image with its file format versions (header bytes 18 and 19) set to 1, as `PRAGMA
    journal_mode=DELETE` sets them in a file: the snapshot of a WAL database says 2, and an in-memory
    database (restore checks the image in one) cannot open a WAL image."""
    return image[:18] + b"\x01\x01" + image[20:]


def _load_manifest(src: Path) -> Manifest:
    path = src / MANIFEST
    try:
        manifest = Manifest(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        raise BackupError(f"{path} is unreadable") from None
    if manifest.format not in READABLE_FORMATS:
        raise BackupError(
            f"{src} is a backup of format {manifest.format}; this skinbot reads formats "
            + ", ".join(map(str, READABLE_FORMATS))
        )
    return manifest


def _unsealed(src: Path, key: str | None) -> bytes:
    from cryptography.fernet import InvalidToken

    if key is None:
        raise BackupError(f"{src} is encrypted: set SKINBOT_DATA_KEY to the key it was made with")
    try:
        return FileStore(src, key).unseal((src / SEALED_DB).read_bytes())
    except InvalidToken:
        raise BackupError(f"SKINBOT_DATA_KEY is not the key {src} was encrypted with") from None


def _verified(src: Path, key: str | None) -> tuple[Manifest, bytes | None]:
    """The manifest of a backup, after checking that the backup holds what it says, and the database
    image when it was encrypted (decrypted here, in memory)."""
    manifest = _load_manifest(src) if (src / MANIFEST).is_file() else None
    database = src / (SEALED_DB if manifest and manifest.database_encrypted else DB_NAME)
    if manifest is None or not database.is_file():
        raise BackupError(f"{src} is not a skinbot backup (no {MANIFEST} and {database.name})")
    image = _unsealed(src, key) if manifest.database_encrypted else None
    try:
        if image is None:
            db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        else:
            db = sqlite3.connect(":memory:")
            db.deserialize(image)
        with contextlib.closing(db):
            version, users, cases = _check(db, f"the database in {src}")
    except sqlite3.Error as exc:
        raise BackupError(f"{describe(exc)}: {database}") from None
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
    return manifest, image


def read_manifest(src: Path, key: str | None = None) -> Manifest:
    """The manifest of a backup, after checking that the backup holds what it says."""
    return _verified(src, key)[0]


def restore(
    src: Path, data_dir: Path, key: str | None = None, force: bool = False
) -> tuple[Manifest, Path | None]:
    """Copy the backup `src` into `data_dir`. Returns the manifest and where a replaced data dir was moved."""
    manifest, image = _verified(src, key)
    if data_dir.exists() and not data_dir.is_dir():
        raise BackupError(f"{data_dir} exists and is not a directory")
    occupied = data_dir.is_dir() and any(data_dir.iterdir())
    if occupied and not force:
        raise BackupError(
            f"{data_dir} is not empty: restore refuses to overwrite it; stop the bot and pass --force to "
            "replace it (its contents are moved aside, not deleted)"
        )
    tmp = _staging(data_dir, "restore")
    aside: Path | None = None
    try:
        try:
            data_dir.parent.mkdir(parents=True, exist_ok=True)
            tmp.mkdir(mode=PRIVATE_DIR)
            _restore_into(src, tmp, image)
        except OSError as exc:
            raise BackupError(f"cannot write to {data_dir.parent}: {exc.strerror or exc}") from None
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


def _restore_into(src: Path, tmp: Path, image: bytes | None) -> None:
    """The database (decrypted: the bot opens it as it always does), the files as they are, the marker."""
    if image is None:
        copy_private(src / DB_NAME, tmp / DB_NAME)
    else:
        write_private(tmp / DB_NAME, image)
    for relative in _data_files(src):
        private_dir((tmp / relative).parent)
        copy_private(src / relative, tmp / relative)
    if (src / MARKER).is_file():
        copy_private(src / MARKER, tmp / MARKER)


def prune(folder: Path, before: datetime) -> list[Path]:
    """Delete the backups in `folder` made before `before`, and the hidden directories of backups that
    died half-way and were last changed before it. Nothing else in `folder` is touched. Returns what was
    deleted."""
    removed: list[Path] = []
    for entry in sorted(folder.iterdir()) if folder.is_dir() else []:
        if entry.is_symlink() or not entry.is_dir():
            continue
        if _STAGING.fullmatch(entry.name):
            made = datetime.fromtimestamp(entry.stat().st_mtime, UTC)
        else:
            try:
                made = datetime.fromisoformat(_load_manifest(entry).created_at)
            except (BackupError, ValueError):
                continue  # not a backup, or one this skinbot cannot read: not ours to judge
            if made.tzinfo is None:
                made = made.replace(tzinfo=UTC)
        if made < before:
            try:
                shutil.rmtree(entry)
            except OSError as exc:
                raise BackupError(f"cannot delete {entry}: {exc.strerror or exc}") from None
            removed.append(entry)
    return removed
