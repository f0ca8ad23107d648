"""testkit.cache: the on-disk caches the xdist workers share are built once, whoever asks at the same time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# One worker: waits until the other has started too, then asks for the same entry; the build is slow
# enough that both ask before either has finished, and it notes every build it does.
WORKER = """
import sys, time
from pathlib import Path
from testkit.cache import cached_dir

me, other, builds = (Path(a) for a in sys.argv[1:4])
me.touch()
while not other.exists():
    time.sleep(0.01)

def build(dest: Path) -> None:
    with builds.open("a") as log:
        log.write("built\\n")
    time.sleep(1.0)
    dest.mkdir(parents=True)
    (dest / "model.bin").write_bytes(b"weights")

print(cached_dir("shared-entry", build))
"""


def test_two_workers_asking_at_once_build_the_entry_once(tmp_path: Path) -> None:
    cache, builds = tmp_path / "cache", tmp_path / "builds.log"
    env = {**os.environ, "SKINBOT_TEST_CACHE": str(cache)}
    started = (tmp_path / "started-a", tmp_path / "started-b")
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(me), str(other), str(builds)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for me, other in (started, started[::-1])
    ]
    results = [worker.communicate(timeout=120) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], [err for _, err in results]
    assert {out.strip() for out, _ in results} == {str(cache / "shared-entry")}
    assert builds.read_text() == "built\n"
    assert (cache / "shared-entry" / "model.bin").read_bytes() == b"weights"
