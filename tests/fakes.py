"""Scripted stand-ins for the models: a token source whose output is known in advance, fixed scores.

They fake a dependency (the models), so the queue, streaming and bot code under test is real.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image

from inference.events import StoppedBy, WriterResult
from inference.labels import Classification
from inference.report_request import ReportRequest
from inference.row_images import row_images
from testkit.stand_in_writer import Batch, StandInWriter


@dataclass
class FixedClassifier:
    """Gives every image the same scores and no heatmap: a stand-in for the classifier model."""

    scores: Classification

    def setup(self) -> None:
        return None

    def predict(self, images: list[Image.Image]) -> list[Classification]:
        return [self.scores for _ in images]

    def explain(self, image: Image.Image) -> bytes | None:
        return None


@dataclass
class ScriptedWriter(StandInWriter):
    """Writes `script(request)` word by word (a word plus its following space is one token)."""

    script: Callable[[ReportRequest], str] = lambda req: f"Report in {req.language} for age {req.age}."
    token_delay: float = 0.0
    fail_with: BaseException | None = None
    fail_after_tokens: int = 0
    batches: list[int] = field(default_factory=list)
    # Every row it was asked to write: the request and how many images came with it.
    rows: list[tuple[ReportRequest, int]] = field(default_factory=list)
    ready: bool = False
    started: threading.Event = field(default_factory=threading.Event)  # set when a batch begins
    setup_gate: threading.Event | None = None  # setup() waits for it, as a slow model load would
    ends_with: StoppedBy = "eos"  # why a row that ran to the end of its script stopped ("length": cut)

    def setup(self) -> None:
        if self.setup_gate is not None:
            self.setup_gate.wait(30)
        self.ready = True

    def write(self, batch: Batch) -> list[WriterResult]:
        requests, on_delta, should_stop = batch.requests, batch.on_delta, batch.should_stop
        self.batches.append(len(requests))
        self.rows.extend((r, len(row_images(i))) for r, i in zip(requests, batch.images, strict=True))
        self.started.set()
        tokens = [_tokens(self.script(r)) for r in requests]
        done = [False] * len(requests)
        stopped: list[StoppedBy] = [self.ends_with] * len(requests)
        emitted = [""] * len(requests)
        step = 0
        while not all(done):
            for row, row_tokens in enumerate(tokens):
                if done[row]:
                    continue
                if should_stop(row):
                    done[row], stopped[row] = True, "cancelled"
                    continue
                if step >= len(row_tokens):
                    done[row] = True
                    continue
                if self.fail_with is not None and step >= self.fail_after_tokens:
                    raise self.fail_with
                emitted[row] += row_tokens[step]
                on_delta(row, row_tokens[step])
            step += 1
            if self.token_delay:
                time.sleep(self.token_delay)
        return [WriterResult(e, s, len(t), True) for e, s, t in zip(emitted, stopped, tokens, strict=True)]


def _tokens(text: str) -> list[str]:
    out, current = [], ""
    for ch in text:
        current += ch
        if ch in " \n":
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out
