"""A classifier checkpoint from a URL or a file, installed only once it verifies.

A URL is fetched only over https (plain http only from this machine: a loopback address), every redirect
included, and only with a `--sha256` pin, which the file must match before anything reads it; its
calibration sidecar only with its own pin. It is installed only after `SkinClassifier` loads it (weights
only: inference.safe_checkpoint) and its six classes map onto LABELS; it is written to a temporary name next
to the destination and renamed, so a file that fails never replaces one that works. torch is imported
inside the functions.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import shutil
import uuid
import zipfile
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from inference.labels import LABELS
from inference.sidecar import sidecar_path
from inference.weights_errors import WeightsError, hex_id
from inference.weights_fetch import Say, url_origin

_CHUNK = 8 * 1024 * 1024

# The steps of weights/README.md that make a classifier; {out} is the configured weights path.
CLASSIFIER_STEPS = (
    "skinbot split --data data/raw --out data/split",
    "skinbot train --data data/split --out {out}",
    "skinbot evaluate --weights {out} --data data/split --out docs/eval",
)


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
    scheme, host, _ = url_origin(url)
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
