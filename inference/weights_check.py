"""Whether a MedGemma folder is whole and loads, without reading 8 GB into memory.

transformers loads the config (an image-text model) and the processor (tokenizer and image processor), the
tokenizer encodes a sentence, and every safetensors file is complete (its header parses and its tensors end
exactly at the end of the file) and holds every tensor the index names. `full=True` also loads the whole
model with transformers.
"""

from __future__ import annotations

import json
from pathlib import Path

from inference.weights_errors import WeightsError


def verify_model_dir(path: Path, full: bool = False) -> str:
    """Check that `path` holds a loadable image-text model in the google/medgemma-4b-it layout.

    Returns a one-line summary; raises WeightsError naming the first thing that does not load.
    """
    from transformers import AutoConfig, AutoProcessor

    try:
        config = AutoConfig.from_pretrained(path)
    except Exception as exc:  # transformers raises OSError, ValueError, KeyError... for a bad config
        raise WeightsError(
            f"{path}: config.json does not load with transformers ({_first_line(exc)})"
        ) from None
    if getattr(config, "vision_config", None) is None:
        raise WeightsError(
            f"{path}: {config.model_type} is not an image-text model (its config has no vision part)"
        )
    try:
        processor = AutoProcessor.from_pretrained(path)
    except Exception as exc:
        raise WeightsError(
            f"{path}: the processor does not load with transformers ({_first_line(exc)})"
        ) from None
    tokenizer = getattr(processor, "tokenizer", None)
    if tokenizer is None or getattr(processor, "image_processor", None) is None:
        raise WeightsError(f"{path}: the processor has no tokenizer or no image processor")
    if not tokenizer("This is pre-screening, not a diagnosis.")["input_ids"]:
        raise WeightsError(f"{path}: the tokenizer encodes text to nothing")
    tensors, shards = check_safetensors(path)
    summary = (
        f"{config.model_type} config, processor and tokenizer load; {tensors} tensors in {shards} "
        "complete safetensors file(s)"
    )
    if full:
        from transformers import AutoModelForImageTextToText

        try:
            model = AutoModelForImageTextToText.from_pretrained(path, dtype="auto")
        except Exception as exc:
            raise WeightsError(
                f"{path}: the model does not load with transformers ({_first_line(exc)})"
            ) from None
        params = sum(p.numel() for p in model.parameters())
        del model
        summary += f"; the whole model loads ({params / 1e9:.2f}B parameters)"
    return summary


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


def _safetensors_names(path: Path) -> set[str]:
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(8)
        length = int.from_bytes(head, "little") if len(head) == 8 else -1
        if length < 2 or 8 + length > size:
            raise WeightsError(f"{path.name} is not a safetensors file, or is cut short")
        try:
            header = json.loads(f.read(length))
        except ValueError:
            raise WeightsError(f"{path.name} has an unreadable safetensors header") from None
    header.pop("__metadata__", None)
    end = max((int(t["data_offsets"][1]) for t in header.values()), default=0)
    if 8 + length + end != size:
        raise WeightsError(
            f"{path.name} is {size} bytes but its header describes {8 + length + end}: incomplete"
        )
    return set(header)


def check_safetensors(path: Path) -> tuple[int, int]:
    """(tensors, files): every safetensors file is whole, and holds every tensor the index assigns it."""
    index = path / "model.safetensors.index.json"
    if index.is_file():
        weight_map: dict[str, str] = json.loads(index.read_text(encoding="utf-8")).get("weight_map", {})
        shards = sorted(set(weight_map.values()))
        missing_files = [s for s in shards if not (path / s).is_file()]
        if missing_files:
            raise WeightsError(f"{path}: the index names safetensors files that are missing: {missing_files}")
        names = {shard: _safetensors_names(path / shard) for shard in shards}
        absent = [t for t, shard in weight_map.items() if t not in names[shard]]
        if absent:
            raise WeightsError(
                f"{path}: {len(absent)} tensors of the index are not in their files, e.g. {absent[0]}"
            )
        return len(weight_map), len(shards)
    files = sorted(path.glob("*.safetensors"))
    if not files:
        raise WeightsError(f"{path} has no *.safetensors weights")
    return sum(len(_safetensors_names(f)) for f in files), len(files)
