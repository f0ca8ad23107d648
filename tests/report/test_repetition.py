"""RepetitionGuard: pure, incremental; emitted text is final text; stops on 40+ char repeats."""

from __future__ import annotations

import random

import pytest

from inference.repetition import MIN_REPEAT_CHARS, RepetitionGuard


def run(text: str, chunk: int | None = None, seed: int = 0) -> tuple[str, RepetitionGuard, list[str]]:
    """Feed text in chunks (fixed size or random 1..7 chars); return emitted text, guard, pieces."""
    guard = RepetitionGuard()
    rng = random.Random(seed)
    pieces: list[str] = []
    i = 0
    while i < len(text) and not guard.stopped:
        size = chunk or rng.randint(1, 7)
        pieces.append(guard.feed(text[i : i + size]))
        i += size
    pieces.append(guard.finish())
    return "".join(pieces), guard, pieces


SECTION = (
    "## 3. Recommended care\n"
    "- Apply a fragrance-free moisturiser twice a day to the affected skin.\n"
    "- Avoid hot showers and harsh soaps, which dry the skin further.\n\n"
)
REPORT = "## 1. Visual observations\n- Red, scaly patches on both elbows.\n\n" + SECTION


def test_no_repetition_passes_through_unchanged() -> None:
    for chunk in (1, 3, None):
        out, guard, _ = run(REPORT, chunk)
        assert out == REPORT
        assert not guard.stopped


def test_repeated_section_keeps_one_copy() -> None:
    # The seed's sample report repeated its treatment section three times.
    text = REPORT + SECTION + SECTION
    for chunk in (1, 5, None):
        out, guard, _ = run(text, chunk)
        assert guard.stopped
        assert out == REPORT  # the repeated heading is dropped too, not only the long bullet
        assert out.count("fragrance-free") == 1


def test_emitted_is_prefix_of_input_at_every_step() -> None:
    text = REPORT + SECTION
    guard = RepetitionGuard()
    emitted = ""
    for i in range(len(text)):
        emitted += guard.feed(text[i])
        assert text.startswith(emitted)
    emitted += guard.finish()
    assert emitted == REPORT


def test_unfinished_sentence_is_held_until_finish() -> None:
    guard = RepetitionGuard()
    assert guard.feed("The patch is red and") == ""
    assert guard.held_text == "The patch is red and"
    assert guard.feed(" dry. It") == "The patch is red and dry. "
    assert guard.finish() == "It"


@pytest.mark.parametrize("length, stops", [(MIN_REPEAT_CHARS - 1, False), (MIN_REPEAT_CHARS, True)])
def test_threshold_39_vs_40_chars(length: int, stops: bool) -> None:
    sentence = ("x" * (length - 1)) + "."
    assert len(sentence) == length
    text = f"{sentence}\n{sentence}\nA new line follows here.\n"
    out, guard, _ = run(text, 1)
    assert guard.stopped is stops
    assert out == (f"{sentence}\n" if stops else text)


def test_short_repeat_is_delayed_not_lost() -> None:
    text = "- Yes.\nThe rash is on the arm.\n- Yes.\nIt itches at night only.\n"
    out, guard, _ = run(text, 2)
    assert not guard.stopped
    assert out == text


def test_paragraph_of_short_lines_repeating_trips() -> None:
    para = "- Wash gently.\n- Pat dry.\n- Use sunscreen.\n- Avoid scratching.\n\n"
    assert all(len(line) < MIN_REPEAT_CHARS for line in para.splitlines())
    out, guard, _ = run("Care:\n" + para + para, 3)
    assert guard.stopped
    assert out == "Care:\n" + para


def test_korean_sentences() -> None:
    first = "팔꿈치에 붉고 건조한 반점이 보이며 가려움을 동반할 수 있습니다. "
    second = "보습제를 하루 두 번 바르고 뜨거운 물 샤워를 피하십시오. "
    assert len(first.strip()) < MIN_REPEAT_CHARS <= len((first + second).strip())
    text = first + second + first + second + first
    out, guard, _ = run(text, 1)
    assert guard.stopped
    assert out == first + second


def test_korean_fullwidth_punctuation_ends_sentences() -> None:
    sentence = "붉은 반점과 각질이 심해지면 진료를 받으십시오。"
    assert len(sentence) < MIN_REPEAT_CHARS  # a short sentence repeated is held ...
    out, guard, _ = run(sentence * 2 + "끝", 1)
    assert not guard.stopped  # ... and released when new text breaks the run
    assert out == sentence * 2 + "끝"
    long_sentence = sentence.replace("。", " ") * 2 + "。"
    assert len(long_sentence) >= MIN_REPEAT_CHARS
    out, guard, _ = run(long_sentence * 3, 2)
    assert guard.stopped
    assert out == long_sentence


def test_vietnamese_diacritics() -> None:
    s1 = "Thoa kem dưỡng ẩm không mùi hai lần mỗi ngày lên vùng da bị ảnh hưởng. "
    s2 = "Tránh tắm nước nóng và xà phòng mạnh! "
    out, guard, _ = run(s1 + s2 + s1 + s2, None, seed=3)
    assert guard.stopped
    assert out == s1 + s2


def test_whitespace_differences_still_count_as_repeat() -> None:
    s = "Apply a fragrance-free moisturiser twice a day to the skin."
    out, guard, _ = run(f"{s}\n{s.replace(' ', '  ')}\n", 4)
    assert guard.stopped
    assert out == f"{s}\n"


def test_decimals_and_numbered_headings_do_not_split() -> None:
    text = "## 2. Differential considerations\n- Eczema scored 0.62 here.\n"
    out, guard, _ = run(text, 1)
    assert out == text and not guard.stopped


def test_long_unterminated_text_is_released() -> None:
    guard = RepetitionGuard(max_hold=100)
    out = guard.feed("a" * 150)
    assert out == "a" * 150


def test_after_stop_feed_returns_nothing() -> None:
    s = "This sentence is long enough to count as a repeat for sure."
    guard = RepetitionGuard()
    guard.feed(f"{s}\n{s}\n")
    assert guard.stopped
    assert guard.feed("more text. ") == ""
    assert guard.finish() == ""


def test_repeat_at_end_of_stream_is_dropped_on_finish() -> None:
    s = "This sentence is long enough to count as a repeat for sure."
    out, guard, _ = run(f"{s}\n{s}", 3)  # no trailing newline: decided in finish()
    assert guard.stopped
    assert out == f"{s}\n"
