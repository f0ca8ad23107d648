"""The installed llama.cpp survives a Gemma 3 model's first eval.

llama-cpp-python built with the AMX kernels (a native build on a Xeon that has AMX, or some prebuilt wheels)
crashes with a segfault on the first eval of a Gemma 3 model. That would kill the bot's worker, or a test
process, without a word; here the eval runs in a child process, so a crash is a failed test that says what
to do. The model is the Gemma 3 270M GGUF from PyPI (testkit.random_gemma).
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("llama_cpp", reason="the llama extra: scripts/install-llama")

FIRST_EVAL = """
import sys
import llama_cpp

llm = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=128, n_threads=2, verbose=False, seed=0)
out = llm.create_completion("The skin", max_tokens=2, temperature=0.0)
print("tokens", out["usage"]["completion_tokens"])
"""


def test_the_first_eval_of_a_gemma3_gguf_does_not_crash(gemma_gguf_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", FIRST_EVAL, str(gemma_gguf_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode < 0:
        name = signal.Signals(-result.returncode).name
        pytest.fail(
            f"llama.cpp died with {name} on the first eval of a Gemma 3 GGUF: this llama-cpp-python was "
            "built with the AMX kernels (or for another CPU). Rebuild it: pip uninstall -y llama-cpp-python "
            f"&& scripts/install-llama .venv\n{result.stderr[-2000:]}"
        )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() in ("tokens 1", "tokens 2"), result.stdout
