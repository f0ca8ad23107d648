"""The tiny random Gemma 3 image-text model (testkit.random_gemma) as GGUF, converted by the project's own
converter (inference.gguf_convert) and cached on disk, for tests of llama.cpp report writing.

Its tokenizer.json came from the Gemma 3 270M GGUF, which has no SentencePiece tokenizer.model: the
vocabulary is carried over from that GGUF, as `skinbot weights convert --gguf --vocab-from` does.
"""

from __future__ import annotations

from pathlib import Path

GGUF_RECIPE = "tiny-gemma3-gguf/v1"


def tiny_gemma_gguf(quant: str = "q4_k_m") -> tuple[Path, Path]:
    """(model .gguf, mmproj .gguf) of the tiny random Gemma 3; quant is one of "q4_k_m", "q8_0", "bf16"."""
    from inference.gguf_convert import QUANTS, convert_gemma3, gguf_names
    from testkit.cache import cache_root, cached_dir
    from testkit.random_gemma import cached_tiny_gemma_dir, default_gguf_path, recipe_hash

    if quant not in QUANTS:
        raise ValueError(f"quant must be one of {sorted(QUANTS)}, not {quant!r}")
    snapshot = cached_tiny_gemma_dir()
    vocab = default_gguf_path(cache_root() / "gguf")
    key = recipe_hash(GGUF_RECIPE, snapshot.name, vocab.name, quant, _converter_version())
    label = "tiny-gemma3"
    folder = cached_dir(
        f"tiny-gemma3-gguf-{key}",
        lambda dest: convert_gemma3(snapshot, dest, quant=quant, vocab_gguf=vocab, label=label),
    )
    model_name, mmproj_name = gguf_names(label, quant)
    return folder / model_name, folder / mmproj_name


def _converter_version() -> str:
    """The converter's source and the llama.cpp that quantizes: a change to either builds the files anew."""
    import hashlib

    import llama_cpp

    import inference.gguf_convert
    import inference.gguf_vocab

    digest = hashlib.sha256()
    for module in (inference.gguf_convert, inference.gguf_vocab):
        digest.update(Path(module.__file__ or "").read_bytes())
    return f"{digest.hexdigest()[:16]}-llama_cpp-{llama_cpp.__version__}"
