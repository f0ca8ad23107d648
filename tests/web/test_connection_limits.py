"""The web port under a connection flood: the real uvicorn inside the real bot on 127.0.0.1, raw sockets
for the flood. Connections that never finish their headers are closed after the header timeout, over the
connection cap a connection is answered 503 and closed at once, and past the concurrency limit a request
is answered 503 rather than left waiting; all the while a normal request is served."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from tests.conftest import Harness
from tests.raw_http import close_all, count_closed, open_idle, read_until_closed
from tests.web.helpers import base_url, new_key, with_web


async def web_port(h: Harness, **settings: object) -> int:
    """Start the bot with its web server under these settings: the port it listens on."""
    with_web(h, **settings)
    await h.start()
    assert h.web_server is not None
    return h.web_server.port


@asynccontextmanager
async def held_open(h: Harness, count: int) -> AsyncIterator[None]:
    """`count` idle connections to the web port while the body runs; once they are closed, the server
    must serve again."""
    assert h.web_server is not None
    idle = await open_idle(h.web_server.port, count)
    try:
        yield
    finally:
        close_all(idle)
    await served_again(h)


async def status_of_docs(h: Harness) -> int:
    async with httpx.AsyncClient(timeout=30) as http:
        return (await http.get(f"{base_url(h)}/docs")).status_code


async def served_again(h: Harness, timeout: float = 30) -> None:
    """The server notices closed connections a moment after the client closes them."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (status := await status_of_docs(h)) != 200:
        assert asyncio.get_running_loop().time() < deadline, f"still {status}"
        await asyncio.sleep(0.1)


async def test_half_open_connections_are_closed_while_a_request_is_served(harness: Harness) -> None:
    # Limits high enough that only the header timeout can close these connections.
    port = await web_port(
        harness, http_header_timeout_s=1.0, web_max_connections=2000, web_max_concurrency=2000
    )
    silent = await open_idle(port, 150)
    half = await open_idle(port, 150, b"GET /docs HT")  # half a request line, never finished
    try:
        assert await status_of_docs(harness) == 200
        closed = await count_closed(silent + half, within=20)
        assert closed >= 270, f"only {closed} of 300 half-open connections were closed"
        assert await status_of_docs(harness) == 200
    finally:
        close_all(silent + half)


async def test_a_request_sent_slowly_within_the_timeout_is_served(harness: Harness) -> None:
    port = await web_port(harness, http_header_timeout_s=3.0)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for piece in (b"GET /docs HTTP/1.1\r\n", b"Host: 127.0.0.1\r\n", b"Connection: close\r\n\r\n"):
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(0.2)
        answer = await asyncio.wait_for(read_until_closed(reader), 30)
        assert answer.startswith(b"HTTP/1.1 200 ")
    finally:
        writer.close()


async def test_over_the_concurrency_limit_a_request_gets_503_not_a_wait(harness: Harness) -> None:
    await web_port(harness, web_max_concurrency=4, web_max_connections=100)
    # uvicorn counts open connections towards the limit, as well as requests in progress.
    async with held_open(harness, 4):
        assert await asyncio.wait_for(status_of_docs(harness), 30) == 503


async def test_over_the_connection_cap_a_connection_is_answered_503_and_closed(harness: Harness) -> None:
    port = await web_port(harness, web_max_connections=5, web_max_concurrency=100)
    async with held_open(harness, 5):
        (reader, writer), *_ = await open_idle(port, 1)
        answer = await asyncio.wait_for(read_until_closed(reader), 30)  # closed without sending anything
        writer.close()
        assert answer.startswith(b"HTTP/1.1 503 ")
        assert await status_of_docs(harness) == 503


async def test_a_body_that_stops_coming_is_cut_off(harness: Harness) -> None:
    # The header timeout is long: only the body timeout can close this connection.
    port = await web_port(harness, http_header_timeout_s=60.0, http_body_timeout_s=1.0)
    _, secret = await new_key(harness)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            b"POST /api/v1/classify HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + secret.encode() + b"\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 50000\r\n\r\n--b\r\n"
        )
        await writer.drain()
        assert await count_closed([(reader, writer)], within=20) == 1
    finally:
        writer.close()


async def test_a_kept_alive_connection_must_finish_its_next_request_in_time(harness: Harness) -> None:
    port = await web_port(harness, http_header_timeout_s=1.0)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"GET /docs HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        assert head.startswith(b"HTTP/1.1 200 ")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        await reader.readexactly(length)
        writer.write(b"GET /docs HT")  # the next request, left unfinished: the keep-alive timer is off now
        await writer.drain()
        assert await count_closed([(reader, writer)], within=20) == 1
    finally:
        writer.close()
