"""The simulated users: who each one is, what they answer, and the instant report writer they get."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from benchmarks.bot_load.server import LoadBotApi
from casework.translator import Translator
from conversations.domain import Language
from inference.events import WriterResult
from testkit.sent_messages import SentMessage
from testkit.stand_in_writer import Batch, StandInWriter

STEP_TIMEOUT_S = 300.0
FIRST_USER_ID = 7_000_000
LANGS = tuple(Language)
GENDERS = ("female", "male", "other", "undisclosed")
# Markers that make every user's data recognisable wherever it shows up.
NAME_MARKER = re.compile(r"Patient N(\d{6})")
REF_MARKER = re.compile(r"R(\d{6})X")


def marker_of(request: Any) -> str:
    """The user's reference marker in a report request's history, which tells every report apart."""
    found = REF_MARKER.search(request.history or "")
    return found.group(0) if found else "no marker"


class FastWriter(StandInWriter):
    """A report writer that answers at once: a fixed text naming the history's marker, in a few deltas."""

    def write(self, batch: Batch) -> list[WriterResult]:
        results = []
        for row, request in enumerate(batch.requests):
            marker = marker_of(request)
            parts = [
                f"## 1. Visual observations\nFindings for {marker}: ",
                "a small, regular, evenly ",
                "coloured area.\n\n## 2. Recommended care\nSee a doctor if it changes.",
            ]
            for part in parts:
                if batch.should_stop(row):
                    break
                batch.on_delta(row, part)
            results.append(WriterResult("".join(parts), "eos", len(parts), image_seen=True))
        return results


@dataclass(frozen=True)
class UserPlan:
    index: int
    lang: str
    report_language: str
    gender: str

    @property
    def user_id(self) -> int:
        return FIRST_USER_ID + self.index

    @property
    def name(self) -> str:
        return f"Patient N{self.index:06d}"

    @property
    def ref(self) -> str:
        return f"R{self.index:06d}X"

    @property
    def history(self) -> str:
        return f"Dry itchy patch on the forearm for three weeks, reference {self.ref}."

    @property
    def age(self) -> int:
        return 18 + self.index % 70


def plans(users: int) -> list[UserPlan]:
    return [UserPlan(i, LANGS[i % 3], LANGS[(i // 3) % 3], GENDERS[i % len(GENDERS)]) for i in range(users)]


@dataclass
class Outcome:
    updates: int = 0
    confirmed_at: float | None = None
    error: str | None = None


def _button(
    messages: list[SentMessage], action: str, value: str | None = None
) -> tuple[SentMessage, str] | None:
    """The newest message with a button of this action (and value), and that button's callback data."""
    for message in reversed(messages):
        for b in message.buttons():
            parts = b.get("callback_data", "").split("|")
            if parts[0] == action and (value is None or parts[1] == value):
                return message, b["callback_data"]
    return None


class SimulatedUser:
    def __init__(self, api: LoadBotApi, t: Translator, plan: UserPlan, photo: bytes) -> None:
        self.api, self.t, self.plan, self.photo = api, t, plan, photo
        self.user = api.user(plan.user_id, plan.lang, first_name=f"U{plan.index}")
        self.outcome = Outcome()

    async def _text(self, key: str, **args: Any) -> SentMessage:
        text = self.t(self.plan.lang, key, **args)
        return await self.api.wait_chat(
            self.user.id, lambda ms: next((m for m in ms if m.text == text), None), STEP_TIMEOUT_S
        )

    async def _press(self, action: str, value: str | None = None) -> None:
        message, data = await self.api.wait_chat(
            self.user.id, lambda ms: _button(ms, action, value), STEP_TIMEOUT_S
        )
        self.outcome.updates += 1
        await self.user.press(message, data)

    async def _send(self, text: str) -> None:
        self.outcome.updates += 1
        await self.user.send(text)

    async def run(self) -> None:
        from conversations.validation import NAME_MAX

        p = self.plan
        try:
            await self._send("/start")
            await self._text("consent-ask")
            await self._press("agree", p.lang)
            await self._text("ask-photo")
            self.outcome.updates += 1
            await self.user.send_photo(self.photo, width=320, height=240)
            await self._text("ask-more-photos", count=1, max=3)
            await self._press("answer", "done")
            await self._text("ask-body-site")
            await self._press("skip")
            await self._text("ask-name", max=NAME_MAX)
            await self._send(p.name)
            await self._text("ask-age")
            await self._send(str(p.age))
            await self._text("ask-gender")
            await self._press("answer", p.gender)
            await self._text("ask-history")
            await self._send(p.history)
            await self._text("ask-report-language")
            await self._press("answer", p.report_language)
            summary, data = await self.api.wait_chat(
                self.user.id, lambda ms: _button(ms, "confirm"), STEP_TIMEOUT_S
            )
            self.outcome.confirmed_at = time.monotonic()
            self.outcome.updates += 1
            await self.user.press(summary, data)
            await self.api.wait_chat(
                self.user.id, lambda ms: next((m for m in ms if m.document is not None), None), STEP_TIMEOUT_S
            )
        except Exception as exc:
            self.outcome.error = f"{type(exc).__name__}: {exc}"
