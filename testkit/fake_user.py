"""A Telegram user of the fake Bot API: sends messages, photos, documents and button presses."""

from __future__ import annotations

import itertools
import time
from typing import Any, Protocol

from testkit.sent_messages import SentMessage, as_message


class ChatServer(Protocol):
    """What a user needs of the fake Bot API (`testkit.fake_bot_api.FakeBotApi`)."""

    groups: dict[int, str]

    def add_file(self, data: bytes, suffix: str = "jpg", declare_size: bool = True) -> tuple[str, str]: ...

    async def push_update(self, payload: dict[str, Any]) -> int: ...

    def chat(self, chat_id: int) -> list[SentMessage]: ...


class FakeUser:
    """A Telegram user talking to the bot in a private chat."""

    def __init__(self, api: ChatServer, user_id: int, language_code: str | None, first_name: str) -> None:
        self.api, self.id = api, user_id
        self.profile: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            self.profile["language_code"] = language_code
        self._ids = itertools.count(1)

    def _message(self, **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": self.id, "type": "private", "first_name": self.profile["first_name"]},
            "from": self.profile,
            **content,
        }

    async def send(self, text: str) -> int:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self.api.push_update({"message": self._message(**content)})

    async def send_album(self, photos: list[bytes], width: int = 800, height: int = 600) -> list[int]:
        """Several photos sent at once: Telegram delivers each as its own update, with one media_group_id."""
        group = f"album{next(self._ids)}"
        return [await self.send_photo(data, width, height, media_group_id=group) for data in photos]

    async def send_photo(
        self,
        data: bytes,
        width: int = 800,
        height: int = 600,
        declare_size: bool = True,
        media_group_id: str | None = None,
    ) -> int:
        """`declare_size=False`: neither the message nor getFile says how big the file is."""
        file_id, _ = self.api.add_file(data, "jpg", declare_size=declare_size)
        size = {"file_id": file_id, "file_unique_id": file_id, "width": width, "height": height}
        if declare_size:
            size["file_size"] = len(data)
        grouped = {"media_group_id": media_group_id} if media_group_id else {}
        return await self.api.push_update({"message": self._message(photo=[size], **grouped)})

    async def send_document(
        self,
        data: bytes,
        file_name: str,
        mime_type: str,
        size: int | None = None,
        declare_size: bool = True,
        media_group_id: str | None = None,
    ) -> int:
        """`size` overrides the declared size; `declare_size=False` leaves it out of the message and of
        getFile's answer, as the Bot API may. `media_group_id` makes it one item of an album."""
        file_id, _ = self.api.add_file(data, file_name.rsplit(".", 1)[-1], declare_size=declare_size)
        document: dict[str, Any] = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": file_name,
            "mime_type": mime_type,
        }
        if declare_size:
            document["file_size"] = len(data) if size is None else size
        grouped = {"media_group_id": media_group_id} if media_group_id else {}
        return await self.api.push_update({"message": self._message(document=document, **grouped)})

    async def send_sticker(self) -> int:
        sticker = {
            "file_id": "stk",
            "file_unique_id": "stk",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return await self.api.push_update({"message": self._message(sticker=sticker)})

    async def send_location(self) -> int:
        return await self.api.push_update(
            {"message": self._message(location={"latitude": 1.0, "longitude": 2.0})}
        )

    async def press(self, message: SentMessage, callback_data: str, chat_id: int | None = None) -> int:
        query = {
            "id": f"q{next(self._ids)}",
            "from": self.profile,
            "chat_instance": "ci",
            "data": callback_data,
            "message": as_message(message),
        }
        return await self.api.push_update({"callback_query": query})

    def inbox(self) -> list[SentMessage]:
        return self.api.chat(self.id)

    async def say_in(self, chat_id: int, text: str, reply_to: SentMessage | None = None) -> int:
        """A message in a group (or another chat), optionally replying to one of the bot's messages."""
        chat = {"id": chat_id, "type": "supergroup", "title": self.api.groups.get(chat_id, "group")}
        if chat_id > 0:
            chat = {"id": chat_id, "type": "private", "first_name": self.profile["first_name"]}
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self.profile,
            "text": text,
        }
        if reply_to is not None:
            message["reply_to_message"] = as_message(reply_to)
        return await self.api.push_update({"message": message})
