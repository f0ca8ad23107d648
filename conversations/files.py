"""Photos and PDFs on disk. Paths are built only from Telegram's numeric user id and random tokens.

Everything written under the data directory (and into backups) is readable by the bot's own user only:
directories 0700, files 0600, set explicitly so it holds whatever the process umask is.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from collections.abc import Iterable
from pathlib import Path

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """`path` as a directory, with every missing parent, each made 0700 (mkdir -p would make the parents
    by the umask). A directory that exists is left as it is."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            directory.mkdir(mode=PRIVATE_DIR)
    return path


def private_file(path: Path, keep: bool = False) -> None:
    """Make `path` an empty file only its owner can read, to be written after; an existing file is
    emptied, or with `keep` left as it is (a database file that another process may have just made)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if keep else os.O_TRUNC)
    try:
        fd = os.open(path, flags, PRIVATE_FILE)
    except FileExistsError:
        if keep:
            return
        raise
    try:
        os.fchmod(fd, PRIVATE_FILE)  # O_CREAT's mode does not apply to a file that was already there
    finally:
        os.close(fd)


def write_private(path: Path, data: bytes) -> None:
    private_file(path)
    path.write_bytes(data)


def copy_private(src: Path, dst: Path) -> None:
    """Copy the bytes of `src` to `dst` as a private file (shutil.copy2 would carry the source's mode).
    A missing `src` raises FileNotFoundError before `dst` is made."""
    with src.open("rb") as source:
        private_file(dst)
        with dst.open("wb") as target:
            shutil.copyfileobj(source, target, 1024 * 1024)


def new_token() -> str:
    """128 random bits: unguessable, so ids are never enumerable."""
    return secrets.token_hex(16)


def _checked(token: str) -> str:
    if not _TOKEN.fullmatch(token):
        raise ValueError("invalid file token")
    return token


class DataKeyError(Exception):
    """The data directory's encryption and SKINBOT_DATA_KEY do not match; the message says how."""


MARKER = ".encrypted"
_MARKER_TEXT = b"skinbot encrypted data directory"


class FileStore:
    """With a key, every photo and PDF is stored encrypted (Fernet: AES-128-CBC with HMAC-SHA256), and a
    marker file records that, so a missing or wrong key stops start-up instead of serving garbage."""

    def __init__(self, root: Path, key: str | None = None) -> None:
        self.root = root
        self._fernet = None
        if key:
            from cryptography.fernet import Fernet

            self._fernet = Fernet(key.encode())

    def check_key(self) -> None:
        """Call at start-up. Creates the marker for a new encrypted directory."""
        self.verify_key()
        if self._fernet is not None and not (self.root / MARKER).exists():
            self._write(self.root / MARKER, self._fernet.encrypt(_MARKER_TEXT), raw=True)

    def verify_key(self) -> None:
        """Whether the key fits the directory's files, writing nothing (a backup reads a running bot's
        directory). A directory without files and without the marker fits any key."""
        from cryptography.fernet import InvalidToken

        marker = self.root / MARKER
        if self._fernet is None:
            if marker.exists():
                raise DataKeyError(f"{self.root} holds encrypted data: set SKINBOT_DATA_KEY to its key")
            return
        if not marker.exists():
            if any(p.is_file() for d in ("images", "reports") for p in (self.root / d).rglob("*")):
                raise DataKeyError(f"{self.root} already holds unencrypted files: use a new SKINBOT_DATA_DIR")
            return
        try:
            ok = self._fernet.decrypt(marker.read_bytes()) == _MARKER_TEXT
        except InvalidToken:
            ok = False
        if not ok:
            raise DataKeyError(f"SKINBOT_DATA_KEY is not the key {self.root} was encrypted with")

    def seal(self, data: bytes) -> bytes:
        """`data` encrypted under the key; as it is without one."""
        return self._fernet.encrypt(data) if self._fernet else data

    def unseal(self, data: bytes) -> bytes:
        """The reverse of `seal`; cryptography's InvalidToken when the key does not fit."""
        return self._fernet.decrypt(data) if self._fernet else data

    def read(self, path: Path) -> bytes:
        """Any stored photo or PDF, decrypted."""
        return self.unseal(path.read_bytes())

    def _user_dir(self, kind: str, user_id: int) -> Path:
        return self.root / kind / str(int(user_id))

    def image_path(self, user_id: int, token: str) -> Path:
        return self._user_dir("images", user_id) / f"{_checked(token)}.jpg"

    def pdf_path(self, user_id: int, case_id: str) -> Path:
        return self._user_dir("reports", user_id) / f"{_checked(case_id)}.pdf"

    def heatmap_path(self, user_id: int, case_id: str) -> Path:
        return self._user_dir("reports", user_id) / f"{_checked(case_id)}.heatmap.png"

    def save_heatmap(self, user_id: int, case_id: str, png: bytes) -> None:
        self._write(self.heatmap_path(user_id, case_id), png)

    def read_optional(self, path: Path) -> bytes | None:
        return self.read(path) if path.is_file() else None

    def read_pdf(self, user_id: int, case_id: str) -> bytes | None:
        return self.read_optional(self.pdf_path(user_id, case_id))

    def _write(self, path: Path, data: bytes, raw: bool = False) -> None:
        # Write then rename, so a crash never leaves a half-written file under the final name.
        private_dir(path.parent)
        tmp = path.with_suffix(path.suffix + ".part")
        try:
            private_file(tmp)
            tmp.write_bytes(data if raw else self.seal(data))
            os.replace(tmp, path)
        except BaseException:
            # A full disk or a failed rename must not leave the half-written .part behind.
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise

    def save_image(self, user_id: int, jpeg: bytes) -> str:
        token = new_token()
        self._write(self.image_path(user_id, token), jpeg)
        return token

    def read_image(self, user_id: int, token: str) -> bytes:
        return self.read(self.image_path(user_id, token))

    def delete_image(self, user_id: int, token: str) -> None:
        self.image_path(user_id, token).unlink(missing_ok=True)

    def save_pdf(self, user_id: int, case_id: str, pdf: bytes) -> Path:
        path = self.pdf_path(user_id, case_id)
        self._write(path, pdf)
        return path

    def delete_case_files(self, user_id: int, case_id: str | None, images: str | Iterable[str]) -> int:
        """The photos, PDF and heatmap of one case (only the photos of an unconfirmed intake, whose
        `case_id` is None). Returns how many files existed."""
        tokens = (images,) if isinstance(images, str) else tuple(images)
        paths = [self.image_path(user_id, token) for token in tokens]
        if case_id is not None:
            paths += [self.pdf_path(user_id, case_id), self.heatmap_path(user_id, case_id)]
        removed = 0
        for path in paths:
            if path.is_file():
                path.unlink()
                removed += 1
        return removed

    def delete_user(self, user_id: int) -> None:
        for kind in ("images", "reports"):
            shutil.rmtree(self._user_dir(kind, user_id), ignore_errors=True)
