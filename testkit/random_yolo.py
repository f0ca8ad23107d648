"""YOLOv8 classifiers with random weights, built from the Ultralytics yaml: no download, any machine.

Speed does not depend on what the weights learned, so the benchmarks time these; tests that need a model that
learned something train one (tests/fixtures/classifier_models.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inference.labels import LABELS


def random_model(model: str, imgsz: int) -> Any:
    """An Ultralytics ClassificationModel with six outputs named after LABELS, random weights, fused."""
    from inference.ultralytics_offline import ultralytics_offline, ultralytics_quiet

    ultralytics_offline()
    from ultralytics.nn.tasks import ClassificationModel

    cfg = model if model.endswith((".yaml", ".yml")) else f"{model}.yaml"
    with ultralytics_quiet():
        net = ClassificationModel(cfg, nc=len(LABELS), verbose=False)
        net.names = dict(enumerate(LABELS))
        net = net.fuse() if hasattr(net, "fuse") else net
    return net.eval()


def save_random_classifier(path: Path, model: str = "yolov8n-cls") -> Path:
    """A loadable Ultralytics checkpoint of `random_model`, as `skinbot train` would write one."""
    from inference.ultralytics_offline import ultralytics_offline, ultralytics_quiet

    YOLO = ultralytics_offline().YOLO
    with ultralytics_quiet():
        wrapper = YOLO(f"{model}.yaml", task="classify")
        wrapper.model = random_model(model, 224)
        wrapper.model.task = "classify"
        wrapper.model.args = {"imgsz": 224, "task": "classify"}
        path.parent.mkdir(parents=True, exist_ok=True)
        wrapper.save(path)
    return path
