"""One send budget per process for everything the bot says: Telegram's numbers, kept a little below.

About 30 messages a second for the whole bot and one a second per chat for bulk messages. Answers to a woman who
is talking to the bot (`live`) go first: a broadcast waits while any answer waits, and an answer is never held
back by the per-chat pace of bulk messages (a step's two or three answers in a row are what Telegram allows in a
private chat). A "retry later" from the platform pauses everyone for as long as it asks.
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
        self.live_waiting = 0

    async def wait(self, chat: str, live: bool = False) -> None:
        if live:
            self.live_waiting += 1
        try:
            while True:
                now = time.monotonic()
                at = max(now, self.next_at, self.paused_until)
                if not live:
                    at = max(at, self.chat_next.get(chat, 0.0))
                    if self.live_waiting:
                        at = max(at, now + self.interval)  # yield this slot to an answer, and look again
                if at > now:
                    await asyncio.sleep(at - now)
                    continue  # a pause or an answer may have come in while sleeping
                self.next_at = now + self.interval
                self.chat_next[chat] = now + self.per_chat
                if len(self.chat_next) > 10_000:
                    self.chat_next = {c: t for c, t in self.chat_next.items() if t > now}
                return
        finally:
            if live:
                self.live_waiting -= 1

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)
