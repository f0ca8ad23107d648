"""`skinbot bench bot --stream draft edit`: the two ways of streaming a report, on the same run.

Each mode gets the same simulated users, photos and answers, and a report writer that sends its tokens with
a fixed delay, so streaming has something to pace. Per mode it reports, from the fake Bot API's record of
calls: the Bot API calls per report (everything the bot sent to the chat between the scores and the PDF),
the time from the report's first model token to the first report text the user sees (a draft with text, or
the first message of an edited stream), and from that token to the last call that put the report's final
text in the chat.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time
from collections import Counter
from statistics import mean
from typing import Any

from benchmarks.bot_load.run import run_load
from benchmarks.bot_load.server import LoadBotApi
from benchmarks.bot_load.users import SimulatedUser, marker_of
from benchmarks.output import emit, machine, percentile
from inference.events import WriterResult
from testkit.stand_in_writer import Batch, StandInWriter

DEFAULT_STREAM_USERS = 8
_SCORES_BAR = re.compile("[█░]")


def report_for(marker: str) -> list[str]:
    """A report shaped like MedGemma's (summary, five sections, 910 characters) as tokens. The first
    token names the user's marker, so every text of the report can be told apart from status messages."""
    text = (
        f"## Summary\nCase {marker}: a small, regular, evenly coloured area that is most likely harmless. "
        "Keep an eye on it and see a doctor if it changes.\n\n"
        f"## 1. Visual observations\nFindings for {marker}: a round patch about 1 cm wide with smooth, "
        "regular borders, an even brown colour and no scaling, crusting or bleeding.\n\n"
        "## 2. Differential considerations\n- A benign pigmented spot fits the even colour and borders.\n"
        "- Keratosis is less likely: the surface is smooth.\n- The classifier's result agrees with the image."
        "\n\n## 3. Recommended care\n- Protect the area from the sun with clothing or sunscreen.\n"
        "- Do not scratch or pick at it.\n- Take a photo every month to compare.\n\n"
        "## 4. When to see a doctor\nUrgency: routine\n- It grows, changes colour or shape, or bleeds.\n"
        "- A new spot looks different from the others.\n\n"
        "## 5. Reminder\nThis is pre-screening, not a diagnosis, and it does not replace an examination by a "
        "doctor."
    )
    head, _, rest = text.partition(": ")
    words = re.findall(r"\S+\s*", rest)
    return [head + ": ", *words]


class PacedWriter(StandInWriter):
    """Writes `report_for(marker)` token by token, one token per row every `token_delay` seconds, and
    remembers when each report's first and last token came."""

    def __init__(self, token_delay: float) -> None:
        self.token_delay = token_delay
        self.first_token: dict[str, float] = {}
        self.last_token: dict[str, float] = {}
        self.description = f"scripted summary and five sections, 910 characters, {token_delay} s per token"

    def write(self, batch: Batch) -> list[WriterResult]:
        markers = [marker_of(request) for request in batch.requests]
        tokens = [report_for(m) for m in markers]
        written = [""] * len(markers)
        for step in range(max(map(len, tokens))):
            for row, row_tokens in enumerate(tokens):
                if step >= len(row_tokens) or batch.should_stop(row):
                    continue
                now = time.monotonic()
                self.first_token.setdefault(markers[row], now)
                self.last_token[markers[row]] = now
                written[row] += row_tokens[step]
                batch.on_delta(row, row_tokens[step])
            time.sleep(self.token_delay)
        return [WriterResult(text, "eos", len(t), True) for text, t in zip(written, tokens, strict=True)]


def _is_scores(call: Any) -> bool:
    text = call.params.get("caption") or call.params.get("text") or ""
    return call.method == "sendPhoto" or (call.method == "sendMessage" and bool(_SCORES_BAR.search(text)))


def stream_figures(api: LoadBotApi, users: list[SimulatedUser], writer: PacedWriter) -> dict[str, Any]:
    calls_per_report: list[int] = []
    first_visible: list[float] = []
    final: list[float] = []
    methods: Counter[str] = Counter()
    for user in users:
        ref = user.plan.ref
        start = writer.first_token.get(ref)
        chat = [c for c in api.calls if c.params.get("chat_id") == user.user.id]
        scores = next((i for i, c in enumerate(chat) if _is_scores(c) and c.error is None), None)
        pdf = next((i for i, c in enumerate(chat) if c.method == "sendDocument" and c.error is None), None)
        if start is None or scores is None or pdf is None:
            continue
        window = chat[scores + 1 : pdf]
        calls_per_report.append(len(window))
        methods.update(c.method for c in window)

        def shows_report(c: Any, ref: str = ref) -> bool:
            text = c.params.get("text") or ""
            return c.error is None and (
                (c.method == "sendMessageDraft" and bool(text))
                or (c.method in ("sendMessage", "editMessageText") and ref in text)
            )

        shown = [c.at for c in window if c.at >= start and shows_report(c)]
        finals = [c.at for c in window if c.method != "sendMessageDraft" and shows_report(c)]
        if shown and finals:
            first_visible.append(shown[0] - start)
            final.append(max(finals) - start)
    reports = len(calls_per_report)
    return {
        "reports": reports,
        "calls_per_report": round(mean(calls_per_report), 1) if reports else None,
        "calls_by_method": {m: round(n / reports, 1) for m, n in sorted(methods.items())} if reports else {},
        "first_token_to_visible_s": _spread(first_visible),
        "first_token_to_final_s": _spread(final),
        "writing_s": round(mean(writer.last_token[r] - writer.first_token[r] for r in writer.first_token), 3)
        if writer.first_token
        else None,
    }


def _spread(values: list[float]) -> dict[str, float | None]:
    ordered = sorted(values)

    def rounded(v: float | None) -> float | None:
        return None if v is None else round(v, 3)

    return {
        "mean": rounded(mean(ordered)) if ordered else None,
        "p50": rounded(percentile(ordered, 50)),
        "p95": rounded(percentile(ordered, 95)),
    }


def markdown(result: dict[str, Any]) -> str:
    modes = list(result["modes"])
    rows: list[tuple[str, list[Any]]] = [
        (
            "reports measured (users)",
            [f"{m['reports']} ({result['users']})" for m in result["modes"].values()],
        ),
        ("Bot API calls per report", [m["calls_per_report"] for m in result["modes"].values()]),
        (
            "first token → first visible text, mean / p95",
            [
                f"{m['first_token_to_visible_s']['mean']} / {m['first_token_to_visible_s']['p95']} s"
                for m in result["modes"].values()
            ],
        ),
        (
            "first token → final message, mean / p95",
            [
                f"{m['first_token_to_final_s']['mean']} / {m['first_token_to_final_s']['p95']} s"
                for m in result["modes"].values()
            ],
        ),
        ("model writing time, mean", [f"{m['writing_s']} s" for m in result["modes"].values()]),
        (
            "lost / cross-delivered / duplicated",
            [f"{m['lost']} / {m['cross_delivered']} / {m['duplicated']}" for m in result["modes"].values()],
        ),
    ]
    lines = ["| metric | " + " | ".join(modes) + " |", "|---|" + "---:|" * len(modes)]
    lines += [f"| {name} | " + " | ".join(str(v) for v in values) + " |" for name, values in rows]
    return "\n".join(lines)


def run_stream_bench(args: argparse.Namespace) -> int:
    users = DEFAULT_STREAM_USERS if args.users is None else args.users
    modes: dict[str, dict[str, Any]] = {}
    config: dict[str, Any] = {}
    for mode in dict.fromkeys(args.stream):  # each mode once, in the order given
        writer = PacedWriter(args.token_delay)
        out = asyncio.run(
            run_load(
                users,
                timeout_s=args.timeout,
                batch=args.batch,
                imgsz=args.imgsz,
                check_pdf_text=not args.no_pdf_text,
                stream=mode,
                writer=writer,
                measure=lambda api, simulated, w=writer: stream_figures(api, simulated, w),
            )
        )
        modes[mode] = {
            **out["measured"],
            "completed": out["completed"],
            "lost": out["lost"],
            "cross_delivered": out["cross_delivered"],
            "duplicated": out["duplicated"],
            "problems": out["problems"],
        }
        config = out["config"]
    result = {
        "benchmark": "bot-stream",
        "users": users,
        "modes": modes,
        "config": {**config, "stream": list(modes)},
        "machine": machine(),
    }
    emit(result, markdown(result), args.json)
    ok = all(m["lost"] == 0 and m["cross_delivered"] == 0 and m["completed"] == users for m in modes.values())
    return 0 if ok else 1
