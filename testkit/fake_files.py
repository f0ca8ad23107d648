"""Files on the fake Bot API: what users upload (getFile, with or without its size) and the downloads the
bot makes of them, counted so a test can tell one that stopped early from one that read everything."""

from __future__ import annotations

import itertools
from typing import Any

from aiohttp import web

from testkit.bot_api_rules import BotApiError


class FileMethods:
    """The fake server's files (a part of FakeBotApi)."""

    token: str

    def __init__(self) -> None:
        super().__init__()
        self._file_ids = itertools.count(1)
        self._files: dict[str, tuple[bytes, str]] = {}
        self._undeclared: set[str] = set()  # file ids whose getFile answer leaves file_size out
        self.served: dict[str, int] = {}  # file path -> bytes written to the bot before it stopped reading

    def add_file(self, data: bytes, suffix: str = "jpg", declare_size: bool = True) -> tuple[str, str]:
        """`declare_size=False`: getFile answers without file_size, which the Bot API allows."""
        number = next(self._file_ids)
        file_id = f"file{number}"
        path = f"uploads/{number}.{suffix}"
        self._files[path] = (data, file_id)
        self._files[file_id] = (data, path)
        if not declare_size:
            self._undeclared.add(file_id)
        return file_id, path

    def _m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        entry = self._files.get(params["file_id"])
        if entry is None:
            raise BotApiError(400, "Bad Request: invalid file_id")
        data, path = entry
        answer = {"file_id": params["file_id"], "file_unique_id": params["file_id"], "file_path": path}
        if params["file_id"] not in self._undeclared:
            answer["file_size"] = len(data)
        return answer

    async def _file(self, request: web.Request) -> web.StreamResponse:
        """Served in chunks without Content-Length (as a chunked proxy would), counting what was written,
        so a test can tell a download that stopped early from one that read everything."""
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        entry = self._files.get(path)
        if entry is None:
            return web.Response(status=404)
        data = entry[0]
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        self.served[path] = 0
        try:
            for start in range(0, len(data), 64 * 1024):
                await response.write(data[start : start + 64 * 1024])
                self.served[path] = min(len(data), start + 64 * 1024)
            await response.write_eof()
        except (ConnectionResetError, ConnectionError):
            pass  # the bot hung up: it has read enough
        return response
