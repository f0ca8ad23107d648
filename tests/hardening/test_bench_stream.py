"""`skinbot bench bot --stream draft edit` at a tiny size: both modes measured on the same workload."""

from __future__ import annotations

import argparse
import json

import pytest

from benchmarks.bot_load.stream import report_for
from benchmarks.cli import add_commands
from casework.report_markup import split_summary


def test_bench_stream_compares_drafts_and_edits(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="bench"))
    args = parser.parse_args(
        ["bot", "--stream", "draft", "edit", "--users", "2", "--token-delay", "0.005", "--timeout", "240"]
    )
    code = args.func(args)
    payload, _, table = capsys.readouterr().out.partition("\n\n")
    result = json.loads(payload)
    assert code == 0 and list(result["modes"]) == ["draft", "edit"]
    draft, edit = result["modes"]["draft"], result["modes"]["edit"]
    for mode in (draft, edit):
        assert mode["reports"] == mode["completed"] == 2 and mode["lost"] == mode["duplicated"] == 0
        assert mode["calls_per_report"] > 2
        visible, final = mode["first_token_to_visible_s"], mode["first_token_to_final_s"]
        assert 0 <= visible["mean"] < final["mean"]
    assert draft["calls_by_method"]["sendMessageDraft"] > 0  # streamed as drafts
    assert "sendMessageDraft" not in edit["calls_by_method"]
    assert edit["calls_by_method"]["editMessageText"] > draft["calls_by_method"].get("editMessageText", 0)
    assert "| Bot API calls per report |" in table and "| draft | edit |" in table


def test_the_bench_report_has_a_summary_and_names_its_user_first() -> None:
    tokens = report_for("R000001X")
    assert "R000001X" in tokens[0]  # the first visible text can be told apart from status messages
    summary, rest = split_summary("".join(tokens))
    assert summary.startswith("## Summary") and rest.startswith("## 1.")
