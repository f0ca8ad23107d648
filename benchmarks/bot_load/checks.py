"""After the run: every expected message arrived exactly once, and nothing reached the wrong chat."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from benchmarks.bot_load.users import NAME_MARKER, REF_MARKER, UserPlan
from casework.translator import Translator
from testkit.sent_messages import SentMessage


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


# What a user is asked on the way through the intake, in order.
INTAKE_QUESTIONS = (
    "consent-ask",
    "ask-photo",
    "ask-body-site",
    "ask-name",
    "ask-age",
    "ask-gender",
    "ask-history",
    "ask-report-language",
)


def _markers(text: str) -> set[int]:
    return {int(n) for n in NAME_MARKER.findall(text)} | {int(n) for n in REF_MARKER.findall(text)}


def _expectations(t: Translator, p: UserPlan, short: str) -> dict[str, Callable[[SentMessage], bool]]:
    """What must be in this user's chat exactly once, as predicates over one message."""
    from conversations.validation import NAME_MAX

    lang = p.lang
    exact = {key: t(lang, key, max=NAME_MAX) for key in INTAKE_QUESTIONS}
    received = t(lang, "case-received", case=short)
    title = t(lang, "classification-title")

    def has(*parts: str) -> Callable[[SentMessage], bool]:
        # The scores come as the heatmap's caption.
        return lambda m: (
            (m.text or m.caption) is not None and all(part in (m.text or m.caption or "") for part in parts)
        )

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
