"""`skinbot check`: every thing the bot needs, each reported as ok or missing with how to fix it."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from conversations.domain import Clinic
from conversations.store import Store, StoreError
from skinbot.settings import Settings, SettingsError


@dataclass(frozen=True)
class Item:
    name: str
    ok: bool
    detail: str
    required: bool = True
    warning: bool = False  # not ok, works anyway, but a setting should change


def check_settings(environ: dict[str, str] | None = None) -> tuple[Item, Settings | None]:
    try:
        settings = Settings.from_env(environ)
    except SettingsError as exc:
        return Item("settings", False, str(exc)), None
    return Item("settings", True, "all settings valid"), settings


def check_database(settings: Settings) -> Item:
    async def probe() -> int:
        store = await Store.open(settings.db_path)
        try:
            return await store.schema_version()
        finally:
            await store.close()

    try:
        version = asyncio.run(probe())
    except StoreError as exc:
        return Item("database", False, f"{exc}. Fix the file or point SKINBOT_DATA_DIR elsewhere")
    if not os.access(settings.data_dir, os.W_OK):
        return Item("database", False, f"{settings.data_dir} is not writable")
    return Item("database", True, f"{settings.db_path} (schema v{version})")


def check_classifier(settings: Settings) -> Item:
    path = settings.classifier
    if path.is_file() and path.suffix.lower() == ".pt":
        from inference.safe_checkpoint import CheckpointRefused, check_checkpoint

        try:
            check_checkpoint(path)  # reads what the pickle names without running it
        except CheckpointRefused as exc:
            return Item(
                "classifier",
                False,
                f"{exc}. Put a checkpoint you trained there (`skinbot train`), or its ONNX export",
            )
    if path.is_file():
        return Item("classifier", True, str(path))
    return Item(
        "classifier",
        False,
        f"{path} not found: train one with `skinbot train --data DIR` or copy a trained file there "
        "(see weights/README.md)",
    )


def skin_question_part(settings: Settings) -> str:
    from skinbot.inference_setup import skin_question

    question = skin_question(settings)
    if question is None:
        return "skin question off (SKINBOT_SKIN_QUESTION_MIN_YES=0)"
    return f"skin question: the report model's P(yes) ≥ {question.min_yes:.2f}"


def check_scores(settings: Settings) -> Item:
    """The classifier's sidecar: calibration, the skin gate's score threshold, and the recommended referral
    threshold that SKINBOT_CARCINOMA_REFERRAL should not exceed."""
    from inference.sidecar import SidecarError, load_sidecar, sidecar_path

    path = sidecar_path(settings.classifier)
    try:
        sidecar = load_sidecar(settings.classifier)
    except SidecarError as exc:
        return Item("scores", False, f"{exc}. Run `skinbot evaluate --calibrate` to write a new one")
    if sidecar is None:
        return Item(
            "scores",
            False,
            f"no {path}: scores are uncalibrated and the skin gate has no classifier score (colour and "
            f"{skin_question_part(settings)}); write it with `skinbot evaluate --calibrate`",
            required=False,
        )
    parts = [f"temperature {sidecar.temperature:.2f}"]
    parts.append(f"skin-gate score ≥ {sidecar.ood.threshold:.2f}" if sidecar.ood else "no skin-gate score")
    parts.append(skin_question_part(settings))
    if sidecar.skin_tones is not None:
        parts.append("evaluated on skin tones: " + (", ".join(sidecar.skin_tones.judged) or "none"))
    referral = sidecar.referral
    if referral is None:
        parts.append("no recommended referral threshold (run `skinbot evaluate`)")
        return Item("scores", True, "; ".join(parts), required=False)
    if settings.carcinoma_referral > referral.recommended_threshold:
        return Item(
            "scores",
            False,
            f"SKINBOT_CARCINOMA_REFERRAL {settings.carcinoma_referral:.2f} is above the recommended "
            f"{referral.recommended_threshold:.2f} (the best specificity at "
            f"≥ {100 * referral.min_sensitivity:.0f}% carcinoma sensitivity on "
            f"{referral.evaluated_on or 'the test split'}): lower it to refer more carcinomas",
            required=False,
            warning=True,
        )
    recommended = referral.recommended_threshold
    parts.append(f"referral {settings.carcinoma_referral:.2f} ≤ recommended {recommended:.2f}")
    return Item("scores", True, "; ".join(parts), required=False)


def check_llm(settings: Settings) -> Item:
    if settings.llm_is_url:
        from inference.engine_writer import probe

        ok, detail = probe(settings.llm, settings.llm_model, settings.llm_api_key.get() or None)
        return Item("language model", ok, detail)
    if settings.llm_is_gguf_file:
        return check_llama(settings)
    path = Path(settings.llm)
    if (path / "config.json").is_file():
        return Item("language model", True, str(path))
    return Item(
        "language model",
        False,
        f"{path} has no config.json: get MedGemma with `skinbot weights fetch` (see weights/README.md)",
    )


def check_llama(settings: Settings) -> Item:
    """A .gguf in SKINBOT_LLM: the file, its projector and llama-cpp-python must all be there."""
    from inference.llama_writer import check_llama_files, find_projector

    model = Path(settings.llm)
    mmproj = settings.llm_mmproj or find_projector(model)
    try:
        check_llama_files(model, mmproj)
    except (FileNotFoundError, RuntimeError) as exc:
        return Item("language model", False, str(exc))
    return Item(
        "language model", True, f"{model} with {mmproj}, through llama.cpp ({llama_threads(settings)})"
    )


def llama_threads(settings: Settings) -> str:
    threads = settings.llm_threads or os.cpu_count() or 1
    return f"{threads} CPU thread{'s' if threads != 1 else ''}"


def check_engine_link(settings: Settings) -> Item | None:
    """How reports reach an engine: encrypted, on this machine, or (allowed) in clear text; None for none."""
    if not settings.llm_is_url:
        return None
    host = settings.llm_cleartext_host
    if host is None:
        how = "https" if settings.llm.startswith("https://") else "http on this machine"
        return Item("engine link", True, how, required=False)
    return Item(
        "engine link",
        False,
        f"plain http to {host}: photos, histories and the API key travel unencrypted "
        "(SKINBOT_LLM_ALLOW_HTTP=1); prefer https://",
        required=False,
        warning=True,
    )


def check_fonts() -> Item:
    """Cheap: finds the font packages and looks for the cached instances; it never builds them (the bot
    does that in the background at its first start)."""
    from casework.pdf.fonts import describe_fonts

    statuses = describe_fonts()
    missing = [f"{s.label}: {s.detail}" for s in statuses if not s.ok]
    if missing:
        return Item("fonts", False, "; ".join(missing) + ". Reinstall with `pip install -e .`")
    labels = " and ".join(s.label for s in statuses)
    if all(s.cached for s in statuses):
        return Item("fonts", True, f"{labels}, ready")
    return Item("fonts", True, f"{labels} found; prepared once in the background at the first start (~30 s)")


def check_gpu(settings: Settings) -> Item:
    try:
        import torch
    except ImportError:
        return Item("gpu", False, "torch is not installed: run `pip install -e .`")
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        return Item("gpu", True, f"{props.name}, {props.total_memory / 2**30:.0f} GiB", required=False)
    needed = settings.device.startswith("cuda")
    if needed:
        hint = "SKINBOT_DEVICE asks for CUDA"
    elif settings.llm_is_url:
        hint = "the classifier runs on the CPU; reports come from the engine"
    elif settings.llm_is_gguf_file:
        hint = (
            f"reports run through llama.cpp on the CPU ({llama_threads(settings)}); measured on 2 cores "
            "with Q4_K_M: first words after about 85 s, a 500-token report in about 2.5 min, 4 GiB of "
            "memory (docs/benchmarks.md)"
        )
    else:
        hint = (
            "reports run through transformers on the CPU, slowly (measured on 2 cores: a 500-token report "
            "in about 9 min in fp32, 14 in bf16, 23 GiB of memory); MedGemma as GGUF through llama.cpp takes "
            "about 2.5 min (README, 'Run it on an ordinary computer'; docs/benchmarks.md)"
        )
    return Item("gpu", False, f"no CUDA device: {hint}", required=needed)


async def stored_clinics(settings: Settings) -> list[Clinic]:
    """The clinic list as the bot will use it: the store's, with SKINBOT_REVIEW_CHAT_ID seeded into it."""
    store = await Store.open(settings.db_path)
    try:
        await store.clinics.seed((c.chat_id, c.name, c.language) for c in settings.review_chats)
        return await store.clinics.all()
    finally:
        await store.close()


async def check_clinics(settings: Settings, clinics: list[Clinic]) -> list[Item]:
    """The bot must be a member of every clinic chat: getChat answers only for chats it is in."""
    from telegram import Bot
    from telegram.error import TelegramError

    items = []
    bot = Bot(settings.telegram_bot_token.get(), base_url=settings.telegram_api_url)
    async with bot:
        for clinic in clinics:
            try:
                chat = await bot.get_chat(clinic.chat_id)
            except TelegramError as exc:
                fix = f"getChat({clinic.chat_id}) failed: {exc}. Add the bot to that chat"
                items.append(Item(f"clinic {clinic.name}", False, fix))
                continue
            items.append(Item(f"clinic {clinic.name}", True, f"{chat.type} {chat.title or chat.id}"))
    return items


def check_clinic_access(settings: Settings, clinics: list[Clinic]) -> Item | None:
    """With SKINBOT_CLINIC_ACCESS=linked, a clinic that is not open takes only the patients who came
    through its link; when none is open, a patient who came without a link can forward to no clinic at
    all, which after an upgrade nobody chose."""
    if not clinics or settings.clinic_access != "linked" or any(c.open for c in clinics):
        return None
    return Item(
        "clinic access",
        False,
        f"none of the {len(clinics)} clinic(s) is open: patients who came without a clinic link cannot "
        "forward a case. `skinbot clinic open NAME` for a clinic that takes anyone, or "
        "SKINBOT_CLINIC_ACCESS=all",
        required=False,
        warning=True,
    )


def run_checks(environ: dict[str, str] | None = None) -> list[Item]:
    first, settings = check_settings(environ)
    if settings is None:
        return [first]
    checks: list[Callable[[], Item | None]] = [
        lambda: check_database(settings),
        lambda: check_classifier(settings),
        lambda: check_llm(settings),
        lambda: check_engine_link(settings),
        lambda: check_scores(settings),
        check_fonts,
        lambda: check_gpu(settings),
    ]
    items = [first, *(item for check in checks if (item := check()) is not None)]
    try:
        clinics = asyncio.run(stored_clinics(settings))
    except StoreError:
        clinics = []  # the database item above says why
    if (access := check_clinic_access(settings, clinics)) is not None:
        items.append(access)
    if clinics:
        try:
            items += asyncio.run(check_clinics(settings, clinics))
        except Exception as exc:
            items.append(Item("clinics", False, f"cannot reach the Bot API: {type(exc).__name__}"))
    return items


def _status(item: Item) -> str:
    if item.ok:
        return "ok"
    if item.required:
        return "MISSING"
    return "warning" if item.warning else "missing"


def report(items: list[Item]) -> tuple[str, int]:
    lines = []
    for item in items:
        status = _status(item)
        lines.append(f"{status:8} {item.name:15} {item.detail}")
    failed = any(not i.ok and i.required for i in items)
    return "\n".join(lines), 1 if failed else 0
