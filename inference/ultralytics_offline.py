"""Import Ultralytics with every network path switched off.

Ultralytics decides at import time whether it is online and, when it is, checks for updates, downloads fonts,
weights and pip packages, and sends analytics. The bot runs on machines that must not do any of that, so every
module here that needs Ultralytics goes through `ultralytics_offline()`.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from types import ModuleType

_OFF_SWITCHES = {
    "YOLO_OFFLINE": "1",  # makes utils.ONLINE False, which gates update checks and downloads
    "YOLO_AUTOINSTALL": "false",  # never pip-install a "missing" requirement
}
# Integrations that would phone home if their package happened to be installed.
_SETTINGS_OFF = ("sync", "clearml", "comet", "dvc", "mlflow", "raytune", "tensorboard", "wandb")


def ultralytics_offline() -> ModuleType:
    """Return the `ultralytics` module, imported with downloads, analytics and auto-install disabled."""
    for name, value in _OFF_SWITCHES.items():
        os.environ.setdefault(name, value)
    import ultralytics
    from ultralytics.utils import SETTINGS

    changes = {key: False for key in _SETTINGS_OFF if SETTINGS.get(key) is not False}
    if changes:
        SETTINGS.update(changes)
    _keep_pil_open_honest()
    return ultralytics


def _keep_pil_open_honest() -> None:
    """Ultralytics replaces PIL.Image.open process-wide with a wrapper that, on an unidentified image,
    tries to install and import `pi-heif`. In the bot that turns a user's non-image upload into an
    ImportError instead of a clear "not an image" reply. We register pillow-heif ourselves, so mark its
    lazy registration as done."""
    with contextlib.suppress(ImportError, AttributeError):
        from ultralytics.utils import patches

        patches._pil_plugins_registered = True


@contextlib.contextmanager
def ultralytics_quiet(quiet: bool = True) -> Iterator[None]:
    """Ultralytics prints banners and progress bars through its own logger; hold them back when asked."""
    from ultralytics.utils import LOGGER

    previous = LOGGER.level
    if quiet:
        LOGGER.setLevel(logging.WARNING)
    try:
        yield
    finally:
        LOGGER.setLevel(previous)
