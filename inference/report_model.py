"""MedGemma 4B report writer, LitServe style: construct cheaply, `setup()` once, then `generate()` batches.

`generate` runs synchronously in the calling (worker) thread and streams through `on_delta`; the worker
queue enforces its own per-job timeout on the consumer side, and `timeout_s` bounds generate itself.
torch and transformers are imported in `setup()`, on the worker thread: building a ReportModel is cheap,
so the bot starts answering while the model loads.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inference.batch_writer import BatchWriter, WriterBatch
from inference.device import resolve_device
from inference.events import StoppedBy, WriterResult
from inference.prompt import chat_messages, gemma3_chat_template
from inference.repetition import RepetitionGuard
from inference.report_request import ReportRequest
from inference.row_images import RowImages, row_images
from inference.skin_question import NO_WORDS, YES_WORDS, question_messages, yes_share

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

QUANTIZE_MODES = ("none", "4bit")
DEFAULT_TIMEOUT_S = 300.0

WEIGHTS_HELP = (
    "MedGemma weights not found at {path}. The report model needs a local copy of google/medgemma-4b-it:\n"
    "  1. accept the licence at https://huggingface.co/google/medgemma-4b-it (logged in to Hugging Face);\n"
    "  2. hf auth login && hf download google/medgemma-4b-it --local-dir weights/medgemma-4b-it\n"
    "  3. point SKINBOT_LLM at that folder (it must contain config.json, the *.safetensors shards, "
    "tokenizer and processor files)."
)
GGUF_HELP = "GGUF file {file} not found in {path}: put the .gguf there or point SKINBOT_LLM at its folder."


@dataclass
class GenerationTiming:
    """Wall-clock facts about the last generate call (the benchmark reads these)."""

    batch_size: int = 0
    prompt_tokens: int = 0
    ttft_s: float = 0.0  # generate() entry to the first new token (prefill, incl. vision tower)
    decode_s: float = 0.0  # first to last new token
    steps: int = 0  # decoding steps, i.e. new tokens per row incl. padding
    wall_s: float = 0.0


class ReportModel(BatchWriter):
    def __init__(
        self,
        path: Path,
        device: str = "auto",
        quantize: str = "none",
        max_new_tokens: int = 700,
        gguf_file: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        repetition_guard: bool = True,
        static_cache: bool = False,
    ) -> None:
        if quantize not in QUANTIZE_MODES:
            raise ValueError(f"quantize must be one of {QUANTIZE_MODES}, not {quantize!r}")
        if gguf_file is not None and quantize != "none":
            raise ValueError("quantize='4bit' does not apply to a GGUF model (it is dequantized on load)")
        self.path = Path(path)
        self.device_setting = device
        self.quantize = quantize
        self.max_new_tokens = max_new_tokens
        self.gguf_file = gguf_file
        self.timeout_s = timeout_s
        # The benchmark forces long random-weight outputs, which the guard would rightly cut short.
        self.repetition_guard = repetition_guard
        # A static KV cache lets generate() torch.compile the decoding step (benchmark option).
        self.static_cache = static_cache
        self.device: str | None = None
        self.dtype: torch.dtype | None = None
        self.model: Any = None
        self.processor: Any = None  # None in GGUF text-only mode
        self.tokenizer: Any = None
        self.eos_token_ids: list[int] = []
        self.last_timing = GenerationTiming()

    @property
    def text_only(self) -> bool:
        return self.gguf_file is not None

    @property
    def loaded(self) -> bool:
        return self.model is not None

    # ---------------------------------------------------------------- loading

    def check_weights(self) -> None:
        """Raise FileNotFoundError saying what to download when the weights are not where they should be."""
        if self.text_only:
            if not (self.path / str(self.gguf_file)).is_file():
                raise FileNotFoundError(GGUF_HELP.format(file=self.gguf_file, path=self.path))
            return
        has_weights = any(self.path.glob("*.safetensors")) or any(self.path.glob("*.bin"))
        if not (self.path / "config.json").is_file() or not has_weights:
            raise FileNotFoundError(WEIGHTS_HELP.format(path=self.path))

    def setup(self) -> None:
        if self.loaded:
            return
        self.check_weights()
        started = time.perf_counter()
        import torch

        self.device = resolve_device(self.device_setting)
        on_cuda = self.device.startswith("cuda")
        # bf16 on GPU; never fp16, whose range Gemma 3 activations overflow. CPU kernels want float32.
        self.dtype = torch.bfloat16 if on_cuda else torch.float32
        if self.text_only:
            self._load_gguf()
        else:
            self._load_image_text(on_cuda)
        self.model.eval()
        self.tokenizer.padding_side = "left"  # decoder-only batching: prompts end where generation starts
        self.eos_token_ids = self._eos_ids()
        params = sum(p.numel() for p in self.model.parameters())
        log.info(
            "report model loaded: %s%s, %.2fB params, device=%s dtype=%s quantize=%s, text_only=%s, %.1f s",
            self.path,
            f" ({self.gguf_file})" if self.gguf_file else "",
            params / 1e9,
            self.device,
            str(self.dtype).removeprefix("torch."),
            self.quantize,
            self.text_only,
            time.perf_counter() - started,
        )

    def _load_image_text(self, on_cuda: bool) -> None:
        from transformers import AutoModelForImageTextToText, AutoProcessor

        kwargs: dict[str, Any] = {"dtype": self.dtype, "attn_implementation": "sdpa"}
        if self.quantize == "4bit":
            if not on_cuda:
                raise RuntimeError("quantize='4bit' needs CUDA (bitsandbytes has no CPU path here)")
            kwargs["quantization_config"] = _bnb_4bit_config()
            kwargs["device_map"] = {"": self.device}
        self.processor = AutoProcessor.from_pretrained(self.path)
        self.tokenizer = self.processor.tokenizer
        if self.processor.chat_template is None:
            self.processor.chat_template = gemma3_chat_template()
        self.model = AutoModelForImageTextToText.from_pretrained(self.path, **kwargs)
        if self.quantize == "none":
            self.model.to(self.device)

    def _load_gguf(self) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(self.path, gguf_file=self.gguf_file)
        if self.tokenizer.chat_template is None:
            self.tokenizer.chat_template = gemma3_chat_template()
        self.model = AutoModelForCausalLM.from_pretrained(
            self.path, gguf_file=self.gguf_file, dtype=self.dtype
        )
        self.model.to(self.device)

    def _eos_ids(self) -> list[int]:
        ids: list[int] = []
        configured = self.model.generation_config.eos_token_id
        if configured is not None:
            ids.extend([configured] if isinstance(configured, int) else configured)
        # Chat models end a turn with <end_of_turn>; base-model configs (the GGUF) only list <eos>.
        for token in ("<end_of_turn>", self.tokenizer.eos_token):
            token_id = self.tokenizer.convert_tokens_to_ids(token) if token else None
            if isinstance(token_id, int) and token_id != self.tokenizer.unk_token_id and token_id not in ids:
                ids.append(token_id)
        return ids

    # ------------------------------------------------------------ skin question

    def skin_yes(self, images: Sequence[Any]) -> list[float | None]:
        """For each photo, the model's P(yes) to `inference.skin_question.QUESTION`, from one forward pass
        (no generation). None for every photo in GGUF text-only mode, which cannot see them."""
        if not self.loaded:
            raise RuntimeError("ReportModel.setup() has not been called")
        if self.text_only:
            return [None] * len(images)
        import torch

        text, yes_ids, no_ids = self._skin_prompt
        shares: list[float | None] = []
        # One photo a pass: a case has at most three, and no padding means the last position is the answer's.
        for image in images:
            batch = self.processor(
                text=[text], images=[[image.convert("RGB")]], return_tensors="pt", add_special_tokens=False
            ).to(self.device)
            batch["pixel_values"] = batch["pixel_values"].to(self.dtype)
            with torch.inference_mode():
                logits = self.model(**batch).logits[0, -1].float()
            logprobs = torch.log_softmax(logits, dim=-1)
            shares.append(yes_share(logprobs[yes_ids].tolist(), logprobs[no_ids].tolist()))
        return shares

    @functools.cached_property
    def _skin_prompt(self) -> tuple[str, list[int], list[int]]:
        """The question's prompt text and the token ids that start each spelling of "yes" and of "no" (one
        token each in Gemma's vocabulary); the same for every photo, so built once, after setup()."""

        def ids(words: Sequence[str]) -> list[int]:
            return sorted({self.tokenizer.encode(word, add_special_tokens=False)[0] for word in words})

        messages = question_messages()
        text = self.processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return text, ids(YES_WORDS), ids(NO_WORDS)

    # ------------------------------------------------------------- generation

    def _inputs(
        self, requests: Sequence[ReportRequest], images: Sequence[RowImages]
    ) -> tuple[Any, list[bool]]:
        rows = [row_images(row) for row in images]
        seen = [bool(row) and not self.text_only for row in rows]
        for req, row, s in zip(requests, rows, seen, strict=True):
            if s and len(row) != req.image_count:
                raise ValueError(f"a request for {req.image_count} image(s) came with {len(row)}")
        conversations = [chat_messages(req, with_image=s) for req, s in zip(requests, seen, strict=True)]
        if self.text_only:
            texts = [
                self.tokenizer.apply_chat_template(c, tokenize=False, add_generation_prompt=True)
                for c in conversations
            ]
            # The chat template already starts with <bos>.
            batch = self.tokenizer(texts, padding=True, return_tensors="pt", add_special_tokens=False)
        else:
            texts = [
                self.processor.apply_chat_template(c, tokenize=False, add_generation_prompt=True)
                for c in conversations
            ]
            kwargs: dict[str, Any] = {"padding": True, "return_tensors": "pt", "add_special_tokens": False}
            if any(seen):
                # Gemma 3 takes several images per prompt, one list per row, in the placeholders' order.
                kwargs["images"] = [
                    [img.convert("RGB") for img in row] if s else []
                    for row, s in zip(rows, seen, strict=True)
                ]
            batch = self.processor(text=texts, **kwargs)
        batch = batch.to(self.device)
        if "pixel_values" in batch:
            batch["pixel_values"] = batch["pixel_values"].to(self.dtype)
        return batch, seen

    def write_batch(self, batch: WriterBatch) -> list[WriterResult]:
        """Write one report per request, streaming text per row; greedy, so a row's text is reproducible.

        `on_delta(row, text)` receives only text that will stay: the concatenation of a row's deltas equals
        its WriterResult.text. `should_stop(row)` is polled every decoding step (cancel takes effect within
        one step). A row's images are the case's photos, then a follow-up's earlier close-up
        (`ReportRequest.image_count` of them). In GGUF text-only mode images are ignored and image_seen is
        False. In-process generation never restarts a row.
        """
        requests, images = batch.requests, batch.images
        if not self.loaded:
            raise RuntimeError("ReportModel.setup() has not been called")
        if len(requests) != len(images):
            raise ValueError(f"{len(requests)} requests but {len(images)} images")
        if not requests:
            return []
        started = time.perf_counter()
        n = len(requests)
        guards = [RepetitionGuard() if self.repetition_guard else None for _ in range(n)]
        texts = [""] * n

        def emit(row: int, text: str) -> None:
            if text:
                texts[row] += text
                batch.on_delta(row, text)

        def raw_delta(row: int, text: str) -> None:
            guard = guards[row]
            emit(row, guard.feed(text) if guard is not None else text)

        cancelled = [False] * n

        def stop_row(row: int) -> bool:
            guard = guards[row]
            if guard is not None and guard.stopped:
                return True
            if batch.should_stop(row):
                cancelled[row] = True
                return True
            return False

        import torch

        from inference.batch_streamer import BatchStreamer, RowStoppingCriteria

        inputs, seen = self._inputs(requests, images)
        streamer = BatchStreamer(self.tokenizer, n, raw_delta, eos_token_ids=self.eos_token_ids)
        criteria = RowStoppingCriteria(stop_row, streamer, deadline=time.monotonic() + self.timeout_s)
        gen_kwargs: dict[str, Any] = {
            "max_new_tokens": self.max_new_tokens,
            "do_sample": False,
            "eos_token_id": self.eos_token_ids,
            "pad_token_id": self.tokenizer.pad_token_id,
            "streamer": streamer,
            "stopping_criteria": _criteria_list(criteria),
        }
        if batch.min_new_tokens is not None:
            gen_kwargs["min_new_tokens"] = batch.min_new_tokens
        if self.static_cache:
            gen_kwargs["cache_implementation"] = "static"
        streamer.started_at = started
        with torch.inference_mode():
            self.model.generate(**inputs, **gen_kwargs)
        if not streamer.ended:
            streamer.end()

        results = []
        for row in range(n):
            guard = guards[row]
            if guard is not None:
                emit(row, guard.finish())
            if guard is not None and guard.stopped:
                stopped_by: StoppedBy = "repetition"
            elif streamer.hit_eos(row):
                stopped_by = "eos"
            elif cancelled[row]:
                stopped_by = "cancelled"
            elif row in criteria.timeout_rows:
                stopped_by = "timeout"
            else:
                stopped_by = "length"
            results.append(WriterResult(texts[row], stopped_by, streamer.tokens(row), seen[row]))

        first = streamer.first_token_at or time.perf_counter()
        self.last_timing = GenerationTiming(
            batch_size=n,
            prompt_tokens=int(inputs["input_ids"].shape[1]),
            ttft_s=first - started,
            decode_s=(streamer.last_token_at or first) - first,
            steps=streamer.steps,
            wall_s=time.perf_counter() - started,
        )
        if criteria.timed_out:
            log.warning("report generation hit the %.0f s timeout (batch of %d)", self.timeout_s, n)
        log.info(
            "generated %d report(s): %s, %.1f s",
            n,
            ", ".join(f"{r.stopped_by}/{r.tokens}" for r in results),
            self.last_timing.wall_s,
        )
        return results


def _criteria_list(criteria: Any) -> Any:
    from transformers import StoppingCriteriaList

    return StoppingCriteriaList([criteria])


def _bnb_4bit_config() -> Any:
    try:
        import bitsandbytes  # noqa: F401  (imported only to fail early with a clear message)
    except ImportError as exc:
        raise RuntimeError("quantize='4bit' needs bitsandbytes: pip install 'skinbot[gpu]'") from exc
    import torch
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch.bfloat16,
    )
