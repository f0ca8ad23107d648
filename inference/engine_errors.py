"""What goes wrong with an OpenAI-compatible engine, and how it reaches a log line: the errors, whether a
row is worth another attempt, and the server's reason on one line, scrubbed of the patient's history."""

from __future__ import annotations

import json
from typing import Any

REASON_CHARS = 300
MAX_SCRUBBED_CHARS = 20_000  # of a server's error message; bounds the scrubbing work
HISTORY_RUN = 10  # characters shared with the history that count as an echo of it
RETRY_STATUSES = frozenset({408, 409, 425, 429})  # 4xx that mean "try again", not "your request is wrong"


class EngineError(RuntimeError):
    """The engine cannot serve reports; the message is one line naming the URL and what is wrong."""


class Retryable(Exception):
    """Connection refused or broken, a 5xx, an error event mid-stream: worth another attempt."""


class Fatal(Exception):
    """A 4xx or a stream with nothing valid in it: another attempt would fail the same way."""


def first_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:REASON_CHARS]


def scrub_history(message: str, history: str | None) -> str:
    """`message` on one line, with every run of HISTORY_RUN or more characters that also occurs in the
    history replaced by "[history]".

    Servers sometimes echo the request in an error: as the prompt (the history's line breaks intact), as
    the JSON body (line breaks and non-ASCII escaped), or cut off part-way. Both sides are compared with
    whitespace collapsed, against the history as it was sent and in both JSON escapings, so none of these
    forms reaches a log line.
    """
    text = " ".join(message[:MAX_SCRUBBED_CHARS].split())
    if not history:
        return text
    forms = (history, json.dumps(history)[1:-1], json.dumps(history, ensure_ascii=False)[1:-1])
    for form in dict.fromkeys(" ".join(f.split()) for f in forms):
        text = _replace_shared_runs(text, form)
    return text


def _replace_shared_runs(text: str, source: str) -> str:
    out: list[str] = []
    start = at = 0
    while at <= len(text) - HISTORY_RUN:
        if text[at : at + HISTORY_RUN] not in source:
            at += 1
            continue
        end = at + HISTORY_RUN
        while end < len(text) and text[at : end + 1] in source:
            end += 1
        out += [text[start:at], "[history]"]
        start = at = end
    out.append(text[start:])
    return "".join(out)


def server_reason(body: bytes | str, history: str | None = None) -> str:
    """The server's error message on one line: OpenAI's {"error": {"message"}}, FastAPI's {"detail"}, text.

    Scrubbed of the history before it is cut to REASON_CHARS, so a cut-off echo cannot slip through."""
    raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    message: Any = raw
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if isinstance(data, dict):
        error = data.get("error", data.get("detail", data.get("message")))
        if isinstance(error, dict):
            error = error.get("message", error)
        message = error if error is not None else raw
    text = scrub_history(str(message), history)
    return (text[:REASON_CHARS] + "…") if len(text) > REASON_CHARS else (text or "(no message)")
