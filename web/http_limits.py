"""What one web client may hold of the process: connections, and time to send a request.

uvicorn caps requests in progress (`limit_concurrency`, answered 503) but not open connections, and has
no timeout for a request's headers or body: a connection that sends half a request line, or nothing,
stays open for good. Enough of them (20,000 in the security review) use up the process's file handles,
and then the bot's own connections to Telegram fail too. `LimitedH11Protocol` is uvicorn's h11 protocol
with both: a connection over the cap is answered 503 and closed at once, and a timer runs from the moment
a connection waits for a request (at connection, and after each response on a kept-alive one) until the
request's headers are in, then again until its body is in.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol, RequestResponseCycle

from web.config import HttpLimits

log = logging.getLogger(__name__)

# No body, so no words: the status says it. Sent before any request is read, so no language is known.
SERVER_FULL = b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
REFUSED_LINE = "web port: a connection was refused, SKINBOT_WEB_MAX_CONNECTIONS (%d) are open"


# What a connection waits for: the headers of the request after a cycle (None: the first), or the body
# of a cycle's request. None when the request is in and the app is answering, which takes its own time.
_Wait = tuple[str, RequestResponseCycle | None] | None


class LimitedH11Protocol(H11Protocol):
    limits: ClassVar[HttpLimits] = HttpLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._refused = False
        self._waiting_for: _Wait = None
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        # uvicorn's shared set of this server's open connections; this one is not in it yet.
        if len(self.connections) >= self.limits.max_connections:
            self._refused = True
            log.warning(REFUSED_LINE, self.limits.max_connections)
            transport.write(SERVER_FULL)
            transport.close()
            return
        super().connection_made(transport)
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        if not self._refused:
            super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch()

    def _wait(self) -> _Wait:
        cycle = self.cycle
        if cycle is None or cycle.response_complete:
            return ("headers", cycle)
        if cycle.more_body:
            return ("body", cycle)
        return None

    def _watch(self) -> None:
        """A new wait starts its clock; more bytes of the same wait do not restart it, so a client that
        trickles its headers a byte at a time is closed as surely as one that sends nothing."""
        wait = self._wait()
        if wait == self._waiting_for:
            return
        self._cancel_timer()
        self._waiting_for = wait
        if wait is not None and not self.transport.is_closing():
            kind, _ = wait
            timeout = self.limits.header_timeout_s if kind == "headers" else self.limits.body_timeout_s
            self._timer = self.loop.call_later(timeout, self._expire)

    def _expire(self) -> None:
        self._timer = None
        # Closing ends the request for the app as a client that went away does (http.disconnect).
        self.transport.close()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def protocol_for(limits: HttpLimits) -> type[LimitedH11Protocol]:
    """uvicorn builds the protocol itself, from its class: the limits travel as a class attribute."""
    return type("LimitedH11Protocol", (LimitedH11Protocol,), {"limits": limits})
