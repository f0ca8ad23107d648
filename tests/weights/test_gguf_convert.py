"""`skinbot weights convert --gguf` on the tiny random Gemma 3: llama.cpp loads what it writes.

The command runs as a user runs it; the result is loaded with llama-cpp-python (text generation, and an
image chat through the projector), so a wrong tensor name, shape or metadata key fails here as it would with
MedGemma. The vocabulary comes from the Gemma 3 270M GGUF (the tiny model has no tokenizer.model); the
tokenizer.model route is checked against it on a SentencePiece model file rebuilt from that GGUF.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from testkit.tiny_gguf import tiny_gemma_gguf

llama_cpp = pytest.importorskip("llama_cpp", reason="the llama extra: scripts/install-llama")
gguf = pytest.importorskip("gguf")

ROOT = Path(__file__).resolve().parents[2]
FILE_TYPES = {"q4_k_m": 15, "q8_0": 7}  # llama_ftype, as general.file_type records it


def convert(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "skinbot", "weights", "convert", "--gguf", *map(str, args)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def fields(path: Path) -> dict[str, object]:
    """Every metadata value of a GGUF (one read: parsing a 262,144-token vocabulary takes seconds)."""
    return {key: value.contents() for key, value in gguf.GGUFReader(path).fields.items()}


@pytest.mark.parametrize("quant", ["q4_k_m", "q8_0"])
def test_convert_writes_a_model_and_projector_that_llama_cpp_runs(
    quant: str, tiny_gemma_dir: Path, gemma_gguf_path: Path, tmp_path: Path
) -> None:
    snapshot = tmp_path / "tiny-medgemma"
    shutil.copytree(tiny_gemma_dir, snapshot)
    dest = tmp_path / "gguf"

    result = convert("--quant", quant, "--vocab-from", gemma_gguf_path, snapshot, dest)

    assert result.returncode == 0, result.stderr[-3000:]
    suffix = {"q4_k_m": "Q4_K_M", "q8_0": "Q8_0"}[quant]
    model, mmproj = dest / f"tiny-medgemma-{suffix}.gguf", dest / "mmproj-tiny-medgemma-f16.gguf"
    assert sorted(p.name for p in dest.iterdir()) == sorted([model.name, mmproj.name])  # no leftovers
    assert result.stdout.splitlines() == [f"ok: {model}", f"ok: {mmproj}", f"to use it: SKINBOT_LLM={model}"]
    written, projector = fields(model), fields(mmproj)
    assert written["general.file_type"] == FILE_TYPES[quant]
    assert written["general.architecture"] == "gemma3"
    assert written["tokenizer.ggml.tokens"] == fields(gemma_gguf_path)["tokenizer.ggml.tokens"]
    assert "<start_of_turn>" in str(written["tokenizer.chat_template"])
    assert projector["clip.projector_type"] == "gemma3"
    assert projector["clip.vision.projector.scale_factor"] == 2  # 64 px / 16 px patches -> 2x2 tokens

    llm = llama_cpp.Llama(model_path=str(model), n_ctx=256, verbose=False, seed=0)
    out = llm.create_completion("The skin on the arm", max_tokens=4, temperature=0.0)
    assert out["usage"]["completion_tokens"] >= 1
    assert llm.n_vocab() == 262144
    # Gemma's chat tokens are single tokens, as with the real tokenizer (a broken vocabulary splits them).
    assert len(llm.tokenize(b"<start_of_turn>", add_bos=False, special=True)) == 1


def test_the_projector_reads_an_image_in_a_chat() -> None:
    from llama_cpp.llama_chat_format import MTMDChatHandler
    from PIL import Image

    model, mmproj = tiny_gemma_gguf("q4_k_m")
    handler = MTMDChatHandler(clip_model_path=str(mmproj), verbose=False)
    llm = llama_cpp.Llama(model_path=str(model), n_ctx=512, chat_handler=handler, verbose=False, seed=0)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 120, 90)).save(buffer, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    text_only = llm.create_chat_completion(
        messages=[{"role": "user", "content": "Describe the photo."}], max_tokens=3, temperature=0.0
    )
    with_image = llm.create_chat_completion(
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "image_url", "image_url": {"url": url}},
                    {"type": "text", "text": "Describe the photo."},
                ],
            }
        ],
        max_tokens=3,
        temperature=0.0,
    )
    assert with_image["usage"]["completion_tokens"] >= 1
    # The image's 4 soft tokens (and <start_of_image>, <end_of_image>) reached the model.
    extra = with_image["usage"]["prompt_tokens"] - text_only["usage"]["prompt_tokens"]
    assert extra >= 4, (with_image["usage"], text_only["usage"])


def _sentencepiece_model(reference: Path, out: Path) -> None:
    """A tokenizer.model with the reference GGUF's pieces, scores and types (as Google's file holds them)."""
    from transformers.convert_slow_tokenizer import import_protobuf

    reader = gguf.GGUFReader(reference)
    proto = import_protobuf().ModelProto()
    tokens = reader.fields["tokenizer.ggml.tokens"].contents()
    scores = reader.fields["tokenizer.ggml.scores"].contents()
    types = reader.fields["tokenizer.ggml.token_type"].contents()
    for token, score, kind in zip(tokens, scores, types, strict=True):
        piece = proto.pieces.add()
        piece.piece, piece.score, piece.type = token, score, kind
    spec = proto.trainer_spec
    spec.bos_id, spec.eos_id, spec.unk_id, spec.pad_id = 2, 1, 3, 0
    out.write_bytes(proto.SerializeToString())


def test_a_snapshot_with_tokenizer_model_needs_no_other_gguf(
    tiny_gemma_dir: Path, gemma_gguf_path: Path, tmp_path: Path
) -> None:
    from inference.gguf_vocab import load_vocab, vocab_from_gguf

    snapshot = tmp_path / "snapshot"
    shutil.copytree(tiny_gemma_dir, snapshot)
    with pytest.raises(FileNotFoundError, match="--vocab-from"):
        load_vocab(snapshot, None)
    _sentencepiece_model(gemma_gguf_path, snapshot / "tokenizer.model")

    ours = {key: value for key, value, _, _ in load_vocab(snapshot, None).fields}
    theirs = {key: value for key, value, _, _ in vocab_from_gguf(gemma_gguf_path).fields}

    for key in ("tokens", "token_type", "bos_token_id", "eos_token_id", "unknown_token_id", "model"):
        assert ours[f"tokenizer.ggml.{key}"] == theirs[f"tokenizer.ggml.{key}"], key
    assert ours["tokenizer.ggml.scores"] == pytest.approx(theirs["tokenizer.ggml.scores"])


def test_a_snapshot_of_another_architecture_is_one_line(tiny_gemma_dir: Path, tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot"
    shutil.copytree(tiny_gemma_dir, snapshot)
    config = json.loads((snapshot / "config.json").read_text())
    config["architectures"] = ["LlamaForCausalLM"]
    (snapshot / "config.json").write_text(json.dumps(config))

    result = convert(snapshot, tmp_path / "out")

    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"skinbot: {snapshot} is ['LlamaForCausalLM'], not Gemma3ForConditionalGeneration"
    ]
    assert not (tmp_path / "out").exists()
