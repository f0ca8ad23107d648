"""Which way a report streams into a chat: native drafts or paced edits (SKINBOT_STREAM).

- `auto` (the default): drafts; a chat where Telegram refuses them (a group, an older Bot API server) gets
  edits from then on, until the bot restarts.
- `draft`: drafts in every chat, asked anew for every report; a refused report still finishes by edits.
- `edit`: edits only, as before drafts existed.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardMarkup

from bot.draft_stream import REFRESH_S, DraftStream
from bot.streaming import ChatStream, MessagesListener, ReportStream, _nobody
from bot.telegram_calls import Pacer

log = logging.getLogger(__name__)

MODES = ("auto", "draft", "edit")


class StreamMode:
    def __init__(self, setting: str = "auto", draft_refresh_s: float = REFRESH_S) -> None:
        if setting not in MODES:
            raise ValueError(f"stream mode must be one of {MODES}")
        self.setting = setting
        self.draft_refresh_s = draft_refresh_s
        self._refused: set[int] = set()  # chats that refused drafts (auto), until restart

    def drafts_for(self, chat_id: int) -> bool:
        if self.setting == "edit":
            return False
        return self.setting == "draft" or chat_id not in self._refused

    def refused(self, chat_id: int) -> None:
        if self.setting == "auto" and chat_id not in self._refused:
            self._refused.add(chat_id)
            log.info("drafts refused in a chat; it gets edits until restart")

    def open(
        self,
        bot: Any,
        chat_id: int,
        pacer: Pacer,
        *,
        stop_markup: InlineKeyboardMarkup | None = None,
        on_messages: MessagesListener = _nobody,
    ) -> ChatStream:
        """A stream for one report. `stop_markup` rides on the growing message of an edited stream; a
        draft cannot carry buttons, so the caller shows it elsewhere when `drafts_for` the chat."""
        if self.drafts_for(chat_id):
            return DraftStream(
                bot,
                chat_id,
                pacer,
                on_refused=lambda: self.refused(chat_id),
                on_messages=on_messages,
                refresh_s=self.draft_refresh_s,
            )
        return ReportStream(bot, chat_id, pacer, stop_markup=stop_markup, on_messages=on_messages)
