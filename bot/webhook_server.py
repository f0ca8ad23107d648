"""The webhook's HTTP server: Telegram posts updates to it, through the TLS reverse proxy.

python-telegram-bot's own webhook server reads a body whole (tornado allows 100 MB) before it looks at
the secret, answers a body that is not JSON with 500, and logs an update it cannot parse with what the
patient typed. This one, on the same tornado, in its place:

- checks the secret token and the content type as soon as the headers are in: 403 and 415, before a byte
  of the body is read;
- takes at most `MAX_BODY` (1 MB; Telegram's updates are a few kB): a larger Content-Length is answered
  413 before the body is read, and a body sent without one (chunked) is counted as it arrives and cut off
  at the limit with 413. A refused request's connection is closed, so its body is never read;
- answers a body that is not JSON, or not an update, with 400, and logs only that and the error's type;
- closes a connection whose headers or body take longer than SKINBOT_HTTP_HEADER_TIMEOUT and
  SKINBOT_HTTP_BODY_TIMEOUT, and holds at most `MAX_CONNECTIONS` open.

`WebhookUpdater` is python-telegram-bot's Updater with this server in place of its own, so
`Application.run_webhook` and `start_app` start it as before (`start_webhook`); polling is untouched.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import socket
from http import HTTPStatus
from typing import Any

import tornado.httpserver
import tornado.iostream
import tornado.netutil
import tornado.web
from telegram import Bot, Update
from telegram.ext import ExtBot, Updater

from bot.webhook import WebhookStartError

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
# Telegram opens at most the `max_connections` given to setWebhook (40, python-telegram-bot's default).
MAX_CONNECTIONS = 100
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@tornado.web.stream_request_body
class _Updates(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)  # type: ignore[assignment]

    def initialize(self, bot: Bot, queue: asyncio.Queue[object], secret: str) -> None:
        self.bot, self.queue, self.secret = bot, queue, secret
        self.chunks: list[bytes] = []
        self.size = 0
        self.refused = False

    def _refuse(self, status: HTTPStatus) -> tornado.web.HTTPError:
        """Answered before the body is read, the connection is closed after the answer (tornado's rule),
        so the rest of the body is never read."""
        self.refused = True
        return tornado.web.HTTPError(status)

    def prepare(self) -> None:
        headers = self.request.headers
        if not hmac.compare_digest(headers.get(SECRET_HEADER, "").encode(), self.secret.encode()):
            raise self._refuse(HTTPStatus.FORBIDDEN)
        if headers.get("Content-Type", "").split(";", 1)[0].strip().lower() != "application/json":
            raise self._refuse(HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
        length = headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) > MAX_BODY:
            raise self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    def data_received(self, chunk: bytes) -> None:
        if self.refused:  # what was already on its way goes with the connection
            return
        self.size += len(chunk)
        if self.size > MAX_BODY:
            self.refused = True
            self.send_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return
        self.chunks.append(chunk)

    async def post(self) -> None:
        try:
            data = json.loads(b"".join(self.chunks))
        except ValueError as exc:  # not JSON, or not UTF-8
            log.warning("webhook: a body that is not JSON was refused (%s)", type(exc).__name__)
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        try:
            if not isinstance(data, dict):
                raise TypeError("not an object")
            update = Update.de_json(data, self.bot)
        except Exception as exc:
            # Never the data: it is what a patient typed.
            log.warning("webhook: an update that cannot be read was refused (%s)", type(exc).__name__)
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        if isinstance(self.bot, ExtBot):
            self.bot.insert_callback_data(update)
        await self.queue.put(update)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """The status alone: Telegram reads nothing else, and tornado's page would be English words."""

    def log_exception(self, typ: Any, value: BaseException | None, tb: Any) -> None:
        if not isinstance(value, tornado.web.HTTPError):
            # tornado's own line would carry the request; the type says what failed.
            log.error("webhook: handling an update failed: %s", type(value).__name__)


class _CappedServer(tornado.httpserver.HTTPServer):
    """Over `MAX_CONNECTIONS` open, a new connection is closed at once: handles are left for the bot."""

    def initialize(self, *args: Any, **kwargs: Any) -> None:
        super().initialize(*args, **kwargs)
        self.open_connections = 0

    def handle_stream(self, stream: tornado.iostream.IOStream, address: tuple[Any, ...]) -> None:
        if self.open_connections >= MAX_CONNECTIONS:
            stream.close()
            return
        self.open_connections += 1
        super().handle_stream(stream, address)

    def on_close(self, server_conn: object) -> None:
        self.open_connections -= 1
        super().on_close(server_conn)


class WebhookServer:
    def __init__(self, sockets: list[socket.socket], header_timeout_s: float, body_timeout_s: float) -> None:
        self._sockets = sockets
        self._timeouts = (header_timeout_s, body_timeout_s)
        self._server: _CappedServer | None = None

    @classmethod
    def bind(cls, listen: str, port: int, header_timeout_s: float, body_timeout_s: float) -> WebhookServer:
        """Take the port first, so a port in use stops start-up with one line before setWebhook."""
        try:
            sockets = tornado.netutil.bind_sockets(port, address=listen)
        except OSError as exc:
            raise WebhookStartError(
                f"cannot listen on {listen}:{port} ({exc.strerror or exc}): SKINBOT_WEBHOOK_LISTEN, "
                "SKINBOT_WEBHOOK_PORT"
            ) from None
        return cls(sockets, header_timeout_s, body_timeout_s)

    def start(self, path: str, bot: Bot, queue: asyncio.Queue[object], secret: str) -> None:
        app = tornado.web.Application(
            [(rf"/{re.escape(path.strip('/'))}/?", _Updates, {"bot": bot, "queue": queue, "secret": secret})],
            log_function=lambda handler: None,  # no access log: nothing in it concerns an operator
        )
        header_timeout_s, body_timeout_s = self._timeouts
        self._server = _CappedServer(
            app,
            idle_connection_timeout=header_timeout_s,  # tornado's limit on reading a request's headers
            body_timeout=body_timeout_s,
            # tornado's own limits, above ours so that ours answer (413) first: the last line of defence.
            max_body_size=2 * MAX_BODY,
            max_buffer_size=2 * MAX_BODY,
        )
        self._server.add_sockets(self._sockets)
        host, port = self._sockets[0].getsockname()[:2]
        log.info("webhook server listening on %s:%d", host, port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None
        for sock in self._sockets:
            sock.close()


class WebhookUpdater(Updater):
    """python-telegram-bot's Updater, with `WebhookServer` for its webhook. TLS is the proxy's, so
    `cert`, `key` and `unix` are not taken; setWebhook is tried once (python-telegram-bot's default)."""

    def __init__(
        self, bot: Bot, update_queue: asyncio.Queue[object], header_timeout_s: float, body_timeout_s: float
    ) -> None:
        super().__init__(bot=bot, update_queue=update_queue)
        self._timeouts = (header_timeout_s, body_timeout_s)
        self._webhook: WebhookServer | None = None

    @property
    def running(self) -> bool:
        return self._webhook is not None or super().running

    async def start_webhook(  # type: ignore[override]
        self,
        listen: str = "127.0.0.1",
        port: int = 80,
        url_path: str = "",
        cert: object = None,
        key: object = None,
        bootstrap_retries: int = 0,
        webhook_url: str | None = None,
        allowed_updates: Any = None,
        drop_pending_updates: bool | None = None,
        ip_address: str | None = None,
        max_connections: int = 40,
        secret_token: str | None = None,
        unix: object = None,
    ) -> asyncio.Queue[object]:
        if cert is not None or key is not None or unix is not None:
            raise ValueError("the webhook server takes plain HTTP behind the TLS reverse proxy")
        if not secret_token or not webhook_url:
            raise ValueError("a webhook needs its public URL and a secret token")
        if self.running:
            raise RuntimeError("This Updater is already running!")
        server = WebhookServer.bind(listen, port, *self._timeouts)
        # Listening before setWebhook: Telegram may post the first update at once.
        server.start(url_path, self.bot, self.update_queue, secret_token)
        try:
            await self.bot.set_webhook(
                url=webhook_url,
                allowed_updates=allowed_updates,
                ip_address=ip_address,
                drop_pending_updates=drop_pending_updates,
                max_connections=max_connections,
                secret_token=secret_token,
            )
        except BaseException:
            await server.stop()
            raise
        self._webhook = server
        return self.update_queue

    async def stop(self) -> None:
        server, self._webhook = self._webhook, None
        if server is not None:
            await server.stop()
        if super().running:
            await super().stop()
