"""`skinbot backup DEST` and `skinbot restore SRC [--force]`, over SKINBOT_DATA_DIR.

Settings are read once (no Telegram token needed). Every known failure is one line on stderr and exit
status 2. Each backup then deletes the backups beside it that are older than SKINBOT_RETENTION_DAYS.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conversations.backup import BackupError, Manifest, backup, prune, restore
from conversations.files import DataKeyError, FileStore
from skinbot.cli_failure import fail
from skinbot.settings import Settings


def add_commands(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "backup",
        help="online backup of SKINBOT_DATA_DIR into a new directory (safe while the bot runs)",
        description="Copy the database (SQLite's online backup API; encrypted under SKINBOT_DATA_KEY when "
        "it is set) and the stored photos, heatmaps and PDFs, as they are (encrypted files stay encrypted; "
        "the key is never copied), into the new directory DEST, with a manifest.json, readable by you "
        "only. Then delete the backups in DEST's folder that are older than SKINBOT_RETENTION_DAYS.",
    )
    parser.add_argument("dest", type=Path, metavar="DEST", help="a path that does not exist yet")
    parser.set_defaults(func=run_backup)

    parser = sub.add_parser(
        "restore",
        help="restore a backup into SKINBOT_DATA_DIR (empty or new; --force to replace)",
        description="Copy the backup SRC into SKINBOT_DATA_DIR. Stop the bot first. A non-empty data "
        "directory is only replaced with --force, and is then moved aside, not deleted. An encrypted "
        "backup needs the SKINBOT_DATA_KEY it was made with.",
    )
    parser.add_argument("src", type=Path, metavar="SRC", help="a directory written by `skinbot backup`")
    parser.add_argument("--force", action="store_true", help="replace a non-empty SKINBOT_DATA_DIR")
    parser.set_defaults(func=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    settings = Settings.from_env(telegram=False)
    try:
        manifest = backup(settings.data_dir, args.dest, settings.data_key.get() or None)
    except BackupError as exc:
        return fail(f"backup failed: {exc}")
    print(f"backup of {settings.data_dir} written to {args.dest}: {manifest.summary()}")
    if manifest.database_encrypted:
        print("the backup is encrypted: keep SKINBOT_DATA_KEY safe apart from it; it is not in it")
    else:
        print(
            "the backup is not encrypted (SKINBOT_DATA_KEY is not set): it holds names and photos in the "
            "clear; keep it on encrypted storage"
        )
    days = settings.retention_days
    try:
        removed = prune(args.dest.parent, datetime.now(UTC) - timedelta(days=days))
    except BackupError as exc:
        return fail(f"deleting old backups failed: {exc}")
    for path in removed:
        print(f"deleted {path}: older than SKINBOT_RETENTION_DAYS ({days} days)")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    settings = Settings.from_env(telegram=False)
    try:
        manifest, aside = restore(
            args.src, settings.data_dir, settings.data_key.get() or None, force=args.force
        )
    except BackupError as exc:
        return fail(f"restore failed: {exc}")
    print(f"restored {args.src} into {settings.data_dir}: {manifest.summary()}")
    if aside is not None:
        print(f"the previous contents of {settings.data_dir} are in {aside}: delete them when you are sure")
    warning = key_warning(manifest, settings.data_dir, settings.data_key.get() or None)
    if warning:
        print(f"warning: {warning}")
    return 0


def key_warning(manifest: Manifest, data_dir: Path, key: str | None) -> str | None:
    """Whether the bot will accept the restored files with the configured SKINBOT_DATA_KEY."""
    if manifest.encrypted:
        if key is None:
            return "the files are encrypted: set SKINBOT_DATA_KEY to the key they were written with"
        try:
            FileStore(data_dir, key).check_key()  # the marker exists, so this only reads it
        except DataKeyError:
            return "SKINBOT_DATA_KEY is not the key these files were encrypted with; the bot will not start"
        return None
    if key is not None and sum(manifest.files.values()):
        return "the files are not encrypted but SKINBOT_DATA_KEY is set; the bot will not start with the key"
    return None
