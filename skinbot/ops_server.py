"""The operator's HTTP port: GET /healthz, /readyz and /metrics (`SKINBOT_HEALTH_PORT`, off by default).

It is a tornado server on the bot's own event loop. tornado is already what python-telegram-bot's webhook
runs on (its `webhooks` extra), it is a complete HTTP/1.1 server (request parsing, keep-alive, timeouts),
and running on the bot's loop is the point: a loop that does not answer, does not answer here either.
Requests are not logged: nothing here concerns a patient, and probes every few seconds are only noise.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.services import Services
from casework.metrics import CONTENT_TYPE, Metrics
from skinbot.health import HealthCheck, HealthReport, Heartbeat, model_queue

log = logging.getLogger(__name__)


class OpsServerError(Exception):
    """The port cannot be opened; the message names the setting."""


class _Base(tornado.web.RequestHandler):
    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")


class _Health(_Base):
    def initialize(self, check: HealthCheck, need_ready: bool) -> None:
        self.check, self.need_ready = check, need_ready

    async def get(self) -> None:
        report: HealthReport = await self.check.run()
        body = report.as_dict()
        good = body["ready"] if self.need_ready else report.ok
        self.set_status(200 if good else 503)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))


class _Metrics(_Base):
    def initialize(self, refresh: Callable[[], Awaitable[None]], metrics: Metrics) -> None:
        self.refresh, self.metrics = refresh, metrics

    async def get(self) -> None:
        try:
            await self.refresh()
        except Exception as exc:  # a state gauge keeps its last value; the counters are still worth serving
            log.warning("metrics: could not read the current state: %s", type(exc).__name__)
        self.set_header("Content-Type", CONTENT_TYPE)
        self.finish(self.metrics.exposition())


class OpsServer:
    def __init__(self, services: Services, max_lag_s: float, heartbeat: Heartbeat | None = None) -> None:
        self.services = services
        self.heartbeat = heartbeat or Heartbeat()
        self.check = HealthCheck(services, self.heartbeat, max_lag_s)
        self._server: tornado.httpserver.HTTPServer | None = None
        self.port = 0

    async def refresh_metrics(self) -> None:
        queue = model_queue(self.services)
        intakes = await self.services.store.intakes.count()
        self.services.metrics.set_state(queue.health() if queue is not None else None, intakes)

    def application(self) -> tornado.web.Application:
        health: dict[str, Any] = {"check": self.check, "need_ready": False}
        return tornado.web.Application(
            [
                (r"/healthz", _Health, health),
                (r"/readyz", _Health, {**health, "need_ready": True}),
                (r"/metrics", _Metrics, {"refresh": self.refresh_metrics, "metrics": self.services.metrics}),
            ],
            log_function=lambda handler: None,
        )

    async def start(self, listen: str, port: int) -> None:
        try:
            sockets = tornado.netutil.bind_sockets(port, address=listen)
        except OSError as exc:
            raise OpsServerError(
                f"SKINBOT_HEALTH_PORT: cannot listen on {listen}:{port} ({exc.strerror or exc})"
            ) from None
        self._server = tornado.httpserver.HTTPServer(
            self.application(), idle_connection_timeout=60, body_timeout=10
        )
        self._server.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]
        self.heartbeat.start()
        log.info("health and metrics on http://%s:%d (/healthz, /readyz, /metrics)", listen, self.port)

    async def stop(self) -> None:
        await self.heartbeat.stop()
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None
