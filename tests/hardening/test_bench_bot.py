"""`skinbot bench bot` at a small size, and the delivery check it relies on."""

from __future__ import annotations

import argparse
import json

import pytest

from benchmarks.bot_load.checks import INTAKE_QUESTIONS, check_chats
from benchmarks.bot_load.users import UserPlan, plans
from benchmarks.cli import add_commands
from casework.translator import Translator
from conversations.validation import NAME_MAX
from testkit.sent_messages import SentMessage

# /start, agree, photo, "Done", body site skipped, name, age, gender, history, report language, confirm
STEPS_PER_USER = 11


def test_bench_bot_small_run(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="bench"))
    args = parser.parse_args(["bot", "--users", "10", "--timeout", "240"])
    code = args.func(args)
    out = capsys.readouterr().out
    payload, _, table = out.partition("\n\n")
    result = json.loads(payload)
    assert result["problems"] == [] and code == 0
    assert result["users"] == result["completed"] == 10
    assert result["lost"] == 0 and result["cross_delivered"] == 0
    assert result["duplicated"] == 0 and result["errors"] == 0
    assert result["pdf_text_checked"] is True
    assert result["updates"] == 10 * STEPS_PER_USER
    for key in ("updates_per_s", "cpu_ms_per_update", "peak_rss_mb", "wall_s"):
        assert isinstance(result[key], float) and result[key] > 0, key
    latency = result["confirm_to_pdf_s"]
    assert 0 < latency["p50"] <= latency["p95"] <= latency["max"]
    assert result["machine"]["cpus"] >= 1
    assert "| updates handled per second |" in table and "| lost / cross-delivered | 0 / 0 |" in table


def test_bench_bot_refuses_unbounded_sizes(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="bench"))
    args = parser.parse_args(["bot", "--users", "100000"])
    assert args.func(args) == 2


# --- the checker on hand-made chats -----------------------------------------------------------------

CASES = {0: "a" * 32, 1: "b" * 32}


def complete_chat(t: Translator, p: UserPlan) -> list[SentMessage]:
    """What a user's chat holds after a good run, built from the same Fluent texts."""
    texts = [t(p.lang, k, max=NAME_MAX) for k in INTAKE_QUESTIONS]
    case = CASES[p.index]
    texts += [
        f"Summary: {p.name}, {p.age}, {p.history}",
        t(p.lang, "case-received", case=case[:8]),
        t(p.lang, "classification-title") + "\nAcne ██░░ 20%",
        f"Findings for {p.ref}: fine.",
    ]
    chat = [SentMessage(p.user_id, i, text, None) for i, text in enumerate(texts)]
    chat.append(
        SentMessage(
            p.user_id,
            99,
            None,
            None,
            document=p.name.encode(),
            document_name=f"skin-report-{case[:8]}-2026-01-01.pdf",
        )
    )
    return chat


def test_checker_finds_lost_and_cross_delivered_messages() -> None:
    t = Translator()
    users = plans(2)
    chats = {p.user_id: complete_chat(t, p) for p in users}
    cases = {p.user_id: [CASES[p.index]] for p in users}
    read = bytes.decode  # the fake "PDF" is the patient name as bytes
    clean = check_chats(t, users, chats, cases, read)
    assert (clean.lost, clean.cross_delivered, clean.duplicated, clean.errors) == (0, 0, 0, 0), clean.problems

    a, b = (chats[p.user_id] for p in users)
    swapped = {users[0].user_id: [*a[:-1], b[-1]], users[1].user_id: [*b[:-1], a[-1]]}
    tally = check_chats(t, users, swapped, cases, read)
    assert tally.cross_delivered >= 2 and tally.lost >= 2

    dropped = {**chats, users[0].user_id: a[:3] + a[4:]}
    assert check_chats(t, users, dropped, cases, read).lost == 1

    stray = {**chats, 123: [SentMessage(123, 1, "hello", None)]}
    assert check_chats(t, users, stray, cases, read).cross_delivered == 1

    doubled = {**chats, users[1].user_id: [*b, b[-1]]}
    assert check_chats(t, users, doubled, cases, read).duplicated == 1

    leaked = {
        **chats,
        users[1].user_id: [*b, SentMessage(users[1].user_id, 7, f"about {users[0].name}", None)],
    }
    assert check_chats(t, users, leaked, cases, read).cross_delivered == 1
