"""Raw TCP connections to our HTTP servers, for what an HTTP client will not do: send half a request,
or nothing, and hold the connection open."""

from __future__ import annotations

import asyncio
import contextlib

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def open_idle(port: int, count: int, send: bytes = b"") -> list[Connection]:
    """`count` connections to 127.0.0.1 that send `send` (half a request, or nothing), then nothing more."""
    connections = [await asyncio.open_connection("127.0.0.1", port) for _ in range(count)]
    for _, writer in connections:
        if send:
            writer.write(send)
    await asyncio.gather(*(writer.drain() for _, writer in connections))
    return connections


async def read_until_closed(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes the connection (or resets it: a server that closes with
    part of a request unread makes the kernel send a reset, after what it wrote)."""
    received = []
    try:
        while chunk := await reader.read(64 * 1024):
            received.append(chunk)
    except ConnectionError:
        pass
    return b"".join(received)


async def count_closed(connections: list[Connection], within: float) -> int:
    """How many of the connections the server closed within `within` seconds."""
    reads = [asyncio.create_task(read_until_closed(reader)) for reader, _ in connections]
    done, pending = await asyncio.wait(reads, timeout=within)
    for task in pending:
        task.cancel()
    return len(done)


def close_all(connections: list[Connection]) -> None:
    for _, writer in connections:
        with contextlib.suppress(Exception):
            writer.close()
