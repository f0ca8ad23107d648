"""`skinbot weights fetch --gguf` against the fake hub: two files out of a GGUF repository, resumable and
checksummed like the MedGemma download (tests/weights/test_fetch_medgemma.py), checked as GGUF on arrival.

The repository is laid out as the public MedGemma GGUF repositories are: several quantizations, projectors
in F16, BF16 and F32, and a README; the files are the tiny random Gemma 3 converted by our own converter.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.fake_hub import FakeHub
from testkit.tiny_gguf import tiny_gemma_gguf
from tests.weights.test_fetch_medgemma import fetch, one_error_line

REPO = "someone/medgemma-4b-it-GGUF"
MODEL = "medgemma-4b-it-Q4_K_M.gguf"
MMPROJ = "mmproj-F16.gguf"


@pytest.fixture(scope="module")
def repo_files() -> dict[str, bytes]:
    q4, mmproj = tiny_gemma_gguf("q4_k_m")
    q8, _ = tiny_gemma_gguf("q8_0")
    projector = mmproj.read_bytes()
    return {
        "README.md": b"# MedGemma 4B GGUF\n",
        MODEL: q4.read_bytes(),
        "medgemma-4b-it-Q8_0.gguf": q8.read_bytes(),
        MMPROJ: projector,
        "mmproj-BF16.gguf": projector + b"\0" * 32,  # other bytes: taking it instead would show
        "mmproj-F32.gguf": projector + b"\0" * 64,
    }


def test_fetch_gguf_takes_the_quant_and_its_projector_and_resumes(
    hub: FakeHub, repo_files: dict[str, bytes], tmp_path: Path
) -> None:
    hub.add_repo(REPO, repo_files)
    size = len(repo_files[MODEL])
    # past huggingface_hub's 10 MB read size: a cut before that keeps nothing
    hub.cut(REPO, MODEL, after=size * 2 // 3, then_down=True)
    dest = tmp_path / "medgemma-gguf"

    line = one_error_line(fetch(hub, dest, "--gguf", "--repo", REPO, "--out", str(dest)))
    assert "503" in line and "run the same command again to resume" in line
    assert not dest.exists()
    (kept,) = (tmp_path / ".medgemma-gguf.partial" / ".download").glob("*.part")
    offset = kept.stat().st_size
    assert 0 < offset < size

    hub.restore()
    before = len(hub.requests)
    result = fetch(hub, dest, "--gguf", "--repo", REPO, "--out", str(dest))

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{MODEL}: resuming at" in result.stdout
    assert [r.range for r in hub.content_requests(MODEL, since=before)] == [f"bytes={offset}-"]
    assert sorted(p.name for p in dest.iterdir()) == sorted([MODEL, MMPROJ])
    assert (dest / MODEL).read_bytes() == repo_files[MODEL]
    assert (dest / MMPROJ).read_bytes() == repo_files[MMPROJ]
    assert f"ok: {MODEL}: gemma3" in result.stdout and "gemma3 projector" in result.stdout
    assert f"to use it: SKINBOT_LLM={dest / MODEL}" in result.stdout  # the README's next step
    for other in ("medgemma-4b-it-Q8_0.gguf", "mmproj-BF16.gguf", "mmproj-F32.gguf", "README.md"):
        assert hub.content_requests(other) == [], other


def test_fetch_gguf_q8_0_on_request(hub: FakeHub, repo_files: dict[str, bytes], tmp_path: Path) -> None:
    hub.add_repo(REPO, repo_files)
    dest = tmp_path / "medgemma-gguf"

    result = fetch(hub, dest, "--gguf", "--quant", "q8_0", "--repo", REPO, "--out", str(dest))

    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in dest.iterdir()) == sorted(["medgemma-4b-it-Q8_0.gguf", MMPROJ])
    assert f"SKINBOT_LLM={dest / 'medgemma-4b-it-Q8_0.gguf'}" in result.stdout


def test_a_gguf_that_fails_its_checksum_is_not_installed(
    hub: FakeHub, repo_files: dict[str, bytes], tmp_path: Path
) -> None:
    hub.add_repo(REPO, repo_files)
    hub.corrupt(REPO, MMPROJ)
    dest = tmp_path / "medgemma-gguf"

    line = one_error_line(fetch(hub, dest, "--gguf", "--repo", REPO, "--out", str(dest)))

    assert f"{MMPROJ} does not match the checksum" in line, line
    assert not dest.exists()


def test_a_repository_without_the_quant_is_one_line_before_any_download(
    hub: FakeHub, repo_files: dict[str, bytes], tmp_path: Path
) -> None:
    hub.add_repo(REPO, {k: v for k, v in repo_files.items() if k != MODEL})
    dest = tmp_path / "medgemma-gguf"

    line = one_error_line(fetch(hub, dest, "--gguf", "--repo", REPO, "--out", str(dest)))

    assert "expected one *Q4_K_M.gguf and one mmproj-*F16.gguf" in line and "--repo" in line, line
    assert not any(r.method == "GET" and ("/resolve/" in r.path or r.server == "cdn") for r in hub.requests)


def test_files_that_are_not_a_gemma3_pair_are_refused(
    hub: FakeHub, repo_files: dict[str, bytes], tmp_path: Path
) -> None:
    # The projector where the model should be: both download and match their checksums, but the check
    # on arrival sees a clip file, not a Gemma 3 text model, and nothing takes the destination's name.
    hub.add_repo(REPO, {MODEL: repo_files[MMPROJ], MMPROJ: repo_files[MMPROJ]})
    dest = tmp_path / "medgemma-gguf"

    line = one_error_line(fetch(hub, dest, "--gguf", "--repo", REPO, "--out", str(dest)))

    assert f"{MODEL} is not a Gemma 3 text model" in line, line
    assert not dest.exists()
