"""The `skinbot` command. Each subcommand prints one clear line on a known failure, never a traceback."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points

from skinbot.cli_failure import BENCH_EXTRA_HINT, fail
from skinbot.settings import SettingsError

# The commands that write patient data (SKINBOT_DATA_DIR, backups, a diagnose PDF) run under umask 077, so
# what a library writes without an explicit mode (SQLite's journals, a PDF) is private too. The others keep
# the caller's umask: weights, fonts and benchmark results are meant to be read by the service's user.
PRIVATE_COMMANDS = frozenset({"run", "web", "backup", "restore", "clinic", "api-key", "diagnose"})
PRIVATE_UMASK = 0o077


def _run(args: argparse.Namespace) -> int:
    from skinbot.app import build_application
    from skinbot.configs import webhook_of
    from skinbot.inference_setup import StartupError
    from skinbot.logging_setup import configure_logging, secret_values
    from skinbot.settings import Settings

    settings = Settings.from_env()
    if args.web and settings.web_port is None:
        settings = dataclasses.replace(settings, web_port=Settings.DEFAULT_WEB_PORT)
    webhook = webhook_of(settings, requested=getattr(args, "webhook", False))
    configure_logging(settings.log_level, secret_values(settings))
    app = build_application(settings)
    if webhook is not None:
        app.run_webhook(**webhook.options())
    else:
        app.run_polling(allowed_updates=None, drop_pending_updates=False)
    fatal = app.bot_data.get("fatal")
    if fatal:
        raise StartupError(fatal)
    if app.bot_data.get("load_abandoned"):
        # Stopped while the models were loading: the interpreter would wait for that thread at exit.
        # Everything the bot owns is closed by now, so leave without waiting.
        logging.shutdown()
        os._exit(0)
    return 0


def _check(args: argparse.Namespace) -> int:
    from skinbot.check import report, run_checks

    text, code = report(run_checks())
    print(text)
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="skinbot", description="Skin pre-screening Telegram bot")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the bot (long polling, or a webhook)")
    run.add_argument(
        "--web",
        action="store_true",
        help="also serve the web API and review desk in this process (SKINBOT_WEB_PORT, default 8080)",
    )
    run.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates on a webhook (TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET); "
        "setting TELEGRAM_WEBHOOK_URL alone also selects it",
    )
    run.set_defaults(func=_run)
    sub.add_parser("check", help="check settings, database, models, fonts and GPU").set_defaults(func=_check)
    _add_bench(sub)
    _add_optional_commands(sub)
    return parser


# Commands that live outside the runtime packages register under this entry point group (pyproject.toml):
# `bench` comes from the benchmarks package of a source checkout, which nothing here may import.
COMMANDS_GROUP = "skinbot.commands"


def _plugin(name: str) -> Callable[[argparse._SubParsersAction], None] | None:
    """The `add_commands` an installed distribution registers for `skinbot NAME`, or None when there is none
    or its package is not there (an install without the bench extra)."""
    for entry in entry_points(group=COMMANDS_GROUP, name=name):
        try:
            return entry.load()
        except ModuleNotFoundError as exc:
            if exc.name != entry.module.partition(".")[0]:
                raise
    return None


def _add_bench(sub: argparse._SubParsersAction) -> None:
    bench = sub.add_parser("bench", help="benchmarks: JSON plus a table")
    add_commands = _plugin("bench")
    if add_commands is None:
        bench.add_argument("args", nargs=argparse.REMAINDER)
        missing = f"bench needs the bench extra, from a source checkout: {BENCH_EXTRA_HINT}"
        bench.set_defaults(func=lambda args: fail(missing))
        return
    add_commands(bench.add_subparsers(dest="bench", required=True))


def _add_optional_commands(sub: argparse._SubParsersAction) -> None:
    # Registration only: each module imports its heavy dependencies when its command runs.
    from classifier_lab import cli_classifier
    from skinbot import backup_cli, clinic_cli, diagnose, web_cli, weights_cli

    diagnose.add_command(sub)
    cli_classifier.add_commands(sub)
    weights_cli.add_commands(sub)
    backup_cli.add_commands(sub)
    clinics = clinic_cli.add_commands(sub)
    web_cli.add_commands(sub, clinics)


def main(argv: Sequence[str] | None = None) -> int:
    from telegram.error import InvalidToken, NetworkError

    from bot.webhook import WebhookStartError
    from conversations.store import StoreError
    from skinbot.inference_setup import StartupError

    args = build_parser().parse_args(argv)
    if args.command in PRIVATE_COMMANDS:
        os.umask(PRIVATE_UMASK)
    try:
        return int(args.func(args) or 0)
    except (SettingsError, StoreError, StartupError, WebhookStartError) as exc:
        return fail(str(exc))
    except InvalidToken:
        return fail("Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather")
    except NetworkError as exc:
        # The URL is printed without the token: base URLs never contain it.
        return fail(
            f"cannot reach the Telegram Bot API ({type(exc).__name__}); check TELEGRAM_API_URL "
            "and the network"
        )
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
