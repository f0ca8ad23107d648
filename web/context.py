"""What the web side is given by the composition root: its settings and the case settings, the bot's own
store, files, translator and model queue, and the case services it needs as plain callables: the PDFs, and
the verdicts, which reach patients through the case services' channel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from casework.config import CaseConfig
from casework.translator import Translator
from conversations.domain import Case, Review
from conversations.files import FileStore
from conversations.store import Store
from inference.model_queue import ModelQueue
from web.config import WebConfig

# The verdicts a clinic can give, as `casework.review_desk.VERDICTS` names them (a test keeps them equal).
VERDICTS: tuple[str, ...] = ("routine", "visit", "urgent", "note")


class VerdictDesk(Protocol):
    """Records a verdict from the desk exactly as one from the clinic's Telegram chat: the first verdict
    wins whichever side gave it, the clinic chat hears who answered, and the patient is told in their
    language (an outbox retried until Telegram takes it)."""

    async def decide(
        self, review: Review, verdict: str, reviewer: str, note: str | None, staff_id: int
    ) -> tuple[bool, str | None]:
        """Returns (this verdict won, who answered first)."""
        ...


@dataclass
class WebContext:
    web_config: WebConfig
    case_config: CaseConfig
    store: Store
    files: FileStore
    t: Translator
    # None when this process has no models (the API then answers 503).
    queue: ModelQueue | None
    # Render a case's PDF from the store and save it (casework.case_pdf.render_case_pdf).
    render_pdf: Callable[[Case], Awaitable[bytes]]
    # The case's stored PDF, rendered again only if it is missing (casework.case_pdf.case_pdf).
    case_pdf: Callable[[Case], Awaitable[bytes]]
    # None: no clinics configured, so no review desk.
    verdicts: VerdictDesk | None
