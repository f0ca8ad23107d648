"""uvicorn on a socket we bind ourselves, as a task on the caller's event loop.

Binding first means a port in use fails start-up with one clear line before anything else has started,
and port 0 (any free port, for tests) tells us which port it got. The server never installs signal
handlers: the bot (or `skinbot web`) owns the process's signals and stops the server itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Generator

import uvicorn

from web.app import WebApp
from web.config import HttpLimits
from web.http_limits import protocol_for

log = logging.getLogger(__name__)

GRACE_S = 3.0  # open requests get this long to finish when the server stops


class WebStartError(Exception):
    """The web side cannot start (the port is taken); the message says which address."""


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class WebServer:
    def __init__(self, sock: socket.socket, limits: HttpLimits) -> None:
        self._socket = sock
        self.limits = limits
        self.host, self.port = sock.getsockname()[:2]
        self.app: WebApp | None = None
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def bind(cls, host: str, port: int, limits: HttpLimits) -> WebServer:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            raise WebStartError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        sock.set_inheritable(True)
        return cls(sock, limits)

    async def start(self, app: WebApp) -> None:
        self.app = app
        await app.start()
        config = uvicorn.Config(
            app.asgi,
            lifespan="off",
            access_log=False,  # request lines would carry login-link tokens
            log_config=None,  # our logging set-up applies
            timeout_graceful_shutdown=GRACE_S,
            proxy_headers=True,
            forwarded_allow_ips=list(app.ctx.web_config.web_trusted_proxies),  # never uvicorn's environment
            server_header=False,
            http=protocol_for(self.limits),  # the connection cap and the header and body timeouts
            ws="none",  # no websockets here; an upgraded connection would outlive the header timer
            limit_concurrency=self.limits.max_concurrency,  # past it, 503 at once rather than a wait
        )
        self._server = _Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[self._socket]), name="web-server")
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise WebStartError("the web server stopped while starting")
            await asyncio.sleep(0.01)
        log.info("web API and review desk listening on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        """Streams end with an error event, their jobs are cancelled; then the server closes."""
        if self.app is not None:
            await self.app.close()
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            try:
                await asyncio.wait_for(asyncio.shield(self._task), GRACE_S + 2)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
        self._socket.close()
