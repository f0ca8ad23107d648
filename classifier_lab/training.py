"""Train the skin classifier with Ultralytics, offline, and export it to ONNX.

Models are built from their yaml (random init): there is no pretrained download on our machines. The dataset
is checked here first, because Ultralytics treats a path it cannot find as a dataset name to download. After
training, the calibration temperature and the skin gate's score threshold are fitted on the validation split
and written to the weights' sidecar (`inference.sidecar`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from classifier_lab.dedup import list_images
from inference.classifier import ClassifierError, label_order
from inference.device import resolve_device
from inference.sidecar import Sidecar, save_sidecar, sidecar_path
from inference.ultralytics_offline import ultralytics_offline, ultralytics_quiet

log = logging.getLogger(__name__)

DEFAULT_OUT = Path("weights/skin-cls.pt")


class TrainingError(Exception):
    """Training cannot start as asked; the message says what to fix."""


def default_workers() -> int:
    return min(8, os.cpu_count() or 1)


def dataset_classes(data: Path) -> list[str]:
    """Class folder names of DIR/train, after checking the split layout Ultralytics expects."""
    data = Path(data)
    train_dir = data / "train"
    if not train_dir.is_dir():
        raise TrainingError(f"{data} has no train/ folder; expected {data}/{{train,val,test}}/<class>/*.jpg")
    if not (data / "val").is_dir() and not (data / "test").is_dir():
        raise TrainingError(f"{data} needs a val/ (or test/) folder next to train/")
    classes = sorted(d.name for d in train_dir.iterdir() if d.is_dir())
    empty = [c for c in classes if not list_images(train_dir / c)]
    if not classes or empty:
        raise TrainingError(f"{train_dir} needs one non-empty folder per class; empty: {empty or 'all'}")
    try:
        label_order(classes)
    except ClassifierError as exc:
        raise TrainingError(f"{data}: {exc}") from exc
    return classes


def model_source(model: str) -> str:
    """'yolov8x-cls' → 'yolov8x-cls.yaml' (a fresh model); an existing .pt is fine-tuned; a missing .pt is
    an error, never a download."""
    if model.endswith(".pt"):
        if not Path(model).is_file():
            raise TrainingError(
                f"{model} not found; give an existing checkpoint or a yaml name like yolov8n-cls"
            )
        return model
    return model if model.endswith((".yaml", ".yml")) else f"{model}.yaml"


def ultralytics_device(device: str) -> str:
    resolved = resolve_device(device)
    return "cpu" if resolved == "cpu" else resolved.split(":", 1)[1]


def train(
    data: Path,
    model: str = "yolov8x-cls",
    imgsz: int = 640,
    epochs: int = 100,
    optimizer: str = "AdamW",
    lr0: float = 0.001,
    batch: int = 16,
    device: str = "auto",
    out: Path = DEFAULT_OUT,
    workers: int | None = None,
    progress: bool = True,
    **overrides: Any,
) -> Path:
    """Train on DIR/{train,val,test}/<class>/*.jpg and copy the best checkpoint to `out`.

    `overrides` go to Ultralytics unchanged (e.g. seed, patience, warmup_epochs, project).
    """
    data, out = Path(data).resolve(), Path(out)
    dataset_classes(data)
    source = model_source(model)
    ul_device = ultralytics_device(device)
    ultralytics_offline()
    from ultralytics import YOLO

    args: dict[str, Any] = {
        "data": str(data),
        "imgsz": imgsz,
        "epochs": epochs,
        "optimizer": optimizer,
        "lr0": lr0,
        "batch": batch,
        "device": ul_device,
        "workers": default_workers() if workers is None else workers,
        "pretrained": False,
        "plots": False,  # plots download a font
        "project": str((out.parent / "runs").resolve()),
        "name": out.stem,
        "exist_ok": True,
        "verbose": progress,
        **overrides,
    }
    log.info("training %s on %s (%d epochs, imgsz %d, device %s)", source, data, epochs, imgsz, ul_device)
    with ultralytics_quiet(not progress), _no_amp_download(ul_device != "cpu"):
        yolo = YOLO(source, task="classify")
        yolo.train(**args)
    trainer = yolo.trainer
    best = Path(trainer.best) if trainer is not None else None
    if best is None or not best.is_file():
        best = Path(trainer.last) if trainer is not None else None
    if best is None or not best.is_file():
        raise TrainingError("training finished without writing a checkpoint")
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(best, out)
    log.info("best checkpoint copied to %s", out)
    sidecar_path(out).unlink(missing_ok=True)  # it described the previous weights
    if (data / "val").is_dir():
        write_calibration(out, data / "val", device)
    else:
        log.warning("no %s: the weights stay uncalibrated, without a skin-gate score threshold", data / "val")
    return out


def write_calibration(weights: Path, val_dir: Path, device: str = "auto") -> Path:
    """Fit the temperature and the skin gate's score threshold on `val_dir` and write the sidecar."""
    from classifier_lab.evaluation import fit_scores
    from inference.classifier import SkinClassifier

    classifier = SkinClassifier(weights, device=device, use_sidecar=False)
    classifier.setup()
    calibration, ood = fit_scores(classifier, val_dir)
    path = save_sidecar(weights, Sidecar(calibration=calibration, ood=ood))
    log.info(
        "temperature %.3f and skin-gate threshold %.3f written to %s",
        calibration.temperature,
        ood.threshold,
        path,
    )
    return path


def export_onnx(weights: Path, out: Path | None = None, *, dynamic: bool = True) -> Path:
    """Export a classification .pt to ONNX (dynamic batch by default) and return the .onnx path."""
    weights = Path(weights)
    if not weights.is_file():
        raise TrainingError(f"{weights} not found")
    ultralytics_offline()
    from ultralytics import YOLO

    with ultralytics_quiet():
        yolo = YOLO(str(weights), task="classify")
        imgsz = yolo.overrides.get("imgsz") or 224
        exported = Path(yolo.export(format="onnx", imgsz=imgsz, dynamic=dynamic, simplify=True, device="cpu"))
    if out is not None and exported.resolve() != Path(out).resolve():
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(exported, out)
        return Path(out)
    return exported


@contextlib.contextmanager
def _no_amp_download(on_gpu: bool) -> Iterator[None]:
    """Ultralytics' AMP self-test downloads yolo26n.pt; skip it and trust AMP on CUDA."""
    if not on_gpu:
        yield
        return
    from ultralytics.engine import trainer as trainer_module

    original = trainer_module.check_amp
    trainer_module.check_amp = lambda *_args, **_kwargs: True
    try:
        yield
    finally:
        trainer_module.check_amp = original
