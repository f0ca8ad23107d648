"""EngineWriter on its own: error shapes (fake engine), setup errors, probing, cancel and timeout."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from PIL import Image

from inference.engine_errors import EngineError
from inference.engine_writer import EngineWriter, probe
from inference.labels import Classification
from inference.report_request import ReportRequest
from tests.engine.conftest import IMAGE_MODEL, TEXT_MODEL
from tests.engine.servers import (
    CountingProxy,
    EngineServer,
    FakeEngine,
    SseScript,
    completion,
    free_port,
    sse,
)

HISTORY = "Dry scaly rash on the left elbow since March"
CLS = Classification((0.08, 0.05, 0.62, 0.1, 0.05, 0.1))


def request(age: int = 40) -> ReportRequest:
    return ReportRequest(age, "female", HISTORY, "en", CLS)


class Recorder:
    """The worker's callbacks: what each row showed, with restarts applied as the chat applies them."""

    def __init__(self, stop_after_delta: bool = False) -> None:
        self.shown: dict[int, str] = {}
        self.restarts: list[int] = []
        self.stop_after_delta = stop_after_delta

    def on_delta(self, row: int, text: str) -> None:
        self.shown[row] = self.shown.get(row, "") + text

    def on_restart(self, row: int) -> None:
        self.restarts.append(row)
        self.shown[row] = ""

    def should_stop(self, row: int) -> bool:
        return self.stop_after_delta and bool(self.shown.get(row))


async def generate(
    writer: EngineWriter, n: int = 1, rec: Recorder | None = None, ages: list[int] | None = None
):
    rec = rec or Recorder()
    ages = ages or [40 + i for i in range(n)]
    results = await asyncio.to_thread(
        writer.generate,
        [request(a) for a in ages],
        [None] * len(ages),
        rec.on_delta,
        rec.should_stop,
        on_restart=rec.on_restart,
    )
    return results, rec


@pytest.fixture
async def fake() -> AsyncIterator[FakeEngine]:
    engine = FakeEngine(script=lambda n, body: (200, sse(["Hello there. ", "All good.\n"])))
    await engine.start()
    try:
        yield engine
    finally:
        await engine.stop()


def writer_for(
    engine: FakeEngine | CountingProxy | EngineServer, model: str = "fake/model", **kw
) -> EngineWriter:
    options = {"images": False, "retries": 2, "backoff_s": 0.05, **kw}
    return EngineWriter(engine.url, model, **options)  # type: ignore[arg-type]


def use(engine: FakeEngine, script: SseScript) -> None:
    engine.script = script


async def test_400_fails_the_row_without_retry_and_logs_the_reason(
    fake: FakeEngine, caplog: pytest.LogCaptureFixture
) -> None:
    reason = "max_tokens is too large: 700 > 512"
    echo = f"bad request: {HISTORY}"  # some servers echo the request; the history must not be logged
    use(fake, lambda n, body: (400, [json.dumps({"error": {"message": f"{reason}; {echo}"}})]))
    writer = writer_for(fake, api_key="sk-never-logged-123")
    await asyncio.to_thread(writer.setup)
    [result], _ = await generate(writer)
    assert (result.stopped_by, result.error, result.text) == ("error", "engine", "")
    assert fake.chat_requests == 1
    assert reason in caplog.text and "HTTP 400" in caplog.text
    assert HISTORY not in caplog.text and HISTORY[:40] not in caplog.text
    assert "sk-never-logged-123" not in caplog.text and "sk-never-logged-123" not in repr(writer)


MULTILINE_HISTORY = (
    "Itchy ridges behind the left knee\nsince the Marchwick fair in spring,\n\n"
    "  takes cetirizine 10 mg daily\n무릎 뒤가 가렵고 붉어짐 (3주)"
)


def _user_text(body: dict) -> str:
    return next(p["text"] for m in body["messages"] if m["role"] == "user" for p in m["content"])


@pytest.mark.parametrize(
    "echo",
    [
        # The user turn as sent, line breaks and Hangul escaped; as UTF-8; the prompt text itself; and an
        # echo the server cut off in the middle of the history.
        lambda body: json.dumps(body["messages"][-1]),
        lambda body: json.dumps(body["messages"][-1], ensure_ascii=False),
        lambda body: _user_text(body),
        lambda body: (lambda t: t[: t.index("cetirizine") + 5])(json.dumps(body["messages"][-1])),
    ],
    ids=["json-ascii", "json-unicode", "prompt", "cut-off"],
)
async def test_an_echoed_multiline_history_never_reaches_the_log(
    fake: FakeEngine, caplog: pytest.LogCaptureFixture, echo
) -> None:
    def answer(n: int, body: dict) -> tuple[int, list[str]]:
        assert "Marchwick" in json.dumps(body)  # the history really is in what the server echoes
        message = f"invalid request (schema v2). Request was: {echo(body)}"
        return 400, [json.dumps({"error": {"message": message}})]

    use(fake, answer)
    writer = writer_for(fake)
    await asyncio.to_thread(writer.setup)
    [result] = await asyncio.to_thread(
        writer.generate,
        [ReportRequest(40, "female", MULTILINE_HISTORY, "en", CLS)],
        [None],
        lambda r, t: None,
    )
    assert (result.stopped_by, result.error) == ("error", "engine")
    assert "HTTP 400" in caplog.text and "invalid request (schema v2)" in caplog.text
    logged = " ".join(caplog.text.split())
    for line in MULTILINE_HISTORY.splitlines():
        words = " ".join(line.split())
        for form in (words, json.dumps(words)[1:-1]):
            for at in range(max(0, len(form) - 11)):
                assert form[at : at + 12] not in logged, f"history leaked: {form[at : at + 12]!r}"


async def test_500_is_retried_then_succeeds(fake: FakeEngine) -> None:
    use(
        fake,
        lambda n, body: (500, ['{"error": "overloaded"}']) if n == 1 else (200, sse(["Fine. ", "Done.\n"])),
    )
    writer = writer_for(fake)
    await asyncio.to_thread(writer.setup)
    [result], rec = await generate(writer)
    assert (result.stopped_by, result.text, result.error) == ("eos", "Fine. Done.\n", None)
    assert fake.chat_requests == 2
    assert rec.restarts == []  # nothing had been shown, so nothing to take back


async def test_500_every_time_gives_up_after_the_retries(fake: FakeEngine) -> None:
    use(fake, lambda n, body: (503, ["Service Unavailable"]))
    [result], _ = await generate(writer_for(fake, retries=2))
    assert (result.stopped_by, result.error) == ("error", "engine")
    assert fake.chat_requests == 3


async def test_garbage_lines_are_skipped_between_valid_chunks(fake: FakeEngine) -> None:
    valid = sse(["One sentence here. ", "Another one.\n"])
    noisy = [valid[0], "data: {not json", "event: ping", valid[1], ": keep-alive", "data: [1, 2]", *valid[2:]]
    use(fake, lambda n, body: (200, noisy))
    [result], rec = await generate(writer_for(fake))
    assert (result.stopped_by, result.text) == ("eos", "One sentence here. Another one.\n")
    assert rec.shown[0] == result.text


async def test_a_stream_of_only_garbage_fails_the_row(fake: FakeEngine) -> None:
    use(fake, lambda n, body: (200, ["data: {oops", "hello", "data: 42", 'data: {"nothing": 1']))
    [result], _ = await generate(writer_for(fake))
    assert (result.stopped_by, result.error) == ("error", "engine")
    assert fake.chat_requests == 1  # a server speaking another protocol will not improve on a retry


async def test_broken_stream_restarts_the_row_and_other_rows_are_untouched(fake: FakeEngine) -> None:
    full = ["First sentence of the report. ", "Second sentence follows. ", "Last line.\n"]

    broke: list[int] = []

    def script(n: int, body: dict) -> tuple[int, list[str]]:
        if "- Age: 40" in body["messages"][1]["content"][-1]["text"] and not broke:
            broke.append(n)
            return 200, sse(full, done=False)[:3]  # two content chunks, then the connection just ends
        return 200, sse(full)

    use(fake, script)
    results, rec = await generate(writer_for(fake, concurrency=2), ages=[40, 41])
    expected = "".join(full)
    assert [r.text for r in results] == [expected, expected]
    assert [r.stopped_by for r in results] == ["eos", "eos"]
    assert rec.restarts == [0]  # row 0 had shown text, so the chat was told to clear it
    assert rec.shown == {0: expected, 1: expected}
    assert fake.chat_requests == 3


async def test_an_error_event_mid_stream_is_retried(fake: FakeEngine) -> None:
    broken = [*sse(["Start. "], done=False)[:2], 'data: {"error": {"message": "CUDA error", "code": 500}}']
    use(fake, lambda n, body: (200, broken) if n == 1 else (200, sse(["Start. ", "End.\n"])))
    [result], rec = await generate(writer_for(fake))
    assert result.text == "Start. End.\n" and rec.shown[0] == result.text
    assert fake.chat_requests == 2


async def test_per_job_timeout(fake: FakeEngine) -> None:
    use(fake, lambda n, body: (200, ["SLEEP 5", *sse(["late"])]))
    [result], _ = await generate(writer_for(fake, timeout_s=0.5))
    assert result.stopped_by == "timeout"


async def test_cancel_closes_the_stream(proxy: CountingProxy) -> None:
    writer = writer_for(proxy, IMAGE_MODEL, max_tokens=400)
    await asyncio.to_thread(writer.setup)
    [result], rec = await generate(writer, rec=Recorder(stop_after_delta=True))
    assert result.stopped_by == "cancelled"
    assert rec.shown[0] == result.text and result.tokens < 400


async def test_setup_names_a_refused_connection() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(EngineError) as raised:
        await asyncio.to_thread(EngineWriter(url, "any/model").setup)
    message = str(raised.value)
    assert "\n" not in message and url in message and "refused" in message


async def test_setup_names_a_missing_model_and_lists_the_served_ones(image_engine: EngineServer) -> None:
    with pytest.raises(EngineError) as raised:
        await asyncio.to_thread(EngineWriter(image_engine.url, "google/medgemma-4b-it").setup)
    message = str(raised.value)
    assert "\n" not in message and image_engine.url in message
    assert "'google/medgemma-4b-it'" in message and IMAGE_MODEL in message


async def test_setup_names_the_http_status(fake: FakeEngine) -> None:
    fake.models_status = 401
    with pytest.raises(EngineError) as raised:
        await asyncio.to_thread(EngineWriter(fake.url, "fake/model", api_key="sk-bad").setup)
    message = str(raised.value)
    assert "HTTP 401" in message and "SKINBOT_LLM_API_KEY" in message and "sk-bad" not in message


async def test_probe_detects_image_input(image_engine: EngineServer, text_engine: EngineServer) -> None:
    ok, message = await asyncio.to_thread(probe, image_engine.url, IMAGE_MODEL)
    assert ok and "image input: yes" in message, message
    ok, message = await asyncio.to_thread(probe, text_engine.url, TEXT_MODEL)
    assert ok and "image input: no" in message, message
    ok, message = await asyncio.to_thread(probe, text_engine.url, IMAGE_MODEL)
    assert not ok and TEXT_MODEL in message


async def test_engine_refusing_images_means_text_only(fake: FakeEngine) -> None:
    def script(n: int, body: dict) -> tuple[int, list[str]]:
        parts = body["messages"][-1]["content"]
        if any(p.get("type") == "image_url" for p in parts):
            return 500, ['{"error": {"message": "image input is not supported - hint: provide the mmproj"}}']
        return 200, [json.dumps({"choices": [{"message": {"content": "OK"}}], "usage": {"prompt_tokens": 9}})]

    use(fake, script)
    writer = EngineWriter(fake.url, "fake/model")
    await asyncio.to_thread(writer.setup)
    assert writer.image_input is False and "mmproj" in writer.image_note
    use(fake, lambda n, body: (200, sse(["Text only.\n"])))
    results = await asyncio.to_thread(
        writer.generate, [request()], [Image.new("RGB", (64, 64))], lambda r, t: None
    )
    assert results[0].image_seen is False
    assert all(p["type"] == "text" for p in fake.bodies[-1]["messages"][-1]["content"])


# --- several images a prompt -----------------------------------------------------------------------------


def follow_up_request() -> ReportRequest:
    from dataclasses import replace

    from inference.report_request import EarlierResult

    earlier = EarlierResult("2026-01-01", CLS, photo_attached=True)
    return replace(request(), photo_kinds=("close_up", "overview"), earlier=earlier)


def decoded_sizes(parts: list[dict]) -> list[tuple[int, int]]:
    import base64
    import io

    sizes = []
    for part in parts:
        if part["type"] == "image_url":
            data = base64.b64decode(part["image_url"]["url"].split(",", 1)[1])
            with Image.open(io.BytesIO(data)) as image:
                sizes.append(image.size)
    return sizes


async def test_each_photo_is_an_image_url_part_in_order(fake: FakeEngine) -> None:
    writer = writer_for(fake, images=True)
    await asyncio.to_thread(writer.setup)
    photos = [Image.new("RGB", size, (180, 120, 100)) for size in ((64, 48), (48, 64), (40, 40))]
    [result] = await asyncio.to_thread(writer.generate, [follow_up_request()], [photos], lambda r, t: None)
    assert result.image_seen and result.stopped_by == "eos"
    parts = fake.bodies[-1]["messages"][-1]["content"]
    assert [p["type"] for p in parts] == ["image_url", "image_url", "image_url", "text"]
    # The close-up, the overview, then the earlier close-up, as the prompt text lists them.
    assert decoded_sizes(parts) == [(64, 48), (48, 64), (40, 40)]
    assert "3 images attached above" in parts[-1]["text"]


async def test_a_real_engine_takes_several_images(image_engine: EngineServer) -> None:
    writer = EngineWriter(image_engine.url, IMAGE_MODEL, max_tokens=4, retries=0)
    await asyncio.to_thread(writer.setup)
    photos = [
        Image.new("RGB", (64, 64), colour) for colour in ((180, 120, 100), (150, 90, 80), (200, 150, 120))
    ]
    one, many = await asyncio.to_thread(
        writer.generate, [request(), follow_up_request()], [photos[:1], photos], lambda r, t: None
    )
    assert one.stopped_by in ("eos", "length") and many.stopped_by in ("eos", "length"), (one, many)
    assert one.image_seen and many.image_seen


# --- the skin question ------------------------------------------------------------------------------------


def answer(content: str, top: dict[str, float] | None = None) -> tuple[int, list[str]]:
    """A script's reply: the non-streamed completion, for the words and top log-probabilities given."""
    return 200, [json.dumps(completion(content, top))]


async def test_the_skin_question_is_read_from_the_log_probabilities(fake: FakeEngine) -> None:
    import math

    # yes and Yes together have 0.6, No has 0.2: P(yes) among the answers is 0.75, whatever the words say.
    top = {"Yes": math.log(0.4), "yes": math.log(0.2), "No": math.log(0.2), "Maybe": math.log(0.1)}
    fake.skin_answer = None  # the question goes to the script
    use(fake, lambda n, body: answer("No", top))
    writer = writer_for(fake, images=True)
    photo = Image.new("RGB", (64, 48), (180, 120, 100))
    [share] = await asyncio.to_thread(writer.skin_yes, [photo])
    assert share == pytest.approx(0.75)
    body = fake.bodies[-1]
    assert body["logprobs"] is True and body["top_logprobs"] >= 5 and body["stream"] is False
    # The photo and the question only: no system turn, no patient data.
    [message] = body["messages"]
    assert [p["type"] for p in message["content"]] == ["image_url", "text"]
    assert decoded_sizes(message["content"]) == [(64, 48)]
    assert "skin" in message["content"][-1]["text"] and HISTORY not in json.dumps(body)


async def test_an_engine_without_log_probabilities_is_read_from_its_answer(fake: FakeEngine) -> None:
    def script(n: int, body: dict) -> tuple[int, list[str]]:
        if body.get("logprobs"):
            return 400, ['{"error": {"message": "logprobs are not supported"}}']
        return answer(["No.", "Yes", "Perhaps"][(n - 2) % 3])

    fake.skin_answer = None
    use(fake, script)
    writer = writer_for(fake, images=True)
    photos = [Image.new("RGB", (32, 32), (180, 120, 100)) for _ in range(3)]
    shares = await asyncio.to_thread(writer.skin_yes, photos)
    assert shares == [0.0, 1.0, None]
    # Refused once, then never asked for again.
    assert [bool(b.get("logprobs")) for b in fake.bodies] == [True, False, False, False]


async def test_a_failing_or_text_only_engine_lets_the_photo_through(
    fake: FakeEngine, caplog: pytest.LogCaptureFixture
) -> None:
    fake.skin_answer = None
    use(fake, lambda n, body: (500, ['{"error": {"message": "overloaded"}}']))
    writer = writer_for(fake, images=True)
    photo = Image.new("RGB", (32, 32), (180, 120, 100))
    assert await asyncio.to_thread(writer.skin_yes, [photo]) == [None]
    assert "skin question" in caplog.text and "passes" in caplog.text
    asked = fake.chat_requests
    text_only = writer_for(fake, images=False)
    assert await asyncio.to_thread(text_only.skin_yes, [photo, photo]) == [None, None]
    assert fake.chat_requests == asked  # a model that cannot see the photo is not asked


async def test_a_real_engine_answers_the_skin_question(image_engine: EngineServer) -> None:
    """transformers serve with the tiny random Gemma: the answer is gibberish, so only its shape is
    checked: a probability, or None when the random model says neither yes nor no."""
    writer = EngineWriter(image_engine.url, IMAGE_MODEL, max_tokens=4, retries=0)
    await asyncio.to_thread(writer.setup)
    shares = await asyncio.to_thread(writer.skin_yes, [Image.new("RGB", (64, 64), (180, 120, 100))] * 2)
    assert len(shares) == 2 and all(s is None or 0.0 <= s <= 1.0 for s in shares), shares
