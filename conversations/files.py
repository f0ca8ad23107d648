"""Photos and PDFs on disk. Paths are built only from Telegram's numeric user id and random tokens."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from collections.abc import Iterable
from pathlib import Path

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


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
        from cryptography.fernet import InvalidToken

        marker = self.root / MARKER
        if self._fernet is None:
            if marker.exists():
                raise DataKeyError(f"{self.root} holds encrypted data: set SKINBOT_DATA_KEY to its key")
            return
        if not marker.exists():
            if any(p.is_file() for d in ("images", "reports") for p in (self.root / d).rglob("*")):
                raise DataKeyError(f"{self.root} already holds unencrypted files: use a new SKINBOT_DATA_DIR")
            self._write(marker, self._fernet.encrypt(_MARKER_TEXT), raw=True)
            return
        try:
            ok = self._fernet.decrypt(marker.read_bytes()) == _MARKER_TEXT
        except InvalidToken:
            ok = False
        if not ok:
            raise DataKeyError(f"SKINBOT_DATA_KEY is not the key {self.root} was encrypted with")

    def _seal(self, data: bytes) -> bytes:
        return self._fernet.encrypt(data) if self._fernet else data

    def _open(self, data: bytes) -> bytes:
        return self._fernet.decrypt(data) if self._fernet else data

    def read(self, path: Path) -> bytes:
        """Any stored photo or PDF, decrypted."""
        return self._open(path.read_bytes())

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
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        try:
            tmp.write_bytes(data if raw else self._seal(data))
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
