"""What an intake holds: its steps, what the user did, the draft of answers and the state that is saved.

`conversations.intake` moves an intake from one state to the next; `conversations.intake_prompts` says what
each step asks.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from conversations.domain import PHOTO_KINDS

MAX_PHOTOS = 3
MAX_OFFERS = 5  # earlier cases offered for a follow-up; more would not fit a keyboard
# An offer's button names its case by this many hex digits of the case id (48 bits: never two of one user's
# cases), not by its place in the list, which shifts as cases are added. Callback data has 64 bytes.
OFFER_ID_CHARS = 12


class IntakeAction(StrEnum):
    """What a button of the intake does."""

    ANSWER = "answer"  # value: the option chosen
    SKIP = "skip"
    CONFIRM = "confirm"
    EDIT = "edit"
    CANCEL = "cancel"
    FIELD = "field"  # value: the step to edit


class Step(StrEnum):
    PHOTO = "photo"
    NAME = "name"
    AGE = "age"
    GENDER = "gender"
    HISTORY = "history"
    REPORT_LANGUAGE = "report_language"
    SUMMARY = "summary"
    EDIT_MENU = "edit_menu"
    # Appended, not inserted: buttons carry a step as its index (bot.callbacks), and buttons sent before an
    # upgrade must keep naming the same step.
    MORE_PHOTOS = "more_photos"
    BODY_SITE = "body_site"
    FOLLOW_UP = "follow_up"


def photo_kind(position: int) -> str:
    """The kind of the photo at 0-based `position` of a case."""
    return PHOTO_KINDS[min(position, len(PHOTO_KINDS) - 1)]


# --- what the user did -------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Photo:
    image: str  # token of an image already checked and stored by the adapter


@dataclass(frozen=True)
class Album:
    """Several photos sent at once (a Telegram media group): one answer, not one per photo."""

    images: tuple[str, ...]


@dataclass(frozen=True)
class Choice:
    action: IntakeAction
    value: str = ""


@dataclass(frozen=True)
class Other:
    """A sticker, voice note, location or anything else we cannot use."""


Answer = Text | Photo | Album | Choice | Other


@dataclass(frozen=True)
class Earlier:
    """An earlier case of this user that a new case may follow up: what the offer shows, and the answers a
    follow-up takes over (the same patient, the same spot)."""

    case_id: str
    day: str  # ISO date the earlier case was made
    patient_name: str
    age: int
    gender: str
    report_language: str
    body_site: str | None
    top_label: str  # the classifier's top class then


@dataclass(frozen=True)
class Draft:
    photos: tuple[str, ...] = ()  # image tokens: the close-up first, then an overview, then one more
    photos_done: bool = False  # the user said they have no more photos to add
    body_site: str | None = None
    body_site_answered: bool = False
    follow_up: str | None = None  # the earlier case this one follows up
    follow_up_day: str | None = None  # its date, for the summary
    follow_up_answered: bool = False
    name: str | None = None
    age: int | None = None
    gender: str | None = None
    history: str | None = None
    history_answered: bool = False
    report_language: str | None = None


def _draft_from(data: dict[str, Any]) -> Draft:
    data = dict(data)
    if "photo" in data:
        # State saved before cases had several photos: one photo, and none of the newer questions.
        photo = data.pop("photo")
        data["photos"] = (photo,) if photo else ()
        data["photos_done"] = bool(photo)
        data["follow_up_answered"] = True
    data["photos"] = tuple(data.get("photos", ()))
    return Draft(**data)


def new_intake_id() -> str:
    """32 random bits: an earlier intake's buttons never match the one open now."""
    return secrets.token_hex(4)


@dataclass(frozen=True)
class Intake:
    """Where the conversation is, and what it holds.

    `id` and `turn` say which state a button was shown for (the adapter puts `key` on every intake button):
    a new intake has a new id, and every answer that changes the state counts a turn, so a button shown
    before the change (an earlier summary, an offer from another intake) is stale. They are not part of
    equality: two intakes are equal when they ask the same and hold the same answers."""

    step: Step = Step.PHOTO
    draft: Draft = Draft()
    editing: bool = False
    offers: tuple[Earlier, ...] = ()  # earlier cases the follow-up question lists
    id: str = field(default_factory=new_intake_id, compare=False)
    turn: int = field(default=0, compare=False)

    @property
    def key(self) -> str:
        return f"{self.id}.{self.turn}"

    def to_json(self) -> str:
        return json.dumps(
            {
                "step": self.step.value,
                "draft": asdict(self.draft),
                "editing": self.editing,
                "offers": [asdict(offer) for offer in self.offers],
                "id": self.id,
                "turn": self.turn,
            }
        )

    @classmethod
    def from_json(cls, raw: str) -> Intake:
        data = json.loads(raw)
        offers = tuple(Earlier(**offer) for offer in data.get("offers", ()))
        return cls(
            Step(data["step"]),
            _draft_from(data["draft"]),
            bool(data.get("editing", False)),
            offers,
            # State saved before intakes had ids gets one from its contents, the same at every load until it
            # is saved with it. Buttons shown before then carry none: they are stale.
            str(data.get("id") or hashlib.sha256(raw.encode()).hexdigest()[:8]),
            int(data.get("turn", 0)),
        )
