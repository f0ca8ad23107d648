"""`skinbot web`, `skinbot api-key create|revoke|list` and
`skinbot clinic staff add|link|telegram|remove|list`.

The key and staff commands work on SKINBOT_DATA_DIR directly, also while the bot runs (SQLite takes
turns). A secret (an API key, a login link) is printed once and never stored: only its hash is kept.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta

from conversations.domain import Language
from skinbot.cli_failure import fail
from skinbot.cli_store import with_store
from skinbot.settings import Settings


def add_commands(sub: argparse._SubParsersAction, clinic: argparse._SubParsersAction) -> None:
    """`skinbot web` and `skinbot api-key`; `staff` goes under `clinic` (skinbot.clinic_cli's subcommands)."""
    web = sub.add_parser(
        "web",
        help="run the web API and the review desk on their own (no Telegram polling)",
        description="Serve /api/v1 and /desk on SKINBOT_WEB_HOST:SKINBOT_WEB_PORT (default 8080) with "
        "its own model worker. With clinics configured it needs TELEGRAM_BOT_TOKEN, to tell patients "
        "the verdicts given at the desk. Do not run it beside `skinbot run` on the same data: use "
        "`skinbot run --web` for both in one process, so the models keep one owner.",
    )
    web.set_defaults(func=_web)

    keys = sub.add_parser("api-key", help="API keys: create, revoke, list").add_subparsers(
        dest="api_key", required=True
    )
    create = keys.add_parser("create", help="make a key (printed once; only its hash is stored)")
    create.add_argument("name", help="who the key is for, e.g. a clinic's system")
    create.set_defaults(func=_key_create)
    revoke = keys.add_parser("revoke", help="revoke a key at once and delete its reports")
    revoke.add_argument("id", type=int, help="the key's number (skinbot api-key list)")
    revoke.set_defaults(func=_key_revoke)
    keys.add_parser("list", help="the keys, without their secrets").set_defaults(func=_key_list)

    staff = clinic.add_parser("staff", help="desk staff: add, link, telegram, remove, list").add_subparsers(
        dest="staff", required=True
    )
    add = staff.add_parser("add", help="add a staff member and print their one-time login link")
    add.add_argument("--clinic", required=True, type=int, help="the clinic's chat id (skinbot clinic list)")
    add.add_argument("--name", required=True, help="shown in the audit log and to the clinic chat")
    add.add_argument("--lang", type=Language, choices=list(Language), default=None, help="desk language")
    add.add_argument(
        "--telegram-id",
        type=int,
        default=None,
        help="their Telegram user id: their verdicts in the clinic's chat count (skinbot clinic verdicts)",
    )
    add.set_defaults(func=_staff_add)
    link = staff.add_parser("link", help="a new one-time login link for a staff member")
    link.add_argument("id", type=int)
    link.set_defaults(func=_staff_link)
    telegram = staff.add_parser("telegram", help="set (or with `none` clear) a staff member's Telegram id")
    telegram.add_argument("id", type=int)
    telegram.add_argument("telegram_id", metavar="TELEGRAM_ID", help="their Telegram user id, or none")
    telegram.set_defaults(func=_staff_telegram)
    remove = staff.add_parser("remove", help="end a staff member's access and sessions")
    remove.add_argument("id", type=int)
    remove.set_defaults(func=_staff_remove)
    staff.add_parser("list", help="the staff members").set_defaults(func=_staff_list)


def _web(args: argparse.Namespace) -> int:
    from skinbot.logging_setup import configure_logging
    from skinbot.web_run import serve_alone

    settings = Settings.from_env(telegram=False)
    configure_logging(settings.log_level, [settings.telegram_bot_token.get(), settings.llm_api_key.get()])
    return asyncio.run(serve_alone(settings))


def _key_create(args: argparse.Namespace) -> int:
    settings = Settings.from_env(telegram=False)
    name = " ".join(args.name.split())
    if not name:
        return fail("the key needs a name")

    async def work(store):  # type: ignore[no-untyped-def]
        return await store.api_keys.create(name[:100])

    key, secret = with_store(settings, work)
    print(f"API key {key.id} ({key.name}):")
    print(secret)
    print("Shown once: only its hash is stored. Send it in the X-API-Key header.")
    return 0


def _key_revoke(args: argparse.Namespace) -> int:
    from conversations.files import FileStore

    settings = Settings.from_env(telegram=False)
    files = FileStore(settings.data_dir, settings.data_key.get() or None)

    async def work(store):  # type: ignore[no-untyped-def]
        key = await store.api_keys.get(args.id)
        if key is None or key.revoked_at is not None:
            return None
        removed = await store.api_keys.revoke(args.id)
        for owner, case_id, image in removed:
            files.delete_case_files(owner, case_id, image)
        return key, len(removed)

    done = with_store(settings, work)
    if done is None:
        return fail(f"there is no live API key {args.id}")
    key, count = done
    print(f"API key {key.id} ({key.name}) revoked; {count} stored report(s) deleted")
    return 0


def _key_list(args: argparse.Namespace) -> int:
    settings = Settings.from_env(telegram=False)

    async def work(store):  # type: ignore[no-untyped-def]
        return await store.api_keys.all()

    for key in with_store(settings, work):
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "live"
        used = f"last used {key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never used"
        print(f"{key.id:>4}  {state:<18} {used:<28} {key.name}")
    return 0


def _show_login_link(settings: Settings, token: str, heading: str, advice: str = "") -> int:
    """Print a new one-time login link under `heading`, with how long it stays valid."""
    print(heading)
    print(f"{settings.public_url()}/desk/login/{token}")
    print(f"It works once, within {settings.login_link_hours:g} hours.{advice}")
    return 0


def _staff_add(args: argparse.Namespace) -> int:
    settings = Settings.from_env(telegram=False)
    name = " ".join(args.name.split())[:100]
    if not name:
        return fail("the staff member needs a name")
    valid = timedelta(hours=settings.login_link_hours)

    async def work(store):  # type: ignore[no-untyped-def]
        clinic = await store.clinics.by_chat(args.clinic)
        if clinic is None:
            return None, [c.chat_id for c in await store.clinics.all()]
        language = args.lang or Language(clinic.language)
        staff = await store.staff.add(clinic.chat_id, name, language, args.telegram_id)
        return (clinic, staff, await store.staff.new_link(staff.id, valid)), []

    done, known = with_store(settings, work)
    if done is None:
        listed = ", ".join(str(chat_id) for chat_id in known) or "none"
        return fail(f"{args.clinic} is not a clinic (skinbot clinic list; listed: {listed})")
    clinic, staff, token = done
    heading = f"staff member {staff.id} ({staff.name}) added to {clinic.name}. One-time login link:"
    return _show_login_link(settings, token, heading, f" Send it only to {staff.name}.")


def _staff_link(args: argparse.Namespace) -> int:
    settings = Settings.from_env(telegram=False)
    valid = timedelta(hours=settings.login_link_hours)

    async def work(store):  # type: ignore[no-untyped-def]
        staff = await store.staff.get(args.id)
        if staff is None or staff.removed_at is not None:
            return None
        return staff, await store.staff.new_link(staff.id, valid)

    done = with_store(settings, work)
    if done is None:
        return fail(f"there is no staff member {args.id}")
    staff, token = done
    return _show_login_link(settings, token, f"one-time login link for {staff.name}:")


def _staff_telegram(args: argparse.Namespace) -> int:
    settings = Settings.from_env(telegram=False)
    raw = args.telegram_id.strip().lower()
    if raw != "none" and not raw.isdigit():
        return fail(f"{args.telegram_id!r} is not a Telegram user id (digits) or none")
    telegram_id = None if raw == "none" else int(raw)

    async def work(store):  # type: ignore[no-untyped-def]
        return await store.staff.set_telegram_id(args.id, telegram_id)

    if not with_store(settings, work):
        return fail(f"there is no staff member {args.id}")
    if telegram_id is None:
        print(f"staff member {args.id} has no Telegram id now")
    else:
        print(f"staff member {args.id} is Telegram user {telegram_id} in their clinic's chat")
    return 0


def _staff_remove(args: argparse.Namespace) -> int:
    settings = Settings.from_env(telegram=False)

    async def work(store):  # type: ignore[no-untyped-def]
        return await store.staff.remove(args.id)

    if not with_store(settings, work):
        return fail(f"there is no staff member {args.id}")
    print(f"staff member {args.id} removed; their sessions and links no longer work")
    return 0


def _staff_list(args: argparse.Namespace) -> int:
    settings = Settings.from_env(telegram=False)

    async def work(store):  # type: ignore[no-untyped-def]
        return await store.staff.all(), {c.chat_id: c for c in await store.clinics.all()}

    members, clinics = with_store(settings, work)
    for staff in members:
        clinic = clinics.get(staff.clinic_chat_id)
        where = clinic.name if clinic else f"{staff.clinic_chat_id} (not configured)"
        state = f"removed {staff.removed_at:%Y-%m-%d}" if staff.removed_at else "active"
        telegram = f"telegram {staff.telegram_id}" if staff.telegram_id is not None else "no telegram id"
        print(f"{staff.id:>4}  {state:<18} {staff.language}  {where}: {staff.name} ({telegram})")
    return 0
