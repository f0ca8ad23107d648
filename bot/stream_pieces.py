"""A streamed report cut into message-sized pieces, the same way whichever way it is shown.

The text only grows while it streams (a writer never takes text back; a restart starts over with `reset`),
so a piece that is complete never changes again, unless the report ends on other words than streamed
(`revise`). The opening summary, when the report has one, is a piece of its own, complete as soon as the
next section begins: the patient gets the short analysis as a message of its own before the full report.
The rest is cut before `limit` characters at a paragraph, sentence or space.
"""

from __future__ import annotations

from bot.chunking import MESSAGE_LIMIT, cut_point, settled_point
from casework.report_markup import summary_end

# Headroom under 4096 leaves room for the cursor and for formatting that adds visible characters.
PIECE_LIMIT = MESSAGE_LIMIT - 96


class Pieces:
    def __init__(self, limit: int = PIECE_LIMIT) -> None:
        self.limit = limit
        self.reset()

    def reset(self) -> None:
        self.text = ""
        self.frozen: list[str] = []  # complete pieces, in order
        self.summary = False  # the first complete piece is the report's summary
        self._frozen_len = 0
        self._looking_for_summary = True

    @property
    def tail(self) -> str:
        """The piece still growing."""
        return self.text[self._frozen_len :]

    @property
    def settled_tail(self) -> str:
        """The part of the growing piece that no later text can move to the next piece: what a draft shows,
        so a draft never shows words that then jump to the next message."""
        tail = self.tail
        return tail[: settled_point(tail, self.limit)]

    def append(self, delta: str) -> None:
        self.text += delta
        if self._looking_for_summary:
            end = summary_end(self.text)
            if end is not None:
                self._looking_for_summary = False
                if 0 < end <= self.limit:
                    self._freeze(self.text[:end])
                    self.summary = True
        tail = self.tail
        while len(tail) > self.limit:
            self._looking_for_summary = False
            piece = tail[: cut_point(tail, self.limit)]
            self._freeze(piece)
            tail = tail[len(piece) :]

    def revise(self, text: str) -> None:
        """The text as it was finally settled, which may differ from what streamed (an urgency line set to
        the triage's: inference.urgency), cut afresh. A cut depends only on the text before it, so the
        pieces before the first changed one come out as they were."""
        if text != self.text:
            self.reset()
            self.append(text)

    def _freeze(self, piece: str) -> None:
        self.frozen.append(piece)
        self._frozen_len += len(piece)

    def all(self) -> list[str]:
        """Every piece, the growing one last; [""] before any text."""
        tail = self.tail
        return [*self.frozen, tail] if tail or not self.frozen else list(self.frozen)

    def is_summary(self, index: int) -> bool:
        return self.summary and index == 0
