"""Webhook mode: the real Application behind its webhook server (bot/webhook_server.py), the fake Bot API
in Telegram's place. An update without the secret token is refused with 403 and never handled; with it, the
bot answers over the Bot API. A large body is refused before it is read, a body that is not an update gets
400, and a connection that does not finish its request is closed. Start-up refuses a webhook without a
secret, in one line."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import httpx
import pytest

from skinbot.cli import main
from tests.bot.helpers import button
from tests.conftest import TOKEN, Harness, settings_for
from tests.ops.helpers import WEBHOOK_SECRET, WEBHOOK_URL, free_port, post_update
from tests.raw_http import close_all, count_closed, open_idle, read_until_closed

PATH = "telegram/skinbot"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MB = 1024 * 1024


def start_update(update_id: int, user_id: int) -> dict:
    """A /start message exactly as Telegram posts it to a webhook."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Webhook"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Webhook", "language_code": "en"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def start_webhook(harness: Harness, tmp_path: Path, **settings: str) -> int:
    """The bot in webhook mode on a free port; returns the port."""
    port = free_port()
    harness.settings = settings_for(
        harness.api,
        tmp_path / "var",
        TELEGRAM_WEBHOOK_URL=WEBHOOK_URL,
        TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
        SKINBOT_WEBHOOK_PORT=str(port),
        **settings,
    )
    await harness.start()
    return port


async def test_webhook_needs_the_secret_and_answers_with_it(harness: Harness, tmp_path: Path) -> None:
    port = await start_webhook(harness, tmp_path)
    api = harness.api

    # The bot registered its public URL and the secret with Telegram, and does not poll.
    assert api.webhook is not None
    assert api.webhook["url"] == WEBHOOK_URL
    assert api.webhook["secret_token"] == WEBHOOK_SECRET
    assert api.calls_of("getUpdates") == []

    user = api.user(601, "en")
    refused = [
        await post_update(port, PATH, start_update(9001, user.id), secret=None),
        await post_update(port, PATH, start_update(9002, user.id), secret="wrong-secret-0123456789"),
    ]
    assert [r.status_code for r in refused] == [403, 403]

    accepted = await post_update(port, PATH, start_update(9003, user.id), secret=WEBHOOK_SECRET)
    assert accepted.status_code == 200
    await harness.wait_key(user, "en", "consent-ask")

    # Updates from here on arrive the way Telegram sends them: posted with the secret the bot registered,
    # passed on unchanged by the proxy. A button press works too.
    api.webhook_upstream = f"http://127.0.0.1:{port}/{PATH}"
    consent = next(m for m in user.inbox() if m.text == harness.t("en", "consent-ask"))
    await user.press(consent, button(consent, "agree", "en"))
    await harness.wait_key(user, "en", "ask-photo")
    assert api.webhook_answers == [200]

    # Only the update with the secret was handled: one greeting, however long we look.
    greetings = [m for m in user.inbox() if m.text == harness.t("en", "consent-ask")]
    assert len(greetings) == 1
    assert api.calls_of("getUpdates") == []


async def test_a_body_that_is_not_an_update_gets_400_and_the_bot_goes_on(
    harness: Harness, tmp_path: Path
) -> None:
    port = await start_webhook(harness, tmp_path)
    headers = {SECRET_HEADER: WEBHOOK_SECRET, "Content-Type": "application/json"}
    async with httpx.AsyncClient(timeout=30) as client:
        statuses = [
            (await client.post(f"http://127.0.0.1:{port}/{PATH}", content=body, headers=headers)).status_code
            for body in (b'{"update_id": 1, "message": {"te', b"\xff\xfe not utf-8", b"[1, 2]", b"null")
        ]
    assert statuses == [400, 400, 400, 400]
    user = harness.api.user(603, "en")
    assert (
        await post_update(port, PATH, start_update(9101, user.id), secret=WEBHOOK_SECRET)
    ).status_code == 200
    await harness.wait_key(user, "en", "consent-ask")


async def answer_to_a_big_body(port: int, secret: str | None, chunked: bool = False) -> bytes:
    """POST a 2 MB body, but send only as much as a server that answers in time needs to see: 64 kB of it
    with its Content-Length, or up to 1.5 MB of chunks with none. A server that reads bodies whole waits
    for the rest and never answers."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    answer = asyncio.create_task(read_until_closed(reader))
    head = f"POST /{PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    if secret is not None:
        head += f"{SECRET_HEADER}: {secret}\r\n"
    head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else f"Content-Length: {2 * MB}\r\n\r\n"
    piece = b" " * (64 * 1024)
    try:
        writer.write(head.encode())
        if not chunked:
            writer.write(piece)
        else:
            for _ in range(24):
                if answer.done():
                    break
                writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                await writer.drain()
        await writer.drain()
    except ConnectionError:
        pass  # the server refused and closed while the body was on its way
    try:
        return await asyncio.wait_for(answer, 30)
    finally:
        writer.close()


async def test_a_large_body_is_refused_before_it_is_read(harness: Harness, tmp_path: Path) -> None:
    port = await start_webhook(harness, tmp_path)
    answers = [
        await answer_to_a_big_body(port, secret=None),
        await answer_to_a_big_body(port, secret="wrong-secret-0123456789"),
        await answer_to_a_big_body(port, secret=WEBHOOK_SECRET),
        await answer_to_a_big_body(port, secret=None, chunked=True),
        await answer_to_a_big_body(port, secret=WEBHOOK_SECRET, chunked=True),
    ]
    assert [a.split(b"\r\n", 1)[0] for a in answers] == [
        b"HTTP/1.1 403 Forbidden",
        b"HTTP/1.1 403 Forbidden",
        b"HTTP/1.1 413 Request Entity Too Large",
        b"HTTP/1.1 403 Forbidden",
        b"HTTP/1.1 413 Request Entity Too Large",
    ]


def unfinished_body() -> bytes:
    """A request with the secret whose headers are complete and whose body never comes."""
    return (
        f"POST /{PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n{SECRET_HEADER}: {WEBHOOK_SECRET}\r\n"
        "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
    ).encode()


async def test_a_request_whose_headers_do_not_come_is_closed(harness: Harness, tmp_path: Path) -> None:
    port = await start_webhook(harness, tmp_path, SKINBOT_HTTP_HEADER_TIMEOUT="1")
    half = await open_idle(port, 20, f"POST /{PATH} HTTP/1.1\r\nContent-Ty".encode())
    body = await open_idle(port, 5, unfinished_body())
    try:
        assert await count_closed(half, within=20) == 20
        # Their headers were in: the header timeout is over for them, and the body timeout is a minute.
        assert await count_closed(body, within=2) == 0
    finally:
        close_all(half + body)


async def test_a_request_whose_body_does_not_come_is_closed(harness: Harness, tmp_path: Path) -> None:
    port = await start_webhook(
        harness, tmp_path, SKINBOT_HTTP_HEADER_TIMEOUT="300", SKINBOT_HTTP_BODY_TIMEOUT="1"
    )
    body = await open_idle(port, 5, unfinished_body())
    try:
        assert await count_closed(body, within=20) == 5
    finally:
        close_all(body)


async def test_connections_over_the_cap_are_closed_at_once(harness: Harness, tmp_path: Path) -> None:
    from bot.webhook_server import MAX_CONNECTIONS

    port = await start_webhook(harness, tmp_path, SKINBOT_HTTP_HEADER_TIMEOUT="300")
    idle = await open_idle(port, MAX_CONNECTIONS)
    try:
        over = await open_idle(port, 1)
        assert await count_closed(over, within=20) == 1
        assert await count_closed(idle, within=1) == 0
    finally:
        close_all(idle)
    # Served again once the server has seen the idle connections go.
    user = harness.api.user(604, "en")
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        try:
            response = await post_update(port, PATH, start_update(9102, user.id), secret=WEBHOOK_SECRET)
            break
        except httpx.TransportError:
            assert asyncio.get_running_loop().time() < deadline, "not served again"
            await asyncio.sleep(0.1)
    assert response.status_code == 200


async def test_polling_stays_the_default_and_clears_a_webhook(harness: Harness) -> None:
    harness.api.webhook = {"url": WEBHOOK_URL, "secret_token": WEBHOOK_SECRET}  # left by an earlier run
    await harness.start()
    assert harness.api.webhook is None
    assert harness.api.calls_of("deleteWebhook")
    user = harness.api.user(602, "en")
    await user.send("/start")
    await harness.wait_key(user, "en", "consent-ask")


@pytest.fixture
def only_the_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No TELEGRAM_ or SKINBOT_ setting of ours and no .env: the token alone, and a Bot API never reached."""
    for key in list(os.environ):
        if key.startswith(("TELEGRAM_", "SKINBOT_")):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9/bot")  # never reached: refused before
    return monkeypatch


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        (["run", "--webhook"], {}, "TELEGRAM_WEBHOOK_URL is not set"),
        (["run", "--webhook"], {"TELEGRAM_WEBHOOK_URL": WEBHOOK_URL}, "TELEGRAM_WEBHOOK_SECRET is not set"),
        # The URL alone selects webhook mode, and still needs the secret.
        (["run"], {"TELEGRAM_WEBHOOK_URL": WEBHOOK_URL}, "TELEGRAM_WEBHOOK_SECRET is not set"),
        (["run"], {"TELEGRAM_WEBHOOK_URL": "http://bot.example.org/hook"}, "TELEGRAM_WEBHOOK_URL="),
        (["run"], {"TELEGRAM_WEBHOOK_URL": WEBHOOK_URL, "TELEGRAM_WEBHOOK_SECRET": "short"}, "(hidden)"),
    ],
)
def test_start_up_refuses_a_webhook_it_cannot_run_in_one_line(
    args: list[str],
    env: dict[str, str],
    named: str,
    only_the_token: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for key, value in env.items():
        only_the_token.setenv(key, value)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and named in err, err
    assert "short" not in err and "Traceback" not in err
