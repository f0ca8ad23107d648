"""Report-suite setup. The root conftest normally registers tests.fixtures.report_models via pytest_plugins;
registering it here too (only when missing) keeps this suite runnable on its own."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

_PLUGIN = "tests.fixtures.report_models"


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin(_PLUGIN):
        config.pluginmanager.import_plugin(_PLUGIN)
