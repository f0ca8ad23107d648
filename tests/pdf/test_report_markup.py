"""casework.report_markup: the model's markdown-ish text -> blocks and Telegram HTML."""

from __future__ import annotations

import random
import re
from html import unescape
from html.parser import HTMLParser

import pytest

from casework.report_markup import (
    Bullet,
    Heading,
    Paragraph,
    Span,
    parse_inline,
    parse_report,
    to_telegram_html,
)

# Characters that are markup syntax; everything else must survive parsing and formatting, in order.
SYNTAX = set("*#-•+ \n\t")


def content(text: str) -> str:
    return "".join(ch for ch in text if ch not in SYNTAX)


def blocks_content(text: str) -> str:
    return content("".join(block.text for block in parse_report(text)))


class _TagChecker(HTMLParser):
    """Collects visible text and fails on unbalanced or unexpected tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag == "b", f"unexpected tag {tag}"
        assert not self.stack, "nested <b>"
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag, f"unbalanced </{tag}>"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible(html: str) -> str:
    # Telegram accepts only &lt; &gt; &amp; &quot; and numeric entities; we should only ever use three.
    for entity in re.findall(r"&[^;\s]*;?", html):
        assert entity in ("&lt;", "&gt;", "&amp;"), f"entity {entity!r}"
    assert "<" not in re.sub(r"</?b>", "", html), "raw < outside a tag"
    assert ">" not in re.sub(r"</?b>", "", html), "raw > outside a tag"
    checker = _TagChecker()
    checker.feed(html)
    checker.close()
    assert not checker.stack, "unclosed <b>"
    return "".join(checker.text)


def test_heading_styles() -> None:
    text = "## Visual observations\n# Top\n**1. Possible conditions**\n1. Recommendations\n### Closed ###"
    assert parse_report(text) == [
        Heading("Visual observations"),
        Heading("Top"),
        Heading("1. Possible conditions"),
        Heading("1. Recommendations"),
        Heading("Closed"),
    ]


def test_bullets_and_paragraphs() -> None:
    text = "Intro line one\nline two\n\n- dash item\n* star item\n• dot item\n  - nested\n\nClosing."
    blocks = parse_report(text)
    assert blocks == [
        Paragraph("Intro line one\nline two"),
        Bullet("dash item"),
        Bullet("star item"),
        Bullet("dot item"),
        Bullet("nested", level=1),
        Paragraph("Closing."),
    ]


def test_numbered_list_is_not_a_run_of_headings() -> None:
    text = "3. Recommendations\n1. Keep it clean\n2. Avoid the sun\n4. This is a sentence, not a title."
    blocks = parse_report(text)
    assert blocks[0] == Heading("3. Recommendations")
    assert blocks[1:3] == [Bullet("1. Keep it clean"), Bullet("2. Avoid the sun")]
    assert blocks[3] == Bullet("4. This is a sentence, not a title.")


def test_bold_spans() -> None:
    (bullet,) = parse_report("- **Basal cell carcinoma**: pearly edge")
    assert bullet.spans == (Span("Basal cell carcinoma", bold=True), Span(": pearly edge"))
    assert bullet.text == "Basal cell carcinoma: pearly edge"


def test_broken_markdown_keeps_every_character() -> None:
    assert parse_inline("unclosed **bold here") == (Span("unclosed **bold here"),)
    assert parse_inline("a **b** c **d") == (Span("a "), Span("b", True), Span(" c **d"))
    assert parse_inline("****") == (Span("****"),)
    (para,) = parse_report("5 * 3 < 20 & snake_case _x_ **")
    assert para.text == "5 * 3 < 20 & snake_case _x_ **"


def test_block_invariants() -> None:
    assert Bullet("x").spans == (Span("x"),)
    with pytest.raises(ValueError):
        Paragraph("abc", (Span("ab"),))


def test_empty_and_whitespace() -> None:
    assert parse_report("") == []
    assert parse_report("\n \n\t\n") == []
    assert to_telegram_html("") == ""


def test_telegram_html_format() -> None:
    html = to_telegram_html("## Findings\n- **Red** patch < 3 cm & stable\n- item_two\n\nSee a doctor.")
    assert html == ("<b>Findings</b>\n• <b>Red</b> patch &lt; 3 cm &amp; stable\n• item_two\n\nSee a doctor.")


@pytest.mark.parametrize(
    "text",
    [
        "Size < 3 cm & > 1 cm, a*b, snake_case, <b>not a tag</b>, &amp; literal",
        "**unclosed bold\n- bullet with ** stray\n## heading with <angle> & amp",
        "**1. Heading with & and <**\nText **bold <i>** rest",
        "# \n##\n- \n* \n1.\n**\n***\n---\n_ _ _",
        "Tiếng Việt **Chẩn đoán** và 한국어 **진단** < >",
    ],
)
def test_telegram_html_is_valid_and_lossless(text: str) -> None:
    html = to_telegram_html(text)
    assert content(visible(html)) == content(unescape(html.replace("<b>", "").replace("</b>", "")))
    assert content(visible(html)) == blocks_content(text)
    # Everything outside markup syntax survives: here nothing is a thematic break or heading marker.
    if "---" not in text:
        assert content(visible(html)) == content(text)


def test_fuzz_never_crashes_or_loses_content() -> None:
    rng = random.Random(1234)
    alphabet = [
        *("*", "**", "_", "<", ">", "&", "#", "a", "Bé", "한", "2)"),
        *("## ", "- ", "• ", "1. ", "\n", "\n\n", " "),
    ]
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        html = to_telegram_html(text)
        shown = visible(html)
        expected = content(text)
        # A line made only of three or more -, * or _ is a thematic break: pure markup, so `_` may go.
        if not re.search(r"^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$", text, re.M):
            assert content(shown) == expected, repr(text)
        else:
            assert content(shown).replace("_", "") == expected.replace("_", ""), repr(text)
