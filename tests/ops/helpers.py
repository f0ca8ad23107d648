"""Ports and HTTP for the operations tests: the webhook, /healthz, /readyz and /metrics."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from inference.events import WriterResult
from testkit.stand_in_writer import Batch, StandInWriter

WEBHOOK_URL = "https://bot.example.org/telegram/skinbot"
WEBHOOK_SECRET = "s3cret-token_0123456789abcdef"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def get(port: int, path: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.get(f"http://127.0.0.1:{port}{path}")


async def post_update(port: int, path: str, update: dict[str, Any], secret: str | None) -> httpx.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(f"http://127.0.0.1:{port}/{path}", json=update, headers=headers)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a /metrics page, keyed by (name, sorted labels)."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(page: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return page.get((name, tuple(sorted(labels.items()))), 0.0)


def total(page: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str) -> float:
    """A sample summed over all its labels (e.g. update latency counts of every handler)."""
    return sum(v for (n, _), v in page.items() if n == name)


@dataclass
class HangingWriter(StandInWriter):
    """A report writer whose generate blocks until released and ignores should_stop: a hung native call."""

    release: threading.Event = field(default_factory=threading.Event)
    entered: threading.Event = field(default_factory=threading.Event)

    def write(self, batch: Batch) -> list[WriterResult]:
        self.entered.set()
        self.release.wait(120)
        return [WriterResult("", "eos", 0, True) for _ in batch.requests]
