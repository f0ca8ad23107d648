"""MedGemma 4B as GGUF from the Hugging Face hub: one quantized text model and its vision projector.

The download itself is inference.weights_fetch's (resumable, checksummed, assembled aside and renamed into
place); this module picks the two files out of a GGUF repository, which holds a dozen quantizations, and
checks what arrived: both files parse as GGUF, the model is a Gemma 3 with its tokenizer, the projector a
Gemma 3 vision projector. The repository is a community conversion of google/medgemma-4b-it;
`skinbot weights convert --gguf` makes the same pair from Google's own weights instead.
"""

from __future__ import annotations

from pathlib import Path

from inference.gguf_convert import QUANTS, GgufPair
from inference.weights_errors import WeightsError
from inference.weights_fetch import FetchPlan, RemoteFile

MEDGEMMA_GGUF_REPO = "unsloth/medgemma-4b-it-GGUF"


def _is_mmproj(name: str) -> bool:
    return name.lower().startswith("mmproj") and name.lower().endswith(".gguf")


def _is_f16_mmproj(name: str) -> bool:
    lower = name.lower()  # "mmproj-F16.gguf", "mmproj-medgemma-4b-it-f16.gguf"; not BF16 nor F32
    return _is_mmproj(name) and lower.endswith("f16.gguf") and not lower.endswith("bf16.gguf")


def pick_gguf(files: list[RemoteFile], quant: str) -> list[RemoteFile]:
    """The `quant` text model and the F16 projector at the top of the repository, or WeightsError."""
    suffix = f"{QUANTS[quant][0].lower()}.gguf"
    top = [f for f in files if "/" not in f.path]
    models = [f for f in top if f.path.lower().endswith(suffix) and not _is_mmproj(f.path)]
    projectors = [f for f in top if _is_f16_mmproj(f.path)]
    if len(models) != 1 or len(projectors) != 1:
        listed = ", ".join(f.path for f in top if f.path.endswith(".gguf")) or "no .gguf files"
        raise WeightsError(
            f"expected one *{QUANTS[quant][0]}.gguf and one mmproj-*F16.gguf in the repository, found "
            f"{listed}: pass --repo with a MedGemma 4B GGUF repository; nothing was downloaded"
        )
    return [*projectors, *models]


def find_gguf_pair(folder: Path) -> GgufPair:
    """The text model and the projector in `folder` (one `mmproj*.gguf`, one other `.gguf`)."""
    ggufs = sorted(p for p in folder.glob("*.gguf") if p.is_file())
    projectors = [p for p in ggufs if _is_mmproj(p.name)]
    models = [p for p in ggufs if not _is_mmproj(p.name)]
    if len(projectors) != 1 or len(models) != 1:
        names = ", ".join(p.name for p in ggufs) or "none"
        raise WeightsError(f"{folder}: expected one model .gguf and one mmproj-*.gguf, found {names}")
    return GgufPair(models[0], projectors[0])


def _field(reader: object, key: str) -> object:
    field = reader.fields.get(key)  # type: ignore[attr-defined]
    return None if field is None else field.contents()


def verify_gguf_dir(folder: Path) -> str:
    """Both files parse (header, metadata, every tensor within the file) and are what llama.cpp needs for
    MedGemma: a gemma3 text model with its tokenizer, and a gemma3 clip projector."""
    import gguf

    pair = find_gguf_pair(folder)
    readers = {}
    for path in (pair.model, pair.mmproj):
        try:
            readers[path] = gguf.GGUFReader(path)
        except Exception as exc:  # the reader raises ValueError, struct.error... for a cut or foreign file
            raise WeightsError(f"{path.name} is not a complete GGUF file ({type(exc).__name__})") from None
    model, mmproj = readers[pair.model], readers[pair.mmproj]
    if _field(model, "general.architecture") != "gemma3" or _field(model, "tokenizer.ggml.tokens") is None:
        raise WeightsError(f"{pair.model.name} is not a Gemma 3 text model with its tokenizer")
    projector = _field(mmproj, "clip.projector_type") or _field(mmproj, "clip.vision.projector_type")
    if _field(mmproj, "general.architecture") != "clip" or projector != "gemma3":
        raise WeightsError(f"{pair.mmproj.name} is not a Gemma 3 vision projector (mmproj)")
    return (
        f"{pair.model.name}: gemma3, {len(model.tensors)} tensors; "
        f"{pair.mmproj.name}: gemma3 projector, {len(mmproj.tensors)} tensors"
    )


def gguf_plan(quant: str = "q4_k_m") -> FetchPlan:
    if quant not in QUANTS:
        raise WeightsError(f"--quant must be one of {', '.join(sorted(QUANTS))}, not {quant!r}")
    return FetchPlan(
        verify=verify_gguf_dir,
        what="holds a Gemma 3 GGUF model and its projector",
        pick=lambda files: pick_gguf(files, quant),
    )
