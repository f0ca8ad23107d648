"""`import inference` (and the modules the bot process imports) must not pull in torch or telegram."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_light_imports() -> None:
    code = (
        "import sys, inference, inference.classifier, inference.quality, classifier_lab.dedup, "
        "classifier_lab.split, classifier_lab.evaluation, classifier_lab.training, benchmarks.classifier, "
        "classifier_lab.cli_classifier; "
        "print(sorted(m for m in ('torch', 'ultralytics', 'telegram', 'onnxruntime') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
