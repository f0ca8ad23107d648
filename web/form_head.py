"""The form's language from the head of a multipart body, for a refusal given before the photo is read.

An upload too large to accept is refused from its Content-Length, without reading the photo. The form's
fields sent before the photo (as browsers, `curl -F` and httpx send them, in the order given) are in its
first kilobytes: reading those, and nothing more, lets the refusal speak the language the form asks for.
A language sent after the photo cannot be known without reading the photo; the answer then follows
Accept-Language, as the API's description says.
"""

from __future__ import annotations

import asyncio
import contextlib

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.types import Receive

from conversations.domain import Language

HEAD_BYTES = 64 * 1024  # the form's other fields and their framing fit in this (web.api_gate)
HEAD_WAIT_S = 2.0  # a client that sends its headers and then stalls gets the answer anyway


async def read_head(receive: Receive, limit: int = HEAD_BYTES, wait_s: float = HEAD_WAIT_S) -> bytes:
    """Up to `limit` bytes of the request body, or what came within `wait_s`."""
    head = bytearray()

    async def read() -> None:
        while len(head) < limit:
            message = await receive()
            if message["type"] != "http.request":
                return
            head.extend(message.get("body", b""))
            if not message.get("more_body", False):
                return

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(read(), wait_s)
    return bytes(head[:limit])


class _LanguageField:
    """Multipart parser callbacks that keep the value of the first complete `language` part."""

    def __init__(self) -> None:
        self.header_name = bytearray()
        self.header_value = bytearray()
        self.in_language = False
        self.data = bytearray()
        self.value: bytes | None = None

    def on_part_begin(self) -> None:
        self.in_language = False
        self.data.clear()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        if bytes(self.header_name).strip().lower() == b"content-disposition":
            _, options = parse_options_header(bytes(self.header_value))
            self.in_language = options.get(b"name") == b"language"
        self.header_name.clear()
        self.header_value.clear()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.in_language and len(self.data) <= 16:  # "ko", "en" or "vi"; anything longer is wrong
            self.data += data[start:end]

    def on_part_end(self) -> None:
        if self.in_language and self.value is None:
            self.value = bytes(self.data)


def form_language(head: bytes, content_type: str) -> Language | None:
    """The `language` field of a multipart form, if it is complete and valid within `head`."""
    kind, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        return None
    field = _LanguageField()
    callbacks = {
        "on_part_begin": field.on_part_begin,
        "on_header_field": field.on_header_field,
        "on_header_value": field.on_header_value,
        "on_header_end": field.on_header_end,
        "on_part_data": field.on_part_data,
        "on_part_end": field.on_part_end,
    }
    # A malformed body: whatever was complete before the fault still counts.
    with contextlib.suppress(FormParserError):
        MultipartParser(boundary, callbacks).write(head)  # type: ignore[arg-type]
    if field.value is None:
        return None
    return Language.of(field.value.decode("utf-8", "replace").strip())
