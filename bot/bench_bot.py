"""`skinbot bench bot`: many simulated users through intake and report at once, over loopback.

The bot under load is the real Application (routing, store, queue, delivery, PDF) talking to the fake
Bot API on 127.0.0.1. Only the models are stand-ins: a yolov8n-cls with random weights (speed does not
depend on what weights learned) and a scripted report writer with no delay, so the figures measure the
bot, not a GPU. The fake server and the simulated users run in the same process, so CPU figures are an
upper bound for the bot alone.

Every user's chat is checked afterwards: each expected message and the PDF arrived exactly once, and no
chat holds another user's name, history marker or case.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import logging
import os
import platform
import re
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.fake_bot_api import Call, FakeBotApi, SentMessage
from bot.i18n import Translator

log = logging.getLogger(__name__)

DEFAULT_USERS = 200
MAX_USERS = 2000
DEFAULT_TIMEOUT_S = 600.0
MAX_TIMEOUT_S = 3600.0
STEP_TIMEOUT_S = 300.0
BENCH_TOKEN = "424242:bench-token-not-a-secret"
FIRST_USER_ID = 7_000_000
LANGS = ("en", "ko", "vi")
GENDERS = ("female", "male", "other", "undisclosed")
# Markers that make every user's data recognisable wherever it shows up.
_NAME = re.compile(r"Patient N(\d{6})")
_REF = re.compile(r"R(\d{6})X")


# --- the stand-in report model ----------------------------------------------------------------------


@dataclass(frozen=True)
class FastResult:
    text: str
    stopped_by: str = "eos"
    tokens: int = 0
    image_seen: bool = True


class FastWriter:
    """A report writer that answers at once: a fixed text naming the history's marker, in a few deltas."""

    def setup(self) -> None:
        return None

    def generate(
        self,
        requests: list[Any],
        images: list[Any],
        on_delta: Callable[[int, str], None],
        should_stop: Callable[[int], bool] = lambda row: False,
        on_restart: Callable[[int], None] | None = None,
    ) -> list[FastResult]:
        results = []
        for row, request in enumerate(requests):
            found = _REF.search(request.history or "")
            marker = found.group(0) if found else "no marker"
            parts = [f"## 1. Visual observations\nFindings for {marker}: ", "a small, regular, evenly ",
                     "coloured area.\n\n## 2. Recommended care\nSee a doctor if it changes."]  # fmt: skip
            for part in parts:
                if should_stop(row):
                    break
                on_delta(row, part)
            results.append(FastResult("".join(parts), tokens=len(parts)))
        return results


# --- the fake server, indexed by chat --------------------------------------------------------------


class LoadBotApi(FakeBotApi):
    """The fake Bot API with a per-chat index and per-chat wake-ups.

    The base class wakes every waiter on every call, and each waiter scans all messages: fine for a
    test with two users, quadratic with hundreds. Here a user waits only on their own chat.
    """

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.inboxes: defaultdict[int, list[SentMessage]] = defaultdict(list)
        self._waiters: dict[int, list[asyncio.Event]] = {}

    def _new_message(self, chat_id: int, **fields: Any) -> SentMessage:
        message = super()._new_message(chat_id, **fields)
        self.inboxes[chat_id].append(message)
        return message

    async def _record(self, call: Call) -> None:
        await super()._record(call)
        chat_id = call.params.get("chat_id")
        if isinstance(chat_id, int):
            for event in self._waiters.pop(chat_id, []):
                event.set()

    def visible(self, chat_id: int) -> list[SentMessage]:
        return [m for m in self.inboxes.get(chat_id, []) if not m.deleted]

    async def wait_chat(
        self, chat_id: int, predicate: Callable[[list[SentMessage]], Any], timeout: float
    ) -> Any:
        """The first non-None value of predicate(visible messages), re-checked whenever the chat changes."""
        deadline = time.monotonic() + timeout
        while True:
            found = predicate(self.visible(chat_id))
            if found is not None:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"chat {chat_id}: waited {timeout:.0f} s")
            event = asyncio.Event()
            self._waiters.setdefault(chat_id, []).append(event)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)


# --- one simulated user ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UserPlan:
    index: int
    lang: str
    report_language: str
    gender: str

    @property
    def user_id(self) -> int:
        return FIRST_USER_ID + self.index

    @property
    def name(self) -> str:
        return f"Patient N{self.index:06d}"

    @property
    def ref(self) -> str:
        return f"R{self.index:06d}X"

    @property
    def history(self) -> str:
        return f"Dry itchy patch on the forearm for three weeks, reference {self.ref}."

    @property
    def age(self) -> int:
        return 18 + self.index % 70


def plans(users: int) -> list[UserPlan]:
    return [UserPlan(i, LANGS[i % 3], LANGS[(i // 3) % 3], GENDERS[i % len(GENDERS)]) for i in range(users)]


@dataclass
class Outcome:
    updates: int = 0
    confirmed_at: float | None = None
    error: str | None = None


def _button(
    messages: list[SentMessage], action: str, value: str | None = None
) -> tuple[SentMessage, str] | None:
    """The newest message with a button of this action (and value), and that button's callback data."""
    for message in reversed(messages):
        for b in message.buttons():
            parts = b.get("callback_data", "").split("|")
            if parts[0] == action and (value is None or parts[1] == value):
                return message, b["callback_data"]
    return None


class SimulatedUser:
    def __init__(self, api: LoadBotApi, t: Translator, plan: UserPlan, photo: bytes) -> None:
        self.api, self.t, self.plan, self.photo = api, t, plan, photo
        self.user = api.user(plan.user_id, plan.lang, first_name=f"U{plan.index}")
        self.outcome = Outcome()

    async def _text(self, key: str, **args: Any) -> SentMessage:
        text = self.t(self.plan.lang, key, **args)
        return await self.api.wait_chat(
            self.user.id, lambda ms: next((m for m in ms if m.text == text), None), STEP_TIMEOUT_S
        )

    async def _press(self, action: str, value: str | None = None) -> None:
        message, data = await self.api.wait_chat(
            self.user.id, lambda ms: _button(ms, action, value), STEP_TIMEOUT_S
        )
        self.outcome.updates += 1
        await self.user.press(message, data)

    async def _send(self, text: str) -> None:
        self.outcome.updates += 1
        await self.user.send(text)

    async def run(self) -> None:
        from conversations.validation import NAME_MAX

        p = self.plan
        try:
            await self._send("/start")
            await self._text("consent-ask")
            await self._press("agree", p.lang)
            await self._text("ask-photo")
            self.outcome.updates += 1
            await self.user.send_photo(self.photo, width=320, height=240)
            await self._text("ask-name", max=NAME_MAX)
            await self._send(p.name)
            await self._text("ask-age")
            await self._send(str(p.age))
            await self._text("ask-gender")
            await self._press("answer", p.gender)
            await self._text("ask-history")
            await self._send(p.history)
            await self._text("ask-report-language")
            await self._press("answer", p.report_language)
            summary, data = await self.api.wait_chat(
                self.user.id, lambda ms: _button(ms, "confirm"), STEP_TIMEOUT_S
            )
            self.outcome.confirmed_at = time.monotonic()
            self.outcome.updates += 1
            await self.user.press(summary, data)
            await self.api.wait_chat(
                self.user.id, lambda ms: next((m for m in ms if m.document is not None), None), STEP_TIMEOUT_S
            )
        except Exception as exc:
            self.outcome.error = f"{type(exc).__name__}: {exc}"


# --- checking every chat ---------------------------------------------------------------------------


@dataclass
class Tally:
    lost: int = 0
    cross_delivered: int = 0
    duplicated: int = 0
    errors: int = 0
    problems: list[str] = field(default_factory=list)

    def note(self, kind: str, user: int, what: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        if len(self.problems) < 20:
            self.problems.append(f"{kind}: user {user}: {what}")


def _markers(text: str) -> set[int]:
    return {int(n) for n in _NAME.findall(text)} | {int(n) for n in _REF.findall(text)}


def _expectations(t: Translator, p: UserPlan, short: str) -> dict[str, Callable[[SentMessage], bool]]:
    """What must be in this user's chat exactly once, as predicates over one message."""
    from conversations.validation import NAME_MAX

    lang = p.lang
    keys = (
        "consent-ask",
        "ask-photo",
        "ask-name",
        "ask-age",
        "ask-gender",
        "ask-history",
        "ask-report-language",
    )
    exact = {key: t(lang, key, max=NAME_MAX) for key in keys}
    received = t(lang, "case-received", case=short)
    title = t(lang, "classification-title")

    def has(*parts: str) -> Callable[[SentMessage], bool]:
        return lambda m: m.text is not None and all(part in m.text for part in parts)

    return {
        **{key: (lambda m, text=text: m.text == text) for key, text in exact.items()},
        "summary": has(p.name, p.ref),  # the summary repeats the history, which holds the marker
        "received": lambda m: m.text == received,
        "classification": has(title),
        "report": has(f"Findings for {p.ref}"),
        "pdf": lambda m: m.document is not None and short in (m.document_name or ""),
    }


def check_chats(
    t: Translator,
    user_plans: Iterable[UserPlan],
    chats: dict[int, list[SentMessage]],
    case_ids: dict[int, list[str]],
    pdf_text: Callable[[bytes], str] | None = None,
) -> Tally:
    """Count, over all users, expected messages missing (lost), twice (duplicated), mentioning someone
    else or sent to a chat no user has (cross_delivered), and error replies (errors)."""
    tally = Tally()
    known = set()
    for p in user_plans:
        known.add(p.user_id)
        messages = chats.get(p.user_id, [])
        own_cases = case_ids.get(p.user_id, [])
        if len(own_cases) != 1:
            tally.note("lost" if not own_cases else "duplicated", p.index, f"{len(own_cases)} cases stored")
        short = own_cases[0][:8] if own_cases else "????????"
        expected = _expectations(t, p, short)
        for key, matches in expected.items():
            count = sum(1 for m in messages if matches(m))
            if count == 0:
                tally.note("lost", p.index, key)
            elif count > 1:
                tally.note("duplicated", p.index, key)
        errors = {t(p.lang, "error-generic"), t(p.lang, "unavailable")}
        for m in messages:
            others = _markers(m.text or "") | _markers(m.caption or "")
            if m.document is not None:
                if short not in (m.document_name or ""):
                    tally.note("cross_delivered", p.index, f"PDF {m.document_name}")
                if pdf_text is not None:
                    text = pdf_text(m.document)
                    others |= _markers(text)
                    if p.name not in text:
                        tally.note("lost", p.index, "own name missing from the PDF")
            if others - {p.index}:
                tally.note("cross_delivered", p.index, f"mentions users {sorted(others - {p.index})[:3]}")
            if m.text in errors:
                tally.note("errors", p.index, m.text or "")
    for chat_id, messages in chats.items():
        if chat_id not in known and messages:
            tally.note("cross_delivered", chat_id, f"{len(messages)} messages to a chat no user has")
    return tally


def pdf_text_reader() -> Callable[[bytes], str] | None:
    """pypdf when installed (the test extra); without it PDFs are checked by file name only."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return None

    def read(data: bytes) -> str:
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)

    return read


# --- the run -------------------------------------------------------------------------------------


def skin_photos(count: int, width: int = 320, height: int = 240) -> list[bytes]:
    """Textured, well-lit, sharp JPEGs that pass the quality gate."""
    import numpy as np
    from PIL import Image

    photos = []
    yy, xx = np.mgrid[0:height, 0:width]
    for seed in range(count):
        rng = np.random.default_rng(seed)
        base = np.empty((height, width, 3), np.float32)
        base[...] = (200, 150, 130)
        spots = np.sin(xx / (6.0 + seed)) * np.cos(yy / 9.0) * 30
        pixels = np.clip(base + spots[..., None] + rng.normal(0, 12, (height, width, 1)), 0, 255)
        out = io.BytesIO()
        Image.fromarray(pixels.astype(np.uint8)).save(out, "JPEG", quality=90)
        photos.append(out.getvalue())
    return photos


class RssSampler:
    """Peak resident memory during the run (ru_maxrss alone would include the model load)."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval, self.peak, self.start = interval, 0, _rss()
        self._task: asyncio.Task[None] | None = None

    async def _loop(self) -> None:
        while True:
            self.peak = max(self.peak, _rss())
            await asyncio.sleep(self.interval)

    def __enter__(self) -> RssSampler:
        self.peak = self.start
        self._task = asyncio.get_running_loop().create_task(self._loop())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
        self.peak = max(self.peak, _rss())


def _rss() -> int:
    try:
        import psutil

        return int(psutil.Process().memory_info().rss)
    except ImportError:  # Linux only, but so are our machines
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def machine() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    info: dict[str, Any] = {
        "cpu": model,
        "cpus": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
    }
    try:
        import torch

        info["torch"] = torch.__version__
        info["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
        info["torch_threads"] = torch.get_num_threads()
    except ImportError:
        info["gpu"] = None
    return info


async def run_load(
    users: int = DEFAULT_USERS,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    batch: int = 4,
    imgsz: int = 224,
    data_dir: Path | None = None,
    check_pdf_text: bool = True,
) -> dict[str, Any]:
    """Drive `users` simulated users at once; returns the figures and the delivery check as a dict."""
    if not 1 <= users <= MAX_USERS:
        raise ValueError(f"--users must be between 1 and {MAX_USERS}")
    timeout_s = min(max(timeout_s, 1.0), MAX_TIMEOUT_S)
    with contextlib.ExitStack() as stack:
        if data_dir is None:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="skinbot-bench-")))
        return await _run(users, timeout_s, batch, imgsz, data_dir, check_pdf_text)


async def _run(
    users: int, timeout_s: float, batch: int, imgsz: int, data_dir: Path, check_pdf_text: bool
) -> dict[str, Any]:
    from bot.app import build_application, start_app, stop_app
    from bot.delivery import Delivery
    from bot.inference_setup import quality_thresholds
    from bot.settings import Settings
    from inference.bench_classifier import random_model
    from inference.classifier import SkinClassifier
    from inference.job_queue import JobQueue
    from inference.worker import ModelWorker

    api = LoadBotApi(BENCH_TOKEN)
    await api.start()  # 127.0.0.1 only
    env = {
        "TELEGRAM_BOT_TOKEN": BENCH_TOKEN,
        "TELEGRAM_API_URL": api.api_url,
        "TELEGRAM_FILE_URL": api.file_url,
        "SKINBOT_DATA_DIR": str(data_dir),
        "SKINBOT_DEVICE": "cpu",
        "SKINBOT_BATCH": str(batch),
    }
    settings = Settings.from_env(env, env_file=None)
    t = Translator()
    classifier = SkinClassifier.from_torch_model(random_model("yolov8n-cls", imgsz), imgsz, device="cpu")

    def pipeline(services: Any, app: Any) -> Delivery:
        worker = ModelWorker(classifier, FastWriter(), quality_thresholds(services.settings))
        queue = JobQueue(
            worker, services.store, batch_size=settings.batch, job_timeout_s=settings.job_timeout_s
        )
        return Delivery(services, app.bot, queue)

    app = build_application(settings, pipeline_factory=pipeline, translator=t)
    user_plans = plans(users)
    photos = skin_photos(min(users, 8))
    simulated = [SimulatedUser(api, t, p, photos[p.index % len(photos)]) for p in user_plans]
    await start_app(app, poll_timeout=1)
    try:
        with RssSampler() as rss:
            cpu0, wall0 = time.process_time(), time.monotonic()
            runs = asyncio.gather(*(u.run() for u in simulated))
            try:
                await asyncio.wait_for(runs, timeout_s)
            except TimeoutError:
                log.warning("bench bot: stopped after %.0f s; unfinished users count as lost", timeout_s)
            wall = time.monotonic() - wall0
            cpu = time.process_time() - cpu0
        services = app.bot_data["services"]
        case_ids = {p.user_id: [c.id for c in await services.store.list_cases(p.user_id)] for p in user_plans}
    finally:
        await stop_app(app)
        await api.stop()

    pdf_sent = {c.params["chat_id"]: c.at for c in api.calls_of("sendDocument") if c.error is None}
    latencies = sorted(
        pdf_sent[u.user.id] - u.outcome.confirmed_at
        for u in simulated
        if u.outcome.confirmed_at is not None and u.user.id in pdf_sent
    )
    reader = pdf_text_reader() if check_pdf_text else None
    chats = {chat_id: api.visible(chat_id) for chat_id in api.inboxes}
    tally = check_chats(t, user_plans, chats, case_ids, reader)
    updates = sum(u.outcome.updates for u in simulated)
    failures = [u.outcome.error for u in simulated if u.outcome.error]
    return {
        "benchmark": "bot",
        "users": users,
        "completed": sum(1 for u in simulated if u.outcome.error is None and u.user.id in pdf_sent),
        "updates": updates,
        "wall_s": round(wall, 3),
        "updates_per_s": round(updates / wall, 1) if wall > 0 else None,
        "cpu_s": round(cpu, 3),
        "cpu_ms_per_update": round(cpu * 1000 / updates, 2) if updates else None,
        "cpu_ms_per_case": round(cpu * 1000 / users, 1),
        "rss_start_mb": round(rss.start / 2**20, 1),
        "peak_rss_mb": round(rss.peak / 2**20, 1),
        "peak_rss_growth_mb": round((rss.peak - rss.start) / 2**20, 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "confirm_to_pdf_s": {
            "p50": _round(_percentile(latencies, 50)),
            "p95": _round(_percentile(latencies, 95)),
            "max": _round(latencies[-1] if latencies else None),
        },
        "lost": tally.lost,
        "cross_delivered": tally.cross_delivered,
        "duplicated": tally.duplicated,
        "errors": tally.errors,
        "api_errors": sum(1 for c in api.calls if c.error is not None),
        "problems": tally.problems + failures[:5],
        "pdf_text_checked": reader is not None,
        "config": {
            "classifier": f"yolov8n-cls, random weights, imgsz {imgsz}, CPU",
            "writer": "scripted, no delay",
            "batch": settings.batch,
            "edit_interval_s": settings.edit_interval_s,
            "transport": "fake Bot API on 127.0.0.1 (same process)",
        },
        "machine": machine(),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def markdown(result: dict[str, Any]) -> str:
    latency = result["confirm_to_pdf_s"]
    rows = [
        ("users (completed)", f"{result['users']} ({result['completed']})"),
        ("updates", result["updates"]),
        ("wall time", f"{result['wall_s']} s"),
        ("updates handled per second", result["updates_per_s"]),
        ("CPU per update (per case)", f"{result['cpu_ms_per_update']} ms ({result['cpu_ms_per_case']} ms)"),
        ("peak RSS (growth during run)", f"{result['peak_rss_mb']} MB (+{result['peak_rss_growth_mb']} MB)"),
        ("Confirm → PDF p50 / p95 / max", f"{latency['p50']} / {latency['p95']} / {latency['max']} s"),
        ("lost / cross-delivered", f"{result['lost']} / {result['cross_delivered']}"),
        ("duplicated / error replies", f"{result['duplicated']} / {result['errors']}"),
    ]
    lines = ["| metric | value |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)]
    return "\n".join(lines)


# --- command line ----------------------------------------------------------------------------------


def add_bench_command(bench_subparsers: Any) -> argparse.ArgumentParser:
    """Add `bot` to the `skinbot bench` subcommands; its func(args) returns an exit code."""
    parser = bench_subparsers.add_parser(
        "bot",
        help="load-test the bot: simulated users through intake and report over loopback",
        description="Drives simulated users concurrently through the whole intake and report against a "
        "fake Bot API on 127.0.0.1, with a random-weight classifier and an instant scripted report. "
        "Prints JSON, then a Markdown table. Exit code 1 when a message was lost or cross-delivered.",
    )
    parser.add_argument(
        "--users", type=int, default=DEFAULT_USERS, help=f"1..{MAX_USERS} (default %(default)s)"
    )
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds for the whole run")
    parser.add_argument("--batch", type=int, default=4, help="report jobs per worker batch (SKINBOT_BATCH)")
    parser.add_argument("--imgsz", type=int, default=224, help="classifier input size")
    parser.add_argument("--no-pdf-text", action="store_true", help="check PDFs by name only (faster)")
    parser.add_argument("--json-out", type=Path, default=None, help="also write the JSON here")
    parser.set_defaults(func=_bench)
    return parser


def _bench(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("YOLO_OFFLINE", "1")
    if not 1 <= args.users <= MAX_USERS:
        print(f"skinbot bench bot: --users must be between 1 and {MAX_USERS}", file=sys.stderr)
        return 2
    result = asyncio.run(
        run_load(
            args.users, timeout_s=args.timeout, batch=args.batch, imgsz=args.imgsz,
            check_pdf_text=not args.no_pdf_text,
        )
    )  # fmt: skip
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if args.json_out is not None:
        args.json_out.write_text(text + "\n", encoding="utf-8")
    print(text)
    print()
    print(markdown(result))
    ok = result["lost"] == 0 and result["cross_delivered"] == 0 and result["completed"] == result["users"]
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    """`python -m bot.bench_bot --users N`, usable before the CLI wires `skinbot bench bot` in."""
    parser = argparse.ArgumentParser(prog="python -m bot.bench_bot")
    sub = parser.add_subparsers(dest="bench", required=True)
    add_bench_command(sub)
    args = parser.parse_args(["bot", *(sys.argv[1:] if argv is None else argv)])
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
