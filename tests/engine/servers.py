"""Real and fake OpenAI-compatible engines for the engine tests, all on 127.0.0.1.

* `EngineServer`: a real `transformers serve` subprocess serving a tiny Gemma 3 from a private
  Hugging Face cache folder (offline). Its /v1/models lists what that cache holds, so the models are laid
  out there as cached hub repos, and the server is pinned to one of them.
* `CountingProxy`: an aiohttp reverse proxy in front of a real engine. It counts chat requests in flight
  (the evidence for the concurrency limit) and can cut one stream off mid-way, as a dying server would.
* `FakeEngine`: an aiohttp stand-in for an external engine, for error shapes a real one will not produce
  on demand (400, 500, garbage SSE lines).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from aiohttp import ClientSession, ClientTimeout, web

from testkit.loopback import serve_on_loopback

SNAPSHOT = "0" * 40  # the commit hash the fake hub cache files its snapshots under


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def add_to_hub_cache(hub: Path, repo_id: str, model_dir: Path) -> None:
    """Lay `model_dir` out as a cached hub repo (refs/main -> snapshot of symlinks), as `hf download` does."""
    repo = hub / f"models--{repo_id.replace('/', '--')}"
    snapshot = repo / "snapshots" / SNAPSHOT
    snapshot.mkdir(parents=True, exist_ok=True)
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / "main").write_text(SNAPSHOT)
    for path in model_dir.iterdir():
        if path.is_file() and not path.name.startswith("."):
            link = snapshot / path.name
            if not link.exists():
                link.symlink_to(path.resolve())


def build_text_only_model(tokenizer_dir: Path, dest: Path) -> None:
    """A tiny random Gemma3ForCausalLM (no vision tower): what a text-only engine serves."""
    import torch
    from transformers import AutoTokenizer, Gemma3ForCausalLM, Gemma3TextConfig

    from inference.prompt import gemma3_chat_template
    from testkit.random_gemma import EOS_IDS, TINY_TEXT

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    tokenizer.chat_template = gemma3_chat_template()
    config = Gemma3TextConfig(
        **{**TINY_TEXT, "vocab_size": len(tokenizer)},
        eos_token_id=EOS_IDS,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
    )
    torch.manual_seed(0)
    model = Gemma3ForCausalLM(config)
    model.generation_config.eos_token_id = EOS_IDS
    dest.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(dest)
    tokenizer.save_pretrained(dest)


@dataclass
class EngineServer:
    """`transformers serve REPO` on a free port; `start()` returns once /v1/models answers."""

    hub: Path
    repo_id: str
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, timeout_s: float = 240) -> None:
        env = {
            **os.environ,
            "HF_HUB_CACHE": str(self.hub),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "OMP_NUM_THREADS": "1",  # two servers and the bot share 2 cores
        }
        cmd = [sys.executable, "-m", "transformers.cli.transformers", "serve", self.repo_id]
        cmd += ["--host", "127.0.0.1", "--port", str(self.port), "--device", "cpu", "--dtype", "float32"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"transformers serve exited {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/models", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"transformers serve did not come up in {timeout_s} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.is_file() else ""


@dataclass
class CountingProxy:
    """Forwards everything to `upstream` (an engine's /v1 URL), streaming responses through unchanged."""

    upstream: str
    in_flight: int = 0
    max_in_flight: int = 0
    chat_requests: int = 0
    streams: int = 0
    bodies: list[dict] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)
    cut_after_chunks: int | None = None  # cut the next chat stream after this many SSE events
    cuts: int = 0
    closed_early: int = 0  # chat streams the client went away from before the upstream finished
    _runner: web.AppRunner | None = None
    _session: ClientSession | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def start(self) -> None:
        self._session = ClientSession(timeout=ClientTimeout(total=None))
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner, self.port = await serve_on_loopback(app)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def __aenter__(self) -> CountingProxy:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        body = await request.read()
        tail = request.match_info["tail"].removeprefix("v1/")
        chat = tail == "chat/completions"
        cut_at = None
        if chat:
            self.chat_requests += 1
            self.bodies.append(json.loads(body))
            self.authorizations.append(request.headers.get("Authorization", ""))
            if json.loads(body).get("stream"):
                self.streams += 1
                cut_at, self.cut_after_chunks = self.cut_after_chunks, None
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        try:
            async with self._session.request(
                request.method, f"{self.upstream}/{tail}", data=body, headers=headers
            ) as upstream:
                response = web.StreamResponse(status=upstream.status)
                response.content_type = upstream.content_type
                await response.prepare(request)
                events = 0
                async for data in upstream.content.iter_any():
                    await response.write(data)
                    events += data.count(b"data:")
                    if cut_at is not None and events >= cut_at:
                        self.cuts += 1
                        assert request.transport is not None
                        request.transport.abort()  # the connection dies mid-stream, no clean end
                        return response
                await response.write_eof()
                return response
        except (ConnectionResetError, asyncio.CancelledError):
            if chat:
                self.closed_early += 1
            raise
        finally:
            if chat:
                self.in_flight -= 1


def completion(content: str, top: dict[str, float] | None = None) -> dict:
    """A non-streamed chat completion saying `content`, with the first token's top log-probabilities if
    given ({token: logprob}), as an OpenAI-compatible engine answers it."""
    choice: dict = {"message": {"role": "assistant", "content": content}, "finish_reason": "length"}
    if top is not None:
        entries = [{"token": t, "logprob": lp} for t, lp in top.items()]
        first = {"token": next(iter(top)), "logprob": 0.0, "top_logprobs": entries}
        choice["logprobs"] = {"content": [first]}
    return {"choices": [choice]}


def is_skin_question(body: dict) -> bool:
    """The skin gate's question about a photo, not a report (inference.skin_question)."""
    from inference.skin_question import QUESTION

    parts = body["messages"][-1]["content"]
    return isinstance(parts, list) and any(p.get("text") == QUESTION for p in parts)


SseScript = Callable[[int, dict], tuple[int, list[str]]]  # (request number, body) -> (status, lines)


def sse(chunks: list[str], finish: str = "stop", done: bool = True) -> list[str]:
    """An OpenAI chat stream: one data line per content chunk, a finish chunk, then [DONE]."""
    lines = [f"data: {json.dumps({'choices': [{'index': 0, 'delta': {'role': 'assistant'}}]})}"]
    for text in chunks:
        lines.append(f"data: {json.dumps({'choices': [{'index': 0, 'delta': {'content': text}}]})}")
    lines.append(f"data: {json.dumps({'choices': [{'index': 0, 'delta': {}, 'finish_reason': finish}]})}")
    if done:
        lines.append("data: [DONE]")
    return lines


@dataclass
class FakeEngine:
    """Answers /v1/models with `models` and each chat request with `script(request_number, body)`.

    A line "SLEEP <seconds>" pauses the stream instead of being sent. The skin gate's question
    (inference.skin_question) is answered with `skin_answer` as a real engine would, outside the script and
    its numbering, so scripts written for reports need not know of it; None hands it to the script too.
    """

    script: SseScript
    models: list[str] = field(default_factory=lambda: ["fake/model"])
    models_status: int = 200
    skin_answer: str | None = "Yes"
    skin_questions: int = 0
    chat_requests: int = 0
    bodies: list[dict] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/v1/models", self._models)
        app.router.add_post("/v1/chat/completions", self._chat)
        self._runner, self.port = await serve_on_loopback(app)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _models(self, request: web.Request) -> web.Response:
        if self.models_status != 200:
            return web.json_response({"error": {"message": "invalid api key"}}, status=self.models_status)
        return web.json_response(
            {"object": "list", "data": [{"id": m, "object": "model"} for m in self.models]}
        )

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        if self.skin_answer is not None and is_skin_question(body):
            self.skin_questions += 1
            return web.json_response(completion(self.skin_answer))
        self.chat_requests += 1
        self.bodies.append(body)
        status, lines = self.script(self.chat_requests, body)
        if status != 200:
            return web.Response(status=status, text="\n".join(lines), content_type="application/json")
        response = web.StreamResponse(status=200)
        response.content_type = "text/event-stream"
        await response.prepare(request)
        for line in lines:
            if line.startswith("SLEEP "):
                await asyncio.sleep(float(line.split()[1]))
                continue
            await response.write(f"{line}\n\n".encode())
        await response.write_eof()
        return response
