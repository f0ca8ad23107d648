"""Logging that never carries the bot token or patient data, whatever library formats the line, and that
a flood of connections cannot flood.

Four filters sit on the one handler `configure_logging` installs:

- `OncePerMinute` lets each line that a flood writes once per connection (asyncio's "accept() out of
  system resource" when file handles run out: 559,102 lines in 35 s in the security review) through at
  most once a minute, saying how many it held back.
- `WithholdUpdates` cuts the data off python-telegram-bot's "Received data was ..." lines: an update it
  cannot parse is logged whole, at CRITICAL, and that is what a patient typed.
- `QuietLibraries` drops other libraries' records below INFO. At DEBUG python-telegram-bot logs every
  Bot API call with its parameters and every update it receives (patient names and histories as they
  were typed), aiosqlite logs each statement with its bound values, and httpx/httpcore log request URLs
  (which hold the token) and headers. Nothing in those lines can be redacted reliably, so they go.
- `Redact` replaces the token (and any other secret given) in the message, the traceback and the stack.
  `secret_values(settings)` lists every setting that is a `Secret` (bot token, data key, engine key), so
  a secret added to the settings later is redacted without anyone remembering to list it.

Our own modules (`OWN_LOGGERS`) keep DEBUG: they never log names, histories or photos.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import fields
from typing import TextIO

from casework.secret import Secret

OWN_LOGGERS: tuple[str, ...] = (
    "skinbot",
    "bot",
    "web",
    "classifier_lab",
    "casework",
    "inference",
    "conversations",
    "__main__",
)

REDACTED = "<token>"


# (logger, words of the line): lines written once per connection or per try, which a flood multiplies.
# asyncio tries accept() up to the listen backlog in every loop tick, and logs each failure; uvicorn warns
# for each request over the concurrency limit and each malformed one; the web port for each connection
# over its cap (web/http_limits.py).
FLOOD_LINES: tuple[tuple[str, str], ...] = (
    ("asyncio", "accept() out of system resource"),
    ("uvicorn.error", "Exceeded concurrency limit"),
    ("uvicorn.error", "Invalid HTTP request received"),
    ("web.http_limits", "a connection was refused"),
)


class OncePerMinute(logging.Filter):
    """Each of `lines` passes at most once per `every_s`; the next to pass says how many were held back."""

    def __init__(
        self,
        lines: Iterable[tuple[str, str]] = FLOOD_LINES,
        every_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._lines = tuple(lines)
        self._every_s = every_s
        self._clock = clock
        self._last: dict[int, float] = {}
        self._held: dict[int, int] = {}
        self._lock = threading.Lock()  # handlers call filters outside their own lock

    def _which(self, record: logging.LogRecord) -> int | None:
        for number, (logger, words) in enumerate(self._lines):
            if record.name == logger and words in str(record.msg):
                return number
        return None

    def filter(self, record: logging.LogRecord) -> bool:
        which = self._which(record)
        if which is None:
            return True
        with self._lock:
            now = self._clock()
            last = self._last.get(which)
            if last is not None and now - last < self._every_s:
                self._held[which] = self._held.get(which, 0) + 1
                return False
            self._last[which] = now
            held = self._held.pop(which, 0)
        if held:
            record.msg = f"{record.getMessage()} (and {held} more like it since the last one logged)"
            record.args = None
        return True


class WithholdUpdates(logging.Filter):
    """python-telegram-bot logs an update it cannot parse with its data (`Bot.get_updates`: "Error while
    parsing updates! Received data was %r"; its webhook handler likewise). The line stays, without it."""

    MARK = "Received data was"

    def filter(self, record: logging.LogRecord) -> bool:
        if (
            record.name.split(".", 1)[0] == "telegram"
            and record.args
            and isinstance(record.msg, str)
            and self.MARK in record.msg
        ):
            head = record.msg[: record.msg.rindex(self.MARK)]
            record.msg = f"{head}{self.MARK} not logged: it can hold what a patient typed"
            record.args = None
        return True


class QuietLibraries(logging.Filter):
    """Below INFO, only records from our own loggers pass; library records lose their tracebacks."""

    def __init__(self, own: Iterable[str] = OWN_LOGGERS, min_level: int = logging.INFO) -> None:
        super().__init__()
        self._own = tuple(own)
        self._min_level = min_level

    def filter(self, record: logging.LogRecord) -> bool:
        top = record.name.split(".", 1)[0]
        if top in self._own:
            return True
        if record.levelno < self._min_level:
            return False
        if record.exc_info and record.exc_info[1] is not None:
            # A library's traceback (python-telegram-bot's retry loop, httpx) tells an operator nothing that
            # the exception's type does not, and can carry request details: keep one line.
            record.msg = f"{record.getMessage()} [{type(record.exc_info[1]).__name__}]"
            record.args, record.exc_info, record.exc_text = None, None, None
        return True


class Redact(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        try:
            text = record.getMessage()
        except Exception:  # a malformed format string: keep only the template, never the raw args
            text, record.args = str(record.msg), None
        scrubbed = self._scrub(text)
        if scrubbed != text:
            record.msg, record.args = scrubbed, None
        # Formatters cache the traceback in exc_text; filling it here means the cached text is the clean one.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self._scrub(record.stack_info)
        return True


def secret_values(settings: object) -> list[str]:
    """The value of every `Secret` field of a settings object, for `Redact`."""
    values = (getattr(settings, f.name) for f in fields(settings))  # type: ignore[arg-type]
    return [v.get() for v in values if isinstance(v, Secret) and v.get()]


def install_filters(
    handler: logging.Handler, secrets: Iterable[str], clock: Callable[[], float] = time.monotonic
) -> logging.Handler:
    """The filters production uses, on any handler (tests capture with the same ones). Order matters: the
    flood lines go before any work is spent on them, the update data before a filter formats the line."""
    handler.addFilter(OncePerMinute(clock=clock))
    handler.addFilter(WithholdUpdates())
    handler.addFilter(QuietLibraries())
    handler.addFilter(Redact(secrets))
    return handler


def configure_logging(level: str, secrets: Iterable[str], stream: TextIO | None = None) -> logging.Handler:
    """One handler on the root logger for everything; returns it so callers (tests) can remove it."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    install_filters(handler, secrets)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token: redacted, but still noise.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return handler
