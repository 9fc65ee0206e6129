"""One send budget per process for everything the bot says: Telegram's numbers, kept a little below.

About 30 messages a second for the whole bot and one a second per chat for bulk messages (Telegram's limits for
notifications). Answers to a woman who is talking to the bot (`live`) go first: they are never held back by the
budget, but each takes its share of it, so a broadcast gets only what the answers leave. A step's two or three
answers in a row are what Telegram allows in a private chat. A "retry later" from the platform pauses everyone,
answers included, for as long as it asks.
"""

from __future__ import annotations

import asyncio
import time


class Pacer:
    """Hands out send times: `rate` a second overall, `per_chat` seconds apart within one chat for bulk."""

    def __init__(self, rate: float = 29.0, per_chat: float = 1.1) -> None:
        self.interval = 1.0 / rate
        self.per_chat = per_chat
        self.next_at = 0.0
        self.paused_until = 0.0
        self.chat_next: dict[str, float] = {}

    async def wait(self, chat: str, live: bool = False) -> None:
        if live:
            await self._answer(chat)
            return
        while True:
            now = time.monotonic()
            at = max(now, self.next_at, self.paused_until, self.chat_next.get(chat, 0.0))
            if at > now:
                await asyncio.sleep(at - now)
                continue  # a pause or an answer may have come in while sleeping
            self._take(chat, now)
            return

    async def _answer(self, chat: str) -> None:
        """An answer waits only for a 429 pause. It takes its slot all the same, so bulk messages yield: while
        women are chatting, a broadcast gets what their answers leave of the budget (and waits at most a second
        once they stop, however busy it was)."""
        while (delay := self.paused_until - time.monotonic()) > 0:  # noqa: ASYNC110 - a deadline, not an event
            await asyncio.sleep(delay)
        now = time.monotonic()
        self.next_at = min(max(self.next_at, now) + self.interval, now + 1.0)
        self.chat_next[chat] = now + self.per_chat

    def _take(self, chat: str, now: float) -> None:
        self.next_at = now + self.interval
        self.chat_next[chat] = now + self.per_chat
        if len(self.chat_next) > 10_000:
            self.chat_next = {c: t for c, t in self.chat_next.items() if t > now}

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)
