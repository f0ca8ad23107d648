"""Is this bot able to serve? The checks behind GET /healthz and /readyz (`skinbot.ops_server`).

Healthy means all three hold:
- the event loop answers: the check itself runs on it, and a heartbeat task that ticks every half second
  has ticked recently and on time (a loop blocked for longer than `max_lag_s` fails, even once it is over,
  until the next tick);
- the model worker thread is alive, not hung on one batch well past the job timeout, and its dispatcher
  runs (models that are still loading are healthy, but not ready);
- the database takes a write, through the store's serialized writer, within a few seconds.

Ready means healthy and the models loaded: /healthz is for "restart me?", /readyz for "send me work?".
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.services import Services
from casework.background import BackgroundService
from conversations.store import StoreError
from inference.model_queue import ModelQueue, QueueHealth

DB_TIMEOUT_S = 5.0


class Heartbeat(BackgroundService):
    """A task that ticks every `interval_s` and notes how late each tick came: the event loop's lag."""

    task_name = "health-heartbeat"

    def __init__(self, interval_s: float = 0.5, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval_s, self._clock = interval_s, clock
        self.last_tick = clock()
        self.lag_s = 0.0

    def start(self) -> None:
        self.last_tick = self._clock()
        super().start()

    def since_tick_s(self) -> float:
        return self._clock() - self.last_tick

    async def _run(self) -> None:
        while True:
            due = self._clock() + self.interval_s
            await asyncio.sleep(self.interval_s)
            now = self._clock()
            self.lag_s = max(0.0, now - due)
            self.last_tick = now


@dataclass
class HealthReport:
    checks: dict[str, dict[str, Any]]
    ready: bool
    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.reasons

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.ok else "failing",
            "ready": self.ok and self.ready,
            "reasons": self.reasons,
            "checks": self.checks,
        }


def model_queue(services: Services) -> ModelQueue | None:
    """The queue in front of the models, when this bot runs them (not with HoldQueued)."""
    queue = getattr(services.pipeline, "queue", None)
    return queue if isinstance(queue, ModelQueue) else None


class HealthCheck:
    def __init__(self, services: Services, heartbeat: Heartbeat, max_lag_s: float) -> None:
        self.services, self.heartbeat, self.max_lag_s = services, heartbeat, max_lag_s

    async def run(self) -> HealthReport:
        reasons: list[str] = []
        loop = self._event_loop(reasons)
        models, ready = self._models(reasons)
        database = await self._database(reasons)
        return HealthReport({"event_loop": loop, "models": models, "database": database}, ready, reasons)

    def _event_loop(self, reasons: list[str]) -> dict[str, Any]:
        since, lag = self.heartbeat.since_tick_s(), self.heartbeat.lag_s
        ok = self.heartbeat.running and since <= self.max_lag_s and lag <= self.max_lag_s
        if not self.heartbeat.running:
            reasons.append("event loop: the heartbeat task has stopped")
        elif not ok:
            reasons.append(f"event loop: blocked for {max(since, lag):.1f} s (limit {self.max_lag_s:g} s)")
        return {"ok": ok, "lag_s": round(lag, 4), "since_tick_s": round(since, 4)}

    def _models(self, reasons: list[str]) -> tuple[dict[str, Any], bool]:
        queue = model_queue(self.services)
        if queue is None:
            return {"ok": True, "state": "none"}, True
        health: QueueHealth = queue.health()
        problem = health.problem
        if problem:
            reasons.append(f"models: {problem}")
        detail = {
            "ok": problem is None,
            "state": health.models,
            "worker_alive": health.worker_alive,
            "busy_s": None if health.busy_s is None else round(health.busy_s, 3),
            "waiting": health.waiting,
            "running": health.running,
        }
        return detail, health.models == "ready"

    async def _database(self, reasons: list[str]) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            await asyncio.wait_for(self.services.store.db.probe_write(), DB_TIMEOUT_S)
        except TimeoutError:
            reasons.append(f"database: no write within {DB_TIMEOUT_S:g} s")
            return {"ok": False}
        except StoreError as exc:  # its message names the database state, never user data
            reasons.append(f"database: {exc}")
            return {"ok": False}
        except Exception as exc:  # e.g. the connection is already closed
            reasons.append(f"database: {type(exc).__name__}")
            return {"ok": False}
        return {"ok": True, "write_s": round(time.perf_counter() - started, 4)}
