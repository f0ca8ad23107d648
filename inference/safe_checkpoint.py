"""Load an Ultralytics classification checkpoint (`.pt`) without letting the file run code.

A `.pt` checkpoint is a pickle, and a plain unpickle calls whatever functions the file names: Ultralytics'
own loader does exactly that (`torch.load(weights_only=False)`). Here the file is read in two steps:

1. Its pickle is disassembled, not run (`torch.serialization.get_unsafe_globals_in_checkpoint`), and every
   class or function it names must be on the allow-list below: the layer classes of `torch.nn.modules` and
   `ultralytics.nn.modules`, Ultralytics' `ClassificationModel`, the torchvision transforms a classifier
   stores, and a few plain data types. Anything else (`builtins.exec`, `os.system`, another task's model) is
   refused by name, before a single object is built.
2. `torch.load(weights_only=True)` rebuilds it: torch's restricted unpickler, which can only build tensors,
   plain containers and the allowed globals. `builtins.getattr` is allowed only as a restricted copy: fused
   checkpoints pickle `conv.forward = conv.forward_fuse` through it, and the unrestricted one would walk from
   an allowed class to `exec` (`Conv.__init__.__globals__`).

Then the model is prepared as Ultralytics' `load_checkpoint` prepares it (float, the training arguments over
the defaults, fused, eval, in-place activations), so it scores exactly as before. Torch and Ultralytics are
imported inside the functions; nothing here imports telegram.
"""

from __future__ import annotations

import enum
import pathlib
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

# Layer classes are allowed from these packages only, and only classes defined there that are torch modules.
LAYER_PACKAGES = ("torch.nn.modules.", "ultralytics.nn.modules.")


class CheckpointRefused(Exception):
    """The file is not a checkpoint that can be loaded without running its code; the message says why."""


def check_checkpoint(path: Path) -> None:
    """Raise CheckpointRefused unless every global the checkpoint names is allowed. Nothing is unpickled."""
    _vetted_globals(path)


def load_classification_model(path: Path) -> torch.nn.Module:
    """The checkpoint's ClassificationModel, fused, in eval mode, on the CPU; else CheckpointRefused."""
    import torch

    from inference.ultralytics_offline import ultralytics_offline, ultralytics_quiet

    ultralytics_offline()
    from ultralytics.nn.tasks import ClassificationModel
    from ultralytics.utils import DEFAULT_CFG_DICT

    # Registered for the process, never scoped: torch's `safe_globals` context manager restores the set on
    # exit and would strip it from a load running at the same time in another thread. Everything registered
    # here passed the allow-list, so leaving it registered allows nothing unsafe.
    torch.serialization.add_safe_globals(_vetted_globals(path))
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, TypeError, AttributeError) as exc:
        raise CheckpointRefused(f"{path} does not load as weights only: {_reason(exc)}") from None
    model = (checkpoint.get("ema") or checkpoint.get("model")) if isinstance(checkpoint, dict) else None
    if not isinstance(model, ClassificationModel):
        raise CheckpointRefused(f"{path} holds no Ultralytics classification model")
    train_args = checkpoint.get("train_args") or {}
    model = model.float()
    model.args = {**DEFAULT_CFG_DICT, **(train_args if isinstance(train_args, dict) else {})}
    model.pt_path = str(path)
    model.task = "classify"
    if not hasattr(model, "stride"):
        model.stride = torch.tensor([32.0])
    with ultralytics_quiet():
        model = model.fuse().eval()
    for module in model.modules():
        if hasattr(module, "inplace"):
            module.inplace = True
    return model


def _reason(exc: BaseException) -> str:
    """The line of torch's error that says what was refused, without its advice to load with
    weights_only=False, which is exactly what must not be done with such a file."""
    text = str(exc)
    _, marker, detail = text.partition("WeightsUnpickler error:")
    lines = [line.strip() for line in (detail if marker else text).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _vetted_globals(path: Path) -> list[Any]:
    """The globals torch may rebuild for this checkpoint; CheckpointRefused for any other name."""
    import numpy as np
    import torch

    try:
        names = sorted(torch.serialization.get_unsafe_globals_in_checkpoint(path))
    except (ValueError, RuntimeError, EOFError, OSError, KeyError) as exc:
        # Not a zip archive, a TorchScript archive, a zip without data.pkl, a truncated one: one condition.
        raise CheckpointRefused(
            f"{path} is not a readable Ultralytics classification checkpoint ({type(exc).__name__}: {exc})"
        ) from None
    allowed = _allow_list()
    refused = [name for name in names if _resolve(name, allowed) is None]
    if refused:
        tasks = [name for name in refused if name.startswith("ultralytics.nn.tasks.")]
        if tasks:
            kind = tasks[0].rpartition(".")[2]
            raise CheckpointRefused(f"{path} holds a {kind}, not an Ultralytics classification model")
        raise CheckpointRefused(
            f"{path} names {', '.join(refused)}, which no classification checkpoint needs: it could run code "
            "when loaded, so it was not loaded"
        )
    entries = [(_resolve(name, allowed), name) for name in names]
    if "numpy.dtype" in names:  # a dtype is rebuilt as an instance of its own class, not named in the pickle
        entries += [type(np.dtype(kind)) for kind in ("float64", "float32", "int64")]
    return entries


def _resolve(name: str, allowed: dict[str, Any]) -> Any:
    """The object a global of the checkpoint may stand for, or None when it is not allowed."""
    import torch

    if name in allowed:
        return allowed[name]
    module_name, _, attribute = name.rpartition(".")
    if not module_name.startswith(LAYER_PACKAGES):
        return None
    # Only modules already imported (torch.nn and ultralytics.nn.tasks import every layer module): a name from
    # the file never makes us import anything.
    module = sys.modules.get(module_name)
    found = getattr(module, attribute, None) if module is not None else None
    if isinstance(found, type) and issubclass(found, torch.nn.Module) and found.__module__ == module_name:
        return found
    return None


def _allow_list() -> dict[str, Any]:
    """Named globals a classification checkpoint holds besides layer classes, by the name the pickle uses."""
    import numpy as np
    import torchvision.transforms.transforms as transforms
    from torchvision.transforms.functional import InterpolationMode

    from inference.ultralytics_offline import ultralytics_offline

    ultralytics_offline()
    from ultralytics.nn.tasks import ClassificationModel
    from ultralytics.utils import IterableSimpleNamespace

    # numpy scalars pickle as scalar(dtype, bytes): training metrics of some Ultralytics versions hold them.
    scalar = np.float64(0).__reduce__()[0]
    local_path = type(pathlib.Path())  # a path pickled on another OS is rebuilt as this OS's kind
    allowed: dict[str, Any] = {
        "ultralytics.nn.tasks.ClassificationModel": ClassificationModel,
        "ultralytics.utils.IterableSimpleNamespace": IterableSimpleNamespace,
        "torchvision.transforms.functional.InterpolationMode": InterpolationMode,
        "numpy.dtype": np.dtype,
        "numpy.core.multiarray.scalar": scalar,
        "numpy._core.multiarray.scalar": scalar,
        "pathlib.PosixPath": local_path,
        "pathlib.WindowsPath": local_path,
        "builtins.getattr": restricted_getattr,
    }
    for transform in (
        transforms.Compose,
        transforms.Resize,
        transforms.CenterCrop,
        transforms.ToTensor,
        transforms.Normalize,
    ):
        allowed[f"{transform.__module__}.{transform.__qualname__}"] = transform
    return allowed


def restricted_getattr(obj: object, name: str) -> Any:
    """getattr for what checkpoints legitimately pickle through it: a public attribute of a layer class or an
    enum (`InterpolationMode.BILINEAR`), or a layer's own `forward`/`forward_fuse` bound to it."""
    import torch

    if isinstance(obj, type) and not name.startswith("_") and issubclass(obj, torch.nn.Module | enum.Enum):
        return getattr(obj, name)
    if isinstance(obj, torch.nn.Module) and name in ("forward", "forward_fuse"):
        method: Callable[..., Any] = getattr(type(obj), name)
        return method.__get__(obj)
    owner = obj.__name__ if isinstance(obj, type) else type(obj).__name__
    raise pickle.UnpicklingError(f"getattr({owner}, {name!r}) is not allowed in a checkpoint")
