"""The settings only the Telegram adapter reads, as the composition root hands them down
(`skinbot.configs`). What a case is (the referral threshold, photo limits, retention, the emergency number)
is `casework.config.CaseConfig`'s, which the adapter reads from `services.case_config`."""

from __future__ import annotations

from dataclasses import dataclass

from casework.secret import Secret


@dataclass(frozen=True)
class BotConfig:
    telegram_bot_token: Secret
    telegram_api_url: str  # python-telegram-bot's base_url
    telegram_file_url: str  # its base_file_url
    telegram_local_mode: bool  # a local Bot API server started with --local
    edit_interval_s: float  # between updates of one streaming message
    stream_mode: str  # "auto", "draft" or "edit"
    daily_cases: int  # cases one user may confirm per day
    # Where reports are written when that is another machine (an engine URL), for the privacy note; "" when
    # the report model runs in this process.
    report_engine_url: str
    http_header_timeout_s: float  # the webhook server's time for a request's headers
    http_body_timeout_s: float  # and then for its body
    # Questions a patient may ask about one finished case ("Ask about this report"); 0 turns it off.
    qa_per_case: int = 5
