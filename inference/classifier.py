"""The skin classifier, LitServe style: construct cheaply, `setup()` once in the worker, then `predict`.

Accepts an Ultralytics classification checkpoint (`.pt`) or its ONNX export (`.onnx`). The model's own class
names (the seed dataset says "Cancer", capitalised) are mapped onto LABELS, so every caller sees the same six
probabilities in the same order whatever the weights file calls them. The weights' sidecar
(`inference.sidecar`) supplies the calibration temperature and the threshold of the skin gate's classifier
score. Torch, onnxruntime and Ultralytics are imported inside methods: `import inference` must stay light for
the bot process.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from PIL import Image

from inference.device import resolve_device
from inference.labels import LABELS, Classification, canonical_label
from inference.sidecar import Sidecar, SidecarError, load_sidecar
from inference.temperature import apply_temperature

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".pt", ".onnx")
MAX_BATCH = 32  # bigger request batches are cut into chunks of this size to bound GPU memory
DEFAULT_IMGSZ = 224


class ClassifierError(Exception):
    """The classifier cannot be used as configured; the message says what to fix."""


def label_order(names: Mapping[int, str] | Sequence[str]) -> list[int]:
    """For each of LABELS, the index of the model output that scores it.

    Raises ClassifierError naming the labels the model lacks and the model classes that are not ours,
    because a silently misaligned probability vector would send a carcinoma to the wrong triage.
    """
    items = names.items() if isinstance(names, Mapping) else enumerate(names)
    index_of: dict[str, int] = {}
    extra: list[str] = []
    duplicate: list[str] = []
    for index, name in sorted(items):
        label = canonical_label(str(name))
        if label is None:
            extra.append(str(name))
        elif label in index_of:
            duplicate.append(str(name))
        else:
            index_of[label] = int(index)
    missing = [label for label in LABELS if label not in index_of]
    if missing or extra or duplicate:
        parts = []
        if missing:
            parts.append(f"missing classes {missing}")
        if extra:
            parts.append(f"unknown classes {extra}")
        if duplicate:
            parts.append(f"classes naming the same label twice {duplicate}")
        raise ClassifierError(
            f"the weights' classes do not match the six skinbot labels {list(LABELS)}: " + "; ".join(parts)
        )
    return [index_of[label] for label in LABELS]


def preprocess(image: Image.Image, imgsz: int) -> np.ndarray:
    """float32 CHW in [0, 1]: shorter side to imgsz, centre crop, as Ultralytics' classify_transforms does."""
    rgb = image.convert("RGB")
    w, h = rgb.size
    scale = imgsz / min(w, h)
    size = (max(imgsz, round(w * scale)), max(imgsz, round(h * scale)))
    left = round((size[0] - imgsz) / 2.0)
    top = round((size[1] - imgsz) / 2.0)
    # Only the crop is resampled: `box` is its region in the source, so the pixels are those of resizing the
    # whole image and cropping, without the whole enlarged copy (224x458,752 for a 1x2048 sliver).
    sx, sy = w / size[0], h / size[1]
    box = (left * sx, top * sy, (left + imgsz) * sx, (top + imgsz) * sy)
    crop = rgb.resize((imgsz, imgsz), Image.Resampling.BILINEAR, box=box)
    return np.asarray(crop, dtype=np.float32).transpose(2, 0, 1) / 255.0


class _Backend(Protocol):
    imgsz: int
    names: dict[int, str]

    def probabilities(self, batch: np.ndarray) -> np.ndarray: ...


class SkinClassifier:
    """Six-label skin classifier over a `.pt` or `.onnx` weights file."""

    def __init__(
        self, weights: Path, device: str = "auto", uncertain_below: float = 0.5, *, use_sidecar: bool = True
    ) -> None:
        self.weights = Path(weights)
        self.device_setting = device
        self.uncertain_below = uncertain_below
        self.use_sidecar = use_sidecar  # False to fit a new sidecar when the old one is wrong
        self.device: str | None = None
        self.sidecar: Sidecar | None = None  # read by setup(); None: uncalibrated, no classifier-score gate
        self._backend: _Backend | None = None
        self._order: list[int] = []

    @classmethod
    def from_torch_model(
        cls, model: torch.nn.Module, imgsz: int, device: str = "auto", uncertain_below: float = 0.5
    ) -> SkinClassifier:
        """Wrap an in-memory Ultralytics ClassificationModel (benchmarks, tests) without a weights file."""
        self = cls(Path("<in-memory>"), device, uncertain_below)
        self.device = resolve_device(device)
        self._install(_TorchBackend(model, imgsz, self.device))
        return self

    @property
    def ready(self) -> bool:
        return self._backend is not None

    @property
    def imgsz(self) -> int:
        return self._require().imgsz

    def setup(self) -> None:
        """Load the model once. Safe to call again; never called on the request path."""
        if self._backend is not None:
            return
        path = self.weights
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise ClassifierError(f"{path}: classifier weights must be a .pt checkpoint or an .onnx export")
        if not path.is_file():
            # Checked here, before Ultralytics sees the name: it would try to download a missing .pt.
            raise ClassifierError(
                f"classifier weights not found at {path}. Put the trained checkpoint (skin-cls.pt) or its "
                f"ONNX export there as described in weights/README.md, or train one with "
                f"`skinbot train --data DIR --out {path}`."
            )
        try:
            self.sidecar = load_sidecar(path) if self.use_sidecar else None
        except SidecarError as exc:
            raise ClassifierError(
                f"{exc}. Fix or delete it; `skinbot evaluate --calibrate` writes a new one"
            ) from exc
        self.device = resolve_device(self.device_setting)
        started = time.perf_counter()
        backend: _Backend
        if path.suffix.lower() == ".onnx":
            backend = _OnnxBackend(path, self.device)
        else:
            backend = _TorchBackend.from_checkpoint(path, self.device)
        self._install(backend)
        log.info(
            "classifier %s loaded on %s in %.1fs (imgsz %d)",
            path.name,
            self.device,
            time.perf_counter() - started,
            backend.imgsz,
        )

    def _install(self, backend: _Backend) -> None:
        self._order = label_order(backend.names)
        self._backend = backend

    def _require(self) -> _Backend:
        if self._backend is None:
            raise ClassifierError("SkinClassifier.setup() must run before predict()")
        return self._backend

    @property
    def temperature(self) -> float:
        return self.sidecar.temperature if self.sidecar is not None else 1.0

    @property
    def unfamiliar_below(self) -> float | None:
        """The skin gate's threshold on the calibrated top probability, when the sidecar has one."""
        return self.sidecar.ood.threshold if self.sidecar is not None and self.sidecar.ood else None

    def raw_probabilities(self, images: list[Image.Image]) -> np.ndarray:
        """Uncalibrated probabilities, float64 (n, 6) in LABELS order."""
        backend = self._require()
        parts = [np.zeros((0, len(LABELS)))]
        for start in range(0, len(images), MAX_BATCH):
            chunk = images[start : start + MAX_BATCH]
            batch = np.stack([preprocess(im, backend.imgsz) for im in chunk])
            probs = backend.probabilities(batch)[:, self._order].astype(np.float64)
            # Renormalise: fp16 rounding leaves sums a hair off 1, and reports print these numbers.
            probs /= np.clip(probs.sum(axis=1, keepdims=True), 1e-12, None)
            parts.append(probs)
        return np.concatenate(parts)

    def predict(self, images: list[Image.Image]) -> list[Classification]:
        """One Classification per image, in the order given, calibrated by the sidecar's temperature.

        "uncertain" and "unfamiliar" are judged on the calibrated top probability.
        """
        probs = self.raw_probabilities(images)
        if self.temperature != 1.0:
            probs = apply_temperature(probs, self.temperature)
        gate = self.unfamiliar_below
        tones = self.sidecar.skin_tones.judged if self.sidecar and self.sidecar.skin_tones else None
        return [
            Classification(
                tuple(float(p) for p in row),
                uncertain=bool(row.max() < self.uncertain_below),
                unfamiliar=gate is not None and bool(row.max() < gate),
                evaluated_tones=tones,
            )
            for row in probs
        ]

    def explain(self, image: Image.Image) -> bytes | None:
        """PNG of the photo with a Grad-CAM heatmap for the top class, same size as the photo.

        None for ONNX weights: the exported graph has no gradients.
        """
        backend = self._require()
        if not isinstance(backend, _TorchBackend):
            return None
        batch = preprocess(image, backend.imgsz)[None]
        cam = backend.grad_cam(batch, class_index=None)
        return _overlay_png(image.convert("RGB"), cam)


class _TorchBackend:
    def __init__(self, model: torch.nn.Module, imgsz: int, device: str) -> None:
        import torch

        self.device = device
        self.half = device.startswith("cuda")
        self.imgsz = int(imgsz)
        self.names = {int(k): str(v) for k, v in dict(getattr(model, "names", {}) or {}).items()}
        model = model.float().eval().to(device)
        self.model = model.half() if self.half else model
        self._torch = torch

    @classmethod
    def from_checkpoint(cls, path: Path, device: str) -> _TorchBackend:
        from inference.safe_checkpoint import CheckpointRefused, load_classification_model

        try:
            model = load_classification_model(path)  # weights only: the pickle cannot run code
        except CheckpointRefused as exc:
            raise ClassifierError(str(exc)) from None
        args: dict[str, Any] = getattr(model, "args", {}) or {}
        imgsz = args.get("imgsz", DEFAULT_IMGSZ)
        if isinstance(imgsz, list | tuple):
            imgsz = imgsz[0]
        return cls(model, int(imgsz), device)

    def _tensor(self, batch: np.ndarray) -> torch.Tensor:
        x = self._torch.from_numpy(np.ascontiguousarray(batch)).to(self.device)
        return x.half() if self.half else x

    def probabilities(self, batch: np.ndarray) -> np.ndarray:
        with self._torch.inference_mode():
            out = self.model(self._tensor(batch))
        probs = out[0] if isinstance(out, tuple | list) else out  # eval mode gives (softmax, logits)
        return probs.float().cpu().numpy()

    def grad_cam(self, batch: np.ndarray, class_index: int | None) -> np.ndarray:
        """Grad-CAM over the head's last feature map; float32 HxW in [0, 1] at the model's input size."""
        torch = self._torch
        head = self.model.model[-1]
        target_layer = getattr(head, "conv", None) or self.model.model[-2]
        captured: dict[str, torch.Tensor] = {}

        def keep(_module: object, _inputs: object, output: torch.Tensor) -> None:
            captured["act"] = output
            output.register_hook(lambda grad: captured.__setitem__("grad", grad))

        handle = target_layer.register_forward_hook(keep)
        try:
            with torch.enable_grad():
                x = self._tensor(batch).requires_grad_(True)  # frozen weights: the input carries the graph
                out = self.model(x)
                logits = out[1] if isinstance(out, tuple | list) else out
                index = int(logits[0].argmax()) if class_index is None else class_index
                logits[0, index].backward()
        finally:
            handle.remove()
        act, grad = captured["act"].detach().float(), captured["grad"].detach().float()
        weights = grad.mean(dim=(2, 3), keepdim=True)
        cam = torch.relu((weights * act).sum(dim=1, keepdim=True))
        cam = torch.nn.functional.interpolate(cam, size=(self.imgsz, self.imgsz), mode="bilinear")[0, 0]
        peak = float(cam.max())
        cam = cam / peak if peak > 0 else torch.zeros_like(cam)
        return cam.cpu().numpy().astype(np.float32)


class _OnnxBackend:
    def __init__(self, path: Path, device: str) -> None:
        import ast

        import onnxruntime as ort

        providers = ["CPUExecutionProvider"]
        if device.startswith("cuda"):
            if "CUDAExecutionProvider" in ort.get_available_providers():
                device_id = int(device.split(":")[1]) if ":" in device else 0
                providers = [("CUDAExecutionProvider", {"device_id": device_id}), "CPUExecutionProvider"]
            else:
                log.warning("onnxruntime has no CUDA provider here; running %s on CPU", path.name)
        try:
            self.session = ort.InferenceSession(str(path), providers=providers)
        except Exception as exc:
            raise ClassifierError(f"{path} is not a readable ONNX model: {exc}") from exc
        meta = self.session.get_modelmeta().custom_metadata_map
        if "names" not in meta:
            raise ClassifierError(f"{path} has no class names in its metadata; export it with Ultralytics")
        self.names = {int(k): str(v) for k, v in ast.literal_eval(meta["names"]).items()}
        model_input = self.session.get_inputs()[0]
        self.input_name = model_input.name
        self.input_dtype = np.float16 if "float16" in model_input.type else np.float32
        batch_dim, *_, width = model_input.shape
        self.fixed_batch = batch_dim if isinstance(batch_dim, int) else None
        if "imgsz" in meta:
            self.imgsz = int(ast.literal_eval(meta["imgsz"])[0])
        else:
            self.imgsz = width if isinstance(width, int) else DEFAULT_IMGSZ

    def probabilities(self, batch: np.ndarray) -> np.ndarray:
        batch = batch.astype(self.input_dtype)
        if self.fixed_batch is None:
            return self._run(batch)
        step = self.fixed_batch  # a static export takes exactly this many images; pad the last chunk
        parts = []
        for start in range(0, len(batch), step):
            chunk = batch[start : start + step]
            pad = step - len(chunk)
            if pad:
                chunk = np.concatenate([chunk, np.repeat(chunk[-1:], pad, axis=0)])
            parts.append(self._run(chunk)[: step - pad])
        return np.concatenate(parts)

    def _run(self, batch: np.ndarray) -> np.ndarray:
        (probs,) = self.session.run(None, {self.input_name: batch})[:1]
        return np.asarray(probs, dtype=np.float32)


def _overlay_png(image: Image.Image, cam: np.ndarray, strength: float = 0.55) -> bytes:
    """Blend a jet-coloured heatmap over the centre square the model saw; the rest stays untouched."""
    w, h = image.size
    side = min(w, h)
    left, top = round((w - side) / 2.0), round((h - side) / 2.0)
    heat_square = Image.fromarray(cam.astype(np.float32)).resize((side, side), Image.Resampling.BILINEAR)
    heat = np.zeros((h, w), dtype=np.float32)
    heat[top : top + side, left : left + side] = np.clip(np.asarray(heat_square), 0.0, 1.0)
    colour = _jet(heat)
    alpha = (strength * heat)[..., None]
    base = np.asarray(image, dtype=np.float32)
    blended = (base * (1.0 - alpha) + colour * alpha).clip(0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(blended).save(buffer, format="PNG")
    return buffer.getvalue()


def _jet(values: np.ndarray) -> np.ndarray:
    """The jet colour map (blue → red) for values in [0, 1], as float RGB 0-255; no matplotlib needed."""
    v = values[..., None]
    r = np.clip(1.5 - np.abs(4 * v - 3), 0, 1)
    g = np.clip(1.5 - np.abs(4 * v - 2), 0, 1)
    b = np.clip(1.5 - np.abs(4 * v - 1), 0, 1)
    return np.concatenate([r, g, b], axis=-1) * 255.0
