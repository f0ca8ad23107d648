"""deploy/skinbot.service runs `skinbot run` the way README's "Running in production" says, hardened; where
systemd is installed, `systemd-analyze` verifies it and rates its exposure."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "skinbot.service"
ENV_EXAMPLE = ROOT / "deploy" / "skinbot.env.example"


def parse_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """systemd's syntax: [Section], Key=Value, '#'/';' comments; a key may repeat."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None and "=" in line, (
            f"line {number} is neither a section nor Key=Value: {raw!r}"
        )
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def one(section: dict[str, list[str]], key: str) -> str:
    values = section.get(key, [])
    assert len(values) == 1, f"{key}: {values}"
    return values[0]


def test_the_unit_runs_skinbot_as_the_readme_says() -> None:
    unit = parse_unit(UNIT.read_text(encoding="utf-8"))
    service = unit["Service"]
    command = one(service, "ExecStart").split()
    assert command[0].startswith("/") and command[0].endswith("/skinbot") and command[1:] == ["run"]
    assert one(service, "Restart") == "on-failure"
    assert one(service, "EnvironmentFile") == "/etc/skinbot/skinbot.env"
    assert one(service, "User") == "skinbot"
    assert one(service, "StateDirectory") == "skinbot"
    assert one(unit["Install"], "WantedBy") == "multi-user.target"
    assert "network-online.target" in one(unit["Unit"], "After")
    # Hardening: nothing outside the state directory is writable, no privileges can be gained.
    for key, wanted in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "CapabilityBoundingSet": "",
        "RestrictSUIDSGID": "yes",
        "SystemCallFilter": "@system-service",
        "UMask": "0077",
    }.items():
        assert one(service, key) == wanted, key
    # The data directory the example settings name is the one the unit makes writable.
    example = dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert example["SKINBOT_DATA_DIR"].startswith("/var/lib/" + one(service, "StateDirectory") + "/")


def test_readme_shows_the_unit_and_every_example_setting_exists() -> None:
    from skinbot.settings import Settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    production = readme.split("## Running in production", 1)[1].split("\n## ", 1)[0]
    assert "deploy/skinbot.service" in production and "journalctl -u skinbot" in production
    known = {name for name, _ in Settings.table()}
    named = set(re.findall(r"^#?\s*([A-Z_]+)=", ENV_EXAMPLE.read_text(), re.M))
    assert named and named <= known, named - known


def _analyzable(tmp_path: Path) -> Path:
    """The unit with ExecStart pointing at an executable that exists here (verify checks that it does)."""
    text = UNIT.read_text(encoding="utf-8")
    text = re.sub(r"^ExecStart=\S+", f"ExecStart={sys.executable}", text, flags=re.M)
    copy = tmp_path / "skinbot.service"
    copy.write_text(text, encoding="utf-8")
    return copy


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    result = subprocess.run(
        ["systemd-analyze", "verify", str(_analyzable(tmp_path))], capture_output=True, text=True, timeout=60
    )
    # verify exits 0 on unknown keys and bad values too, and only warns: any output is a finding.
    assert result.returncode == 0 and result.stderr.strip() == "" and result.stdout.strip() == "", result


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_rates_the_unit_safe(tmp_path: Path) -> None:
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", str(_analyzable(tmp_path))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if "--offline" in result.stderr and "unrecognized" in result.stderr:
        pytest.skip("this systemd-analyze cannot rate a unit file offline")
    rating = re.search(r"Overall exposure level for \S+: ([\d.]+)", result.stdout)
    assert rating is not None, result
    # 0 is locked down, 10 is fully exposed; systemd calls up to 3.9 "OK".
    assert float(rating.group(1)) <= 3.0, result.stdout
