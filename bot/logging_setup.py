"""Logging that never carries the bot token or patient data, whatever library formats the line.

Two filters sit on the one handler `configure_logging` installs:

- `QuietLibraries` drops other libraries' records below INFO. At DEBUG python-telegram-bot logs every
  Bot API call with its parameters and every update it receives (patient names and histories as they
  were typed), aiosqlite logs each statement with its bound values, and httpx/httpcore log request URLs
  (which hold the token) and headers. Nothing in those lines can be redacted reliably, so they go.
- `Redact` replaces the token (and any other secret given) in the message, the traceback and the stack.
  `secret_values(settings)` lists every setting that is a `Secret` (bot token, data key, engine key), so
  a secret added to the settings later is redacted without anyone remembering to list it.

Our own modules (bot, conversations, inference) keep DEBUG: they never log names, histories or photos.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from dataclasses import fields
from typing import TextIO

from bot.settings import Secret

OWN_LOGGERS: tuple[str, ...] = ("bot", "conversations", "inference", "web", "skinbot", "__main__")
REDACTED = "<token>"


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


def install_filters(handler: logging.Handler, secrets: Iterable[str]) -> logging.Handler:
    """The filters production uses, on any handler (tests capture with the same ones)."""
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
