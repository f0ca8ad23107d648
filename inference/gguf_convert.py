"""google/medgemma-4b-it (Gemma3ForConditionalGeneration) as GGUF for llama.cpp: a text model and a vision
projector (`mmproj-*-f16.gguf`), written with the `gguf` package and quantized by llama.cpp itself.

This follows llama.cpp's own convert_hf_to_gguf.py (its Gemma3Model and Gemma3VisionModel) for this one
architecture. That script ships only in llama.cpp's source tree, not in an installed llama-cpp-python, so a
user's machine could not run it offline; what it does for Gemma 3 fits in this module.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gguf
import numpy as np

from inference.gguf_vocab import GgufVocab, chat_template, load_vocab

log = logging.getLogger(__name__)

# quant name -> (file suffix, llama_ftype). bf16 is written directly; the others are quantized from it.
QUANTS: dict[str, tuple[str, int]] = {"q4_k_m": ("Q4_K_M", 15), "q8_0": ("Q8_0", 7), "bf16": ("BF16", 32)}
ARCHITECTURE = "Gemma3ForConditionalGeneration"

# Gemma3TextConfig's and SiglipVisionConfig's defaults: medgemma-4b-it's config.json leaves some keys out.
_TEXT_DEFAULTS = {
    "num_attention_heads": 8,
    "num_key_value_heads": 4,
    "head_dim": 256,
    "rms_norm_eps": 1e-6,
    "rope_theta": 1_000_000.0,
    "max_position_embeddings": 131072,
    "sliding_window": 4096,
}
_VISION_DEFAULTS = {
    "hidden_size": 768,
    "intermediate_size": 3072,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "image_size": 224,
    "patch_size": 16,
    "layer_norm_eps": 1e-6,
}


@dataclass(frozen=True)
class GgufPair:
    model: Path
    mmproj: Path


class _Tensors:
    """The snapshot's safetensors, one tensor at a time (a 4B model does not have to fit in memory twice)."""

    def __init__(self, snapshot: Path) -> None:
        from safetensors import safe_open

        self._files = {}
        for path in sorted(snapshot.glob("*.safetensors")):
            handle = safe_open(path, framework="pt")
            for name in handle.keys():  # noqa: SIM118 (a safetensors handle is not a dict)
                self._files[name] = handle
        if not self._files:
            raise FileNotFoundError(f"no *.safetensors in {snapshot}")

    def names(self) -> list[str]:
        return list(self._files)

    def load(self, name: str) -> np.ndarray:
        import torch

        # numpy has no bfloat16: through float32, which holds bf16 and f16 exactly.
        return self._files[name].get_tensor(name).to(torch.float32).numpy()


def _text_name(name: str) -> str | None:
    """HF name -> the name gguf's Gemma 3 table knows (`model.layers.N...`), or None for a non-text tensor."""
    for prefix in ("model.language_model.", "language_model.model.", "language_model."):
        if name.startswith(prefix):
            return "model." + name[len(prefix) :]
    return None


def _vision_name(name: str) -> str | None:
    """HF name -> the name gguf's clip table knows, or None for a text tensor."""
    name = name.removeprefix("model.")
    if name.startswith("multi_modal_projector."):
        return name.replace("_weight", ".weight")
    if name.startswith("vision_tower."):
        inner = name.removeprefix("vision_tower.").removeprefix("vision_model.")
        return None if inner.startswith("head.") else f"vision_tower.vision_model.{inner}"
    return None


def _encode(data: np.ndarray, qtype: gguf.GGMLQuantizationType) -> tuple[np.ndarray, Any]:
    if qtype == gguf.GGMLQuantizationType.F32:
        return data.astype(np.float32), None
    if qtype == gguf.GGMLQuantizationType.F16:
        return data.astype(np.float16), None
    encoded = gguf.quants.quantize(data, qtype)
    return encoded, qtype


def _add(writer: gguf.GGUFWriter, name: str, data: np.ndarray, qtype: gguf.GGMLQuantizationType) -> None:
    encoded, raw_dtype = _encode(data, qtype)
    # The writer turns a quantized tensor's byte shape back into its element shape itself.
    writer.add_tensor(name, encoded, raw_dtype=raw_dtype)


def _read_config(snapshot: Path) -> dict[str, Any]:
    config = json.loads((snapshot / "config.json").read_text())
    if ARCHITECTURE not in config.get("architectures", []):
        raise ValueError(f"{snapshot} is {config.get('architectures')}, not {ARCHITECTURE}")
    return config


def _processor_config(snapshot: Path) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for name in ("preprocessor_config.json", "processor_config.json"):
        path = snapshot / name
        if path.is_file():
            data = json.loads(path.read_text())
            merged.update(data.get("image_processor", {}))
            merged.update({k: v for k, v in data.items() if k != "image_processor"})
    return merged


def _write_text(
    snapshot: Path, config: dict[str, Any], tensors: _Tensors, vocab: GgufVocab, out: Path, label: str
) -> None:
    text = {**_TEXT_DEFAULTS, **config["text_config"]}
    blocks = int(text["num_hidden_layers"])
    writer = gguf.GGUFWriter(out, gguf.MODEL_ARCH_NAMES[gguf.MODEL_ARCH.GEMMA3], use_temp_file=True)
    writer.add_type(gguf.GGUFType.MODEL)
    writer.add_name(label)
    writer.add_context_length(int(text["max_position_embeddings"]))
    writer.add_embedding_length(int(text["hidden_size"]))
    writer.add_block_count(blocks)
    writer.add_feed_forward_length(int(text["intermediate_size"]))
    writer.add_head_count(int(text["num_attention_heads"]))
    writer.add_head_count_kv(int(text["num_key_value_heads"]))
    writer.add_layer_norm_rms_eps(float(text["rms_norm_eps"]))
    writer.add_key_length(int(text["head_dim"]))
    writer.add_value_length(int(text["head_dim"]))
    writer.add_rope_freq_base(float(text["rope_theta"]))  # the global layers'; llama.cpp fixes the local ones
    writer.add_sliding_window(int(text["sliding_window"]))
    scaling = text.get("rope_scaling") or {}
    if scaling.get("rope_type", scaling.get("type")) == "linear":
        writer.add_rope_scaling_type(gguf.RopeScalingType.LINEAR)
        writer.add_rope_scaling_factor(float(scaling["factor"]))
    if text.get("final_logit_softcapping"):
        writer.add_final_logit_softcapping(float(text["final_logit_softcapping"]))
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_BF16)
    vocab.write(writer)
    template = chat_template(snapshot)
    if template:
        writer.add_chat_template(template)
    table = gguf.get_tensor_name_map(gguf.MODEL_ARCH.GEMMA3, blocks)
    for hf_name, name in _mapped(tensors, _text_name, table):
        data = tensors.load(hf_name)
        if name == "token_embd.weight":
            # rows past the vocabulary (the image token, padding) are never looked up
            data = data[: vocab.size]
        if name.endswith("norm.weight"):
            data = data + 1.0  # Gemma3RMSNorm scales by (1 + weight); llama.cpp by weight
        qtype = gguf.GGMLQuantizationType.F32 if data.ndim == 1 else gguf.GGMLQuantizationType.BF16
        _add(writer, name, data, qtype)
    _finish(writer)


def _mapped(tensors: _Tensors, rename: Any, table: gguf.TensorNameMap) -> Iterator[tuple[str, str]]:
    for hf_name in tensors.names():
        local = rename(hf_name)
        if local is None:
            continue
        name = table.get_name(local, try_suffixes=(".weight", ".bias"))
        if name is None:
            raise ValueError(f"cannot map tensor {hf_name!r}")
        yield hf_name, name


def _write_mmproj(snapshot: Path, config: dict[str, Any], tensors: _Tensors, out: Path, label: str) -> None:
    vision = {**_VISION_DEFAULTS, **config["vision_config"]}
    processor = _processor_config(snapshot)
    writer = gguf.GGUFWriter(out, gguf.MODEL_ARCH_NAMES[gguf.MODEL_ARCH.MMPROJ], use_temp_file=True)
    writer.add_type(gguf.GGUFType.MMPROJ)
    writer.add_name(f"{label} vision projector")
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    writer.add_clip_has_vision_encoder(True)
    writer.add_vision_projection_dim(int(config["text_config"]["hidden_size"]))
    writer.add_vision_image_size(int(vision["image_size"]))
    writer.add_vision_patch_size(int(vision["patch_size"]))
    writer.add_vision_embedding_length(int(vision["hidden_size"]))
    writer.add_vision_feed_forward_length(int(vision["intermediate_size"]))
    writer.add_vision_block_count(int(vision["num_hidden_layers"]))
    writer.add_vision_head_count(int(vision["num_attention_heads"]))
    writer.add_vision_image_mean(processor.get("image_mean", [0.5, 0.5, 0.5]))
    writer.add_vision_image_std(processor.get("image_std", [0.5, 0.5, 0.5]))
    writer.add_clip_projector_type(gguf.VisionProjectorType.GEMMA3)
    writer.add_vision_attention_layernorm_eps(float(vision["layer_norm_eps"]))
    writer.add_vision_use_gelu(True)
    image_tokens = int(processor.get("image_seq_length", config.get("mm_tokens_per_image", 256)))
    scale = (int(vision["image_size"]) // int(vision["patch_size"])) // int(image_tokens**0.5)
    if scale > 0 and scale != 4:  # 4 is clip.cpp's default for Gemma 3 (896 px, 256 tokens)
        writer.add_vision_projector_scale_factor(scale)
    table = gguf.get_tensor_name_map(gguf.MODEL_ARCH.MMPROJ, int(vision["num_hidden_layers"]))
    for hf_name, name in _mapped(tensors, _vision_name, table):
        data = tensors.load(hf_name)
        if "soft_emb_norm" in name:
            data = data + 1.0  # the projector's norm is a Gemma3RMSNorm too; SigLIP's own norms are not
        f32 = data.ndim == 1 or name.startswith(("v.patch_embd", "v.position_embd"))
        _add(writer, name, data, gguf.GGMLQuantizationType.F32 if f32 else gguf.GGMLQuantizationType.F16)
    _finish(writer)


def _finish(writer: gguf.GGUFWriter) -> None:
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def quantize(source: Path, dest: Path, quant: str) -> None:
    """llama.cpp's own quantizer (as llama-quantize runs it), from the llama-cpp-python package."""
    try:
        import llama_cpp
    except ImportError as exc:
        raise RuntimeError("quantizing needs llama-cpp-python: pip install 'skinbot[llama]'") from exc
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = QUANTS[quant][1]
    # llama.cpp's log goes through this logger: a line per tensor would bury the command's own lines.
    llama_log = logging.getLogger("llama-cpp-python")
    level = llama_log.level
    llama_log.setLevel(logging.ERROR)
    try:
        status = llama_cpp.llama_model_quantize(str(source).encode(), str(dest).encode(), params)
    finally:
        llama_log.setLevel(level)
    if status != 0:
        raise RuntimeError(f"llama.cpp could not quantize {source} to {quant} (status {status})")


def gguf_names(label: str, quant: str) -> tuple[str, str]:
    return f"{label}-{QUANTS[quant][0]}.gguf", f"mmproj-{label}-f16.gguf"


def convert_gemma3(
    snapshot: Path,
    dest: Path,
    quant: str = "q4_k_m",
    vocab_gguf: Path | None = None,
    label: str | None = None,
) -> GgufPair:
    """Write `<label>-<QUANT>.gguf` and `mmproj-<label>-f16.gguf` into `dest`; each appears only whole."""
    if quant not in QUANTS:
        raise ValueError(f"quant must be one of {sorted(QUANTS)}, not {quant!r}")
    config = _read_config(snapshot)
    label = label or snapshot.resolve().name
    vocab = load_vocab(snapshot, vocab_gguf)
    tensors = _Tensors(snapshot)
    dest.mkdir(parents=True, exist_ok=True)
    model_name, mmproj_name = gguf_names(label, quant)
    with tempfile.TemporaryDirectory(dir=dest, prefix=".convert-") as work:
        bf16 = Path(work) / "model-bf16.gguf"
        log.info("writing the text model of %s", snapshot)
        _write_text(snapshot, config, tensors, vocab, bf16, label)
        model = Path(work) / model_name
        if quant == "bf16":
            bf16.replace(model)
        else:
            log.info("quantizing to %s", QUANTS[quant][0])
            quantize(bf16, model, quant)
        mmproj = Path(work) / mmproj_name
        log.info("writing the vision projector")
        _write_mmproj(snapshot, config, tensors, mmproj, label)
        model.replace(dest / model_name)
        mmproj.replace(dest / mmproj_name)
    return GgufPair(dest / model_name, dest / mmproj_name)
