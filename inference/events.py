"""What a job tells its caller, in order: Queued*, Started, then Rejected, or Classified, TextDelta*, and
one of Done / Failed / Cancelled. Also what a report writer returns for each row it wrote."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from inference.labels import Classification

MAX_PHOTOS = 3

# Why a writer stopped a row: the model ended it, it hit the length cap or the repetition guard, the caller
# cancelled it, its deadline passed, or (engines only) the engine refused the row.
StoppedBy = Literal["eos", "length", "repetition", "cancelled", "timeout", "error"]


@dataclass(frozen=True)
class WriterResult:
    """One row of a report writer's batch, whichever writer produced it."""

    text: str  # exactly the concatenation of the deltas delivered for this row (since its last restart)
    stopped_by: StoppedBy
    tokens: int  # generated tokens, EOS and padding excluded (an engine's own count where it gives one)
    image_seen: bool
    error: str | None = None  # why, when stopped_by == "error"


@dataclass(frozen=True)
class EarlierSpec:
    """The earlier case a follow-up compares with: its date, its scores, and its close-up if still kept."""

    day: str  # ISO date
    classification: dict[str, object]  # Classification.to_record()
    image_path: Path | None = None


@dataclass(frozen=True)
class QuestionSpec:
    """A question about a finished case: the worker answers it from the case's photos, its stored scores
    and its report, without classifying again. The job's id is the question's, not the case's."""

    text: str
    report: str
    classification: dict[str, object]  # the case's Classification.to_record()


@dataclass(frozen=True)
class JobSpec:
    """Everything the worker needs for one case. There is no patient name here, by design."""

    id: str
    user_id: int
    image_paths: tuple[Path, ...]  # the close-up first, then an overview and one more photo
    age: int
    gender: str
    history: str | None
    language: str
    body_site: str | None = None
    earlier: EarlierSpec | None = None  # set for a follow-up of an earlier case
    # False: classify only (the API's classify and analyze). The job ends with an empty Done right after
    # Classified, and the report model never sees it.
    report: bool = True
    # Set: a question about this finished case (a lower priority than new cases), not the case itself.
    question: QuestionSpec | None = None

    def __post_init__(self) -> None:
        if isinstance(self.image_paths, Path):  # one photo, as callers outside the bot pass it
            object.__setattr__(self, "image_paths", (self.image_paths,))
        if not 1 <= len(self.image_paths) <= MAX_PHOTOS:
            raise ValueError(f"a case has 1 to {MAX_PHOTOS} photos, not {len(self.image_paths)}")


@dataclass(frozen=True)
class Queued:
    position: int  # 1 = next in line
    starting: bool = False  # the models are still loading: the service is starting up


@dataclass(frozen=True)
class Started:
    attempt: int  # > 1 when a report is being regenerated after a crash or a retry


@dataclass(frozen=True)
class Rejected:
    """A photo failed the quality gate (no model ran) or the skin gate (`not_skin`): no report."""

    issues: tuple[str, ...]
    photo: int = 1  # which of the case's photos, counting from 1


@dataclass(frozen=True)
class Classified:
    classification: Classification
    heatmap_png: bytes | None


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class Restart:
    """The text streamed so far is void and starts again (an engine retry); callers clear what they showed."""


@dataclass(frozen=True)
class Done:
    """The finished report. `text` is the deltas' text, except that an urgency line contradicting an urgent
    triage is corrected, with `urgency_note` after it (inference.urgency): callers show `text` as the
    final word, not their own copy of the deltas."""

    text: str
    image_seen: bool
    stopped_by: StoppedBy
    urgency_note: str | None = None


@dataclass(frozen=True)
class Failed:
    reason: str  # timeout | out_of_memory | error | image_missing | engine
    retryable: bool = True


@dataclass(frozen=True)
class Cancelled:
    pass


Event = Queued | Started | Rejected | Classified | TextDelta | Restart | Done | Failed | Cancelled
TERMINAL = (Rejected, Done, Failed, Cancelled)
