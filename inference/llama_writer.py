"""MedGemma as GGUF through llama.cpp (llama-cpp-python): the report writer for a clinic's CPU (#26).

LitServe style like `inference.report_model.ReportModel`: constructing is cheap, `setup()` loads the
model and its projector on the worker thread (llama_cpp is imported there), then `generate()` writes the
rows of a batch one after another, greedily, streaming each through `on_delta`. Only the model-worker
thread touches the model. The prompt is the one every writer uses (`inference.prompt.chat_messages`), and
the patient's name is never part of it (a ReportRequest has none).

A case's photos are encoded once: `inference.llama_vision.Projector` keeps their embeddings by photo hash,
so the skin question and the report share them.
"""

from __future__ import annotations

import codecs
import functools
import logging
import math
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image

from inference.batch_writer import BatchWriter, WriterBatch
from inference.events import StoppedBy, WriterResult
from inference.prompt import chat_messages, gemma3_chat_template
from inference.repetition import RepetitionGuard
from inference.report_model import DEFAULT_TIMEOUT_S, GenerationTiming
from inference.report_request import ReportRequest
from inference.row_images import row_images
from inference.skin_question import NO_WORDS, YES_WORDS, question_messages, yes_share_from_top

log = logging.getLogger(__name__)

LLAMA_MISSING = (
    "SKINBOT_LLM names a .gguf file, which runs through llama.cpp, but llama-cpp-python is not installed: "
    "run scripts/install-llama (or pip install 'skinbot[llama]')."
)
LLAMA_WEIGHTS_HELP = (
    "{what} not found: {path}. Get MedGemma as GGUF with `skinbot weights fetch --gguf` or make it from "
    "the safetensors with `skinbot weights convert --gguf`, then point SKINBOT_LLM at the .gguf file "
    "(the projector mmproj-*.gguf beside it, or SKINBOT_LLM_MMPROJ)."
)
DEFAULT_CONTEXT = 4096  # three photos (256 positions each), the prompt, and a 700-token report
SKIN_TOP_LOGPROBS = 10  # as the engine asks for: "yes" and "no" are among them unless the model ignores it
END_OF_TURN = "<end_of_turn>"


def find_projector(model: Path) -> Path | None:
    """The mmproj*.gguf beside the model file (the first by name), or None."""
    found = sorted(model.parent.glob("mmproj*.gguf"))
    return found[0] if found else None


def check_llama_files(model: Path, mmproj: Path | None) -> None:
    """Raise FileNotFoundError (what to do) when the model or its projector is missing, RuntimeError when
    llama-cpp-python is not installed."""
    if not model.is_file():
        raise FileNotFoundError(LLAMA_WEIGHTS_HELP.format(what="the GGUF model", path=model))
    if mmproj is None or not mmproj.is_file():
        where = mmproj or model.parent / "mmproj-*.gguf"
        raise FileNotFoundError(LLAMA_WEIGHTS_HELP.format(what="the projector (mmproj) GGUF", path=where))
    try:
        import llama_cpp  # noqa: F401  (only to say early and clearly that it is missing)
    except ImportError as exc:
        raise RuntimeError(LLAMA_MISSING) from exc


@functools.cache
def _chat_template() -> Any:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    # As transformers renders chat templates, so both writers show the model the same text.
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    return env.from_string(gemma3_chat_template())


def render_chat(messages: list[dict]) -> str:
    """Gemma 3's chat template over `messages`, ending with the model's turn opened."""

    def fail(message: str) -> None:
        raise ValueError(message)

    return str(
        _chat_template().render(
            messages=messages, add_generation_prompt=True, bos_token="<bos>", raise_exception=fail
        )
    )


class LlamaWriter(BatchWriter):
    def __init__(
        self,
        model_path: Path,
        mmproj_path: Path | None = None,
        threads: int | None = None,
        max_new_tokens: int = 700,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        context: int = DEFAULT_CONTEXT,
        repetition_guard: bool = True,
    ) -> None:
        self.model_path = Path(model_path)
        self.mmproj_path = Path(mmproj_path) if mmproj_path else find_projector(self.model_path)
        self.threads = threads or os.cpu_count() or 1
        self.max_new_tokens = max_new_tokens
        self.timeout_s = timeout_s
        self.context = context
        # The benchmark forces long random-weight outputs, which the guard would rightly cut short.
        self.repetition_guard = repetition_guard
        self.llama: Any = None
        self.projector: Any = None
        self.stop_ids: set[int] = set()
        self.last_timing = GenerationTiming()
        self.last_prompt = ""  # the text of the last prompt evaluated (tests read it; never logged)

    @property
    def loaded(self) -> bool:
        return self.llama is not None

    @property
    def encodes(self) -> int:
        """Vision-tower runs since setup(): one per distinct photo while its embeddings stay cached."""
        return self.projector.encodes if self.projector is not None else 0

    def check_weights(self) -> None:
        check_llama_files(self.model_path, self.mmproj_path)

    def setup(self) -> None:
        if self.loaded:
            return
        self.check_weights()
        started = time.perf_counter()
        from llama_cpp import Llama

        from inference.llama_vision import Projector

        self.llama = Llama(
            model_path=str(self.model_path),
            n_ctx=self.context,
            n_threads=self.threads,
            n_threads_batch=self.threads,
            n_gpu_layers=0,
            verbose=False,  # llama.cpp would print prompts and timings to stderr
            swa_full=False,  # Gemma 3's sliding-window layers keep 1024 positions, not the whole context
            # Read, not mapped: llama.cpp repacks the quantized weights into a faster layout, and with a
            # mapping the file's pages stay resident beside the repacked copy (Q4_K_M peak 5.1 GiB, 3.7 read).
            use_mmap=False,
        )
        assert self.mmproj_path is not None  # check_weights() said where it is missing otherwise
        self.projector = Projector(self.llama, self.mmproj_path, self.threads)
        end_of_turn = self.llama.tokenize(END_OF_TURN.encode(), add_bos=False, special=True)
        self.stop_ids = {self.llama.token_eos(), *(end_of_turn if len(end_of_turn) == 1 else [])}
        log.info(
            "report model loaded through llama.cpp: %s + %s, %d threads, context %d, %.1f s",
            self.model_path.name,
            self.mmproj_path.name if self.mmproj_path else "?",
            self.threads,
            self.context,
            time.perf_counter() - started,
        )

    # ------------------------------------------------------------ model access

    def _evaluate(self, messages: list[dict], images: Sequence[Image.Image]) -> int:
        """Evaluate a prompt (photos from the projector's cache where seen); returns its length."""
        text = render_chat(messages)
        self.last_prompt = text
        return self.projector.evaluate(text, images).tokens

    def _logits(self) -> Any:
        """A copy of the logits at the last evaluated position."""
        import numpy as np

        n_vocab = self.llama.n_vocab()
        return np.ctypeslib.as_array(self.llama._ctx.get_logits_ith(-1), shape=(n_vocab,)).copy()

    def _logprobs(self) -> Any:
        """Log-softmax of the logits at the last evaluated position."""
        import numpy as np

        logits = self._logits().astype(np.float64)
        shifted = logits - float(logits.max())
        return shifted - math.log(float(np.exp(shifted).sum()))

    @functools.cached_property
    def _answer_ids(self) -> set[int]:
        """The first token of each spelling of "yes" and "no" (one token each in Gemma's vocabulary)."""
        return {self.llama.tokenize(word.encode(), add_bos=False)[0] for word in (*YES_WORDS, *NO_WORDS)}

    def _piece(self, token: int) -> bytes:
        return bytes(self.llama.detokenize([token], special=False))

    # ------------------------------------------------------------ skin question

    def skin_yes(self, images: Sequence[Image.Image]) -> list[float | None]:
        """For each photo, the model's P(yes) to `inference.skin_question.QUESTION`, read from the top
        log-probabilities of the first answer token (one prompt evaluation, no generation). The whole
        distribution is at hand here, so the spellings of yes and no are read even when they are not
        among the top ones (an engine would have answered None)."""
        if not self.loaded:
            raise RuntimeError("LlamaWriter.setup() has not been called")
        import numpy as np

        shares: list[float | None] = []
        for image in images:
            self._evaluate(question_messages(), [image])
            logprobs = self._logprobs()
            best = np.argpartition(logprobs, -SKIN_TOP_LOGPROBS)[-SKIN_TOP_LOGPROBS:]
            top: dict[str, float] = {}
            for token in {*map(int, best), *self._answer_ids}:
                piece = self._piece(int(token)).decode("utf-8", errors="replace")
                top[piece] = max(top.get(piece, -math.inf), float(logprobs[token]))
            shares.append(yes_share_from_top(top))
        return shares

    # ------------------------------------------------------------- generation

    def write_batch(self, batch: WriterBatch) -> list[WriterResult]:
        """Write one report per request, one row after another, greedily (llama.cpp in-process never
        restarts a row): `should_stop(row)` is polled every token, and `timeout_s` bounds the whole call.
        `min_new_tokens` (the benchmark) keeps the end of turn from ending a row early."""
        requests, images = batch.requests, batch.images
        if not self.loaded:
            raise RuntimeError("LlamaWriter.setup() has not been called")
        if len(requests) != len(images):
            raise ValueError(f"{len(requests)} requests but {len(images)} images")
        started = time.perf_counter()
        deadline = time.monotonic() + self.timeout_s
        results = [
            self._row(row, req, row_images(imgs), batch, deadline)
            for row, (req, imgs) in enumerate(zip(requests, images, strict=True))
        ]
        if requests:
            self.last_timing.batch_size = len(requests)
            self.last_timing.wall_s = time.perf_counter() - started
            log.info(
                "generated %d report(s) with llama.cpp: %s, %.1f s",
                len(requests),
                ", ".join(f"{r.stopped_by}/{r.tokens}" for r in results),
                self.last_timing.wall_s,
            )
        return results

    def _row(
        self,
        row: int,
        req: ReportRequest,
        photos: list[Image.Image],
        batch: WriterBatch,
        deadline: float,
    ) -> WriterResult:
        if photos and len(photos) != req.image_count:
            raise ValueError(f"a request for {req.image_count} image(s) came with {len(photos)}")
        started = time.perf_counter()
        prompt_tokens = self._evaluate(chat_messages(req, with_image=bool(photos)), photos)
        guard = RepetitionGuard() if self.repetition_guard else None
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        parts: list[str] = []

        def emit(text: str) -> None:
            if text:
                parts.append(text)
                batch.on_delta(row, text)

        tokens, first_at = 0, 0.0
        stopped_by: StoppedBy = "length"
        room = self.llama.n_ctx() - prompt_tokens
        while True:
            if tokens >= min(self.max_new_tokens, room):
                stopped_by = "length"
                break
            if batch.should_stop(row):
                stopped_by = "cancelled"
                break
            if time.monotonic() > deadline:
                stopped_by = "timeout"
                log.warning("report generation hit the %.0f s timeout", self.timeout_s)
                break
            token = self._next_token(suppress_stop=tokens < (batch.min_new_tokens or 0))
            if token in self.stop_ids:
                stopped_by = "eos"
                break
            tokens += 1
            first_at = first_at or time.perf_counter()
            text = decoder.decode(self._piece(token))
            emit(guard.feed(text) if guard is not None else text)
            if guard is not None and guard.stopped:
                stopped_by = "repetition"
                break
            self.llama.eval([token])
        tail = decoder.decode(b"", final=True)  # an unfinished UTF-8 sequence, as U+FFFD
        if guard is None:
            emit(tail)
        elif not guard.stopped:  # a tripped guard has dropped the repeat; nothing after it is shown
            emit(guard.feed(tail))
        if guard is not None:
            emit(guard.finish())
        now = time.perf_counter()
        self.last_timing = GenerationTiming(
            batch_size=1,
            prompt_tokens=prompt_tokens,
            ttft_s=(first_at or now) - started,
            decode_s=now - (first_at or now),
            steps=tokens,
            wall_s=now - started,
        )
        return WriterResult("".join(parts), stopped_by, tokens, bool(photos))

    def _next_token(self, suppress_stop: bool) -> int:
        """The greedy choice at the last position (do_sample=False, as ReportModel)."""
        logits = self._logits()
        if suppress_stop:
            for token in self.stop_ids:
                logits[token] = -math.inf
        return int(logits.argmax())
