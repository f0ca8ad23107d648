"""Get MedGemma from the Hugging Face hub, resumably and checksummed.

It is downloaded file by file with huggingface_hub's own HTTP client (token, headers, retries and the
progress bar are its), into `.download/<checksum>.part` files that survive a failed or interrupted run: the
next run asks for the rest with a Range request. Each file is checked against the checksum the hub lists
(sha256 for LFS files, the git blob id for the others) before it takes its final name. A new destination
is assembled in a hidden `.NAME.partial` sibling and renamed into place only once it loads
(inference.weights_check), so `SKINBOT_LLM` never points at half a model.

A checksum the hub lists goes into a file name (`.download/<checksum>.part`), so the listing is refused
unless every checksum is hex of the right length (64 digits for sha256, 40 for a git id), and so is the
commit id: a hostile hub's "../../file" would otherwise name a file outside the destination. Nothing here
imports telegram; transformers is imported inside the functions. The classifier's own source is
inference.classifier_fetch.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import urlsplit

from inference.weights_check import verify_model_dir
from inference.weights_errors import HEX_DIGITS, Progress, WeightsError, describe_failure, hex_id, size_text

MEDGEMMA_REPO = "google/medgemma-4b-it"
DOWNLOAD_DIR = ".download"
_CHUNK = 8 * 1024 * 1024

Say = Callable[[str], None]


# ---------------------------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class RemoteFile:
    path: str
    size: int
    blob_id: str  # git blob id, what the hub lists for every file
    sha256: str | None  # the LFS object id, for large files

    @property
    def checksum(self) -> str:
        return self.sha256 or self.blob_id

    @property
    def checksum_kind(self) -> Literal["sha256", "git"]:
        return "sha256" if self.sha256 else "git"

    def digest(self, path: Path) -> str:
        """The same kind of checksum the hub lists, computed over a local file."""
        h = hashlib.sha256() if self.sha256 else hashlib.sha1(b"blob %d\0" % path.stat().st_size)
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                h.update(chunk)
        return h.hexdigest()

    def matches(self, path: Path) -> bool:
        return path.is_file() and path.stat().st_size == self.size and self.digest(path) == self.checksum


def _every_file(files: list[RemoteFile]) -> list[RemoteFile]:
    return files


@dataclass(frozen=True)
class FetchPlan:
    """Which of a repository's files to download (`pick` gets them all, small first, and raises WeightsError
    when what it needs is not there), and how to check the finished folder (`verify` returns a summary
    line; `what` completes "checking that DEST ...")."""

    verify: Callable[[Path], str]
    what: str
    pick: Callable[[list[RemoteFile]], list[RemoteFile]] = _every_file


@dataclass
class FetchReport:
    dest: Path
    commit: str
    files: int
    total_bytes: int
    downloaded_bytes: int = 0
    resumed: list[tuple[str, int]] = field(default_factory=list)  # (file, offset the download resumed at)
    check: str = ""


def _safe_target(root: Path, repo_path: str) -> Path:
    parts = PurePosixPath(repo_path).parts
    if not parts or repo_path.startswith("/") or any(p in ("..", "") for p in parts):
        raise WeightsError(f"the hub listed an unsafe file name {repo_path!r}; nothing was written there")
    return root.joinpath(*parts)


def url_origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def fetch_model(
    repo_id: str,
    dest: Path,
    *,
    revision: str = "main",
    endpoint: str | None = None,
    token: str | None = None,
    full_check: bool = False,
    plan: FetchPlan | None = None,
    say: Say = print,
) -> FetchReport:
    """Download `repo_id` into `dest` (resuming an earlier partial run), verify it, and check that it loads.

    `plan` says which of the repository's files to take and how to check them (default: all of them, a
    transformers model). `endpoint` and `token` default to huggingface_hub's own (HF_ENDPOINT; HF_TOKEN or
    `hf auth login`). Raises WeightsError with one line for every failure the user can act on.
    """
    if plan is None:
        what = "loads with transformers" + (" (the whole model)" if full_check else "")
        plan = FetchPlan(verify=partial(verify_model_dir, full=full_check), what=what)
    from huggingface_hub import constants

    hub = (endpoint or constants.ENDPOINT).rstrip("/")
    if constants.is_offline_mode():
        raise WeightsError(
            "HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) is set: unset it to download the weights"
        )
    if dest.exists() and not dest.is_dir():
        raise WeightsError(f"{dest} exists and is not a directory")
    in_place = dest.is_dir() and any(dest.iterdir())
    work = dest if in_place else dest.parent / f".{dest.name}.partial"
    progress = Progress()
    try:
        return _fetch(repo_id, dest, work, revision, hub, token, plan, say, progress)
    except WeightsError:
        raise
    except Exception as exc:
        line = describe_failure(exc, repo_id, revision, hub, progress)
        if line is None:
            raise
        raise WeightsError(line) from None


def _fetch(
    repo_id: str,
    dest: Path,
    work: Path,
    revision: str,
    hub: str,
    token: str | None,
    plan: FetchPlan,
    say: Say,
    progress: Progress,
) -> FetchReport:
    from huggingface_hub import HfApi, get_hf_file_metadata, hf_hub_url
    from huggingface_hub.hf_api import RepoFile

    api = HfApi(endpoint=hub, token=token)
    listed_commit = api.model_info(repo_id, revision=revision).sha
    if not listed_commit:
        raise WeightsError(f"the hub at {hub} gave no commit for {repo_id}@{revision}")
    commit = hex_id(listed_commit, "git")
    if commit is None:
        raise WeightsError(
            f"the hub at {hub} gave {str(listed_commit)[:80]!r} as the commit of {repo_id}@{revision}, not a "
            "40-digit git id; nothing was downloaded"
        )
    files = sorted(
        (
            RemoteFile(f.path, int(f.size), f.blob_id, f.lfs.sha256 if f.lfs else None)
            for f in api.list_repo_tree(repo_id, revision=commit, recursive=True)
            if isinstance(f, RepoFile)
        ),
        key=lambda f: (f.size, f.path),  # small files first: a refusal shows up before any long download
    )
    if not files:
        raise WeightsError(f"{repo_id}@{revision} has no files on {hub}")
    files = plan.pick(files)
    for remote in files:  # all of them before anything is written: each names a .part file
        if hex_id(remote.checksum, remote.checksum_kind) is None:
            digits = HEX_DIGITS[remote.checksum_kind]
            raise WeightsError(
                f"the hub at {hub} listed {remote.path} with the checksum {str(remote.checksum)[:80]!r}, not "
                f"{digits} hex digits; nothing was downloaded"
            )
    total = sum(f.size for f in files)
    progress.total_bytes = total
    report = FetchReport(dest, commit, len(files), total)
    say(f"{repo_id} at commit {commit[:12]}: {len(files)} files, {size_text(total)}, into {dest}")

    # One HEAD before anything is written: a gated or missing repository fails here, in one line.
    probe = next((f for f in files if f.path == "config.json"), files[0])
    get_hf_file_metadata(hf_hub_url(repo_id, probe.path, revision=commit, endpoint=hub), token=token)

    parts = work / DOWNLOAD_DIR
    parts.mkdir(parents=True, exist_ok=True)
    _check_space(work, files, parts)
    for number, remote in enumerate(files, 1):
        target = _safe_target(work, remote.path)
        if remote.matches(target):
            say(f"[{number}/{len(files)}] {remote.path}: already here, checksum ok")
            continue
        counter = f"[{number}/{len(files)}]"
        report.downloaded_bytes += _download(
            repo_id, remote, commit, hub, token, parts, report, say, progress, counter
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(parts / f"{remote.checksum}.part", target)
    progress.file = progress.part = None
    shutil.rmtree(parts, ignore_errors=True)

    say(f"checking that {dest} {plan.what}")
    report.check = plan.verify(work)
    if work != dest:
        if dest.is_dir():
            dest.rmdir()  # an empty directory, or `in_place` would have been true
        os.replace(work, dest)
    return report


def _download(
    repo_id: str,
    remote: RemoteFile,
    commit: str,
    hub: str,
    token: str | None,
    parts: Path,
    report: FetchReport,
    say: Say,
    progress: Progress,
    counter: str,
) -> int:
    from huggingface_hub import get_hf_file_metadata, hf_hub_url
    from huggingface_hub.file_download import http_get
    from huggingface_hub.utils import build_hf_headers

    part = parts / f"{remote.checksum}.part"
    progress.file, progress.part = remote.path, part
    offset = part.stat().st_size if part.is_file() else 0
    if offset > remote.size:
        part.unlink()
        offset = 0
    url = hf_hub_url(repo_id, remote.path, revision=commit, endpoint=hub)
    location = get_hf_file_metadata(url, token=token).location or url
    headers = build_hf_headers(token=token)
    if url_origin(location) != url_origin(url):
        headers.pop("authorization", None)  # a CDN's signed URL: the hub token must not leave the hub
    if offset:
        report.resumed.append((remote.path, offset))
        say(f"{counter} {remote.path}: resuming at {size_text(offset)} of {size_text(remote.size)}")
    else:
        say(f"{counter} {remote.path}: {size_text(remote.size)}")
    with part.open("ab") as f:
        http_get(
            location,
            f,
            resume_size=offset,
            headers=headers,
            expected_size=remote.size,
            displayed_filename=remote.path,
        )
    if remote.digest(part) != remote.checksum:
        part.unlink()
        progress.part = None
        raise WeightsError(
            f"{remote.path} does not match the checksum the hub lists; the download was discarded: "
            "run the same command again"
        )
    return remote.size - offset


def _check_space(work: Path, files: list[RemoteFile], parts: Path) -> None:
    have = sum(p.stat().st_size for p in parts.glob("*.part"))
    need = sum(f.size for f in files if not _safe_target(work, f.path).is_file()) - have
    free = shutil.disk_usage(work).free
    if need > free:
        raise WeightsError(
            f"not enough disk space under {work}: {size_text(need)} more needed, {size_text(free)} free"
        )
