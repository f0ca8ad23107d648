"""Helpers for tests that run the real `skinbot run` process against the fake Bot API."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from casework.translator import Translator
from conversations.validation import NAME_MAX
from testkit.bot_process import bot_env as testkit_bot_env
from testkit.bot_process import start_bot
from testkit.fake_bot_api import FakeBotApi
from testkit.fake_user import FakeUser
from testkit.sent_messages import SentMessage
from tests.bot.helpers import button
from tests.conftest import TOKEN
from tests.engine.servers import FakeEngine, SseScript, sse


def bot_env(api: FakeBotApi, data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of a bot process with the tests' token."""
    return testkit_bot_env(api, TOKEN, data_dir, **settings)


async def polling(api: FakeBotApi, since: int, timeout: float = 120) -> None:
    """The process is up once it has set its command menu (the last step of its start-up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(c.method == "setMyCommands" for c in api.calls[since:]):
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the bot process did not start")


async def restarted(api: FakeBotApi, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Start the process again and wait until it is up: the new process, and how many Bot API calls came
    before it. A process that does not come up is killed, so that no test leaves one behind."""
    mark = len(api.calls)
    proc = start_bot(env, log)
    try:
        await polling(api, mark)
    except BaseException:
        proc.kill()
        raise
    return proc, mark


@dataclass
class BotRun:
    """A `skinbot run` against the fake Bot API; `proc` is the latest process, after any restart."""

    api: FakeBotApi
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes]

    @property
    def data(self) -> Path:
        return Path(self.env["SKINBOT_DATA_DIR"])

    async def restart(self) -> int:
        """`restarted`, keeping the new process: how many Bot API calls came before it."""
        self.proc, mark = await restarted(self.api, self.env, self.log)
        return mark

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@asynccontextmanager
async def fake_api() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi(TOKEN)
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


@asynccontextmanager
async def fake_engine(script: SseScript) -> AsyncIterator[FakeEngine]:
    engine = FakeEngine(script=script)
    await engine.start()
    try:
        yield engine
    finally:
        await engine.stop()


@asynccontextmanager
async def bot_running(api: FakeBotApi, tmp_path: Path, **settings: str) -> AsyncIterator[BotRun]:
    """`skinbot run` on the data folder tmp_path/var, logging to tmp_path/bot.log; a process still running
    at the end is killed, so that no test leaves one behind."""
    env = bot_env(api, tmp_path / "var", **settings)
    log = tmp_path / "bot.log"
    bot = BotRun(api, env, log, start_bot(env, log))
    try:
        yield bot
    finally:
        if bot.proc.poll() is None:
            bot.proc.kill()


def engine_settings(engine: FakeEngine, classifier: Path) -> dict[str, str]:
    """The report model on the fake engine, one report at a time, drafts edited often."""
    return {
        "SKINBOT_CLASSIFIER": str(classifier),
        "SKINBOT_LLM": engine.url,
        "SKINBOT_LLM_MODEL": "fake/model",
        "SKINBOT_LLM_CONCURRENCY": "1",
        "SKINBOT_EDIT_INTERVAL": "0.2",
    }


def is_probe(body: dict) -> bool:
    """The start-up image probe asks for at most one token."""
    return body.get("max_tokens", 0) <= 1


@asynccontextmanager
async def bot_on_engine(
    tmp_path: Path, classifier: Path, script: SseScript, **settings: str
) -> AsyncIterator[BotRun]:
    """`bot_running` with its report model on a fake engine that answers with `script`."""
    async with (
        fake_engine(script) as engine,
        fake_api() as api,
        bot_running(api, tmp_path, **engine_settings(engine, classifier), **settings) as bot,
    ):
        yield bot


@dataclass
class SlowFirstReport:
    """An engine script that answers the start-up probe at once, streams the first report one "word " every
    `pause` seconds, `words` times (long enough to stop the process in the middle), and answers every later
    report with `then` at once."""

    words: int
    pause: float
    then: list[str]
    reports: list[int] = field(default_factory=list)  # the numbers of the report requests

    def __call__(self, number: int, body: dict) -> tuple[int, list[str]]:
        if is_probe(body):
            return 200, sse(["ok"])
        self.reports.append(number)
        if len(self.reports) == 1:
            word = (*sse(["word "], done=False)[1:2], f"SLEEP {self.pause}")
            return 200, [line for _ in range(self.words) for line in word]
        return 200, sse(self.then)


def case_statuses(data_dir: Path) -> list[str]:
    """What the process has stored, read the way an operator would, with the sqlite3 module."""
    path = data_dir / "skinbot.sqlite3"
    if not path.exists():
        return []
    with sqlite3.connect(path, timeout=5) as db:
        return [row[0] for row in db.execute("SELECT status FROM cases ORDER BY queue_seq")]


async def photo_then_name(api: FakeBotApi, user: FakeUser, lang: str, photo: bytes, t: Translator) -> None:
    """One close-up, "Done", the body site skipped: the intake waits for the name."""

    def said(key: str, **args: object) -> SentMessage | None:
        return next((m for m in user.inbox() if m.text == t(lang, key, **args)), None)

    await user.send_photo(photo)
    await api.wait_for(lambda: said("ask-more-photos", count=1, max=3) is not None, 60)
    more = said("ask-more-photos", count=1, max=3)
    assert more is not None
    await user.press(more, button(more, "answer", "done"))
    await api.wait_for(lambda: said("ask-body-site") is not None, 60)
    site = said("ask-body-site")
    assert site is not None
    await user.press(site, button(site, "skip"))
    await api.wait_for(lambda: said("ask-name", max=NAME_MAX) is not None, 60)


async def whole_intake(api: FakeBotApi, user: FakeUser, lang: str, photo: bytes, t: Translator) -> None:
    """/start → agree → photo, "Done", no site, name, age, gender, no history, report language → Confirm."""

    def has(key: str, **args: object) -> bool:
        return any(m.text == t(lang, key, **args) for m in user.inbox())

    def message(key: str):  # type: ignore[no-untyped-def]
        return next(m for m in user.inbox() if m.text == t(lang, key))

    await user.send("/start")
    await api.wait_for(lambda: has("consent-ask"), 60)
    await user.press(message("consent-ask"), button(message("consent-ask"), "agree", lang))
    await api.wait_for(lambda: has("ask-photo"), 60)
    await photo_then_name(api, user, lang, photo, t)
    await user.send(f"Patient {user.id}")
    await api.wait_for(lambda: has("ask-age"), 60)
    await user.send("30")
    await api.wait_for(lambda: has("ask-gender"), 60)
    await user.press(message("ask-gender"), button(message("ask-gender"), "answer", "male"))
    await api.wait_for(lambda: has("ask-history"), 60)
    await user.press(message("ask-history"), button(message("ask-history"), "skip"))
    await api.wait_for(lambda: has("ask-report-language"), 60)
    ask = message("ask-report-language")
    await user.press(ask, button(ask, "answer", lang))

    def confirmable(m: SentMessage) -> bool:
        return any(b["callback_data"].startswith("confirm|") for b in m.buttons())

    def summary():  # type: ignore[no-untyped-def]
        return next((m for m in user.inbox() if confirmable(m)), None)

    await api.wait_for(lambda: summary() is not None, 60)
    await user.press(summary(), button(summary(), "confirm"))


def pdfs(user: FakeUser) -> int:
    return sum(m.document is not None for m in user.inbox())
