"""Train → evaluate → predict → ONNX export works with the network cut, and never even tries it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.classifier.offline_cycle import block_network
from tests.fixtures.classifier_models import SyntheticDataset

ROOT = Path(__file__).resolve().parents[2]


def test_block_refuses_remote_and_allows_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, getattr(socket.socket, name))
    monkeypatch.setattr(socket, "create_connection", socket.create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", socket.getaddrinfo)
    block_network()  # undone by monkeypatch at teardown
    with pytest.raises(OSError):
        socket.create_connection(("93.184.216.34", 80), timeout=1)
    with pytest.raises(OSError):
        socket.getaddrinfo("example.com", 443)
    with socket.socket() as s, pytest.raises(OSError):
        s.connect(("1.1.1.1", 53))
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        with socket.create_connection(server.getsockname(), timeout=1):
            pass
    finally:
        server.close()


def test_train_evaluate_predict_without_network(synthetic_dataset: SyntheticDataset, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YOLO_")}  # prove our own switches suffice
    env["PYTHONPATH"] = str(ROOT)
    env["YOLO_CONFIG_DIR"] = str(
        tmp_path / "ultralytics-config"
    )  # a fresh settings file (sync on by default)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.classifier.offline_cycle",
            str(synthetic_dataset.split_dir),
            str(tmp_path),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    result = json.loads(lines[-1].removeprefix("RESULT "))
    assert result["attempts"] == [], f"network was attempted: {result['attempts']}"
    assert result["weights_exist"] and result["explain_png"]
    assert result["onnx_top"] == result["top"]
    assert result["accuracy"] >= 0.5  # chance is 1/6
