"""What both ways of streaming a report (drafts, edited messages) share: the pieces of text written so far,
and one task, `_run_pump`, that shows them whenever `kick` marks them changed, until `_stop_pump` asks it to
finish what is pending and end."""

from __future__ import annotations

import asyncio

from bot.stream_pieces import Pieces


class PumpedStream:
    pieces: Pieces
    pump_name = "stream"

    def _init_pump(self) -> None:
        self._dirty = asyncio.Event()
        self._closing = False
        self._pump: asyncio.Task[None] | None = None

    @property
    def text(self) -> str:
        return self.pieces.text

    async def _run_pump(self) -> None:
        raise NotImplementedError

    def kick(self) -> None:
        """Show what the pieces hold now (they may have grown behind this stream's back)."""
        self._dirty.set()
        if self._pump is None:
            self._pump = asyncio.create_task(self._run_pump(), name=self.pump_name)

    async def _stop_pump(self) -> None:
        self._closing = True
        self._dirty.set()
        if self._pump is not None:
            await self._pump

    def _reopen_pump(self) -> None:
        """After a restart: the next kick starts a new pump."""
        self._closing, self._pump = False, None

    def close(self) -> None:
        """The delivery is gone (a shutdown cut it off): no more calls from this stream."""
        if self._pump is not None:
            self._pump.cancel()
