"""Run train → evaluate → predict with every non-loopback connection refused; print what was attempted.

Run as a fresh process (`python -m tests.classifier.offline_cycle DATA WORKDIR`) so that import-time network
checks (Ultralytics probes DNS when imported) are covered too.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import sys
from pathlib import Path

ATTEMPTS: list[str] = []
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


def _is_loopback(host: object) -> bool:
    if host is None:
        return True  # getaddrinfo(None, port) resolves to a local address
    if isinstance(host, bytes):
        host = host.decode()
    text = str(host)
    if text in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(text.split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(what: str, target: object) -> OSError:
    ATTEMPTS.append(f"{what} {target!r}")
    return ConnectionRefusedError(f"network disabled in tests: {what} {target!r}")


def block_network() -> None:
    original_connect, original_connect_ex = socket.socket.connect, socket.socket.connect_ex
    original_create, original_getaddrinfo = socket.create_connection, socket.getaddrinfo

    def connect(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):  # type: ignore[index]
            raise _refuse("connect", address)
        return original_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):  # type: ignore[index]
            _refuse("connect_ex", address)
            return 111  # ECONNREFUSED
        return original_connect_ex(self, address)

    def create_connection(address: tuple[str, int], *args: object, **kwargs: object) -> socket.socket:
        if not _is_loopback(address[0]):
            raise _refuse("create_connection", address)
        return original_create(address, *args, **kwargs)  # type: ignore[arg-type]

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> list:
        if not _is_loopback(host):
            raise socket.gaierror(_refuse("getaddrinfo", host).args[0])
        return original_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.create_connection = create_connection  # type: ignore[assignment]
    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]


def main(data: Path, work: Path) -> dict[str, object]:
    block_network()
    # Imported only now, so their import-time behaviour runs under the block too.
    from PIL import Image

    from classifier_lab.evaluation import evaluate
    from classifier_lab.training import export_onnx
    from inference.classifier import SkinClassifier
    from tests.fixtures.classifier_models import train_tiny

    weights = train_tiny(data, work / "skin-cls.pt", work / "runs")
    report = evaluate(weights, data, out_dir=work / "report", device="cpu")
    classifier = SkinClassifier(weights, device="cpu")
    classifier.setup()
    image_path = next((data / "test").rglob("*.jpg"))
    with Image.open(image_path) as image:
        result = classifier.predict([image.convert("RGB")])[0]
        explained = classifier.explain(image.convert("RGB"))
        onnx = SkinClassifier(export_onnx(weights, work / "skin-cls.onnx"), device="cpu")
        onnx.setup()
        onnx_top = onnx.predict([image.convert("RGB")])[0].top
    return {
        "attempts": ATTEMPTS,
        "weights_exist": weights.is_file(),
        "accuracy": report.metrics.accuracy,
        "top": result.top,
        "onnx_top": onnx_top,
        "explain_png": bool(explained and explained.startswith(b"\x89PNG")),
    }


if __name__ == "__main__":
    print("RESULT " + json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]))))
