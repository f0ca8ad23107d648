"""The one place that understands the report model's markdown-ish text.

The model writes loose markdown: `## Heading`, `**1. Heading**`, `1. Visual observations`, bullets with
`-`, `*` or `•`, and inline `**bold**`. We parse only that much. Anything we do not recognise stays as
literal text: markup syntax (heading hashes, bullet markers, paired `**`) is the only thing ever dropped,
so broken markdown can never lose a character of content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape as _html_escape

__all__ = [
    "Block",
    "Bullet",
    "Heading",
    "Paragraph",
    "Span",
    "parse_inline",
    "parse_report",
    "split_summary",
    "summary_end",
    "to_telegram_html",
]


@dataclass(frozen=True)
class Span:
    """A run of text, bold or not."""

    text: str
    bold: bool = False


def _spans_text(spans: tuple[Span, ...]) -> str:
    return "".join(span.text for span in spans)


@dataclass(frozen=True)
class _Block:
    """`text` is the visible text; `spans` the same text split into bold and plain runs."""

    text: str
    spans: tuple[Span, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.spans:
            object.__setattr__(self, "spans", (Span(self.text),) if self.text else ())
        elif _spans_text(self.spans) != self.text:
            raise ValueError("spans do not add up to text")


@dataclass(frozen=True)
class Heading(_Block):
    """A section title. Rendered bold as a whole, so its spans carry no extra meaning."""


@dataclass(frozen=True)
class Bullet(_Block):
    """A list item; `level` 0 is top level, 1 and up are nested by indentation."""

    level: int = 0


@dataclass(frozen=True)
class Paragraph(_Block):
    """Consecutive lines of running text; inner line breaks are kept as "\\n"."""


Block = Heading | Bullet | Paragraph

_ATX_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_BULLET = re.compile(r"^([ \t]*)([-*•+])[ \t]+(.*)$")
_NUMBERED = re.compile(r"^[ \t]*(\d{1,2}[.)])[ \t]+(.*)$")
_RULE = re.compile(r"^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_WHOLE_BOLD = re.compile(r"^\*\*(?!\*)(.+?)(?<!\*)\*\*$")

# A numbered line reads as a section title when it is short and not a sentence.
_MAX_NUMBERED_HEADING_CHARS = 60
_SENTENCE_END = (".", "!", "?", "。", ";", ",")


def parse_inline(text: str) -> tuple[Span, ...]:
    """Split `**bold**` runs out of a line. An unpaired `**` stays as literal text."""
    spans: list[Span] = []
    pos = 0
    while True:
        start = text.find("**", pos)
        if start < 0:
            break
        end = text.find("**", start + 2)
        if end < 0:
            break  # unclosed: the rest, `**` included, is literal
        inner = text[start + 2 : end]
        if not inner.strip():
            # `****` or `** **` is not emphasis; keep it literal and move past the opener only.
            spans.append(Span(text[pos : start + 2]))
            pos = start + 2
            continue
        if start > pos:
            spans.append(Span(text[pos:start]))
        spans.append(Span(inner, bold=True))
        pos = end + 2
    if pos < len(text):
        spans.append(Span(text[pos:]))
    return _merge(spans)


def _merge(spans: list[Span]) -> tuple[Span, ...]:
    merged: list[Span] = []
    for span in spans:
        if not span.text:
            continue
        if merged and merged[-1].bold == span.bold:
            merged[-1] = Span(merged[-1].text + span.text, span.bold)
        else:
            merged.append(span)
    return tuple(merged)


def _heading(text: str) -> Heading:
    # Headings are bold as a whole; inner ** pairs are dropped, unpaired ones kept.
    return Heading(_spans_text(parse_inline(text.strip())))


def _numbered_heading(line: str) -> str | None:
    """`1. Visual observations` (short, not a sentence) -> the title; else None (a numbered item)."""
    match = _NUMBERED.match(line)
    if not match:
        return None
    rest = match.group(2).strip()
    whole = _WHOLE_BOLD.match(rest)
    title = whole.group(1) if whole else rest
    if not title or len(title) > _MAX_NUMBERED_HEADING_CHARS or title.endswith(_SENTENCE_END):
        return None
    if "**" in title and not whole:
        return None  # inline emphasis inside: running text, not a title
    return f"{match.group(1)} {title}"


def _number(line: str) -> int | None:
    match = _NUMBERED.match(line)
    return int(match.group(1)[:-1]) if match else None


def _in_numbered_list(lines: list[str], index: int) -> bool:
    """True when a neighbouring line continues the numbering (1. 2. 3.): a list, not section titles.

    "3. Recommendations" followed by "1. Keep it clean" stays a title; "1. ..." then "2. ..." is a list.
    """
    number = _number(lines[index])
    if number is None:
        return False
    before = _number(lines[index - 1]) if index > 0 else None
    after = _number(lines[index + 1]) if index + 1 < len(lines) else None
    return before == number - 1 or after == number + 1


def _indent_level(indent: str) -> int:
    width = len(indent.replace("\t", "    "))
    return min(width // 2, 3)


def parse_report(text: str) -> list[Block]:
    """Turn the model's report text into headings, bullets and paragraphs. Never raises."""
    blocks: list[Block] = []
    para: list[str] = []
    bullet: tuple[list[str], int] | None = None  # lines and level of the bullet being collected

    def flush() -> None:
        nonlocal bullet
        if para:
            spans = parse_inline("\n".join(para))
            blocks.append(Paragraph(_spans_text(spans), spans))
            para.clear()
        if bullet is not None:
            spans = parse_inline("\n".join(bullet[0]))
            blocks.append(Bullet(_spans_text(spans), spans, bullet[1]))
            bullet = None

    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for index, raw in enumerate(lines):
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if _RULE.match(line):
            flush()  # a thematic break is pure markup
            continue
        atx = _ATX_HEADING.match(stripped)
        if atx and atx.group(2).strip():
            flush()
            blocks.append(_heading(atx.group(2)))
            continue
        whole = _WHOLE_BOLD.match(stripped)
        if whole and "**" not in whole.group(1):
            flush()
            blocks.append(_heading(whole.group(1)))
            continue
        numbered_title = _numbered_heading(stripped)
        if numbered_title is not None and not _in_numbered_list(lines, index):
            flush()
            blocks.append(_heading(numbered_title))
            continue
        item = _BULLET.match(line)
        if item and item.group(3).strip():
            flush()
            bullet = ([item.group(3).strip()], _indent_level(item.group(1)))
            continue
        numbered = _NUMBERED.match(line)
        if numbered:
            # A numbered item that is a sentence: a bullet that keeps its number as content.
            flush()
            bullet = ([f"{numbered.group(1)} {numbered.group(2).strip()}"], 0)
            continue
        if bullet is not None and raw[:1] in (" ", "\t"):
            bullet[0].append(stripped)  # an indented continuation of the bullet above
            continue
        if bullet is not None:
            flush()
        para.append(stripped)
    flush()
    return blocks


def _tg_escape(text: str) -> str:
    # Telegram's HTML mode knows only &lt; &gt; &amp; (and &quot;); quotes need no escaping.
    return _html_escape(text, quote=False)


def _tg_spans(spans: tuple[Span, ...], bold: bool = False) -> str:
    if bold:
        return f"<b>{_tg_escape(_spans_text(spans))}</b>"
    return "".join(f"<b>{_tg_escape(s.text)}</b>" if s.bold else _tg_escape(s.text) for s in spans)


def to_telegram_html(text: str, bold: bool = False) -> str:
    """Format the report for a Telegram message sent with parse_mode=HTML; `bold` sets all of it in bold
    (the summary at the top of the report)."""
    out: list[str] = []
    previous: Block | None = None
    for block in parse_report(text):
        if previous is not None:
            tight = isinstance(previous, Heading) or (
                isinstance(block, Bullet) and isinstance(previous, Bullet)
            )
            out.append("\n" if tight else "\n\n")
        if isinstance(block, Heading):
            out.append(f"<b>{_tg_escape(block.text)}</b>")
        elif isinstance(block, Bullet):
            out.append("   " * block.level + "• " + _tg_spans(block.spans, bold))
        else:
            out.append(_tg_spans(block.spans, bold))
        previous = block
    return "".join(out)


# --- the summary that opens the report -------------------------------------------------------------
# The prompt asks for an unnumbered `## Summary` section (two or three lines) before the numbered ones.


def _title_of(line: str) -> str | None:
    """The title of a line that is a heading on its own (`## Title` or `**Title**`), else None."""
    stripped = line.strip()
    atx = _ATX_HEADING.match(stripped)
    if atx and atx.group(2).strip():
        return atx.group(2).strip()
    whole = _WHOLE_BOLD.match(stripped)
    if whole and "**" not in whole.group(1):
        return whole.group(1).strip()
    return None


def summary_end(text: str) -> int | None:
    """Where the opening summary of a report ends, decided as early as the streamed text allows.

    Returns the offset of the line that starts the next section once that line has begun; 0 when the
    report does not open with an unnumbered heading (it has no summary); None while it cannot be told yet.
    """
    offset = 0
    opened = False
    for line in text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        complete = offset <= len(text)  # a newline follows: the line is whole
        stripped = line.strip()
        if not opened:
            if not stripped:
                continue
            if not complete:
                # "## Su…" may still become the summary heading; plain text never will.
                return None if stripped.startswith(("#", "*")) else 0
            title = _title_of(line)
            if title is None or title[0].isdigit():
                return 0
            opened = True
            continue
        if stripped.startswith("#"):
            return start
        if complete and (_title_of(line) is not None or _numbered_heading(stripped) is not None):
            return start
    return None


def split_summary(text: str) -> tuple[str, str]:
    """A finished report as (its opening summary section, the rest); ("", text) when it has none."""
    end = summary_end(text + "\n")
    if end is None:
        end = len(text) if text.strip() else 0
    return text[:end], text[end:]
