"""`skinbot weights fetch --classifier [URL|PATH]`: the training steps, or a checkpoint that verifies.

A URL is fetched only over https (plain http only to a loopback address), redirects included, and only with a
--sha256 pin that the download must match before anything reads it. The hostile checkpoints write a marker
file if their code ever runs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from skinbot.cli import main
from testkit.fake_hub import FakeHub
from testkit.file_server import FileServer
from tests.fixtures.hostile_checkpoints import exec_checkpoint

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


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _one_error_line(code: int, capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("skinbot: "), err
    return lines[0]


def _installed_stays(dest: Path) -> None:
    """What was installed before is still there, alone: no staged file left behind."""
    assert dest.read_bytes() == b"the checkpoint that works"
    assert _files(dest.parent) == ["skin-cls.pt"]


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    dest = tmp_path / "weights" / "skin-cls.pt"
    dest.parent.mkdir()
    dest.write_bytes(b"the checkpoint that works")
    return dest


@dataclass
class Hostile:
    """The bytes of a checkpoint whose unpickling writes `marker`, fetched over the working checkpoint
    installed at `dest`."""

    data: bytes
    marker: Path
    dest: Path
    capsys: pytest.CaptureFixture[str]

    def fetch(self, url: str, *pins: str) -> int:
        return main(["weights", "fetch", "--classifier", url, *pins, "--out", str(self.dest)])

    def refused(self, code: int) -> str:
        """The one error line of a refused fetch, after which none of the checkpoint's code has run and the
        installed checkpoint stays."""
        line = _one_error_line(code, self.capsys)
        assert not self.marker.exists()
        _installed_stays(self.dest)
        return line


@pytest.fixture
def hostile(tmp_path: Path, installed: Path, capsys: pytest.CaptureFixture[str]) -> Hostile:
    marker = tmp_path / "the-checkpoint-ran-code.txt"
    checkpoint = exec_checkpoint(tmp_path / "hostile.pt", marker)
    return Hostile(checkpoint.read_bytes(), marker, installed, capsys)


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
    data = trained_classifier_weights.read_bytes()
    hub.add_repo("clinic/skin-classifier", {"skin-cls.pt": data})
    dest = tmp_path / "weights" / "skin-cls.pt"
    url = f"{hub.url}/clinic/skin-classifier/resolve/main/skin-cls.pt"

    code = main(["weights", "fetch", "--classifier", url, "--sha256", _sha256(data), "--out", str(dest)])

    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert dest.read_bytes() == data
    # The redirect to the blob (loopback to loopback) was followed; the sidecar, unpinned, was not asked for.
    assert [r.server for r in hub.requests] == ["hub", "cdn"]
    assert "/skin-cls.json too, pass --sidecar-sha256" in captured.out
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

    checkpoint, sidecar = source.read_bytes(), source.with_suffix(".json").read_bytes()
    hub.add_repo("clinic/skin-classifier", {"skin-cls.pt": checkpoint, "skin-cls.json": sidecar})
    remote = tmp_path / "remote" / "skin-cls.pt"
    url = f"{hub.url}/clinic/skin-classifier/resolve/main/skin-cls.pt?download=1"
    pins = ["--sha256", _sha256(checkpoint), "--sidecar-sha256", _sha256(sidecar)]
    assert main(["weights", "fetch", "--classifier", url, *pins, "--out", str(remote)]) == 0
    assert remote.with_suffix(".json").read_bytes() == sidecar

    # A sidecar that is not the one pinned stops the install, before it is read.
    wrong = ["--sha256", _sha256(checkpoint), "--sidecar-sha256", _sha256(b"another sidecar")]
    again = tmp_path / "again" / "skin-cls.pt"
    line = _one_error_line(
        main(["weights", "fetch", "--classifier", url, *wrong, "--out", str(again)]), capsys
    )
    assert "skin-cls.json has the SHA-256" in line and "--sidecar-sha256" in line, line
    assert _files(again.parent) == []


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


@pytest.mark.parametrize(
    "case", ["foreign classes", "not a checkpoint", "missing url", "wrong suffix", "pin of another file"]
)
def test_a_checkpoint_that_does_not_verify_is_not_installed(
    case: str,
    hub: FakeHub,
    foreign_checkpoint: Path,
    installed: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"<html>not found</html>")
    any_pin = ["--sha256", _sha256(b"whatever was published")]
    source, more, expected = {
        "foreign classes": (str(foreign_checkpoint), [], "unknown classes ['Psoriasis']"),
        "not a checkpoint": (str(junk), [], "junk.pt is neither an Ultralytics .pt checkpoint"),
        "missing url": (f"{hub.url}/clinic/none/resolve/main/skin-cls.pt", any_pin, "answered 404: no file"),
        "wrong suffix": (str(foreign_checkpoint), [], "is a .pt file but the destination"),
        "pin of another file": (str(foreign_checkpoint), any_pin, "foreign.pt has the SHA-256"),
    }[case]
    out = installed.with_suffix(".onnx") if case == "wrong suffix" else installed

    line = _one_error_line(
        main(["weights", "fetch", "--classifier", source, *more, "--out", str(out)]), capsys
    )

    assert expected in line, line
    _installed_stays(installed)


def test_a_url_over_plain_http_to_another_host_is_refused_unfetched(hostile: Hostile) -> None:
    with FileServer({"/skin-cls.pt": hostile.data}) as server:
        # 0.0.0.0 reaches this machine's listeners (on Linux) but is not a loopback address: to the command
        # it is a host elsewhere on the network, where anyone on the way can swap the file.
        code = hostile.fetch(f"http://0.0.0.0:{server.port}/skin-cls.pt", "--sha256", _sha256(hostile.data))
        assert server.requests == []

    line = hostile.refused(code)
    assert "only https URLs are accepted" in line and "nothing was downloaded" in line, line


@pytest.mark.parametrize("transport", ["https", "loopback http"])
@pytest.mark.parametrize("pin", ["missing", "wrong", "right"])
def test_a_hostile_checkpoint_runs_no_code_whatever_its_pin(
    pin: str, transport: str, hostile: Hostile, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = hostile.data
    pins = {
        "missing": [],
        "wrong": ["--sha256", _sha256(b"the published one")],
        "right": ["--sha256", _sha256(data)],
    }[pin]
    with FileServer({"/skin-cls.pt": data}, tls=transport == "https") as server:
        if server.cert_file is not None:
            monkeypatch.setenv("SSL_CERT_FILE", str(server.cert_file))  # trusted, as a real CA's would be
        code = hostile.fetch(f"{server.url}/skin-cls.pt", *pins)

    line = hostile.refused(code)
    expected = {
        "missing": "a URL needs --sha256 HEX",
        "wrong": f"skin-cls.pt has the SHA-256 {_sha256(data)}, not the --sha256",
        "right": "names builtins.exec, which no classification checkpoint needs",  # pinned, still not run
    }[pin]
    assert expected in line, line
    assert server.requests == ([] if pin == "missing" else ["/skin-cls.pt"])


def test_https_with_its_pins_installs_the_checkpoint_and_sidecar(
    trained_classifier_weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    source = _with_sidecar(trained_classifier_weights, tmp_path / "published", temperature=1.4)
    checkpoint, sidecar = source.read_bytes(), source.with_suffix(".json").read_bytes()
    dest = tmp_path / "weights" / "skin-cls.pt"
    with FileServer({"/m/skin-cls.pt": checkpoint, "/m/skin-cls.json": sidecar}, tls=True) as server:
        monkeypatch.setenv("SSL_CERT_FILE", str(server.cert_file))  # trusted, as a real CA's would be
        pins = ["--sha256", _sha256(checkpoint).upper(), "--sidecar-sha256", _sha256(sidecar)]
        code = main(
            ["weights", "fetch", "--classifier", f"{server.url}/m/skin-cls.pt", *pins, "--out", str(dest)]
        )

    assert code == 0, capsys.readouterr().err
    assert server.requests == ["/m/skin-cls.pt", "/m/skin-cls.json"]
    assert dest.read_bytes() == checkpoint and dest.with_suffix(".json").read_bytes() == sidecar


@pytest.mark.parametrize("start", ["https", "loopback http"])
def test_a_redirect_to_plain_http_is_refused_before_it_is_followed(
    start: str, hostile: Hostile, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FileServer({"/skin-cls.pt": hostile.data}) as plain, FileServer(tls=start == "https") as first:
        if start == "https":  # down to http, even on this machine
            monkeypatch.setenv("SSL_CERT_FILE", str(first.cert_file))
            target, refusal = f"{plain.url}/skin-cls.pt", "a redirect from https to plain http is refused"
        else:  # from this machine to plain http elsewhere (0.0.0.0: see the test above)
            target, refusal = f"http://0.0.0.0:{plain.port}/skin-cls.pt", "only https URLs are accepted"
        first.redirects["/skin-cls.pt"] = target
        # The pin is right: only the redirect rule stands between the file and the loader.
        code = hostile.fetch(f"{first.url}/skin-cls.pt", "--sha256", _sha256(hostile.data))
        assert first.requests == ["/skin-cls.pt"] and plain.requests == []

    line = hostile.refused(code)
    assert f"redirected to {target}" in line and refusal in line, line


def test_a_pin_that_is_not_a_sha256_is_refused(installed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = "https://example.org/skin-cls.pt"
    code = main(
        ["weights", "fetch", "--classifier", url, "--sha256", "../../etc/passwd", "--out", str(installed)]
    )

    line = _one_error_line(code, capsys)
    assert "--sha256 '../../etc/passwd' is not a SHA-256" in line, line
    _installed_stays(installed)


def test_a_pin_without_classifier_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["weights", "fetch", "--sha256", "ab" * 32])  # MedGemma: the hub's checksums do that

    assert "use them with --classifier" in _one_error_line(code, capsys)
