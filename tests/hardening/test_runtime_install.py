"""The commands a new user runs work on the install the README's run command makes: without the test extra.

Each command runs in a subprocess whose imports of test-only packages fail, as they would in a venv made by
`./scripts/run` (`pip install -e .`, no extras): a sitecustomize on PYTHONPATH blocks every module that only
the `test` and `bench` extras bring, and testkit, which the running bot must never import.
"""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from casework.translator import Translator
from testkit.bot_process import ROOT
from tests.conftest import TOKEN
from tests.hardening.process import bot_running, fake_api, polling

# Ours, but only for tests and benchmarks: an install may leave them out, and the bot must not need them.
OWN_TEST_ONLY = {"testkit", "benchmarks"}


def _closure(requirements: list[Requirement], extras: tuple[str, ...] = ("",)) -> set[str]:
    """Every distribution these requirements pull in, following extras and evaluating markers."""
    found: set[str] = set()
    stack = [(req, extras) for req in requirements]
    while stack:
        req, parent_extras = stack.pop()
        if req.marker is not None and not any(req.marker.evaluate({"extra": e}) for e in parent_extras):
            continue
        name = canonicalize_name(req.name)
        key = f"{name}[{','.join(sorted(req.extras))}]"
        if key in found:
            continue
        found.add(key)
        try:
            subs = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        extras = ("", *req.extras)
        stack.extend((Requirement(sub), extras) for sub in subs)
    return {key.split("[")[0] for key in found}


def test_only_modules() -> set[str]:
    requirements = [Requirement(r) for r in metadata.requires("skinbot") or []]
    runtime = _closure(requirements)
    test_side = _closure(requirements, ("test", "bench")) - {"skinbot"}
    only = test_side - runtime
    modules = {
        module
        for module, dists in metadata.packages_distributions().items()
        if dists and all(canonicalize_name(d) in only for d in dists) and module.isidentifier()
    }
    return modules | OWN_TEST_ONLY


test_only_modules.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test

BLOCKER = '''
import sys

BLOCKED = {blocked!r}


class _TestOnly:
    """Imports of test-only packages fail, as on an install without the test extra."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None


sys.meta_path.insert(0, _TestOnly())
'''


@pytest.fixture(scope="module")
def runtime_only(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment variables that make a subprocess see only the runtime install."""
    blocker = tmp_path_factory.mktemp("runtime-only")
    blocked = sorted(test_only_modules())
    (blocker / "sitecustomize.py").write_text(BLOCKER.format(blocked=blocked), encoding="utf-8")
    return {"PYTHONPATH": f"{blocker}:{ROOT}"}


def _run(args: list[str], env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def _bare_env(tmp_path: Path, runtime_only: dict[str, str]) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SKINBOT_"))}
    return {**env, **runtime_only, "SKINBOT_DATA_DIR": str(tmp_path / "var"), "HOME": str(tmp_path)}


def test_the_blocker_blocks(runtime_only: dict[str, str], tmp_path: Path) -> None:
    blocked = test_only_modules()
    assert {"pytest", "aiohttp", "pypdf", "testkit"} <= blocked
    assert not {"telegram", "torch", "transformers", "PIL", "reportlab", "bot"} & blocked
    result = _run(["-c", "import aiohttp"], _bare_env(tmp_path, runtime_only))
    assert result.returncode != 0 and "No module named 'aiohttp'" in result.stderr


def test_help_lists_every_command(runtime_only: dict[str, str], tmp_path: Path) -> None:
    result = _run(["-m", "skinbot", "--help"], _bare_env(tmp_path, runtime_only))
    assert result.returncode == 0, result.stderr
    for command in ("run", "check", "diagnose", "train", "evaluate", "bench"):
        assert re.search(rf"\b{command}\b", result.stdout)


def test_check_names_the_missing_token_in_human_lines(runtime_only: dict[str, str], tmp_path: Path) -> None:
    result = _run(["-m", "skinbot", "check"], _bare_env(tmp_path, runtime_only), timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "TELEGRAM_BOT_TOKEN" in output
    assert "Traceback" not in output and "FontSet(" not in output


def test_check_with_a_token_prints_one_human_line_per_item(
    runtime_only: dict[str, str], tmp_path: Path
) -> None:
    env = {**_bare_env(tmp_path, runtime_only), "TELEGRAM_BOT_TOKEN": TOKEN, "SKINBOT_DEVICE": "cpu"}
    result = _run(["-m", "skinbot", "check"], env, timeout=300)
    lines = result.stdout.strip().splitlines()
    names = [line.split()[1] for line in lines]
    assert {"settings", "database", "classifier", "fonts", "gpu"} <= set(names)
    for line in lines:
        assert re.match(r"^(ok|MISSING|missing|warning)\s", line), line
        assert "(" not in line.split(maxsplit=2)[2][:1]  # a sentence, not a Python repr
    assert "FontSet(" not in result.stdout and "Traceback" not in result.stderr
    assert result.returncode == 1  # no classifier or report model in this empty folder


def test_run_without_a_token_says_so_in_one_line(runtime_only: dict[str, str], tmp_path: Path) -> None:
    result = _run(["-m", "skinbot", "run"], _bare_env(tmp_path, runtime_only))
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert "TELEGRAM_BOT_TOKEN" in line


def test_a_bench_without_its_extra_says_how_to_install_it(
    runtime_only: dict[str, str], tmp_path: Path
) -> None:
    result = _run(["-m", "skinbot", "bench", "bot", "--users", "1"], _bare_env(tmp_path, runtime_only))
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "pip install -e '.[bench]'" in line


async def test_run_with_a_token_answers_start(
    runtime_only: dict[str, str], tmp_path: Path, trained_classifier_weights: Path, tiny_gemma_dir: Path
) -> None:
    settings = {
        "SKINBOT_CLASSIFIER": str(trained_classifier_weights),
        "SKINBOT_LLM": str(tiny_gemma_dir),
        "PYTHONPATH": runtime_only["PYTHONPATH"],
    }
    async with fake_api() as api, bot_running(api, tmp_path, **settings) as bot:
        await polling(api, 0)
        user = api.user(1401, "ko")
        await user.send("/start")
        consent = Translator()("ko", "consent-ask")
        await api.wait_for(lambda: any(m.text == consent for m in user.inbox()), 60)
        bot.proc.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(bot.proc.wait, 30) == 0
    output = bot.output()
    assert "Traceback" not in output
