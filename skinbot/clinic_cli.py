"""`skinbot clinic list | add | open | close | verdicts | link | revoke`: the clinics that review cases, who
may send to them and answer for them, and the links they hand out.

A link is `https://t.me/<bot>?start=c_<token>`: a patient who starts the bot through it is bound to that
clinic, and their "send to a doctor" goes to its review chat. A patient who came through no link may send
only to clinics marked open (unless SKINBOT_CLINIC_ACCESS=all). The token is printed once; the store keeps its
hash, and `list` names each link by the start of that hash, which `revoke` takes as well. The bot's username
comes from `--bot-username` or from the Bot API's getMe (TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL). Every known
failure is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import re
from pathlib import Path

from casework.clinic_links import LINK_PREFIX, deep_link
from conversations.domain import Clinic, Language
from conversations.store import Store
from skinbot.cli_failure import fail
from skinbot.cli_store import with_store
from skinbot.settings import Settings

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
    add.add_argument(
        "--open", action="store_true", help="patients who did not come through its link may send to it too"
    )
    add.set_defaults(func=run_add)

    for name, is_open, text in (
        ("open", True, "let patients who came through no clinic's link send cases to it"),
        ("close", False, "only patients who came through its link may send cases to it (the default)"),
    ):
        command = clinic.add_parser(name, help=text)
        command.add_argument("name", metavar="NAME", help="the clinic's name, or its chat id")
        command.set_defaults(func=run_open, open=is_open)

    verdicts = clinic.add_parser(
        "verdicts", help="who may press the verdict buttons in the clinic's chat: staff, or any member"
    )
    verdicts.add_argument("name", metavar="NAME", help="the clinic's name, or its chat id")
    verdicts.add_argument(
        "who",
        choices=["staff", "members"],
        help="staff: only staff added with --telegram-id (skinbot clinic staff); members: anyone in the chat",
    )
    verdicts.set_defaults(func=run_verdicts)

    link = clinic.add_parser("link", help="a new deep link and QR code (PNG) that binds patients to a clinic")
    link.add_argument("name", metavar="NAME", help="the clinic's name, or its chat id")
    link.add_argument("--bot-username", default=None, help="the bot's @username; asked of getMe if not given")
    link.add_argument(
        "--qr", type=Path, default=None, help="where to write the PNG (default: in this folder)"
    )
    link.set_defaults(func=run_link)

    revoke = clinic.add_parser("revoke", help="revoke a link: it binds no new patient")
    revoke.add_argument(
        "token", metavar="TOKEN", help="the link's token, the whole link, or the name `list` gives it"
    )
    revoke.set_defaults(func=run_revoke)
    return clinic


async def _find(store: Store, name: str) -> Clinic | None:
    if name.strip().lstrip("-").isdigit():
        return await store.clinics.by_chat(int(name))
    return await store.clinics.by_name(name)


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
            access = "open to every patient" if clinic.open else "its link's patients only"
            answers = "verdicts by staff only" if clinic.verdicts_by_staff else "verdicts by any member"
            lines.append(f"{clinic.name} (chat {clinic.chat_id}, {clinic.language}): {access}, {answers}")
            for link in await store.clinics.links(clinic.id):
                state = f"revoked {link.revoked_at:%Y-%m-%d}" if link.revoked_at else "live"
                lines.append(f"  link {link.ref}  made {link.created_at:%Y-%m-%d}, {state}")
        return lines

    lines = with_store(settings, work)
    print("\n".join(lines) if lines else "no clinics: add one with `skinbot clinic add CHAT_ID NAME`")
    return 0


def run_add(args: argparse.Namespace) -> int:
    settings = Settings.from_env(telegram=False)
    name = args.name.strip()
    if not name:
        return fail("the clinic needs a name")

    async def work(store: Store) -> Clinic:
        clinic = await store.clinics.add(args.chat_id, name, args.language)
        if args.open:
            await store.clinics.set_open(clinic.id, True)
        return clinic

    clinic = with_store(settings, work)
    print(f"clinic {clinic.name} (chat {clinic.chat_id}, {clinic.language}) is in the list")
    if args.open:
        print("it is open: patients who came through no clinic's link may send cases to it")
    return 0


def run_open(args: argparse.Namespace) -> int:
    settings = Settings.from_env(telegram=False)

    async def work(store: Store) -> Clinic | None:
        clinic = await _find(store, args.name)
        if clinic is not None:
            await store.clinics.set_open(clinic.id, args.open)
        return clinic

    clinic = with_store(settings, work)
    if clinic is None:
        return fail(f"no clinic {args.name!r}: see `skinbot clinic list`")
    if args.open:
        print(f"{clinic.name} is open: patients who came through no clinic's link may send cases to it")
    else:
        print(f"{clinic.name} is closed: only patients who came through its links may send cases to it")
    return 0


def run_verdicts(args: argparse.Namespace) -> int:
    settings = Settings.from_env(telegram=False)
    by_staff = args.who == "staff"

    async def work(store: Store) -> tuple[Clinic, int] | None:
        clinic = await _find(store, args.name)
        if clinic is None:
            return None
        await store.clinics.set_verdicts_by_staff(clinic.id, by_staff)
        members = [
            s
            for s in await store.staff.all()
            if s.clinic_chat_id == clinic.chat_id and s.removed_at is None and s.telegram_id is not None
        ]
        return clinic, len(members)

    found = with_store(settings, work)
    if found is None:
        return fail(f"no clinic {args.name!r}: see `skinbot clinic list`")
    clinic, registered = found
    if not by_staff:
        print(f"{clinic.name}: any member of its chat may give verdicts")
        return 0
    print(f"{clinic.name}: only its staff may give verdicts in its chat ({registered} with a Telegram id)")
    if registered == 0:
        print("add one with: skinbot clinic staff add --clinic CHAT_ID --name NAME --telegram-id N")
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
        return clinic, await store.clinics.create_link(clinic.id)

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
    print("The link is shown only now: the store keeps a hash of it (`skinbot clinic list` names it).")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    settings = Settings.from_env(telegram=False)
    token = args.token.strip().rsplit("=", 1)[-1].removeprefix(LINK_PREFIX)

    async def work(store: Store) -> bool:
        return await store.clinics.revoke(token) or await store.clinics.revoke_listed(token)

    if not with_store(settings, work):
        return fail("no live link with that token: see `skinbot clinic list`")
    print("link revoked: it binds no new patient (patients already bound stay bound)")
    return 0
