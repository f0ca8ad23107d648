"""Get the weights: MedGemma from the Hugging Face hub, resumably; a classifier from a URL or a file.

MedGemma is downloaded file by file with huggingface_hub's own HTTP client (token, headers, retries and the
progress bar are its), into `.download/<checksum>.part` files that survive a failed or interrupted run: the
next run asks for the rest with a Range request. Each file is checked against the checksum the hub lists
(sha256 for LFS files, the git blob id for the others) before it takes its final name. A new destination
is assembled in a hidden `.NAME.partial` sibling and renamed into place only once it loads, so
`SKINBOT_LLM` never points at half a model.

"Loads" means, without reading 8 GB into memory: transformers loads the config (an image-text model) and the
processor (tokenizer and image processor), the tokenizer encodes a sentence, and every safetensors file is
complete (its header parses and its tensors end exactly at the end of the file) and holds every tensor the
index names. `full=True` also loads the whole model with transformers.

A checksum the hub lists goes into a file name (`.download/<checksum>.part`), so the listing is refused
unless every checksum is hex of the right length (64 digits for sha256, 40 for a git id), and so is the
commit id: a hostile hub's "../../file" would otherwise name a file outside the destination.

A classifier from a URL is fetched only over https (plain http only from this machine: a loopback address),
every redirect included, and only with a `--sha256` pin, which the file must match before anything reads
it; its calibration sidecar only with its own pin. It is installed only after `SkinClassifier` loads it
(weights only: inference.safe_checkpoint) and its six classes map onto LABELS; it is written to a temporary
name next to the destination and renamed, so a file that fails never replaces one that works. Nothing here
imports telegram; torch and transformers are imported inside the functions.
"""

from __future__ import annotations

import errno
import hashlib
import ipaddress
import json
import os
import re
import shutil
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import urlsplit

from inference.labels import LABELS
from inference.sidecar import sidecar_path

MEDGEMMA_REPO = "google/medgemma-4b-it"
TOKEN_SETTINGS_URL = "https://huggingface.co/settings/tokens"
DOWNLOAD_DIR = ".download"
_CHUNK = 8 * 1024 * 1024
# Hex digits in each kind of id: what a listed checksum, a commit or a --sha256 pin must be.
HEX_DIGITS = {"sha256": 64, "git": 40}

# The steps of weights/README.md that make a classifier; {out} is the configured weights path.
CLASSIFIER_STEPS = (
    "skinbot split --data data/raw --out data/split",
    "skinbot train --data data/split --out {out}",
    "skinbot evaluate --weights {out} --data data/split --out docs/eval",
)

Say = Callable[[str], None]


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


def _origin(url: str) -> tuple[str, str, int | None]:
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
    say: Say = print,
) -> FetchReport:
    """Download `repo_id` into `dest` (resuming an earlier partial run), verify it, and check that it loads.

    `endpoint` and `token` default to huggingface_hub's own (HF_ENDPOINT; HF_TOKEN or `hf auth login`).
    Raises WeightsError with one line for every failure the user can act on.
    """
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
    progress = _Progress()
    try:
        return _fetch(repo_id, dest, work, revision, hub, token, full_check, say, progress)
    except WeightsError:
        raise
    except Exception as exc:
        line = _describe(exc, repo_id, revision, hub, progress)
        if line is None:
            raise
        raise WeightsError(line) from None


@dataclass
class _Progress:
    """Which file was being fetched, so a failure can say what is kept for the next run."""

    file: str | None = None
    part: Path | None = None
    total_bytes: int = 0


def _fetch(
    repo_id: str,
    dest: Path,
    work: Path,
    revision: str,
    hub: str,
    token: str | None,
    full_check: bool,
    say: Say,
    progress: _Progress,
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
    say(f"{repo_id} at commit {commit[:12]}: {len(files)} files, {_size(total)}, into {dest}")

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

    say(f"checking that {dest} loads with transformers" + (" (the whole model)" if full_check else ""))
    report.check = verify_model_dir(work, full=full_check)
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
    progress: _Progress,
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
    if _origin(location) != _origin(url):
        headers.pop("authorization", None)  # a CDN's signed URL: the hub token must not leave the hub
    if offset:
        report.resumed.append((remote.path, offset))
        say(f"{counter} {remote.path}: resuming at {_size(offset)} of {_size(remote.size)}")
    else:
        say(f"{counter} {remote.path}: {_size(remote.size)}")
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
            f"not enough disk space under {work}: {_size(need)} more needed, {_size(free)} free"
        )


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def _describe(exc: Exception, repo_id: str, revision: str, hub: str, progress: _Progress) -> str | None:
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
            f"; {_size(progress.part.stat().st_size)} of {progress.file} are kept: run the same command "
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
            return f"the disk is full: the model needs {_size(progress.total_bytes)}{kept}"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"{progress.file or 'download'}: {first}{kept}"
    return None


# ---------------------------------------------------------------------------------------------- checks


def verify_model_dir(path: Path, full: bool = False) -> str:
    """Check that `path` holds a loadable image-text model in the google/medgemma-4b-it layout.

    Returns a one-line summary; raises WeightsError naming the first thing that does not load.
    """
    from transformers import AutoConfig, AutoProcessor

    try:
        config = AutoConfig.from_pretrained(path)
    except Exception as exc:  # transformers raises OSError, ValueError, KeyError... for a bad config
        raise WeightsError(
            f"{path}: config.json does not load with transformers ({_first_line(exc)})"
        ) from None
    if getattr(config, "vision_config", None) is None:
        raise WeightsError(
            f"{path}: {config.model_type} is not an image-text model (its config has no vision part)"
        )
    try:
        processor = AutoProcessor.from_pretrained(path)
    except Exception as exc:
        raise WeightsError(
            f"{path}: the processor does not load with transformers ({_first_line(exc)})"
        ) from None
    tokenizer = getattr(processor, "tokenizer", None)
    if tokenizer is None or getattr(processor, "image_processor", None) is None:
        raise WeightsError(f"{path}: the processor has no tokenizer or no image processor")
    if not tokenizer("This is pre-screening, not a diagnosis.")["input_ids"]:
        raise WeightsError(f"{path}: the tokenizer encodes text to nothing")
    tensors, shards = check_safetensors(path)
    summary = (
        f"{config.model_type} config, processor and tokenizer load; {tensors} tensors in {shards} "
        "complete safetensors file(s)"
    )
    if full:
        from transformers import AutoModelForImageTextToText

        try:
            model = AutoModelForImageTextToText.from_pretrained(path, dtype="auto")
        except Exception as exc:
            raise WeightsError(
                f"{path}: the model does not load with transformers ({_first_line(exc)})"
            ) from None
        params = sum(p.numel() for p in model.parameters())
        del model
        summary += f"; the whole model loads ({params / 1e9:.2f}B parameters)"
    return summary


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


def _safetensors_names(path: Path) -> set[str]:
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(8)
        length = int.from_bytes(head, "little") if len(head) == 8 else -1
        if length < 2 or 8 + length > size:
            raise WeightsError(f"{path.name} is not a safetensors file, or is cut short")
        try:
            header = json.loads(f.read(length))
        except ValueError:
            raise WeightsError(f"{path.name} has an unreadable safetensors header") from None
    header.pop("__metadata__", None)
    end = max((int(t["data_offsets"][1]) for t in header.values()), default=0)
    if 8 + length + end != size:
        raise WeightsError(
            f"{path.name} is {size} bytes but its header describes {8 + length + end}: incomplete"
        )
    return set(header)


def check_safetensors(path: Path) -> tuple[int, int]:
    """(tensors, files): every safetensors file is whole, and holds every tensor the index assigns it."""
    index = path / "model.safetensors.index.json"
    if index.is_file():
        weight_map: dict[str, str] = json.loads(index.read_text(encoding="utf-8")).get("weight_map", {})
        shards = sorted(set(weight_map.values()))
        missing_files = [s for s in shards if not (path / s).is_file()]
        if missing_files:
            raise WeightsError(f"{path}: the index names safetensors files that are missing: {missing_files}")
        names = {shard: _safetensors_names(path / shard) for shard in shards}
        absent = [t for t, shard in weight_map.items() if t not in names[shard]]
        if absent:
            raise WeightsError(
                f"{path}: {len(absent)} tensors of the index are not in their files, e.g. {absent[0]}"
            )
        return len(weight_map), len(shards)
    files = sorted(path.glob("*.safetensors"))
    if not files:
        raise WeightsError(f"{path} has no *.safetensors weights")
    return sum(len(_safetensors_names(f)) for f in files), len(files)


# ---------------------------------------------------------------------------------------------- classifier


def classifier_steps(out: Path) -> list[str]:
    return [step.format(out=out.as_posix()) for step in CLASSIFIER_STEPS]


def install_classifier(
    source: str,
    dest: Path,
    *,
    sha256: str | None = None,
    sidecar_sha256: str | None = None,
    say: Say = print,
) -> str:
    """Fetch (URL) or copy (path) a classifier checkpoint, verify it, and rename it onto `dest`.

    A URL must be https (or plain http to a loopback address) and comes with `sha256`, the checkpoint's
    SHA-256, which the download must match before anything reads it; a pin given for a path is checked too.
    The calibration sidecar (`<stem>.json`, see inference.sidecar) is installed with it when the source has
    one beside it (the same path, or for a URL the same URL with a .json suffix, fetched only with its own
    pin `sidecar_sha256`), and a sidecar left from an earlier checkpoint is removed: its temperature and
    thresholds were fitted on other weights.

    Returns a one-line summary; raises WeightsError, leaving `dest` as it was, when the file does not verify.
    """
    kind = dest.suffix.lower()
    if kind not in (".pt", ".onnx"):
        raise WeightsError(f"{dest}: the classifier must be a .pt or .onnx file; pass --out with such a name")
    pin = _pin(sha256, "--sha256")
    sidecar_pin = _pin(sidecar_sha256, "--sidecar-sha256")
    remote = source.startswith(("http://", "https://"))
    if remote:
        refusal = _insecure(source, after_https=False)
        if refusal:
            raise WeightsError(f"{_redacted(source)}: {refusal}; nothing was downloaded")
        if pin is None:
            raise WeightsError(
                "a URL needs --sha256 HEX, the checkpoint's SHA-256 as its publisher lists it (or "
                "`sha256sum` of a copy you trust): the download must match it before anything reads it; "
                "nothing was downloaded"
            )
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Next to the destination (same file system, so the final rename is atomic), with the suffix the loader
    # goes by, and hidden, so nothing mistakes it for the real weights.
    staged = dest.parent / f".{dest.stem}.{uuid.uuid4().hex[:8]}.incoming{kind}"
    staged_sidecar = sidecar_path(staged)
    try:
        if remote:
            _download_url(source, staged)
            name = PurePosixPath(urlsplit(source).path).name
            if sidecar_pin is not None:
                _download_url(_sidecar_url(source), staged_sidecar)
        else:
            path = Path(source).expanduser()
            if not path.is_file():
                raise WeightsError(f"{path} is not a file")
            shutil.copyfile(path, staged)
            name = path.name
            if sidecar_path(path).is_file():
                shutil.copyfile(sidecar_path(path), staged_sidecar)
            elif sidecar_pin is not None:
                raise WeightsError(f"--sidecar-sha256 was given but there is no {sidecar_path(path)}")
        # Before anything reads the files: not even the zip check below looks at bytes that fail their pin.
        _check_pin(staged, pin, name, "--sha256")
        if staged_sidecar.is_file():
            _check_pin(staged_sidecar, sidecar_pin, sidecar_path(Path(name)).name, "--sidecar-sha256")
        found = ".pt" if zipfile.is_zipfile(staged) else ".onnx" if name.lower().endswith(".onnx") else None
        if found is None:
            raise WeightsError(
                f"{name} is neither an Ultralytics .pt checkpoint (a zip archive) nor an .onnx file"
            )
        if found != kind:
            raise WeightsError(
                f"{name} is a {found} file but the destination {dest} is not: pass --out "
                f"with a {found} name, and set SKINBOT_CLASSIFIER to it"
            )
        summary = verify_classifier(staged)  # loads the staged sidecar too: a broken one is refused here
        if staged_sidecar.is_file():
            os.replace(staged_sidecar, sidecar_path(dest))
            summary += "; its calibration sidecar installed"
        else:
            sidecar_path(dest).unlink(missing_ok=True)
            how = ""
            if remote:
                how = f" (to fetch {_redacted(_sidecar_url(source))} too, pass --sidecar-sha256 HEX)"
            say(
                f"note: no calibration sidecar came with it{how}: scores are uncalibrated and the skin "
                "gate's classifier check is off until `skinbot evaluate --calibrate` writes one"
            )
        os.replace(staged, dest)
        return summary
    finally:
        staged.unlink(missing_ok=True)
        staged_sidecar.unlink(missing_ok=True)


def _pin(value: str | None, flag: str) -> str | None:
    if value is None:
        return None
    pin = hex_id(value.strip(), "sha256")
    if pin is None:
        raise WeightsError(f"{flag} {value!r} is not a SHA-256: give its 64 hex digits")
    return pin


def _check_pin(path: Path, pin: str | None, name: str, flag: str) -> None:
    if pin is None:
        return
    with path.open("rb") as f:
        actual = hashlib.file_digest(f, "sha256").hexdigest()
    if actual != pin:
        raise WeightsError(
            f"{name} has the SHA-256 {actual}, not the {flag} {pin}: it was discarded unread; check the pin "
            "and where the file comes from"
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _insecure(url: str, *, after_https: bool) -> str | None:
    """Why `url` may not be fetched, or None: https always; plain http only to a loopback address, and never
    after https (a redirect that drops the encryption)."""
    scheme, host, _ = _origin(url)
    if scheme == "https" and host:
        return None
    if scheme == "http" and _is_loopback(host) and not after_https:
        return None
    if scheme == "http" and after_https:
        return "a redirect from https to plain http is refused"
    return (
        "only https URLs are accepted (plain http only to this machine, e.g. http://127.0.0.1): a download "
        "over http can be replaced on the way"
    )


def _sidecar_url(url: str) -> str:
    """The checkpoint's URL with a .json suffix: where a sidecar published beside it would be."""
    parts = urlsplit(url)
    path = str(PurePosixPath(parts.path).with_suffix(".json"))
    return parts._replace(path=path).geturl()


def verify_classifier(path: Path) -> str:
    """Load the checkpoint as the bot does and score one image: six classes that map onto LABELS."""
    from PIL import Image

    from inference.classifier import ClassifierError, SkinClassifier

    classifier = SkinClassifier(path, device="cpu")
    try:
        classifier.setup()
        (result,) = classifier.predict(
            [Image.new("RGB", (classifier.imgsz, classifier.imgsz), (180, 140, 120))]
        )
    except ClassifierError as exc:
        raise WeightsError(str(exc).replace(str(path), "the checkpoint")) from None
    if abs(sum(result.probs) - 1.0) > 1e-3:
        raise WeightsError("the checkpoint's scores do not sum to 1: it is not a softmax classifier")
    return f"six classes map onto {', '.join(LABELS)} (input {classifier.imgsz} px)"


def _download_url(url: str, out: Path) -> None:
    """Download `url` to `out`, refusing any redirect that `_insecure` refuses before it is followed."""
    import httpx
    from tqdm import tqdm

    went_https = False

    def refuse_insecure(request: httpx.Request) -> None:  # every hop, before it is sent
        nonlocal went_https
        refusal = _insecure(str(request.url), after_https=went_https)
        if refusal:
            target = _redacted(str(request.url))
            raise WeightsError(f"{_redacted(url)} redirected to {target}: {refusal}; nothing was downloaded")
        went_https = went_https or request.url.scheme == "https"

    try:
        hooks = {"request": [refuse_insecure]}
        with (
            httpx.Client(follow_redirects=True, timeout=60.0, event_hooks=hooks) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                meaning = {401: "it needs credentials", 403: "access is refused", 404: "no file there"}
                hint = meaning.get(response.status_code, "try again later")
                raise WeightsError(f"{_redacted(url)} answered {response.status_code}: {hint}")
            total = int(response.headers.get("Content-Length") or 0) or None
            with (
                out.open("wb") as f,
                # disable=None: no bar when stderr is not a terminal (a pipe, a log), where the one-line
                # error must stay one line
                tqdm(total=total, unit="B", unit_scale=True, desc=out.name, leave=False, disable=None) as bar,
            ):
                for chunk in response.iter_bytes(_CHUNK):
                    f.write(chunk)
                    bar.update(len(chunk))
            if total is not None and out.stat().st_size != total:
                raise WeightsError(f"the download from {_redacted(url)} broke off: run the command again")
    except httpx.HTTPError as exc:
        raise WeightsError(
            f"cannot download {_redacted(url)} ({type(exc).__name__}): check the URL and the network"
        ) from None


def _redacted(url: str) -> str:
    """The URL without query string or credentials: signed URLs carry secrets there."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"
