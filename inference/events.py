"""What a job tells its caller, in order: Queued*, Started, then Rejected, or Classified, TextDelta*, and
one of Done / Failed / Cancelled."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from inference.labels import Classification


@dataclass(frozen=True)
class JobSpec:
    """Everything the worker needs for one case. There is no patient name here, by design."""

    id: str
    user_id: int
    image_path: Path
    age: int
    gender: str
    history: str | None
    language: str


@dataclass(frozen=True)
class Queued:
    position: int  # 1 = next in line


@dataclass(frozen=True)
class Started:
    attempt: int  # > 1 when a report is being regenerated after a crash or a retry


@dataclass(frozen=True)
class Rejected:
    """The photo failed the quality gate (no model ran) or the skin gate (`not_skin`): no report."""

    issues: tuple[str, ...]


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
    text: str
    image_seen: bool
    stopped_by: str


@dataclass(frozen=True)
class Failed:
    reason: str  # timeout | out_of_memory | error | image_missing | engine
    retryable: bool = True


@dataclass(frozen=True)
class Cancelled:
    pass


Event = Queued | Started | Rejected | Classified | TextDelta | Restart | Done | Failed | Cancelled
TERMINAL = (Rejected, Done, Failed, Cancelled)
