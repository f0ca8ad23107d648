"""FileStore writes: a failed write leaves neither a half-written file nor its .part behind."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from conversations.files import FileStore


def _full_disk_after(limit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Path.write_bytes writes `limit` bytes, then fails as a full disk does."""

    def write_bytes(self: Path, data: bytes) -> int:
        with self.open("wb") as out:
            out.write(bytes(data)[:limit])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", write_bytes)


def _leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize("key", [None, "lAxnP0dNfS1Zx7Zs7YqzH4b4yUh0hbWB4lD1Y2vYzNE="])
def test_a_write_that_fails_midway_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str | None
) -> None:
    files = FileStore(tmp_path, key)
    _full_disk_after(100, monkeypatch)
    with pytest.raises(OSError) as err:
        files.save_image(42, b"\xff\xd8" + b"x" * 10_000)
    assert err.value.errno == errno.ENOSPC
    with pytest.raises(OSError):
        files.save_pdf(42, "0" * 32, b"%PDF-1.4" + b"y" * 10_000)
    assert _leftovers(tmp_path) == []


def test_a_failed_rename_leaves_no_part_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = FileStore(tmp_path)
    files.save_pdf(7, "1" * 32, b"old report")

    def replace(src: object, dst: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(PermissionError):
        files.save_pdf(7, "1" * 32, b"new report")
    assert _leftovers(tmp_path) == [files.pdf_path(7, "1" * 32)]
    assert files.read_pdf(7, "1" * 32) == b"old report"  # the earlier file is untouched


def test_a_successful_write_leaves_only_the_file(tmp_path: Path) -> None:
    files = FileStore(tmp_path)
    token = files.save_image(3, b"jpeg bytes")
    assert _leftovers(tmp_path) == [files.image_path(3, token)]
    assert files.read_image(3, token) == b"jpeg bytes"
