"""Where a benchmark's CPU went, by thread and by child process, read from the kernel's own counters.

Each thread of this process is put in one bucket by its name: the bot's event loop (MainThread), its
helper threads (asyncio's to_thread pool, the SQLite connection), the model worker, PDF rendering (the
"pdf-render" thread, or the PDF worker processes), and the benchmark's own harness (fake Telegram server
and simulated users, on their own thread). A snapshot before and after gives each bucket's CPU seconds.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import psutil

# "native": threads Python did not start, i.e. torch's intra-op pool, working for the models.
BUCKETS = ("bot", "bot_helpers", "models", "native", "pdf", "harness")


def _bucket(name: str) -> str:
    if name == "MainThread":
        return "bot"
    if name.startswith(("asyncio_", "Thread-")) or "_connection_worker_thread" in name:
        return "bot_helpers"  # to_thread work (photos, files) and the SQLite connection
    if name.startswith("model-worker"):
        return "models"
    if name.startswith("pdf-render"):
        return "pdf"
    if name.startswith("harness"):
        return "harness"
    return "native"


@dataclass
class CpuSnapshot:
    by_thread: dict[int, float]  # native thread id -> CPU seconds so far
    names: dict[int, str]
    children: dict[int, float]  # child pid -> CPU seconds so far (the PDF worker processes)


def snapshot() -> CpuSnapshot:
    process = psutil.Process()
    names = {t.native_id: t.name for t in threading.enumerate() if t.native_id is not None}
    threads = {t.id: t.user_time + t.system_time for t in process.threads()}
    children = {}
    for child in process.children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:
            continue
        children[child.pid] = times.user + times.system
    return CpuSnapshot(threads, names, children)


def split(before: CpuSnapshot, after: CpuSnapshot) -> dict[str, float]:
    """CPU seconds spent between two snapshots, per bucket."""
    spent = dict.fromkeys(BUCKETS, 0.0)
    for tid, seconds in after.by_thread.items():
        name = after.names.get(tid) or before.names.get(tid) or "?"
        spent[_bucket(name)] += seconds - before.by_thread.get(tid, 0.0)
    for pid, seconds in after.children.items():
        spent["pdf"] += seconds - before.children.get(pid, 0.0)
    return {bucket: round(value, 3) for bucket, value in spent.items()}
