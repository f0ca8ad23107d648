"""`skinbot bench bot`: the load test (`benchmarks.bot_load.run`), or with --stream the comparison of the
two ways of streaming a report (`benchmarks.bot_load.stream`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from benchmarks.bot_load.run import DEFAULT_USERS, MAX_USERS, markdown, run_load
from benchmarks.bot_load.stream import run_stream_bench
from benchmarks.output import emit


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("YOLO_OFFLINE", "1")
    if getattr(args, "stream", None):
        return run_stream_bench(args)
    args.users = DEFAULT_USERS if args.users is None else args.users
    if not 1 <= args.users <= MAX_USERS:
        print(f"skinbot bench bot: --users must be between 1 and {MAX_USERS}", file=sys.stderr)
        return 2
    result = asyncio.run(
        run_load(
            args.users,
            timeout_s=args.timeout,
            batch=args.batch,
            imgsz=args.imgsz,
            check_pdf_text=not args.no_pdf_text,
            fail_rate=args.fail_rate,
            pdf_workers=args.pdf_workers,
        )
    )
    emit(result, markdown(result), args.json)
    ok = result["lost"] == 0 and result["cross_delivered"] == 0 and result["completed"] == result["users"]
    return 0 if ok else 1
