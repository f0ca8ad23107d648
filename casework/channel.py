"""The ports through which the case services reach people: a clinic's review chat and a patient's chat.

The case services decide what is said and what is stored; a channel decides how it looks there (Telegram's is
`bot.telegram_channel.TelegramChannel`: buttons, documents, replies). Every method raises a `ChannelError`
when its message did not go out: `ChannelUnavailable` when a later try may succeed, `RecipientGone` when the
chat will never take it. Its text names the channel's own error, for the log; never what was said.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from conversations.domain import Case


class ChannelError(Exception):
    """A message did not go out."""


class ChannelUnavailable(ChannelError):
    """Not now: the channel is away or refused for a passing reason; try again later."""


class RecipientGone(ChannelError):
    """Not ever: the chat is gone, blocks the bot, or refuses the message as it is; drop it."""


@dataclass(frozen=True)
class Choice:
    """One answer a clinic can give to a review: what it says, and the verdict code it stands for."""

    label: str
    code: str


@dataclass(frozen=True)
class DeskLink:
    """The way from a review to the clinic's review desk: what it says, and the clinic it opens."""

    label: str
    clinic_id: int


@dataclass(frozen=True)
class ReviewPost:
    """What a clinic is sent for one review: the case's PDF, then its summary offering the choices, and the
    way to the review desk if given."""

    review_id: str
    case: Case
    pdf: bytes
    summary: str
    choices: Sequence[Choice]
    desk: DeskLink | None = None


class ClinicChannel(Protocol):
    """A clinic's review chat."""

    async def post_for_review(self, clinic_chat_id: int, post: ReviewPost) -> int:
        """The post's PDF, then its summary with the choices (and the desk link); returns the summary's id."""
        ...

    async def close_review(self, clinic_chat_id: int, summary_message_id: int, answered: str) -> None:
        """The summary's choices go, and `answered` says who answered: each part is tried even if the other
        failed."""
        ...

    async def ask_for_note(self, clinic_chat_id: int, prompt: str) -> int:
        """Ask for a note that the clinic writes as a reply; returns the id of the message to reply to."""
        ...

    async def reflag(self, clinic_chat_id: int, text: str) -> None:
        """Remind the clinic of a review still unanswered."""
        ...


class PatientChannel(Protocol):
    """A patient's chat."""

    async def tell(self, chat_id: int, texts: Sequence[str]) -> None:
        """These texts, in order, each a message of its own."""
        ...

    async def send_report(self, chat_id: int, case: Case, pdf: bytes, caption: str) -> None:
        """The case's report PDF, with a caption."""
        ...

    async def remind(self, chat_id: int, case: Case, text: str, follow_up: str) -> None:
        """A reminder to re-check the spot of `case`, offering `follow_up`: start its follow-up."""
        ...


class CaseChannel(ClinicChannel, PatientChannel, Protocol):
    """Clinics and patients, on one channel."""
