"""Typed callback data. Telegram lets a client send any callback string, so every field is checked."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.intake import Step

# Steps travel as one letter: callback data is limited to 64 bytes.
_STEP_CODES = {step: chr(ord("a") + i) for i, step in enumerate(Step)}
_CODE_STEPS = {code: step for step, code in _STEP_CODES.items()}
MAX_BYTES = 64


@dataclass(frozen=True)
class Callback:
    action: str
    value: str = ""
    owner: int = 0  # the Telegram user the button was shown to
    step: Step | None = None  # the intake step it was shown at, to spot stale presses

    def pack(self) -> str:
        step = _STEP_CODES[self.step] if self.step else ""
        data = f"{self.action}|{self.value}|{step}|{self.owner}"
        if len(data.encode()) > MAX_BYTES:
            raise ValueError("callback data over 64 bytes")
        return data

    @classmethod
    def unpack(cls, data: str | None) -> Callback | None:
        if not data or len(data.encode()) > MAX_BYTES:
            return None
        parts = data.split("|")
        if len(parts) != 4 or not parts[3].isdigit():
            return None
        action, value, step, owner = parts
        if step and step not in _CODE_STEPS:
            return None
        return cls(action, value, int(owner), _CODE_STEPS.get(step))
