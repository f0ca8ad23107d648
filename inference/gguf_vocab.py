"""The tokenizer half of a Gemma 3 GGUF: llama.cpp's `tokenizer.ggml.*` metadata.

llama.cpp tokenizes Gemma 3 with its SentencePiece ("llama") tokenizer, which needs every piece with its score
and type. A Hugging Face snapshot carries those in `tokenizer.model` (google/medgemma-4b-it does); a
snapshot without one (our test model's tokenizer was itself converted from a GGUF) takes them from another
Gemma 3 GGUF, since every Gemma 3 model shares the one 262,144-piece vocabulary. Both are read without the
sentencepiece package: the model file is a protobuf, parsed with the schema transformers ships.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gguf

_CHAT_TEMPLATE = "tokenizer.chat_template"


@dataclass(frozen=True)
class GgufVocab:
    """Key/value metadata ready for a GGUFWriter, and how many pieces it holds (the embedding's real rows)."""

    fields: tuple[tuple[str, Any, gguf.GGUFValueType, gguf.GGUFValueType | None], ...]
    size: int

    def write(self, writer: gguf.GGUFWriter) -> None:
        for key, value, vtype, sub_type in self.fields:
            writer.add_key_value(key, value, vtype, sub_type=sub_type)


def vocab_from_gguf(path: Path) -> GgufVocab:
    """Every `tokenizer.*` key of another Gemma 3 GGUF, carried over as it is (its chat template aside: the
    snapshot's own is written instead)."""
    reader = gguf.GGUFReader(path)
    fields = []
    size = 0
    for key, field in reader.fields.items():
        if not key.startswith("tokenizer.") or key == _CHAT_TEMPLATE:
            continue
        vtype = gguf.GGUFValueType(field.types[0])
        sub_type = gguf.GGUFValueType(field.types[1]) if vtype == gguf.GGUFValueType.ARRAY else None
        value = field.contents()
        if key == "tokenizer.ggml.tokens":
            size = len(value)
        fields.append((key, value, vtype, sub_type))
    if not size:
        raise ValueError(f"{path} holds no tokenizer.ggml.tokens")
    return GgufVocab(tuple(fields), size)


def _sentencepiece_proto(path: Path) -> Any:
    from transformers.convert_slow_tokenizer import import_protobuf

    proto = import_protobuf().ModelProto()
    proto.ParseFromString(path.read_bytes())
    return proto


def vocab_from_sentencepiece(snapshot: Path) -> GgufVocab:
    """Pieces, scores and types from `tokenizer.model`, with the added tokens of tokenizer_config.json marked
    as llama.cpp's converter marks them (special ones as control tokens, so they never print)."""
    proto = _sentencepiece_proto(snapshot / "tokenizer.model")
    tokens = [piece.piece for piece in proto.pieces]
    scores = [float(piece.score) for piece in proto.pieces]
    # SentencePiece's piece types (NORMAL=1 ... BYTE=6) are numbered as gguf.TokenType is.
    types = [int(piece.type) or int(gguf.TokenType.NORMAL) for piece in proto.pieces]
    config_path = snapshot / "tokenizer_config.json"
    config = json.loads(config_path.read_text()) if config_path.is_file() else {}
    for token_id, token in config.get("added_tokens_decoder", {}).items():
        index = int(token_id)
        if index < len(tokens):
            tokens[index] = token["content"]
            special = token.get("special")
            types[index] = int(gguf.TokenType.CONTROL if special else gguf.TokenType.USER_DEFINED)
    spec = proto.trainer_spec
    array, string = gguf.GGUFValueType.ARRAY, gguf.GGUFValueType.STRING
    uint32, boolean = gguf.GGUFValueType.UINT32, gguf.GGUFValueType.BOOL
    fields = (
        ("tokenizer.ggml.model", "llama", string, None),
        ("tokenizer.ggml.pre", "default", string, None),
        ("tokenizer.ggml.tokens", tokens, array, string),
        ("tokenizer.ggml.scores", scores, array, gguf.GGUFValueType.FLOAT32),
        ("tokenizer.ggml.token_type", types, array, gguf.GGUFValueType.INT32),
        ("tokenizer.ggml.bos_token_id", spec.bos_id, uint32, None),
        ("tokenizer.ggml.eos_token_id", spec.eos_id, uint32, None),
        ("tokenizer.ggml.unknown_token_id", spec.unk_id, uint32, None),
        ("tokenizer.ggml.padding_token_id", spec.pad_id, uint32, None),
        ("tokenizer.ggml.add_bos_token", True, boolean, None),
        ("tokenizer.ggml.add_eos_token", False, boolean, None),
        ("tokenizer.ggml.add_space_prefix", False, boolean, None),
    )
    return GgufVocab(fields, len(tokens))


def load_vocab(snapshot: Path, vocab_gguf: Path | None) -> GgufVocab:
    if vocab_gguf is not None:
        return vocab_from_gguf(vocab_gguf)
    if (snapshot / "tokenizer.model").is_file():
        return vocab_from_sentencepiece(snapshot)
    raise FileNotFoundError(
        f"{snapshot} has no tokenizer.model: pass --vocab-from with any Gemma 3 GGUF to take its vocabulary"
    )


def chat_template(snapshot: Path) -> str | None:
    """The snapshot's own chat template (chat_template.jinja, else tokenizer_config.json's)."""
    jinja = snapshot / "chat_template.jinja"
    if jinja.is_file():
        return jinja.read_text()
    config = snapshot / "tokenizer_config.json"
    if config.is_file():
        template = json.loads(config.read_text()).get("chat_template")
        return template if isinstance(template, str) else None
    return None
