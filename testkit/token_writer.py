"""The token loop that every scripted stand-in for the report model shares (the test fakes and the bot load
benchmark's writers): each row's tokens are known in advance and written one step at a time across the
batch, as a batched model decodes, so the queue, streaming and bot code that reads them is real."""

from __future__ import annotations

import time
from typing import Any

from inference.batch_writer import BatchWriter, WriterBatch
from inference.events import StoppedBy, WriterResult


class TokenWriter(BatchWriter):
    """A report writer whose rows' tokens are given by `tokens_for`. Per step it writes the next token of
    every row that is not done, then waits `token_delay` seconds; a row that `should_stop` is cut short as
    "cancelled", one that runs out of tokens stops with `ends_with`. `before_token` sees each token first
    (to fail, stall or time it)."""

    token_delay: float = 0.0
    ends_with: StoppedBy = "eos"

    def setup(self) -> None:
        return None

    def tokens_for(self, requests: list[Any], images: list[Any]) -> list[list[str]]:
        raise NotImplementedError

    def before_token(self, row: int, step: int) -> None:
        return None

    def write_batch(self, batch: WriterBatch) -> list[WriterResult]:
        tokens = self.tokens_for(batch.requests, batch.images)
        done = [False] * len(tokens)
        stopped: list[StoppedBy] = [self.ends_with] * len(tokens)
        written = [""] * len(tokens)
        step = 0
        while not all(done):
            for row, row_tokens in enumerate(tokens):
                if done[row]:
                    continue
                if batch.should_stop(row):
                    done[row], stopped[row] = True, "cancelled"
                    continue
                if step >= len(row_tokens):
                    done[row] = True
                    continue
                self.before_token(row, step)
                written[row] += row_tokens[step]
                batch.on_delta(row, row_tokens[step])
            step += 1
            if self.token_delay:
                time.sleep(self.token_delay)
        return [WriterResult(w, s, len(t), True) for w, s, t in zip(written, stopped, tokens, strict=True)]
