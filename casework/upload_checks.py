"""A photo as it arrives, through either channel: decoded within the upload limits, judged by the cheap checks
(`inference.photo_checks`), and only then encoded for storage. Runs on a thread, never on the model worker."""

from __future__ import annotations

from dataclasses import dataclass

from casework.config import CaseConfig
from conversations.photos import decode_photo, pixels_only_jpeg


@dataclass(frozen=True)
class PhotoUnusable(Exception):
    """The photo cannot be assessed: the quality gate's reasons, or "not skin" (the worker's issue names)."""

    issues: tuple[str, ...]


def checked_photo(data: bytes, limits: CaseConfig) -> bytes:
    """The upload as the JPEG to store; PhotoRejected when it is no usable image file, PhotoUnusable when it
    is one the checks turn back (nothing is stored for either)."""
    image = decode_photo(data, limits.max_download_mb * 1024 * 1024, min_side=limits.min_side)
    issues = limits.photo_checks.issues_at_upload(image)
    if issues:
        raise PhotoUnusable(issues)
    return pixels_only_jpeg(image)
