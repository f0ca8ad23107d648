"""Settings, read once at start-up from the environment (and an optional .env file) and passed down.

Only the composition root reads them: each package below it is given typed values of its own
(`skinbot.configs`), and nothing else in the code base reads os.environ for configuration.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from casework.secret import Secret
from conversations.domain import Language


@dataclass(frozen=True)
class Clinic:
    """A Telegram chat of doctors that reviews cases, as SKINBOT_REVIEW_CHAT_ID names it: seeded into the
    store's clinic list at every start."""

    chat_id: int
    name: str
    language: str = "en"


def _clinics(value: str) -> tuple[Clinic, ...]:
    """`-1001234:Hanoi Skin Clinic:vi, -1005678:Seoul Derm:ko`; name and language are optional."""
    clinics = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        chat, _, rest = item.partition(":")
        name, _, language = rest.partition(":")
        if not chat.strip().lstrip("-").isdigit():
            raise ValueError(f"{chat!r} is not a numeric chat id")
        language = language.strip().lower() or "en"
        if Language.of(language) is None:
            raise ValueError(f"clinic language must be ko, en or vi, not {language!r}")
        clinics.append(Clinic(int(chat), name.strip() or f"Clinic {len(clinics) + 1}", language))
    if len({c.chat_id for c in clinics}) != len(clinics):
        raise ValueError("the same chat id is listed twice")
    return tuple(clinics)


class SettingsError(Exception):
    """One clear line that names the setting."""


def _loopback(host: str) -> bool:
    """localhost, 127.0.0.0/8 and ::1 (also written as ::ffff:127.x.y.z): never leaves this machine."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def _str(value: str) -> str:
    return value.strip()


def _emergency_number(value: str) -> str:
    value = value.strip()
    if not (value.isascii() and value.isdigit() and 2 <= len(value) <= 6):
        raise ValueError("must be the local emergency number, 2 to 6 digits, e.g. 119")
    return value


def _url(value: str) -> str:
    value = value.strip()
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value


def _base_url(value: str) -> str:
    return _url(value).rstrip("/")


def _int_range(lo: int, hi: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        number = int(value.strip())
        if not lo <= number <= hi:
            raise ValueError(f"must be between {lo} and {hi}")
        return number

    return parse


def _float_range(lo: float, hi: float) -> Callable[[str], float]:
    def parse(value: str) -> float:
        number = float(value.strip())
        if not lo <= number <= hi:
            raise ValueError(f"must be between {lo} and {hi}")
        return number

    return parse


def _choice(*options: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        value = value.strip().lower()
        if value not in options:
            raise ValueError(f"must be one of {', '.join(options)}")
        return value

    return parse


def _device(value: str) -> str:
    value = value.strip().lower()
    if value in ("auto", "cpu", "cuda") or (value.startswith("cuda:") and value[5:].isdigit()):
        return value
    raise ValueError("must be auto, cpu, cuda or cuda:N")


def _token(value: str) -> Secret:
    value = value.strip()
    # BotFather tokens look like 123456:ABC-DEF...; checking the shape catches a pasted URL or quote early.
    bot_id, _, rest = value.partition(":")
    if not bot_id.isdigit() or len(rest) < 10:
        raise ValueError("does not look like a BotFather token (digits:letters)")
    return Secret(value)


def _fernet_key(value: str) -> Secret:
    import base64
    import binascii

    value = value.strip()
    try:
        raw = base64.urlsafe_b64decode(value.encode())
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ValueError("must be a Fernet key (32 url-safe base64 bytes): see README, 'Encryption at rest'")
    return Secret(value)


def _secret(value: str) -> Secret:
    return Secret(value.strip())


def _webhook_url(value: str) -> str:
    from urllib.parse import urlsplit

    value = value.strip()
    parts = urlsplit(value)
    # Telegram delivers updates only to HTTPS; the path is where the bot listens behind the proxy.
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError("must be an https:// URL (Telegram delivers webhooks over HTTPS only)")
    if parts.query or parts.fragment:
        raise ValueError("must not have a query string or fragment")
    return value


def _webhook_secret(value: str) -> Secret:
    import re

    value = value.strip()
    # Telegram's own rule for secret_token (1-256 of A-Z a-z 0-9 _ -), with a floor against guessing.
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", value):
        raise ValueError("must be 16 to 256 characters of A-Z, a-z, 0-9, _ and - (e.g. openssl rand -hex 32)")
    return Secret(value)


def _host(value: str) -> str:
    value = value.strip()
    if not value or any(c.isspace() for c in value) or "/" in value:
        raise ValueError("must be an IP address or host name, e.g. 127.0.0.1")
    return value


def _proxies(value: str) -> tuple[str, ...]:
    """Addresses or networks, comma-separated, or `none`. No `*`: a wildcard would let any client name
    its own address in X-Forwarded-For."""
    import ipaddress

    if value.strip().lower() == "none":
        return ()
    listed = tuple(item.strip() for item in value.split(",") if item.strip())
    for item in listed:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(
                f"{item!r} is not an IP address or network, e.g. 10.0.0.2 or 10.0.0.0/24"
            ) from None
    return listed


def _bool(value: str) -> bool:
    value = value.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false")


def _level(value: str) -> str:
    value = value.strip().upper()
    if value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
    return value


_SECRET_PARSERS = (_token, _fernet_key, _secret, _webhook_secret)


def _env(name: str, parse: Callable[[str], Any] = _str, default: Any = None, required: bool = False) -> Any:
    return field(default=default, metadata={"env": name, "parse": parse, "required": required})


@dataclass(frozen=True)
class Settings:
    telegram_bot_token: Secret = _env("TELEGRAM_BOT_TOKEN", _token, required=True)
    telegram_api_url: str = _env("TELEGRAM_API_URL", _url, "https://api.telegram.org/bot")
    telegram_file_url: str = _env("TELEGRAM_FILE_URL", _url, "https://api.telegram.org/file/bot")
    telegram_local_mode: bool = _env("TELEGRAM_LOCAL_MODE", _bool, False)
    data_dir: Path = _env("SKINBOT_DATA_DIR", Path, Path("var"))
    data_key: Secret = _env("SKINBOT_DATA_KEY", _fernet_key, Secret(""))
    classifier: Path = _env("SKINBOT_CLASSIFIER", Path, Path("weights/skin-cls.pt"))
    llm: str = _env("SKINBOT_LLM", _str, "weights/medgemma-4b-it")
    llm_model: str = _env("SKINBOT_LLM_MODEL", _str, "google/medgemma-4b-it")
    llm_api_key: Secret = _env("SKINBOT_LLM_API_KEY", _secret, Secret(""))
    llm_concurrency: int = _env("SKINBOT_LLM_CONCURRENCY", _int_range(1, 256), 8)
    # Plain http:// to an engine on another machine carries photos, histories and the key in clear text.
    llm_allow_http: bool = _env("SKINBOT_LLM_ALLOW_HTTP", _bool, False)
    # SKINBOT_LLM naming a .gguf file runs it through llama.cpp: its projector (else mmproj*.gguf beside
    # it) and the CPU threads it may use (unset: every core).
    llm_mmproj: Path | None = _env("SKINBOT_LLM_MMPROJ", Path, None)
    llm_threads: int | None = _env("SKINBOT_LLM_THREADS", _int_range(1, 1024), None)
    device: str = _env("SKINBOT_DEVICE", _device, "auto")
    quantize: str = _env("SKINBOT_QUANTIZE", _choice("none", "4bit"), "none")
    log_level: str = _env("SKINBOT_LOG_LEVEL", _level, "INFO")
    # Report generation and the worker queue.
    max_new_tokens: int = _env("SKINBOT_MAX_NEW_TOKENS", _int_range(16, 4096), 700)
    batch: int = _env("SKINBOT_BATCH", _int_range(1, 64), 4)
    job_timeout_s: float = _env("SKINBOT_JOB_TIMEOUT", _float_range(5, 3600), 600.0)
    # Classifier and quality gate.
    uncertain_below: float = _env("SKINBOT_UNCERTAIN_BELOW", _float_range(0, 1), 0.5)
    carcinoma_referral: float = _env("SKINBOT_CARCINOMA_REFERRAL", _float_range(0, 1), 0.30)
    # The report model's P(yes) to "is this skin?" below which a photo is turned back; 0 turns it off.
    skin_question_min_yes: float = _env("SKINBOT_SKIN_QUESTION_MIN_YES", _float_range(0, 1), 0.25)
    min_side: int = _env("SKINBOT_MIN_SIDE", _int_range(32, 4096), 224)
    dark_below: float = _env("SKINBOT_DARK_BELOW", _float_range(0, 255), 40.0)
    bright_above: float = _env("SKINBOT_BRIGHT_ABOVE", _float_range(0, 255), 225.0)
    blur_below: float = _env("SKINBOT_BLUR_BELOW", _float_range(0, 100000), 25.0)
    flat_below: float = _env("SKINBOT_FLAT_BELOW", _float_range(0, 255), 6.0)
    # Chat behaviour.
    edit_interval_s: float = _env("SKINBOT_EDIT_INTERVAL", _float_range(0.05, 60), 1.0)
    stream_mode: str = _env("SKINBOT_STREAM", _choice("auto", "draft", "edit"), "auto")
    retention_days: int = _env("SKINBOT_RETENTION_DAYS", _int_range(1, 3650), 30)
    daily_cases: int = _env("SKINBOT_DAILY_CASES", _int_range(1, 10000), 20)
    qa_per_case: int = _env("SKINBOT_QA_PER_CASE", _int_range(0, 100), 5)
    max_download_mb: int = _env("SKINBOT_MAX_DOWNLOAD_MB", _int_range(1, 2000), 20)
    pdf_workers: int = _env("SKINBOT_PDF_WORKERS", _int_range(0, 8), 0)
    # Named in the disclaimer and the PDF in every language; unset, they name none (a language is no country).
    emergency_number: str = _env("SKINBOT_EMERGENCY_NUMBER", _emergency_number, "")
    # Doctors' review.
    review_chats: tuple[Clinic, ...] = _env("SKINBOT_REVIEW_CHAT_ID", _clinics, ())
    review_reflag_hours: float = _env("SKINBOT_REVIEW_REFLAG_HOURS", _float_range(0.01, 24 * 30), 24.0)
    # Which clinics a patient may send to: "linked", the one whose link they came through, else those marked
    # open (`skinbot clinic open`); "all", any clinic (as before clinics could be opened or closed).
    clinic_access: str = _env("SKINBOT_CLINIC_ACCESS", _choice("linked", "all"), "linked")
    # The web API and review desk (`skinbot web`, or `skinbot run` when the port is set or with --web).
    web_port: int | None = _env("SKINBOT_WEB_PORT", _int_range(0, 65535), None)
    web_host: str = _env("SKINBOT_WEB_HOST", _str, "127.0.0.1")
    web_url: str = _env("SKINBOT_WEB_URL", _base_url, "")
    api_rate_per_minute: int = _env("SKINBOT_API_RATE", _int_range(1, 100000), 30)
    web_session_hours: float = _env("SKINBOT_WEB_SESSION_HOURS", _float_range(0.1, 24 * 30), 12.0)
    # Who may name the client in X-Forwarded-For (the reverse proxy); the per-address limits rely on it.
    web_trusted_proxies: tuple[str, ...] = _env("SKINBOT_WEB_TRUSTED_PROXIES", _proxies, ("127.0.0.1", "::1"))
    web_docs: bool = _env("SKINBOT_WEB_DOCS", _bool, True)  # the API reference at /docs and /openapi.json
    login_link_hours: float = _env("SKINBOT_LOGIN_LINK_HOURS", _float_range(0.1, 24 * 30), 24.0)
    # Connection limits of the web port: file handles are finite, and a flood must not take the bot's own.
    web_max_connections: int = _env("SKINBOT_WEB_MAX_CONNECTIONS", _int_range(1, 100000), 256)
    web_max_concurrency: int = _env("SKINBOT_WEB_MAX_CONCURRENCY", _int_range(1, 100000), 128)
    # Every port that takes requests from outside (web and webhook): a request's headers, then its body,
    # must arrive within these, or the connection is closed.
    http_header_timeout_s: float = _env("SKINBOT_HTTP_HEADER_TIMEOUT", _float_range(0.1, 300), 10.0)
    http_body_timeout_s: float = _env("SKINBOT_HTTP_BODY_TIMEOUT", _float_range(0.1, 3600), 60.0)
    # Production: webhook instead of long polling; the health and metrics endpoint (port 0: off).
    webhook_url: str = _env("TELEGRAM_WEBHOOK_URL", _webhook_url, "")
    webhook_secret: Secret = _env("TELEGRAM_WEBHOOK_SECRET", _webhook_secret, Secret(""))
    webhook_listen: str = _env("SKINBOT_WEBHOOK_LISTEN", _host, "127.0.0.1")
    webhook_port: int = _env("SKINBOT_WEBHOOK_PORT", _int_range(1, 65535), 8443)
    health_port: int = _env("SKINBOT_HEALTH_PORT", _int_range(0, 65535), 0)
    health_listen: str = _env("SKINBOT_HEALTH_LISTEN", _host, "127.0.0.1")
    health_max_lag_s: float = _env("SKINBOT_HEALTH_MAX_LAG", _float_range(0.2, 600), 10.0)

    def clinic(self, chat_id: int) -> Clinic | None:
        return next((c for c in self.review_chats if c.chat_id == chat_id), None)

    DEFAULT_WEB_PORT = 8080

    def public_url(self, port: int | None = None) -> str:
        """Where staff and API clients reach the web side: SKINBOT_WEB_URL, or the host and port it
        listens on. Login links and PDF links are built on it."""
        if self.web_url:
            return self.web_url
        host = "127.0.0.1" if self.web_host in ("0.0.0.0", "::", "") else self.web_host
        return f"http://{host}:{port if port is not None else self.web_port or self.DEFAULT_WEB_PORT}"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "skinbot.sqlite3"

    @property
    def llm_is_url(self) -> bool:
        return self.llm.startswith(("http://", "https://"))

    @property
    def llm_is_gguf_file(self) -> bool:
        """SKINBOT_LLM names a .gguf file: the llama.cpp writer (a folder keeps the transformers path)."""
        return not self.llm_is_url and self.llm.lower().endswith(".gguf") and not Path(self.llm).is_dir()

    @property
    def llm_cleartext_host(self) -> str | None:
        """The host an `http://` engine URL sends reports to unencrypted, when it is not this machine."""
        if not self.llm.startswith("http://"):
            return None
        try:
            host = urlsplit(self.llm).hostname or ""
        except ValueError:  # an unbalanced [ipv6 literal: certainly not known to be this machine
            host = ""
        return None if _loopback(host) else host or "?"

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        env_file: Path | None = Path(".env"),
        telegram: bool = True,
    ) -> Settings:
        """Environment variables win over the .env file. Raises SettingsError naming the first bad setting.

        `telegram=False` is for commands that never talk to Telegram (diagnose, bench): no token needed.
        """
        values: dict[str, str] = {}
        if env_file is not None and env_file.is_file():
            from dotenv import dotenv_values

            values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        values.update(os.environ if environ is None else environ)

        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            name = f.metadata["env"]
            raw = values.get(name)
            if raw is None or raw.strip() == "":
                if name == "TELEGRAM_BOT_TOKEN" and not telegram:
                    kwargs[f.name] = Secret("")
                    continue
                if f.metadata["required"]:
                    raise SettingsError(f"{name} is not set: see README.md, section 'Settings'")
                continue
            try:
                kwargs[f.name] = f.metadata["parse"](raw)
            except ValueError as exc:
                shown = "(hidden)" if f.metadata["parse"] in _SECRET_PARSERS else repr(raw)
                raise SettingsError(f"{name}={shown} is invalid: {exc}") from None
        settings = cls(**kwargs)
        host = settings.llm_cleartext_host
        if host is not None and not settings.llm_allow_http:
            # Only the host is named: the URL may carry credentials.
            raise SettingsError(
                f"SKINBOT_LLM is plain http:// to {host}, so photos, histories and the API key would cross "
                "the network unencrypted: use https://, or set SKINBOT_LLM_ALLOW_HTTP=1 if that network is "
                "trusted"
            )
        return settings

    @classmethod
    def table(cls) -> list[tuple[str, str]]:
        """(environment name, default) for every setting, for docs and `skinbot check`."""
        return [
            (f.metadata["env"], "required" if f.metadata["required"] else str(f.default)) for f in fields(cls)
        ]
