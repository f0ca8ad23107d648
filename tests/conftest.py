"""Shared fixtures: the fake Bot API server and the real bot Application running against it."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("YOLO_OFFLINE", "1")

pytest_plugins = ["tests.fixtures.classifier_models", "tests.fixtures.report_models"]

from bot.application import start_app, stop_app  # noqa: E402
from bot.services import Services  # noqa: E402
from casework.flood import FloodGate  # noqa: E402
from casework.translator import Translator  # noqa: E402
from conversations.domain import Case  # noqa: E402
from skinbot.app import PipelineFactory, build_application, hold_queued  # noqa: E402
from skinbot.configs import webhook_of  # noqa: E402
from skinbot.settings import Settings  # noqa: E402
from testkit.fake_bot_api import FakeBotApi  # noqa: E402
from testkit.fake_user import FakeUser  # noqa: E402
from testkit.sent_messages import SentMessage  # noqa: E402
from testkit.skin_photos import skin_photo  # noqa: E402

if TYPE_CHECKING:
    from web.server import WebServer


TOKEN = "123456:TEST-token-abcdefghijklmnop"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs CUDA")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _umask_restored() -> Iterator[None]:
    """The `skinbot` commands that handle patient data set the process umask to 077, and tests call them
    in-process: each test gets back the umask it started with."""
    before = os.umask(0o022)
    os.umask(before)
    yield
    os.umask(before)


@pytest.fixture
def loose_umask() -> None:
    """The usual umask 022, under which a file made without an explicit mode is readable by everyone: what
    the code writes must be private anyway."""
    os.umask(0o022)


@pytest.fixture(scope="session")
def t() -> Translator:
    return Translator()


@pytest.fixture(scope="session")
def photo_bytes() -> bytes:
    return skin_photo()


def settings_for(api: FakeBotApi, data_dir: Path, **extra: str) -> Settings:
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.api_url,
        "TELEGRAM_FILE_URL": api.file_url,
        "SKINBOT_DATA_DIR": str(data_dir),
        "SKINBOT_DEVICE": "cpu",
        **extra,
    }
    return Settings.from_env(env, env_file=None)


@dataclass
class Harness:
    api: FakeBotApi
    settings: Settings
    t: Translator
    pipeline_factory: PipelineFactory
    app: object = None
    clock: Callable[[], datetime] | None = None
    flood_gate: FloodGate | None = None
    fatal: list[str] = field(default_factory=list)  # what the bot stopped for (a model failed to load)

    @property
    def services(self) -> Services:
        return self.app.bot_data["services"]  # type: ignore[attr-defined]

    @property
    def web_server(self) -> WebServer | None:
        """The web API and review desk, when the settings serve them in the bot's process."""
        return self.app.bot_data.get("web_server")  # type: ignore[attr-defined]

    async def start(self) -> None:
        extra = {"clock": self.clock} if self.clock else {}
        self.app = build_application(
            self.settings,
            pipeline_factory=self.pipeline_factory,
            translator=self.t,
            flood_gate=self.flood_gate,
            on_fatal=lambda app, message: self.fatal.append(message),
            **extra,
        )
        # As `skinbot run` does: a webhook when the settings name one, else long polling.
        await start_app(self.app, poll_timeout=1, webhook=webhook_of(self.settings))  # type: ignore[arg-type]

    async def stop(self) -> None:
        if self.app is not None:
            await stop_app(self.app)  # type: ignore[arg-type]
            self.app = None

    async def stop_quietly(self) -> None:
        """After a failed start: release whatever the half-started Application holds."""
        app, self.app = self.app, None
        if app is not None:
            with contextlib.suppress(Exception):
                await app.shutdown()  # type: ignore[attr-defined]

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def wait_text(
        self, user: FakeUser, text: str, timeout: float = 15.0, since: int = 0
    ) -> SentMessage:
        """Wait until the bot has sent `text` (exactly) to the user, after message index `since`."""
        await self.api.wait_for(lambda: any(m.text == text for m in user.inbox()[since:]), timeout)
        return next(m for m in reversed(user.inbox()[since:]) if m.text == text)

    async def wait_text_in(self, chat_id: int, text: str, timeout: float = 15.0) -> SentMessage:
        await self.api.wait_for(lambda: any(m.text == text for m in self.api.chat(chat_id)), timeout)
        return next(m for m in reversed(self.api.chat(chat_id)) if m.text == text)

    async def wait_key(
        self, user: FakeUser, lang: str, key: str, since: int = 0, **args: object
    ) -> SentMessage:
        return await self.wait_text(user, self.t(lang, key, **args), since=since)

    async def wait_new(
        self, user: FakeUser, before: int, count: int = 1, timeout: float = 15.0
    ) -> list[SentMessage]:
        await self.api.wait_for(lambda: len(user.inbox()) >= before + count, timeout)
        return user.inbox()[before:]

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 15.0) -> None:
        await self.api.wait_for(predicate, timeout)

    async def wait_case(self, user_id: int, case_id: str, status: str, timeout: float = 15.0) -> Case:
        """Poll the store until the case has `status` (a PDF can reach the chat before its case is marked)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            case = await self.services.store.cases.get(user_id, case_id)
            if case is not None and case.status == status:
                return case
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"case {case_id[:8]} is {case.status if case else 'gone'}, not {status}")
            await asyncio.sleep(0.05)


@pytest.fixture
async def harness(tmp_path: Path, t: Translator) -> AsyncIterator[Harness]:
    api = FakeBotApi(TOKEN)
    await api.start()
    h = Harness(api, settings_for(api, tmp_path / "var"), t, hold_queued)
    try:
        yield h
    finally:
        await h.stop()
        await api.stop()
