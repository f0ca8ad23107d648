"""`skinbot weights fetch --classifier [URL|PATH]`: the training steps, or a checkpoint that verifies."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from testkit.fake_hub import FakeHub

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def no_settings_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("SKINBOT_CLASSIFIER", raising=False)


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with FakeHub() as fake:
        yield fake


@pytest.fixture(scope="module")
def foreign_checkpoint(trained_classifier_weights: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The trained checkpoint with one class renamed to something that is not ours."""
    import torch

    checkpoint = torch.load(trained_classifier_weights, map_location="cpu", weights_only=False)
    checkpoint["model"].names = {**checkpoint["model"].names, 4: "Psoriasis"}
    path = tmp_path_factory.mktemp("foreign") / "foreign.pt"
    torch.save(checkpoint, path)
    return path


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_without_a_source_it_prints_the_steps_of_the_weights_readme(
    capsys: pytest.CaptureFixture[str],
) -> None:
    readme = (ROOT / "weights" / "README.md").read_text(encoding="utf-8")
    steps = re.findall(r"^\s*(skinbot (?:split|train|evaluate) .+)$", readme, re.M)
    assert len(steps) == 3

    assert main(["weights", "fetch", "--classifier"]) == 0

    out = capsys.readouterr().out
    assert all(step.strip() in out for step in steps), out
    assert "weights/skin-cls.pt" in out


def test_a_local_checkpoint_is_verified_and_installed(
    trained_classifier_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "weights" / "skin-cls.pt"

    code = main(["weights", "fetch", "--classifier", str(trained_classifier_weights), "--out", str(dest)])

    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "six classes map onto acne, carcinoma, eczema, keratosis, milia, rosacea" in captured.out
    assert dest.read_bytes() == trained_classifier_weights.read_bytes()
    assert _files(dest.parent) == ["skin-cls.pt"]


def test_a_checkpoint_url_is_downloaded_verified_and_installed(
    hub: FakeHub, trained_classifier_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hub.add_repo("clinic/skin-classifier", {"skin-cls.pt": trained_classifier_weights.read_bytes()})
    dest = tmp_path / "weights" / "skin-cls.pt"
    url = f"{hub.url}/clinic/skin-classifier/resolve/main/skin-cls.pt"

    code = main(["weights", "fetch", "--classifier", url, "--out", str(dest)])

    assert code == 0, capsys.readouterr().err
    assert dest.read_bytes() == trained_classifier_weights.read_bytes()
    # The redirect to the blob was followed; then the sidecar beside it was asked for (there is none).
    assert [r.server for r in hub.requests] == ["hub", "cdn", "hub"]
    assert hub.requests[-1].path.endswith("/skin-cls.json")
    assert _files(dest.parent) == ["skin-cls.pt"]


def _with_sidecar(weights: Path, folder: Path, temperature: float = 1.7) -> Path:
    """A copy of the checkpoint with a calibration sidecar beside it, as `skinbot train` leaves them."""
    from inference.sidecar import Calibration, Sidecar, save_sidecar

    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / "skin-cls.pt"
    copy.write_bytes(weights.read_bytes())
    save_sidecar(copy, Sidecar(calibration=Calibration(temperature=temperature, fitted_on="val")))
    return copy


def test_the_calibration_sidecar_comes_with_the_checkpoint(
    hub: FakeHub, trained_classifier_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from inference.sidecar import load_sidecar

    source = _with_sidecar(trained_classifier_weights, tmp_path / "trained", temperature=1.7)
    local = tmp_path / "local" / "skin-cls.pt"
    assert main(["weights", "fetch", "--classifier", str(source), "--out", str(local)]) == 0
    assert "calibration sidecar installed" in capsys.readouterr().out
    assert _files(local.parent) == ["skin-cls.json", "skin-cls.pt"]
    sidecar = load_sidecar(local)
    assert sidecar is not None and sidecar.temperature == 1.7

    hub.add_repo(
        "clinic/skin-classifier",
        {"skin-cls.pt": source.read_bytes(), "skin-cls.json": source.with_suffix(".json").read_bytes()},
    )
    remote = tmp_path / "remote" / "skin-cls.pt"
    url = f"{hub.url}/clinic/skin-classifier/resolve/main/skin-cls.pt?download=1"
    assert main(["weights", "fetch", "--classifier", url, "--out", str(remote)]) == 0
    assert remote.with_suffix(".json").read_bytes() == source.with_suffix(".json").read_bytes()


def test_a_sidecar_of_the_old_checkpoint_is_removed_and_a_broken_one_refused(
    trained_classifier_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = _with_sidecar(trained_classifier_weights, tmp_path / "weights", temperature=3.0)

    # A checkpoint without a sidecar: the old one's temperature would be applied to other weights.
    fresh = str(trained_classifier_weights)
    assert main(["weights", "fetch", "--classifier", fresh, "--out", str(dest)]) == 0
    assert "no calibration sidecar came with it" in capsys.readouterr().out
    assert _files(dest.parent) == ["skin-cls.pt"]

    broken = _with_sidecar(trained_classifier_weights, tmp_path / "broken")
    broken.with_suffix(".json").write_text('{"schema": 1, "classes": ["cat"]}', encoding="utf-8")
    installed = _with_sidecar(trained_classifier_weights, tmp_path / "weights", temperature=3.0)
    before = installed.with_suffix(".json").read_bytes()
    assert main(["weights", "fetch", "--classifier", str(broken), "--out", str(installed)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert installed.with_suffix(".json").read_bytes() == before  # nothing half-installed
    assert _files(installed.parent) == ["skin-cls.json", "skin-cls.pt"]


@pytest.mark.parametrize("case", ["foreign classes", "not a checkpoint", "missing url", "wrong suffix"])
def test_a_checkpoint_that_does_not_verify_is_not_installed(
    case: str,
    hub: FakeHub,
    foreign_checkpoint: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    dest = tmp_path / "weights" / "skin-cls.pt"
    dest.parent.mkdir()
    dest.write_bytes(b"the checkpoint that works")
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"<html>not found</html>")
    source, expected = {
        "foreign classes": (str(foreign_checkpoint), "unknown classes ['Psoriasis']"),
        "not a checkpoint": (str(junk), "junk.pt is neither an Ultralytics .pt checkpoint"),
        "missing url": (f"{hub.url}/clinic/none/resolve/main/skin-cls.pt", "answered 404: no file there"),
        "wrong suffix": (str(foreign_checkpoint), "is a .pt file but the destination"),
    }[case]
    out = dest.with_suffix(".onnx") if case == "wrong suffix" else dest

    code = main(["weights", "fetch", "--classifier", source, "--out", str(out)])

    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("skinbot: ") and expected in lines[0], err
    assert dest.read_bytes() == b"the checkpoint that works"
    assert _files(dest.parent) == ["skin-cls.pt"]  # no temporary file left behind
