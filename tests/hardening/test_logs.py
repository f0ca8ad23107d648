"""A full case at DEBUG, every library included, leaves no patient data, photo bytes or token in the logs;
an update the library cannot parse is logged without its text, and a flood of one line is logged once a
minute."""

from __future__ import annotations

import asyncio
import base64
import errno
import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from skinbot.logging_setup import configure_logging, install_filters
from tests.bot.helpers import agree, answer_until_summary, button, confirm
from tests.bot.test_report_delivery import use_models, wait_pdf
from tests.conftest import TOKEN, Harness
from tests.fakes import ScriptedWriter
from tests.ops.helpers import WEBHOOK_SECRET, post_update
from tests.ops.test_webhook import PATH, start_webhook

NAME = "Zebulon Quartermaine"
HISTORY = "Itchy ridges behind the left knee since Marchwick fair"


@pytest.fixture
def captured() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """(filtered, raw): production's handler as configure_logging installs it, and an unfiltered one."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    quiet = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    filtered, raw = io.StringIO(), io.StringIO()
    configure_logging("DEBUG", [TOKEN], stream=filtered)
    raw_handler = logging.StreamHandler(raw)
    raw_handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    # First in line, so it sees each record before the production filters touch it.
    root.handlers.insert(0, raw_handler)
    try:
        yield filtered, raw
    finally:
        root.handlers[:], root.level = saved
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)


def needles(photo: bytes) -> dict[str, str]:
    chunk = photo[3000:3048]  # inside the entropy-coded data: distinctive, 48 bytes = 64 base64 chars
    return {
        "patient name": NAME,
        "history": HISTORY,
        "photo base64": base64.b64encode(chunk).decode(),
        "photo base64 (whole file, head)": base64.b64encode(photo).decode()[:64],
        "photo hex": chunk.hex(),
        "photo repr": repr(chunk)[2:40],
        "bot token": TOKEN,
        "token secret part": TOKEN.split(":", 1)[1],
    }


async def test_full_case_logs_hold_no_secrets(
    harness: Harness,
    photo_bytes: bytes,
    trained_classifier_weights: Path,
    captured: tuple[io.StringIO, io.StringIO],
) -> None:
    filtered, raw = captured
    writer = ScriptedWriter(
        script=lambda r: "The lesion is small and regular. " * 5,
        fail_with=RuntimeError("model fell over"),
        fail_after_tokens=3,
    )
    use_models(harness, trained_classifier_weights, lambda s: writer)
    await harness.start()
    user = harness.api.user(901, "en")
    await agree(harness, user, "en")
    summary = await answer_until_summary(
        harness, user, "en", photo_bytes, name=NAME, history=HISTORY, report_language="en"
    )
    case_id = await confirm(harness, user, "en", summary)

    # Error path 1: the report model fails mid-report (a traceback from the worker), then a retry succeeds.
    failure = await harness.wait_text(
        user, harness.t("en", "report-failed", reason=harness.t("en", "failure-error")), timeout=30
    )
    writer.fail_with = None
    await user.press(failure, button(failure, "retry", case_id))
    await wait_pdf(harness, user)

    # Error path 2: a handler crashes with an error that carries a Bot API URL, as network errors do.
    store = harness.services.store

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"GET {harness.api.api_url}{TOKEN}/getFile failed")

    store.cases.recent = broken  # type: ignore[method-assign]
    await user.send("/cases")
    await harness.wait_key(user, "en", "error-generic")
    await harness.stop()

    out = filtered.getvalue()
    # The capture saw the run, errors and tracebacks included (so an empty log cannot pass).
    assert f"case {case_id[:8]} queued" in out
    assert "Traceback" in out and "model fell over" in out
    assert "handler on_cases failed" in out and "<token>/getFile" in out
    for what, needle in needles(photo_bytes).items():
        assert needle not in out, f"{what} leaked into the log"
    # The libraries do log this data at DEBUG: the filters, not quiet libraries, keep it out.
    unfiltered = raw.getvalue()
    assert NAME in unfiltered and TOKEN in unfiltered


def test_skinbot_run_redacts_every_secret_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`skinbot run` installs the log filters with every secret setting: the data key and engine key too."""
    from cryptography.fernet import Fernet

    import skinbot.app
    from skinbot import cli

    data_key = Fernet.generate_key().decode()
    engine_key = "sk-engine-secret-0123456789"
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "SKINBOT_DATA_KEY": data_key,
        "SKINBOT_LLM_API_KEY": engine_key,
        "SKINBOT_DATA_DIR": str(tmp_path / "var"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no .env file here

    class App:
        bot_data: dict[str, object] = {}  # noqa: RUF012 (read once, by `skinbot run`, after polling)

        def run_polling(self, **kwargs: object) -> None:
            # What a failing start-up might log: the settings' raw values in a message and a traceback.
            log = logging.getLogger("skinbot.app")
            log.error("could not open %s with key %s (engine key %s)", tmp_path, data_key, engine_key)
            try:
                raise ValueError(f"Fernet key {data_key} rejected; token {TOKEN}")
            except ValueError:
                log.exception("start-up failed")

    monkeypatch.setattr(skinbot.app, "build_application", lambda settings: App())
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        assert cli.main(["run"]) == 0
    finally:
        root.handlers[:], root.level = saved
    err = capsys.readouterr().err
    assert "start-up failed" in err and "Traceback" in err and "<token>" in err
    for secret in (data_key, engine_key, TOKEN):
        assert secret not in err


def unparseable_update(text: str) -> dict[str, object]:
    """A message update that python-telegram-bot cannot read (it has no date), carrying what was typed."""
    return {
        "message": {
            "message_id": 1,
            "chat": {"id": 903, "type": "private", "first_name": "Test"},
            "from": {"id": 903, "is_bot": False, "first_name": "Test"},
            "text": text,
        }
    }


async def test_an_update_the_library_cannot_parse_is_logged_without_its_text(
    harness: Harness, captured: tuple[io.StringIO, io.StringIO]
) -> None:
    """python-telegram-bot logs an update it cannot parse at CRITICAL, whole (here on the polling path,
    `Bot.get_updates`): the line stays, the patient's words do not."""
    from telegram import Bot

    filtered, raw = captured
    await harness.api.push_update(unparseable_update(HISTORY))
    async with Bot(TOKEN, base_url=harness.api.api_url) as bot:
        with pytest.raises(KeyError):
            await bot.get_updates(timeout=0)
    assert HISTORY in raw.getvalue()  # the library did log it
    out = filtered.getvalue()
    assert "Error while parsing updates" in out and "KeyError" in out
    assert HISTORY not in out


def test_a_flood_of_accept_errors_is_logged_once_a_minute() -> None:
    """asyncio logs "socket.accept() out of system resource" for each connection it could not take."""
    now = [1000.0]
    stream = io.StringIO()
    handler = install_filters(logging.StreamHandler(stream), [TOKEN], clock=lambda: now[0])
    root = logging.getLogger()
    root.addHandler(handler)
    loop = asyncio.new_event_loop()
    out_of_files = {
        "message": "socket.accept() out of system resource",
        "exception": OSError(errno.EMFILE, "Too many open files"),
    }

    def lines() -> list[str]:
        return [line for line in stream.getvalue().splitlines() if "out of system resource" in line]

    try:
        for _ in range(500):
            loop.call_exception_handler(out_of_files)
        assert len(lines()) == 1
        now[0] += 59.0
        for _ in range(500):
            loop.call_exception_handler(out_of_files)
        assert len(lines()) == 1
        now[0] += 2.0  # a minute after the first
        loop.call_exception_handler(out_of_files)
        assert len(lines()) == 2
        assert "999 more" in lines()[1]
        # Other lines of the same logger pass as before.
        logging.getLogger("asyncio").error("Task exception was never retrieved")
        assert "Task exception was never retrieved" in stream.getvalue()
    finally:
        loop.close()
        root.removeHandler(handler)


async def test_an_update_posted_to_the_webhook_that_cannot_be_read_leaves_no_text_in_the_log(
    harness: Harness, tmp_path: Path, captured: tuple[io.StringIO, io.StringIO]
) -> None:
    filtered, _ = captured
    port = await start_webhook(harness, tmp_path)
    update = {"update_id": 9201, **unparseable_update(HISTORY)}
    response = await post_update(port, PATH, update, secret=WEBHOOK_SECRET)
    assert response.status_code == 400
    out = filtered.getvalue()
    assert "KeyError" in out  # the refusal is logged (so an empty log cannot pass), with the error's type
    assert HISTORY not in out
