"""Per-row streaming and per-row stopping for batched `model.generate`.

transformers' TextIteratorStreamer rejects batch > 1, so the worker could not stream several reports from one
forward pass. BatchStreamer decodes each row on its own and hands text deltas to `on_delta(row, text)`;
RowStoppingCriteria lets the caller end single rows (repetition, cancel) or the whole batch (timeout).

Imported only by the worker side (it imports torch and transformers).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import torch
from transformers.generation.stopping_criteria import StoppingCriteria
from transformers.generation.streamers import BaseStreamer

OnDelta = Callable[[int, str], None]


class _RowDecoder:
    """Incremental detokenizer for one row.

    Decodes a short window of recent tokens and emits only the growth of that window, so SentencePiece
    spacing stays right and the cost per token stays constant. Text ending in U+FFFD is held back: the
    token so far carries only part of a multi-byte character (Gemma falls back to byte tokens for rare
    Hangul and Vietnamese syllables).
    """

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        self.ids: list[int] = []
        self.prefix_offset = 0
        self.read_offset = 0
        self.text = ""

    def _decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)

    def push(self, token_id: int) -> str:
        self.ids.append(token_id)
        prefix_text = self._decode(self.ids[self.prefix_offset : self.read_offset])
        new_text = self._decode(self.ids[self.prefix_offset :])
        if len(new_text) > len(prefix_text) and not new_text.endswith("\ufffd"):
            delta = new_text[len(prefix_text) :]
            self.prefix_offset = self.read_offset
            self.read_offset = len(self.ids)
            self.text += delta
            return delta
        return ""

    def flush(self) -> str:
        """Release whatever is still pending, even an incomplete character, at the end of the stream."""
        if self.read_offset >= len(self.ids):
            return ""
        prefix_text = self._decode(self.ids[self.prefix_offset : self.read_offset])
        new_text = self._decode(self.ids[self.prefix_offset :])
        delta = new_text[len(prefix_text) :] if new_text.startswith(prefix_text) else ""
        self.prefix_offset = self.read_offset = len(self.ids)
        self.text += delta
        return delta


class BatchStreamer(BaseStreamer):
    """A `generate(streamer=...)` target that streams every row of a batch separately.

    The first `put` is the (left-padded) prompt and is skipped. Each later `put` holds one new token per row.
    A row stops consuming tokens once it produced an EOS id or was ended with `finish_row` (the pad tokens
    generate appends afterwards are ignored). Special tokens never reach `on_delta`.
    """

    def __init__(
        self,
        tokenizer: Any,
        batch_size: int,
        on_delta: OnDelta,
        eos_token_ids: Iterable[int] = (),
        skip_prompt: bool = True,
    ) -> None:
        self.batch_size = batch_size
        self.on_delta = on_delta
        self.eos_token_ids = frozenset(int(t) for t in eos_token_ids)
        self._skip_next = skip_prompt
        self._rows = [_RowDecoder(tokenizer) for _ in range(batch_size)]
        self._done = [False] * batch_size
        self._hit_eos = [False] * batch_size
        self._tokens = [0] * batch_size
        self.ended = False
        # Timing for the benchmark: the first put after the prompt is the prefill's token.
        self.started_at = time.perf_counter()
        self.first_token_at: float | None = None
        self.last_token_at: float | None = None
        self.steps = 0

    def put(self, value: torch.Tensor) -> None:
        if self._skip_next:
            self._skip_next = False
            return
        now = time.perf_counter()
        if self.first_token_at is None:
            self.first_token_at = now
        self.last_token_at = now
        self.steps += 1
        ids = value.reshape(self.batch_size, -1).tolist()
        for row, row_ids in enumerate(ids):
            for token_id in row_ids:
                self._push(row, int(token_id))

    def _push(self, row: int, token_id: int) -> None:
        if self._done[row]:
            return
        if token_id in self.eos_token_ids:
            self._hit_eos[row] = True
            self.finish_row(row)
            return
        self._tokens[row] += 1
        delta = self._rows[row].push(token_id)
        if delta:
            self.on_delta(row, delta)

    def finish_row(self, row: int) -> None:
        """Stop consuming tokens for `row` and release its pending bytes."""
        if self._done[row]:
            return
        self._done[row] = True
        delta = self._rows[row].flush()
        if delta:
            self.on_delta(row, delta)

    def end(self) -> None:
        for row in range(self.batch_size):
            self.finish_row(row)
        self.ended = True

    def is_done(self, row: int) -> bool:
        return self._done[row]

    def hit_eos(self, row: int) -> bool:
        return self._hit_eos[row]

    def tokens(self, row: int) -> int:
        """Generated tokens accepted for `row` (EOS and padding excluded)."""
        return self._tokens[row]

    def text(self, row: int) -> str:
        """All text delivered for `row` so far: exactly the concatenation of its deltas."""
        return self._rows[row].text

    def token_ids(self, row: int) -> list[int]:
        return list(self._rows[row].ids)


class RowStoppingCriteria(StoppingCriteria):
    """Ends rows for which `should_stop(row)` is true, and every row once `deadline` (monotonic) passes.

    transformers calls this after each decoding step with the ids so far and expects a bool tensor with one
    entry per row; a True row gets padding from then on, and generate returns when all rows are done. The
    streamer, if given, is told right away so the token generated in the same step is not shown.
    """

    def __init__(
        self,
        should_stop: Callable[[int], bool],
        streamer: BatchStreamer | None = None,
        deadline: float | None = None,
    ) -> None:
        self.should_stop = should_stop
        self.streamer = streamer
        self.deadline = deadline
        self.timed_out = False
        self.stopped_rows: set[int] = set()  # ended by should_stop
        self.timeout_rows: set[int] = set()  # still running when the deadline passed

    def __call__(self, input_ids: torch.LongTensor, scores: Any = None, **kwargs: Any) -> torch.BoolTensor:
        batch = input_ids.shape[0]
        expired = self.deadline is not None and time.monotonic() >= self.deadline
        self.timed_out = self.timed_out or expired
        flags: list[bool] = []
        for row in range(batch):
            finished = self.streamer is not None and self.streamer.is_done(row)
            if row in self.stopped_rows or row in self.timeout_rows:
                flags.append(True)
                continue
            if not finished and self.should_stop(row):
                self.stopped_rows.add(row)
            elif not finished and expired:
                self.timeout_rows.add(row)
            else:
                flags.append(finished or expired)
                continue
            if self.streamer is not None:
                self.streamer.finish_row(row)
            flags.append(True)
        return torch.tensor(flags, dtype=torch.bool, device=input_ids.device)
