"""ReportModel on the tiny random Gemma 3 (production loading code), and the real 270M GGUF (text-only).

The tiny model writes gibberish: these tests assert on mechanics, never on content.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path

import pytest
import torch
from PIL import Image
from transformers import LogitsProcessor, LogitsProcessorList

from inference.batch_streamer import BatchStreamer
from inference.labels import Classification
from inference.report_model import ReportModel
from inference.report_request import ReportRequest

CLS = Classification((0.1, 0.05, 0.55, 0.1, 0.1, 0.1))


def req(language: str = "en", age: int = 40) -> ReportRequest:
    return ReportRequest(age, "female", "Itchy patch on the arm.", language, CLS)


@pytest.fixture(scope="module")
def image() -> Image.Image:
    return Image.new("RGB", (80, 60), (190, 110, 100))


@pytest.fixture(scope="module")
def tiny(tiny_gemma_dir: Path) -> ReportModel:
    model = ReportModel(tiny_gemma_dir, device="cpu", max_new_tokens=12)
    model.setup()
    return model


class Collector:
    def __init__(self) -> None:
        self.deltas: list[tuple[int, str]] = []

    def __call__(self, row: int, text: str) -> None:
        self.deltas.append((row, text))

    def text(self, row: int) -> str:
        return "".join(t for r, t in self.deltas if r == row)


class Scripted(LogitsProcessor):
    """Forces each row to emit its scripted token ids in order, then EOS (a token source we control)."""

    def __init__(self, scripts: list[list[int]], prompt_len: int, eos: int) -> None:
        self.scripts, self.prompt_len, self.eos = scripts, prompt_len, eos

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        step = input_ids.shape[1] - self.prompt_len
        forced = torch.full_like(scores, float("-inf"))
        for row, script in enumerate(self.scripts):
            forced[row, script[step] if step < len(script) else self.eos] = 0.0
        return forced


def script_model(model: ReportModel, monkeypatch: pytest.MonkeyPatch, scripts: list[list[int]]) -> None:
    original = model.model.generate

    def generate(*args, **kwargs):  # type: ignore[no-untyped-def]
        prompt_len = kwargs["input_ids"].shape[1]
        processor = Scripted(scripts, prompt_len, eos=106)
        kwargs["logits_processor"] = LogitsProcessorList([processor])
        return original(*args, **kwargs)

    monkeypatch.setattr(model.model, "generate", functools.wraps(original)(generate))


def test_loads_and_streams(tiny: ReportModel, image: Image.Image) -> None:
    out = Collector()
    [result] = tiny.generate([req()], [image], out)
    assert result.image_seen
    assert result.stopped_by == "length"
    assert result.tokens == 12
    assert out.text(0) == result.text and result.text
    assert tiny.last_timing.steps == 12 and tiny.last_timing.prompt_tokens > 4


def test_batch_of_three_matches_single_runs(tiny: ReportModel, image: Image.Image) -> None:
    requests = [req("en", 30), req("ko", 50), req("vi", 70)]
    images = [image, None, image]
    out = Collector()
    results = tiny.generate(requests, images, out)
    assert [r.image_seen for r in results] == [True, False, True]
    for row, result in enumerate(results):
        assert out.text(row) == result.text
        [single] = tiny.generate([requests[row]], [images[row]], lambda r, t: None)
        assert single.text == result.text  # greedy + left padding: batching changes nothing


def test_cancel_one_row_mid_stream(tiny: ReportModel, image: Image.Image) -> None:
    tiny.max_new_tokens = 40
    try:
        out = Collector()
        polls = {0: 0, 1: 0, 2: 0}

        def should_stop(row: int) -> bool:  # the user presses cancel on row 1 after 3 decoding steps
            polls[row] += 1
            return row == 1 and polls[row] >= 3

        results = tiny.generate([req(), req("ko"), req("vi")], [image, image, None], out, should_stop)
    finally:
        tiny.max_new_tokens = 12
    assert results[1].stopped_by == "cancelled"
    assert results[1].tokens == 2  # the token decoded in the step that saw the cancel is dropped
    assert results[0].stopped_by == results[2].stopped_by == "length"
    assert results[0].tokens == 40
    for row, result in enumerate(results):
        assert out.text(row) == result.text


def test_cancel_all_returns_quickly(tiny: ReportModel, image: Image.Image) -> None:
    tiny.max_new_tokens = 400
    try:
        started = time.monotonic()
        results = tiny.generate([req(), req()], [image, image], lambda r, t: None, lambda row: True)
    finally:
        tiny.max_new_tokens = 12
    assert all(r.stopped_by == "cancelled" and r.tokens <= 1 for r in results)
    assert time.monotonic() - started < 5


def test_timeout_stops_generation(tiny: ReportModel, image: Image.Image) -> None:
    tiny.timeout_s = 0.0
    try:
        [result] = tiny.generate([req()], [image], lambda r, t: None)
    finally:
        tiny.timeout_s = 300.0
    assert result.stopped_by == "timeout"
    assert result.tokens <= 1


def test_min_new_tokens_and_eos(tiny: ReportModel, monkeypatch: pytest.MonkeyPatch) -> None:
    words = tiny.tokenizer.encode(" dry skin", add_special_tokens=False)
    script_model(tiny, monkeypatch, [words])
    [result] = tiny.generate([req()], [None], lambda r, t: None)
    assert result.stopped_by == "eos" and result.text == " dry skin" and result.tokens == len(words)


def test_korean_multibyte_never_split(tiny: ReportModel, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "피부 발진 ệ"
    tok = tiny.tokenizer
    # One byte-fallback token per UTF-8 byte: the hardest case for incremental decoding.
    ids = [tok.convert_tokens_to_ids(f"<0x{b:02X}>") for b in text.encode("utf-8")]
    assert tok.unk_token_id not in ids
    script_model(tiny, monkeypatch, [ids, tok.encode("안녕하세요 피부", add_special_tokens=False)])
    tiny.max_new_tokens = len(ids) + 2
    try:
        out = Collector()
        results = tiny.generate([req("ko"), req("ko")], [None, None], out)
    finally:
        tiny.max_new_tokens = 12
    assert results[0].text == text and results[1].text == "안녕하세요 피부"
    assert all("\ufffd" not in t for _, t in out.deltas)
    assert results[0].stopped_by == "eos" and results[0].tokens == len(ids)
    # Below the repetition guard, the streamer itself emits one whole character per delta.
    raw = Collector()
    streamer = BatchStreamer(tok, 1, raw, eos_token_ids=[1, 106], skip_prompt=False)
    for token_id in ids:
        streamer.put(torch.tensor([token_id]))
    streamer.end()
    assert [t for _, t in raw.deltas] == ["피", "부", " ", "발", "진", " ", "ệ"]


def test_repetition_guard_stops_a_looping_model(tiny: ReportModel, monkeypatch: pytest.MonkeyPatch) -> None:
    head = "## 1. Visual observations\n- Red, scaly patches on both elbows.\n\n"
    section = "## 3. Recommended care\n- Apply a fragrance-free moisturiser twice a day to the skin.\n\n"
    ids = tiny.tokenizer.encode(head + section * 4, add_special_tokens=False)
    tiny.max_new_tokens = len(ids) + 5
    try:
        script_model(tiny, monkeypatch, [ids])
        out = Collector()
        [result] = tiny.generate([req()], [None], out)
    finally:
        tiny.max_new_tokens = 12
    assert result.stopped_by == "repetition"
    assert result.text == head + section
    assert out.text(0) == result.text
    assert result.tokens < len(ids) * 0.75  # generation really stopped, not just the text


def test_missing_weights_says_what_to_download(tmp_path: Path) -> None:
    model = ReportModel(tmp_path / "medgemma-4b-it")
    with pytest.raises(FileNotFoundError) as err:
        model.setup()
    message = str(err.value)
    assert "google/medgemma-4b-it" in message
    assert "hf download google/medgemma-4b-it --local-dir weights/medgemma-4b-it" in message
    assert "licence" in message and "SKINBOT_LLM" in message


def test_4bit_needs_cuda(tiny_gemma_dir: Path) -> None:
    if torch.cuda.is_available():
        pytest.skip("CUDA present: covered by the gpu test")
    with pytest.raises(RuntimeError, match="CUDA"):
        ReportModel(tiny_gemma_dir, device="cpu", quantize="4bit").setup()
    with pytest.raises(ValueError):
        ReportModel(tiny_gemma_dir, quantize="8bit")


def test_streamer_skips_prompt_special_tokens_and_finished_rows(tiny: ReportModel) -> None:
    tok = tiny.tokenizer
    out = Collector()
    streamer = BatchStreamer(tok, 2, out, eos_token_ids=[1, 106])
    streamer.put(torch.tensor([[2, 5, 6], [0, 2, 7]]))  # the prompt: skipped
    a = tok.encode(" Hello world", add_special_tokens=False)
    steps = [[a[0], 106], [a[1], 0], [106, 0]]
    for step in steps:
        streamer.put(torch.tensor(step))
    streamer.end()
    assert out.text(0) == " Hello world" and out.text(1) == ""
    assert streamer.hit_eos(0) and streamer.hit_eos(1)
    assert streamer.tokens(0) == 2 and streamer.tokens(1) == 0


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_4bit_on_gpu(tiny_gemma_dir: Path, image: Image.Image) -> None:
    pytest.importorskip("bitsandbytes")
    model = ReportModel(tiny_gemma_dir, device="cuda", quantize="4bit", max_new_tokens=8)
    model.setup()
    [result] = model.generate([req()], [image], lambda r, t: None)
    assert result.tokens == 8 and result.image_seen


@pytest.mark.slow
def test_gguf_text_only_writes_english(gemma_gguf_path: Path, image: Image.Image) -> None:
    model = ReportModel(
        gemma_gguf_path.parent, device="cpu", max_new_tokens=24, gguf_file=gemma_gguf_path.name
    )
    model.setup()
    out = Collector()
    [result] = model.generate([req()], [image], out)
    assert not result.image_seen  # text-only: the photo is ignored, and the prompt says so
    assert model.skin_yes([image, image]) == [None, None]  # nor can it be asked whether the photo is skin
    assert out.text(0) == result.text
    words = set(result.text.lower().replace(".", " ").replace(",", " ").split())
    assert len(words & {"the", "a", "and", "you", "of", "to", "is", "skin", "for", "are", "in"}) >= 2, (
        result.text
    )


# --- several images a prompt: a case's photos and a follow-up's earlier close-up ----------------------------


def several(kinds: tuple[str, ...], earlier_photo: bool = False) -> ReportRequest:
    from dataclasses import replace

    from inference.report_request import EarlierResult

    earlier = EarlierResult("2026-01-01", CLS, photo_attached=True) if earlier_photo else None
    return replace(req(), photo_kinds=kinds, earlier=earlier)


def image_tokens(model: ReportModel, request: ReportRequest, images: list[Image.Image]) -> int:
    inputs, _ = model._inputs([request], [images])
    return int((inputs["input_ids"] == model.processor.image_token_id).sum())


def test_every_photo_reaches_the_model(tiny: ReportModel, image: Image.Image) -> None:
    other = Image.new("RGB", (60, 80), (120, 70, 60))
    one = image_tokens(tiny, req(), [image])
    assert one > 0
    assert image_tokens(tiny, several(("close_up", "overview")), [image, other]) == 2 * one
    three = several(("close_up", "overview"), earlier_photo=True)  # two photos and the earlier close-up
    assert image_tokens(tiny, three, [image, other, image]) == 3 * one
    inputs, _ = tiny._inputs([three], [[image, other, image]])
    assert inputs["pixel_values"].shape[0] == 3


def test_a_batch_mixes_rows_of_several_one_and_no_image(tiny: ReportModel, image: Image.Image) -> None:
    other = Image.new("RGB", (60, 80), (120, 70, 60))
    requests = [several(("close_up", "overview")), req("ko"), req("vi")]
    rows: list = [[image, other], image, None]
    out = Collector()
    results = tiny.generate(requests, rows, out)
    assert [r.image_seen for r in results] == [True, True, False]
    [single] = tiny.generate([requests[0]], [rows[0]], lambda r, t: None)
    assert single.text == results[0].text == out.text(0)


def test_the_images_must_match_the_request(tiny: ReportModel, image: Image.Image) -> None:
    with pytest.raises(ValueError, match="2 image"):
        tiny.generate([several(("close_up", "overview"))], [[image]], lambda r, t: None)


# --- the skin question: one forward pass over the photo and the question -----------------------------------


def generate_yes_share(model: ReportModel, photo: Image.Image) -> float:
    """P(yes) among yes/no from transformers' own generate: the scores of the first token it would write."""
    from inference.skin_question import NO_WORDS, QUESTION, YES_WORDS

    messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": QUESTION}]}]
    text = model.processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    inputs = model.processor(text=[text], images=[[photo]], return_tensors="pt", add_special_tokens=False)
    out = model.model.generate(
        **inputs, max_new_tokens=1, do_sample=False, output_scores=True, return_dict_in_generate=True
    )
    probs = torch.softmax(out.scores[0][0].float(), dim=-1)
    vocab = model.tokenizer.get_vocab()
    yes = sum(float(probs[vocab[w]]) for w in YES_WORDS if w in vocab)
    no = sum(float(probs[vocab[w]]) for w in NO_WORDS if w in vocab)
    return yes / (yes + no)


def test_the_skin_question_reads_yes_and_no_for_each_photo(tiny: ReportModel, image: Image.Image) -> None:
    green = Image.new("RGB", (60, 80), (40, 160, 60))
    shares = tiny.skin_yes([image, green, image])
    assert all(s is not None and 0.0 < s < 1.0 for s in shares), shares
    assert shares[0] == shares[2]  # one photo a pass: the same photo, the same answer
    assert abs(shares[0] - shares[1]) > 1e-4  # the photo itself is what is judged
    for photo, share in ((image, shares[0]), (green, shares[1])):
        assert share == pytest.approx(generate_yes_share(tiny, photo), rel=1e-4)
