"""Downloading an upload from Telegram without ever reading more than the size limit allows.

Telegram usually declares a file's size, and the intake refuses an oversized file before downloading it.
The size is optional in the Bot API, though, and a local Bot API server serves files of up to 2 GB, so
the download itself is capped: it stops as soon as more than `max_bytes` have arrived (or the server
declares more in Content-Length) and the file is refused, with at most `max_bytes` plus one network
chunk ever held in memory.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import httpx
from telegram import File
from telegram.error import NetworkError

from conversations.photos import PhotoRejected

CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 60.0


def over_limit(max_bytes: int) -> PhotoRejected:
    return PhotoRejected("photo-over-limit", {"max_mb": max_bytes // 1024 // 1024})


class Downloads:
    """One HTTP client for every upload's download, opened at the first and closed at shutdown: a client
    per download would build a TLS context (tens of milliseconds of CPU) for each photo."""

    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None

    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S))
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


async def download_capped(tg_file: File, max_bytes: int, downloads: Downloads | None = None) -> bytes:
    """The file's bytes, or PhotoRejected("photo-over-limit") once more than `max_bytes` arrive.

    Network trouble is raised as telegram.error.NetworkError, as python-telegram-bot's own download
    would raise it. Without `downloads`, a client is made for this one download.
    """
    location = str(tg_file.file_path or "")
    if not location:
        raise NetworkError("Telegram gave no file path to download")
    if not location.startswith(("http://", "https://")):
        return _read_local(Path(location), max_bytes)  # a local Bot API server started with --local
    try:
        if downloads is not None:
            data = await _fetch(downloads.client(), _encoded(location), max_bytes)
        else:
            async with Downloads().client() as client:
                data = await _fetch(client, _encoded(location), max_bytes)
    except httpx.HTTPError as exc:
        # The URL holds the bot token: only the error's type goes any further.
        raise NetworkError(f"file download failed: {type(exc).__name__}") from None
    if data is None:
        raise over_limit(max_bytes)
    return data


def _read_local(path: Path, max_bytes: int) -> bytes:
    with path.open("rb") as source:
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise over_limit(max_bytes)
    return data


async def _fetch(client: httpx.AsyncClient, url: str, max_bytes: int) -> bytes | None:
    """The body, or None as soon as it is known to be over `max_bytes` (the connection is then closed).

    PhotoRejected is raised by the caller, outside httpx's context managers: a frozen exception cannot
    pass through their exit, which sets its traceback."""
    async with client.stream("GET", url) as response:
        if response.status_code != 200:
            raise NetworkError(f"file download failed: HTTP {response.status_code}")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            return None
        data = bytearray()
        async for chunk in response.aiter_bytes():
            data += chunk
            if len(data) > max_bytes:
                return None  # leaving the block closes the connection: the rest is never read
    return bytes(data)


def _encoded(url: str) -> str:
    """Non-ASCII characters in the file path, percent-encoded (as python-telegram-bot does)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=quote(parts.path)))
