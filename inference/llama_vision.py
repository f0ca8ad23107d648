"""The photo side of the llama.cpp report writer: MedGemma's projector (the mmproj GGUF) through libmtmd.

A prompt is tokenized by libmtmd into text chunks and image chunks. Text chunks are evaluated as tokens;
an image chunk needs the vision tower's embeddings of the photo (SigLIP at 896 px, the slowest part of a
case on a CPU), which are kept here by photo hash: the skin question and the report of one case show the
model the same photos, and each photo is encoded once (#26 item 3). `encodes` counts the encoder runs.

Only the model-worker thread calls into this module (the writer's one-owner rule); llama_cpp is imported
by the caller's setup(), never at import time.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

log = logging.getLogger(__name__)

# Gemma 3's chat template writes this where a photo goes; libmtmd wants its own marker there, and puts
# <start_of_image> … <end_of_image> around the photo's tokens itself.
GEMMA_IMAGE_TOKEN = "<start_of_image>"
# Photos whose embeddings are kept: a case has at most 3 photos and a follow-up 1 more, and a batch of rows
# runs one after another; about 2.6 MB each for MedGemma 4B (256 tokens of 2560 floats).
EMBEDDING_CACHE_SIZE = 16


@dataclass(frozen=True)
class PromptState:
    """What evaluating a prompt left in the context: its length (positions used)."""

    tokens: int


def photo_key(image: Image.Image) -> str:
    """The cache key of a photo: a hash of its RGB pixels and size (the same photo read twice is equal)."""
    rgb = image.convert("RGB")
    digest = hashlib.sha256(f"{rgb.width}x{rgb.height}:".encode())
    digest.update(rgb.tobytes())
    return digest.hexdigest()


class Projector:
    """libmtmd's context for one model: tokenizes prompts with photos and evaluates them into the llama
    context, encoding each photo once and reusing its embeddings after that."""

    def __init__(self, llama: Any, mmproj: Path, threads: int) -> None:
        import llama_cpp
        import llama_cpp.mtmd_cpp as mtmd
        from llama_cpp._logger import llama_log_callback

        self._llama_cpp, self._mtmd, self.llama = llama_cpp, mtmd, llama
        # libmtmd logs every encode to stderr; through llama-cpp-python's logger, which the model's
        # verbose=False sets to errors only, as it does for llama.cpp's own messages.
        mtmd.mtmd_log_set(llama_log_callback, None)
        mtmd.mtmd_helper_log_set(llama_log_callback, None)
        params = mtmd.mtmd_context_params_default()
        params.use_gpu = False
        params.print_timings = False
        params.n_threads = threads
        params.warmup = False  # the first real photo warms it; startup stays short
        self.ctx = mtmd.mtmd_init_from_file(str(mmproj).encode(), llama.model, params)
        if not self.ctx:
            raise RuntimeError(f"llama.cpp could not load the projector {mmproj}")
        if not mtmd.mtmd_support_vision(self.ctx):
            self.close()
            raise RuntimeError(f"{mmproj} is not a vision projector")
        self.marker = mtmd.mtmd_default_marker().decode()
        # The projector's output width is the language model's input embedding width.
        self.n_embd = int(llama_cpp.llama_model_n_embd_inp(llama.model))
        self._embeddings: OrderedDict[str, Any] = OrderedDict()
        self.encodes = 0  # vision-tower runs since setup; a photo seen again costs none
        self.encode_s = 0.0  # their wall time, for the benchmark

    def close(self) -> None:
        if self.ctx:
            self._mtmd.mtmd_free(self.ctx)
            self.ctx = None

    def evaluate(self, text: str, images: Sequence[Image.Image]) -> PromptState:
        """Clear the context and evaluate `text` (a rendered chat prompt with one GEMMA_IMAGE_TOKEN per
        image, in order) with the photos' embeddings in place; the last position's logits are then ready."""
        mtmd = self._mtmd
        prompt = text.replace(GEMMA_IMAGE_TOKEN, self.marker)
        bitmaps = [self._bitmap(image) for image in images]
        keys = [photo_key(image) for image in images]
        chunks = mtmd.mtmd_input_chunks_init()
        try:
            encoded = prompt.encode()
            text_in = mtmd.mtmd_input_text()
            text_in.text, text_in.text_len = encoded, len(encoded)
            # The chat template already wrote <bos>; its control tokens are parsed as such.
            text_in.add_special, text_in.parse_special = False, True
            array = (mtmd.mtmd_bitmap_p_ctypes * len(bitmaps))(*bitmaps)
            status = mtmd.mtmd_tokenize(self.ctx, chunks, ctypes.byref(text_in), array, len(bitmaps))
            if status != 0:
                raise RuntimeError(f"llama.cpp could not tokenize the prompt (mtmd_tokenize: {status})")
            self.llama.reset()
            self.llama._ctx.kv_cache_clear()
            image_index = 0
            for i in range(mtmd.mtmd_input_chunks_size(chunks)):
                chunk = mtmd.mtmd_input_chunks_get(chunks, i)
                if mtmd.mtmd_input_chunk_get_type(chunk) == mtmd.MTMD_INPUT_CHUNK_TYPE_TEXT:
                    self._eval_text(chunk)
                else:
                    self._eval_image(chunk, keys[image_index])
                    image_index += 1
            return PromptState(tokens=self.llama.n_tokens)
        finally:
            mtmd.mtmd_input_chunks_free(chunks)
            for bitmap in bitmaps:
                mtmd.mtmd_bitmap_free(bitmap)

    def _bitmap(self, image: Image.Image) -> Any:
        rgb = image.convert("RGB")
        data = rgb.tobytes()
        buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        bitmap = self._mtmd.mtmd_bitmap_init(rgb.width, rgb.height, buffer)
        if not bitmap:
            raise RuntimeError("llama.cpp could not take the photo")
        return bitmap

    def _check_room(self, more: int) -> None:
        if self.llama.n_tokens + more > self.llama.n_ctx():
            raise ValueError(
                f"the prompt needs {self.llama.n_tokens + more} positions, the context has "
                f"{self.llama.n_ctx()}"
            )

    def _eval_text(self, chunk: Any) -> None:
        count = ctypes.c_size_t()
        pointer = self._mtmd.mtmd_input_chunk_get_tokens_text(chunk, ctypes.byref(count))
        tokens = [pointer[j] for j in range(count.value)]
        if tokens:
            self._check_room(len(tokens))
            self.llama.eval(tokens)

    def _eval_image(self, chunk: Any, key: str) -> None:
        mtmd, llama_cpp = self._mtmd, self._llama_cpp
        n_tokens = mtmd.mtmd_input_chunk_get_n_tokens(chunk)
        self._check_room(n_tokens)
        embedding = self._embedding(chunk, key, n_tokens)
        new_n_past = llama_cpp.llama_pos(0)
        status = mtmd.mtmd_helper_decode_image_chunk(
            self.ctx,
            self.llama._ctx.ctx,
            chunk,
            embedding.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
            llama_cpp.llama_pos(self.llama.n_tokens),
            llama_cpp.llama_seq_id(0),
            self.llama.n_batch,
            ctypes.byref(new_n_past),
            mtmd.mtmd_helper_post_decode_callback(),  # none: a NULL hook
            None,
        )
        if status != 0:
            raise RuntimeError(f"llama.cpp could not read the photo into the context ({status})")
        self.llama.n_tokens = new_n_past.value

    def _embedding(self, chunk: Any, key: str, n_tokens: int) -> Any:
        """The photo's embeddings, from the cache or from one run of the vision tower."""
        import numpy as np

        cached = self._embeddings.get(key)
        if cached is not None and cached.size == n_tokens * self.n_embd:
            self._embeddings.move_to_end(key)
            return cached
        started = time.perf_counter()
        status = self._mtmd.mtmd_encode_chunk(self.ctx, chunk)
        if status != 0:
            raise RuntimeError(f"llama.cpp could not encode the photo ({status})")
        self.encodes += 1
        self.encode_s += time.perf_counter() - started
        output = self._mtmd.mtmd_get_output_embd(self.ctx)
        embedding = np.ctypeslib.as_array(output, shape=(n_tokens * self.n_embd,)).copy()
        self._embeddings[key] = embedding
        while len(self._embeddings) > EMBEDDING_CACHE_SIZE:
            self._embeddings.popitem(last=False)
        return embedding
