"""What goes wrong when getting the weights, in one line the user can act on.

WeightsError carries that line. `describe_failure` turns what huggingface_hub, httpx2 or the disk raised into
it (or None for a bug, which keeps its traceback), naming what an interrupted download keeps for the next
run. Checksums and commit ids go into file names, so `hex_id` accepts only hex of the right length.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

TOKEN_SETTINGS_URL = "https://huggingface.co/settings/tokens"
# Hex digits in each kind of id: what a listed checksum, a commit or a --sha256 pin must be.
HEX_DIGITS = {"sha256": 64, "git": 40}


class WeightsError(Exception):
    """One line that says what went wrong and what to do."""


def hex_id(value: object, kind: Literal["sha256", "git"]) -> str | None:
    """`value` in lower case when it is exactly the hex digits of a `kind` id, else None."""
    if not isinstance(value, str) or re.fullmatch(f"[0-9a-fA-F]{{{HEX_DIGITS[kind]}}}", value) is None:
        return None
    return value.lower()


def model_page(repo_id: str) -> str:
    return f"https://huggingface.co/{repo_id}"


def access_lines(repo_id: str, token_found: bool) -> list[str]:
    """What the user must know before a gated download: the terms, the token, what the hub's refusals mean."""
    token = "a token was found" if token_found else "no token was found"
    return [
        f"{repo_id} is gated: accept its terms once, signed in to Hugging Face, at {model_page(repo_id)}",
        f"Token: set HF_TOKEN=hf_... or run `hf auth login` once ({token}; it is never printed)",
        "If the hub refuses: 401 = no token or an invalid one; 403 = the token's account has not accepted "
        "the terms; 404 = no such repository at HF_ENDPOINT",
    ]


@dataclass
class Progress:
    """Which file was being fetched, so a failure can say what is kept for the next run."""

    file: str | None = None
    part: Path | None = None
    total_bytes: int = 0


def size_text(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def describe_failure(exc: Exception, repo_id: str, revision: str, hub: str, progress: Progress) -> str | None:
    """One line for a failure the user can act on, or None for a bug (which keeps its traceback)."""
    import httpx2
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        OfflineModeIsEnabled,
        RemoteEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    page = model_page(repo_id)
    kept = ""
    if progress.part is not None and progress.part.is_file() and progress.part.stat().st_size:
        kept = (
            f"; {size_text(progress.part.stat().st_size)} of {progress.file} are kept: run the same command "
            "again to resume"
        )
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(exc, GatedRepoError):
        if status == 403:
            return (
                f"403 from the hub: the token's account may not download {repo_id} yet: accept the terms "
                f"at {page} with that account, and use a token with read access"
            )
        return (
            f"{status} from the hub: {repo_id} is gated and no token was sent: accept the terms at "
            f"{page}, then set HF_TOKEN or run `hf auth login`"
        )
    if isinstance(exc, RevisionNotFoundError):
        return f"404 from the hub: {repo_id} has no revision {revision!r}"
    if isinstance(exc, RemoteEntryNotFoundError):
        what = progress.file or "a file"
        return f"404 from the hub for {what} it had just listed: run the command again{kept}"
    if isinstance(exc, RepositoryNotFoundError):
        return (
            f"{status} from the hub: no repository {repo_id} at {hub} (a private one answers the same "
            "without a token): check the name, HF_ENDPOINT and the token"
        )
    if isinstance(exc, HfHubHTTPError):
        if status == 401:
            return (
                f"401 from the hub: it rejected the token (invalid or expired): make a read token at "
                f"{TOKEN_SETTINGS_URL}, then set HF_TOKEN or run `hf auth login`"
            )
        if status == 403:
            return f"403 from the hub: the token may not read {repo_id}: accept the terms at {page}{kept}"
        if status == 404:
            return f"404 from the hub for {progress.file or repo_id}: check HF_ENDPOINT{kept}"
        return f"the hub at {hub} answered {status}: try again later{kept}"
    if isinstance(exc, OfflineModeIsEnabled):
        return "HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) is set: unset it to download the weights"
    if isinstance(exc, httpx2.HTTPError):
        name = type(exc).__name__
        return f"cannot reach the hub at {hub} ({name}): check the network, a proxy or HF_ENDPOINT{kept}"
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return f"the disk is full: the model needs {size_text(progress.total_bytes)}{kept}"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"{progress.file or 'download'}: {first}{kept}"
    return None
