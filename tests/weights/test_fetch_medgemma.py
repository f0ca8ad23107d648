"""`skinbot weights fetch` against a fake Hugging Face hub on 127.0.0.1 serving the tiny test model.

The command runs as a real process with HF_ENDPOINT pointing at the fake, as a user would run it. The fake
speaks the hub's protocol as huggingface_hub expects it (see testkit/fake_hub.py), so these tests exercise
huggingface_hub's own client: its errors for gated and missing repositories, its Range resume.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from testkit.fake_hub import FakeHub
from tests.weights.conftest import OTHER, TOKEN

ROOT = Path(__file__).resolve().parents[2]
REPO = "google/medgemma-4b-it"
PAGE = "https://huggingface.co/google/medgemma-4b-it"


@pytest.fixture
def model_files(tiny_gemma_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(tiny_gemma_dir.iterdir()) if not p.name.startswith(".")}


def fetch(
    hub: FakeHub, dest: Path, *args: str, token: str | None = TOKEN, **env: str
) -> subprocess.CompletedProcess:
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING_FACE_", "TRANSFORMERS_"))
    }
    environ.update(
        {
            "PYTHONPATH": str(ROOT),
            "HF_ENDPOINT": hub.url,
            "HF_HOME": str(dest.parent / "hf-home"),
            "SKINBOT_LLM": str(dest),
            **env,
        }
    )
    if token:
        environ["HF_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "skinbot", "weights", "fetch", *args],
        cwd=dest.parent,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


def one_error_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("skinbot: ")
    return lines[0]


def test_fetch_downloads_resumes_a_dropped_connection_and_loads(
    hub: FakeHub, model_files: dict[str, bytes], tmp_path: Path
) -> None:
    hub.add_repo(REPO, model_files, gated=True, granted=[TOKEN])
    size = len(model_files["model.safetensors"])
    hub.cut(REPO, "model.safetensors", after=size // 2)  # huggingface_hub resumes within the run
    dest = tmp_path / "medgemma-4b-it"

    result = fetch(hub, dest, "--full-check")

    assert result.returncode == 0, result.stdout + result.stderr
    first = result.stdout.splitlines()[:3]
    assert "is gated" in first[0] and PAGE in first[0]
    assert "HF_TOKEN" in first[1] and "hf auth login" in first[1] and "a token was found" in first[1]
    assert all(f"{code} =" in first[2] for code in ("401", "403", "404"))
    assert "the whole model loads" in result.stdout
    assert TOKEN not in result.stdout + result.stderr
    assert sorted(p.name for p in dest.iterdir()) == sorted(model_files)
    for name, data in model_files.items():
        assert (dest / name).read_bytes() == data, name
    assert not (tmp_path / ".medgemma-4b-it.partial").exists()

    blob = hub.content_requests("model.safetensors")
    assert blob[0].range is None
    assert blob[-1].range is not None and blob[-1].range.startswith("bytes=")
    assert int(blob[-1].range.removeprefix("bytes=").rstrip("-")) > 0
    # The hub saw the token; the CDN the LFS files were redirected to never did.
    assert all(r.authorized for r in hub.requests if r.server == "hub" and REPO in r.path)
    assert not any(r.authorized for r in hub.requests if r.server == "cdn")

    before = len(hub.requests)
    again = fetch(hub, dest)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.count("already here, checksum ok") == len(model_files)
    assert not any(r.method == "GET" and "/resolve/" in r.path for r in hub.requests[before:])
    assert not any(r.server == "cdn" for r in hub.requests[before:])


def test_broken_download_resumes_on_the_next_run_with_a_range_request(
    hub: FakeHub, model_files: dict[str, bytes], tmp_path: Path
) -> None:
    hub.add_repo(REPO, model_files, gated=True, granted=[TOKEN])
    size = len(model_files["model.safetensors"])
    hub.cut(REPO, "model.safetensors", after=size * 2 // 3, then_down=True)  # dropped, then 503s
    dest = tmp_path / "medgemma-4b-it"

    line = one_error_line(fetch(hub, dest))
    assert "503" in line and "run the same command again to resume" in line
    assert not dest.exists()  # nothing half-done under the name SKINBOT_LLM points at
    (kept,) = (tmp_path / ".medgemma-4b-it.partial" / ".download").glob("*.part")
    offset = kept.stat().st_size
    assert 0 < offset < size
    assert model_files["model.safetensors"][:offset] == kept.read_bytes()

    hub.restore()
    before = len(hub.requests)
    result = fetch(hub, dest)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "model.safetensors: resuming at" in result.stdout
    assert [r.range for r in hub.content_requests("model.safetensors", since=before)] == [f"bytes={offset}-"]
    assert (dest / "model.safetensors").read_bytes() == model_files["model.safetensors"]
    assert not (tmp_path / ".medgemma-4b-it.partial").exists()


@pytest.mark.parametrize(
    ("token", "status", "words"),
    [
        (None, "401", ["is gated and no token was sent", PAGE, "HF_TOKEN", "hf auth login"]),
        (OTHER, "403", ["may not download", PAGE, "accept the terms"]),
        ("hf_unknown_token_0123456789", "401", ["rejected the token", "HF_TOKEN"]),
    ],
)
def test_gated_refusals_are_one_line(
    hub: FakeHub,
    model_files: dict[str, bytes],
    tmp_path: Path,
    token: str | None,
    status: str,
    words: list[str],
) -> None:
    hub.add_repo(REPO, model_files, gated=True, granted=[TOKEN])
    dest = tmp_path / "medgemma-4b-it"

    result = fetch(hub, dest, token=token)

    line = one_error_line(result)
    assert line.startswith(f"skinbot: {status} from the hub"), line
    assert all(word in line for word in words), line
    assert ("no token was found" in result.stdout) == (token is None)
    assert not dest.exists()
    assert hub.content_requests("model.safetensors") == []  # refused before any download began


def test_missing_repository_is_a_404_line(hub: FakeHub, tmp_path: Path) -> None:
    line = one_error_line(fetch(hub, tmp_path / "medgemma-4b-it"))
    assert line.startswith(f"skinbot: 404 from the hub: no repository {REPO} at {hub.url}"), line
    assert "HF_ENDPOINT" in line


def test_a_file_that_fails_its_checksum_is_not_installed(
    hub: FakeHub, model_files: dict[str, bytes], tmp_path: Path
) -> None:
    hub.add_repo(REPO, model_files)
    hub.corrupt(REPO, "model.safetensors")
    dest = tmp_path / "medgemma-4b-it"

    line = one_error_line(fetch(hub, dest))

    assert "model.safetensors does not match the checksum" in line, line
    assert not dest.exists()
    assert list((tmp_path / ".medgemma-4b-it.partial" / ".download").glob("*.part")) == []


def test_offline_mode_is_one_line(hub: FakeHub, tmp_path: Path) -> None:
    line = one_error_line(fetch(hub, tmp_path / "medgemma-4b-it", HF_HUB_OFFLINE="1"))
    assert "HF_HUB_OFFLINE" in line
    assert hub.requests == []


@pytest.mark.parametrize(
    ("listed", "expected"),
    [
        ("model.safetensors", "listed model.safetensors with the checksum '../../victim', not 64 hex digits"),
        ("config.json", "listed config.json with the checksum '../../victim', not 40 hex digits"),
        (None, f"gave '../../victim' as the commit of {REPO}@main, not a 40-digit git id"),
    ],
)
def test_a_listed_id_that_is_not_hex_is_refused_before_anything_is_written(
    hub: FakeHub, model_files: dict[str, bytes], tmp_path: Path, listed: str | None, expected: str
) -> None:
    # Checksums name the .part files in .download/: "../../victim" is tmp_path/victim.part, which a resumed
    # download would append to and a failed checksum would delete.
    hub.add_repo(REPO, model_files)
    hub.misreport(REPO, listed, "../../victim")
    victim = tmp_path / "victim.part"
    victim.write_bytes(b"a file outside the destination")

    line = one_error_line(fetch(hub, tmp_path / "medgemma-4b-it"))

    assert expected in line and "nothing was downloaded" in line, line
    assert victim.read_bytes() == b"a file outside the destination"
    assert not (tmp_path / ".medgemma-4b-it.partial").exists() and not (tmp_path / "medgemma-4b-it").exists()
    assert not any("/resolve/" in r.path or r.server == "cdn" for r in hub.requests)
