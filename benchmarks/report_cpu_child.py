"""One backend of `skinbot bench report` on the CPU, in its own process
(`python -m benchmarks.report_cpu_child SPEC.json OUT.json`), so its peak resident memory is its own and
one backend's allocator leaves nothing behind for the next. Imports only what its backend needs: a
llama.cpp run never loads torch.

The spec names the backend (transformers-bf16, transformers-fp32, llama-q8_0, llama-q4_k_m, llama-bf16),
the model (a medgemma-4b-it layout folder, or a .gguf and its projector), threads, and how many tokens to
write: the whole report (`full`), or a few to measure the decode rate from.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.report_model import sample_image, sample_requests

PHOTO_PX = 896  # what MedGemma's SigLIP sees; both backends scale the photo to it


def _llama(spec: dict[str, Any]) -> tuple[Any, float]:
    from inference.llama_writer import LlamaWriter

    writer = LlamaWriter(
        Path(spec["model"]),
        Path(spec["mmproj"]),
        threads=spec["threads"],
        max_new_tokens=spec["tokens"],
        timeout_s=1e6,
        repetition_guard=False,  # random weights repeat themselves; every token is to be written
    )
    started = time.perf_counter()
    writer.setup()
    return writer, time.perf_counter() - started


def _transformers(spec: dict[str, Any]) -> tuple[Any, float]:
    import torch

    from inference.report_model import ReportModel

    torch.set_num_threads(spec["threads"])
    dtype = torch.bfloat16 if spec["backend"].endswith("bf16") else torch.float32

    class OnCpu(ReportModel):
        def _load_image_text(self, on_cuda: bool) -> None:
            self.dtype = dtype  # setup() picks float32 on a CPU; bf16 is measured too
            super()._load_image_text(on_cuda)

    model = OnCpu(
        Path(spec["model"]),
        device="cpu",
        max_new_tokens=spec["tokens"],
        timeout_s=1e6,
        repetition_guard=False,
    )
    started = time.perf_counter()
    model.setup()
    return model, time.perf_counter() - started


def _encode_s(writer: Any, llama: bool) -> float:
    """One photo through the vision tower (SigLIP at 896 px and the projector), the photo first seen."""
    image = sample_image(PHOTO_PX)
    if llama:
        # The encoder's time alone, measured inside the projector (the skin question around it is not).
        before = writer.projector.encode_s
        writer.skin_yes([image])
        return float(writer.projector.encode_s - before)
    import torch

    batch = writer.processor(
        text=["<start_of_image>"], images=[[image]], return_tensors="pt", add_special_tokens=False
    )
    pixels = batch["pixel_values"].to(writer.dtype)
    with torch.inference_mode():
        writer.model.get_image_features(pixels)  # warm-up: first-call allocations
        started = time.perf_counter()
        writer.model.get_image_features(pixels)
    return time.perf_counter() - started


def measure(spec: dict[str, Any]) -> dict[str, Any]:
    llama = spec["backend"].startswith("llama-")
    writer, load_s = _llama(spec) if llama else _transformers(spec)
    encode_s = _encode_s(writer, llama)
    # The report: a photo not seen before (so llama.cpp encodes it too, as in a real case's first prompt).
    image = sample_image(PHOTO_PX // 2)
    first: list[float] = []
    started = time.perf_counter()

    def on_delta(row: int, text: str) -> None:
        # Any text counts: random weights often write whitespace or pieces that strip to nothing, and the
        # chat shows the first delta whatever it holds.
        if not first and text:
            first.append(time.perf_counter() - started)

    encoded_before = writer.projector.encode_s if llama else 0.0
    [result] = writer.generate(sample_requests(1), [image], on_delta, min_new_tokens=spec["tokens"])
    timing = writer.last_timing
    rate = max(timing.steps - 1, 0) / timing.decode_s if timing.decode_s > 0 else None
    encoded_in_report = (writer.projector.encode_s - encoded_before) if llama else encode_s
    return {
        "backend": spec["backend"],
        "ok": True,
        "error": None,
        "load_s": round(load_s, 2),
        "photo_encode_s": round(encode_s, 3),
        "prompt_tokens": timing.prompt_tokens,
        # The first token's wait less the photo's encoding: the prompt's own evaluation.
        "prefill_s": round(max(timing.ttft_s - encoded_in_report, 0.0), 3),
        # No delta at all (every token decoded to nothing): the first token's time stands in for it.
        "first_word_s": round(first[0] if first else timing.ttft_s, 3),
        "new_tokens": result.tokens,
        "decode_tok_s": round(rate, 3) if rate else None,
        "generate_wall_s": round(timing.wall_s, 3),
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 3),
    }


def main(argv: list[str]) -> int:
    spec_path, out_path = map(Path, argv)
    spec = json.loads(spec_path.read_text())
    out_path.write_text(json.dumps(measure(spec)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
