"""`skinbot clinic list | add | link | revoke`: the clinics that review cases, and the links they hand out.

A link is `https://t.me/<bot>?start=c_<token>`: a patient who starts the bot through it is bound to that
clinic, and their "send to a doctor" goes to its review chat. The bot's username comes from `--bot-username`
or from the Bot API's getMe (TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL). Every known failure is one line on stderr
and exit status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import re
from pathlib import Path

from bot.cli_failure import fail
from bot.cli_store import with_store
from bot.settings import Settings
from conversations.domain import Clinic, Language
from conversations.store import Store

LINK_PREFIX = "c_"  # bot.routers.start reads it
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


def add_commands(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """`skinbot clinic ...`; returns its subcommands, to which the review desk adds `staff`."""
    clinic = sub.add_parser(
        "clinic", help="clinics that review cases, the links they hand out, and their desk staff"
    ).add_subparsers(dest="clinic", required=True)
    listing = clinic.add_parser("list", help="the clinics and their links")
    listing.set_defaults(func=run_list)

    add = clinic.add_parser("add", help="add a clinic (a Telegram group of doctors the bot is in)")
    add.add_argument(
        "chat_id", type=int, metavar="CHAT_ID", help="the group's numeric chat id, e.g. -1001234"
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument("--language", default="en", choices=[str(lang) for lang in Language])
    add.set_defaults(func=run_add)

    link = clinic.add_parser("link", help="a new deep link and QR code (PNG) that binds patients to a clinic")
    link.add_argument("name", metavar="NAME", help="the clinic's name, or its chat id")
    link.add_argument("--bot-username", default=None, help="the bot's @username; asked of getMe if not given")
    link.add_argument(
        "--qr", type=Path, default=None, help="where to write the PNG (default: in this folder)"
    )
    link.set_defaults(func=run_link)

    revoke = clinic.add_parser("revoke", help="revoke a link: it binds no new patient")
    revoke.add_argument("token", metavar="TOKEN", help="the link's token, or the whole link")
    revoke.set_defaults(func=run_revoke)
    return clinic


async def _find(store: Store, name: str) -> Clinic | None:
    if name.strip().lstrip("-").isdigit():
        return await store.clinics.by_chat(int(name))
    return await store.clinics.by_name(name)


def deep_link(username: str, token: str) -> str:
    return f"https://t.me/{username}?start={LINK_PREFIX}{token}"


def qr_png(url: str, path: Path) -> None:
    import segno

    # Error correction M survives a smudged print; a wide quiet zone helps cheap phone cameras.
    segno.make(url, error="m").save(path, kind="png", scale=10, border=4)


def _bot_username(settings: Settings) -> str:
    from telegram import Bot

    async def get_me() -> str:
        async with Bot(settings.telegram_bot_token.get(), base_url=settings.telegram_api_url) as bot:
            return (await bot.get_me()).username

    return asyncio.run(get_me())


def run_list(args: argparse.Namespace) -> int:
    settings = Settings.from_env(telegram=False)

    async def work(store: Store) -> list[str]:
        lines = []
        for clinic in await store.clinics.all():
            lines.append(f"{clinic.name} (chat {clinic.chat_id}, {clinic.language})")
            for link in await store.clinics.links(clinic.id):
                state = f"revoked {link.revoked_at:%Y-%m-%d}" if link.revoked_at else "live"
                lines.append(f"  {link.token}  made {link.created_at:%Y-%m-%d}, {state}")
        return lines

    lines = with_store(settings, work)
    print("\n".join(lines) if lines else "no clinics: add one with `skinbot clinic add CHAT_ID NAME`")
    return 0


def run_add(args: argparse.Namespace) -> int:
    settings = Settings.from_env(telegram=False)
    name = args.name.strip()
    if not name:
        return fail("the clinic needs a name")
    clinic = with_store(settings, lambda store: store.clinics.add(args.chat_id, name, args.language))
    print(f"clinic {clinic.name} (chat {clinic.chat_id}, {clinic.language}) is in the list")
    return 0


def run_link(args: argparse.Namespace) -> int:
    settings = Settings.from_env(telegram=args.bot_username is None)
    username = (args.bot_username or _bot_username(settings)).lstrip("@")
    if not _USERNAME.fullmatch(username):
        return fail(f"{username!r} is not a Telegram bot username")

    async def work(store: Store) -> tuple[Clinic, str] | None:
        clinic = await _find(store, args.name)
        if clinic is None:
            return None
        return clinic, (await store.clinics.create_link(clinic.id)).token

    found = with_store(settings, work)
    if found is None:
        return fail(f"no clinic {args.name!r}: see `skinbot clinic list`")
    clinic, token = found
    url = deep_link(username, token)
    path = args.qr or Path(f"clinic-{clinic.id}-{token[:6]}.png")
    qr_png(url, path)
    print(url)
    print(f"QR code for {clinic.name}: {path}")
    print(f"revoke with: skinbot clinic revoke {token}")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    settings = Settings.from_env(telegram=False)
    token = args.token.strip().rsplit("=", 1)[-1].removeprefix(LINK_PREFIX)
    if not with_store(settings, lambda store: store.clinics.revoke(token)):
        return fail("no live link with that token: see `skinbot clinic list`")
    print("link revoked: it binds no new patient (patients already bound stay bound)")
    return 0
