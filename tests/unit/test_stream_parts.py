"""The pure parts of streaming: the summary cut, message-sized pieces, which way a chat streams, what a
refusal means, the expected wait, and the fake Bot API's drafts (their 30-s life and groups' refusal)."""

from __future__ import annotations

import time

import pytest
from telegram.error import BadRequest, InvalidToken, NetworkError

from bot.draft_stream import draft_refused
from bot.stream_mode import StreamMode
from bot.stream_pieces import Pieces
from bot.wait_estimate import JobTimes, wait_text
from casework.report_markup import split_summary, summary_end, to_telegram_html
from casework.translator import Translator
from testkit.bot_api_rules import BotApiError
from testkit.fake_bot_api import FakeBotApi

REPORT = (
    "## Summary\nMost likely mild eczema. Not urgent.\n\n"
    "## 1. Visual observations\n- A dry patch.\n\n## 2. Recommended care\n- Moisturise."
)
SUMMARY_END = REPORT.index("## 1.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ("## Sum", None),  # may still become the summary heading
        ("## Summary\nMost likely", None),  # the summary is still being written
        ("## Summary\nMost likely mild eczema.\n\n#", len("## Summary\nMost likely mild eczema.\n\n")),
        (REPORT, SUMMARY_END),
        (REPORT.replace("## Summary", "**Summary**"), SUMMARY_END + 1),
        ("## Summary\nShort.\n**1. Visual**\n", len("## Summary\nShort.\n")),
        ("## Summary\nShort.\n1. Visual observations\n", len("## Summary\nShort.\n")),
        ("## 1. Visual observations\n- A dry patch.\n", 0),  # numbered: no summary
        ("The patch looks dry", 0),  # plain text: no summary
        ("\n\n## Summary\nShort.\n## 1. Visual", len("\n\n## Summary\nShort.\n")),
    ],
)
def test_summary_end(text: str, expected: int | None) -> None:
    assert summary_end(text) == expected


def test_split_summary_and_bold_html() -> None:
    summary, rest = split_summary(REPORT)
    assert summary + rest == REPORT and rest.startswith("## 1.")
    assert split_summary("## 1. Visual\n- x") == ("", "## 1. Visual\n- x")
    assert split_summary("## Summary\nOnly this.") == ("## Summary\nOnly this.", "")
    assert (
        to_telegram_html(summary, bold=True) == "<b>Summary</b>\n<b>Most likely mild eczema. Not urgent.</b>"
    )
    assert to_telegram_html("- a & b", bold=True) == "• <b>a &amp; b</b>"
    assert to_telegram_html("plain **x**") == "plain <b>x</b>"


def feed(pieces: Pieces, text: str, step: int = 3) -> None:
    for start in range(0, len(text), step):
        pieces.append(text[start : start + step])


def test_pieces_freeze_the_summary_as_its_own_piece() -> None:
    pieces = Pieces(limit=200)
    feed(pieces, REPORT[: SUMMARY_END - 1])
    assert pieces.frozen == [] and pieces.all() == [REPORT[: SUMMARY_END - 1]]
    feed(pieces, REPORT[SUMMARY_END - 1 :])
    assert pieces.frozen == [REPORT[:SUMMARY_END]] and pieces.is_summary(0) and not pieces.is_summary(1)
    assert "".join(pieces.all()) == REPORT
    pieces.reset()
    assert pieces.all() == [""] and not pieces.summary


def test_pieces_cut_long_text_and_never_change_a_complete_piece() -> None:
    text = " ".join(f"word{i}." for i in range(400))
    pieces = Pieces(limit=300)
    seen: list[str] = []
    for start in range(0, len(text), 7):
        pieces.append(text[start : start + 7])
        assert pieces.frozen[: len(seen)] == seen  # complete pieces stay as they were
        seen = list(pieces.frozen)
    assert "".join(pieces.all()) == text
    assert all(len(p) <= 300 for p in pieces.all()) and len(pieces.all()) > 5
    assert all(p.endswith(" ") for p in pieces.frozen)  # cut at a space, never inside a word
    assert not pieces.summary


@pytest.mark.parametrize("step", [1, 7, 60, 450])
def test_what_a_draft_shows_always_stays_in_its_piece(step: int) -> None:
    """A paragraph ends past the middle of the piece, then a long one follows: the piece will be cut at that
    paragraph, so the words after it, streamed before the cut, must never be shown as this piece's draft."""
    text = ("word " * 130 + "\n\n") + ("Sentence one. " * 60) + ("more words " * 300)
    pieces = Pieces(limit=1000)
    shown: list[tuple[int, str]] = []
    for start in range(0, len(text), step):
        pieces.append(text[start : start + step])
        settled = pieces.settled_tail
        assert pieces.tail.startswith(settled)
        shown.append((len(pieces.frozen), settled))
    final = pieces.all()
    assert "".join(final) == text and len(final) >= 3
    for index, draft in shown:
        assert final[index].startswith(draft), (index, len(draft), len(final[index]))
    # Drafts still grow: each piece is shown whole at some point, bar the last words streamed before its cut.
    for index, piece in enumerate(final[:-1]):
        assert max(len(d) for i, d in shown if i == index) >= len(piece) - step - 20


def test_a_summary_longer_than_a_message_is_cut_like_the_rest() -> None:
    long_summary = "## Summary\n" + "word " * 100 + "\n## 1. Visual\n- x"
    pieces = Pieces(limit=120)
    feed(pieces, long_summary)
    assert not pieces.summary and "".join(pieces.all()) == long_summary


def test_stream_mode_policy() -> None:
    auto, draft, edit = StreamMode("auto"), StreamMode("draft"), StreamMode("edit")
    assert auto.drafts_for(5) and draft.drafts_for(5) and not edit.drafts_for(5)
    auto.refused(5)
    draft.refused(5)
    assert not auto.drafts_for(5) and auto.drafts_for(6)  # remembered for that chat only
    assert draft.drafts_for(5)  # "draft" asks again every report
    assert StreamMode("auto").drafts_for(5)  # a new process (a restart) has forgotten
    with pytest.raises(ValueError):
        StreamMode("fast")


@pytest.mark.parametrize(
    ("error", "refused"),
    [
        (BadRequest("Bad Request: TEXTDRAFT_PEER_INVALID"), True),
        (BadRequest("Bad Request: method is not supported"), True),
        (BadRequest("Bad Request: drafts are available only in private chats"), True),
        (InvalidToken("Not Found: method not found"), True),  # an older server: 404
        (BadRequest("Bad Request: chat not found"), False),
        (BadRequest("Bad Request: can't parse entities: unsupported start tag"), False),
        (BadRequest("Bad Request: message is too long"), False),
        (NetworkError("Bad Gateway"), False),
    ],
)
def test_what_counts_as_drafts_refused(error: Exception, refused: bool) -> None:
    assert draft_refused(error) is refused  # type: ignore[arg-type]


def test_job_times_and_wait_text() -> None:
    times = JobTimes(weight=0.5)
    assert times.wait_s(3, 4) is None  # nothing measured: no minutes promised
    times.add(60)
    times.add(100)
    assert times.average == pytest.approx(80)
    assert times.wait_s(1, 4) == pytest.approx(80)
    assert times.wait_s(5, 4) == pytest.approx(160)  # the second batch
    t = Translator()
    assert wait_text(t, "en", 120) == "about 2 minutes"
    assert wait_text(t, "en", 70) == "about 1 minute"
    assert wait_text(t, "en", 20) == "less than a minute"
    assert wait_text(t, "ko", 130) == "약 2분"
    assert wait_text(t, "vi", 10) == "dưới một phút"


def test_fake_drafts_expire_and_groups_refuse_them() -> None:
    api = FakeBotApi("1:x")
    api.draft_lifetime_s = 0.05
    api._m_sendMessageDraft({"chat_id": 7, "draft_id": 3, "text": ""})
    api._m_sendMessageDraft({"chat_id": 7, "draft_id": 3, "text": "Hel"})
    [draft] = api.visible_drafts(7)
    assert draft.text == "Hel" and draft.expired == 0
    time.sleep(0.08)
    assert api.visible_drafts(7) == []  # gone after its lifetime
    api._m_sendMessageDraft({"chat_id": 7, "draft_id": 3, "text": "Hello"})
    assert draft.expired == 1  # it had vanished before this update
    api._m_sendMessage({"chat_id": 7, "text": "Hello"})
    assert api.visible_drafts(7) == [] and draft.ended_at is not None  # the message took its place
    with pytest.raises(BotApiError) as refused:
        api._m_sendMessageDraft({"chat_id": -100, "draft_id": 1, "text": "x"})
    assert refused.value.status == 400 and "TEXTDRAFT_PEER_INVALID" in refused.value.description
    with pytest.raises(BotApiError):
        api._m_sendMessageDraft({"chat_id": 7, "draft_id": 0, "text": "x"})
