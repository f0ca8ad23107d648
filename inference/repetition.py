"""An incremental guard that stops a report when the model starts repeating itself.

Small LLMs under greedy decoding fall into loops: the seed's sample report repeated its treatment section
three times. The guard works on sentence-sized units and never emits text it may later want back:

* Text is released one completed unit at a time (a sentence ending in . ! ? … 。 ！ ？ followed by
  whitespace, or a line ending in a newline); the unfinished tail is held back.
* A completed unit that already occurred verbatim (whitespace-insensitive) is held back too, together with
  the repeated units right before it, as long as they form one contiguous run that occurred earlier.
* When such a repeated run reaches MIN_REPEAT_CHARS (a sentence or paragraph of 40+ characters), the guard
  trips: the run is dropped, so the output keeps exactly one copy, and `stopped` becomes True.
* A unit that breaks the run releases everything held, so short legitimate repeats ("- Yes.") are only
  delayed, never lost.

Because nothing emitted is ever retracted, the concatenation of everything `feed` and `finish` return is
the final text. Pure Python: no torch, safe to unit-test in isolation.
"""

from __future__ import annotations

import re

MIN_REPEAT_CHARS = 40
# A sentence that never ends must not stall the stream forever; past this many characters the tail is
# released as if it were a unit.
MAX_HOLD_CHARS = 600

# Sentence ends: Western punctuation needs following whitespace (so "0.85" and "e.g.x" do not split);
# full-width CJK punctuation ends a sentence on its own. A newline always ends a unit.
_BOUNDARY = re.compile(r"(?:[.!?…](?=\s)|[。！？])[ \t]*|\n")
_SPACES = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


class RepetitionGuard:
    """Feed text deltas in order; emit what `feed` returns, then what `finish` returns."""

    def __init__(self, min_chars: int = MIN_REPEAT_CHARS, max_hold: int = MAX_HOLD_CHARS) -> None:
        self.min_chars = min_chars
        self.max_hold = max_hold
        self.stopped = False
        self._tail = ""  # unfinished unit
        self._held: list[str] = []  # completed units that so far replay earlier text
        self._emitted_norm = ""  # normalised text released so far, to search for repeats

    def feed(self, delta: str) -> str:
        """Add generated text; return the part that is safe to show now ("" once stopped)."""
        if self.stopped or not delta:
            return ""
        self._tail += delta
        out: list[str] = []
        while not self.stopped:
            match = _BOUNDARY.search(self._tail)
            if match is None:
                if len(self._tail) < self.max_hold:
                    break
                cut = len(self._tail)
            else:
                cut = match.end()
            unit, self._tail = self._tail[:cut], self._tail[cut:]
            out.append(self._complete(unit))
        return "".join(out)

    def finish(self) -> str:
        """The stream ended: release what is held, unless it is itself a long repeat."""
        if self.stopped:
            return ""
        out = ""
        if self._tail:
            unit, self._tail = self._tail, ""
            out = self._complete(unit)
        if not self.stopped and self._held:
            # A short repeated run at the very end is legitimate text (it never reached the threshold).
            out += self._release()
        return out

    @property
    def held_text(self) -> str:
        """Text generated but not yet released (for diagnostics; never contains released text)."""
        return "".join(self._held) + self._tail

    def _complete(self, unit: str) -> str:
        """Decide about one completed unit; return the text released by it."""
        key = _norm(unit)
        if not key:
            # Whitespace joins whatever run is open; alone it is released at once.
            if self._held:
                self._held.append(unit)
                return ""
            return self._emit(unit)
        run = _norm("".join(self._held) + unit)
        if self._held and run in self._emitted_norm:
            return self._extend_run(unit, run)
        released = self._release() if self._held else ""
        if key in self._emitted_norm:
            return released + self._extend_run(unit, key)
        return released + self._emit(unit)

    def _extend_run(self, unit: str, run: str) -> str:
        if len(run) >= self.min_chars:
            self.stopped = True
            self._held.clear()
            self._tail = ""
            return ""
        self._held.append(unit)
        return ""

    def _release(self) -> str:
        text = "".join(self._held)
        self._held.clear()
        return self._emit(text)

    def _emit(self, text: str) -> str:
        norm = _norm(text)
        if norm:
            self._emitted_norm = f"{self._emitted_norm} {norm}" if self._emitted_norm else norm
        return text
