"""The web adapter stands next to the Telegram one: it never imports telegram itself."""

from __future__ import annotations

import subprocess
import sys

from testkit.bot_process import ROOT


def test_the_web_package_never_imports_telegram() -> None:
    code = (
        "import sys, web.app, web.server, web.desk, web.api, web.jobs; "
        "print(sorted(m for m in sys.modules if m == 'telegram' or m.startswith('telegram.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
