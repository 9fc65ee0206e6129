"""The one sender for everything that is not a direct answer: paced to the platform's bulk limits.

About 30 messages a second for the whole bot and one a second per chat (Telegram's numbers; we keep a little
below both, since requests do not arrive exactly as they leave). A "retry later"
from the platform pauses every worker for as long as it asks. A woman who blocked the bot is marked, and her
waiting messages are closed without sending. Direct answers never pass through here, so a long broadcast cannot
hold up someone who is chatting.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import Awaitable, Callable

from conversations.kernel.engine import Engine
from conversations.kernel.messages import Reply
from storage.sender_lock import SenderLock

log = logging.getLogger(__name__)


class RetryLater(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class Undeliverable(Exception):
    """She blocked the bot: nothing can reach her."""


SendOne = Callable[[Reply], Awaitable[None]]


class Pacer:
    """Hands out send times: `rate` a second overall, `per_chat` seconds apart within one chat."""

    def __init__(self, rate: float, per_chat: float) -> None:
        self.interval = 1.0 / rate
        self.per_chat = per_chat
        self.next_at = 0.0
        self.paused_until = 0.0
        self.chat_next: dict[str, float] = {}

    async def wait(self, chat: str) -> None:
        while True:
            now = time.monotonic()
            at = max(now, self.next_at, self.paused_until, self.chat_next.get(chat, 0.0))
            if at > now:
                await asyncio.sleep(at - now)
                continue  # a pause may have come in while sleeping
            self.next_at = now + self.interval
            self.chat_next[chat] = now + self.per_chat
            return

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)


async def drain_paced(engine: Engine, send_one: SendOne, pacer: Pacer, workers: int = 8, batch: int = 200) -> int:
    """Send one leased batch; returns how many rows it closed."""
    taken = collections.deque(await engine.lease_outbox(batch))
    closed = 0
    # One chat's messages go one after the other, in the order they were queued (asyncio locks are fair).
    chats: collections.defaultdict[str, asyncio.Lock] = collections.defaultdict(asyncio.Lock)

    async def worker() -> None:
        nonlocal closed
        while taken:
            row_id, reply = taken.popleft()
            chat = reply.to.chat_id if reply.to else ""
            async with chats[chat]:
                outcome = await attempt(row_id, reply, chat)
            await engine.finish_outbox(row_id, outcome)
            closed += 1

    async def attempt(row_id: int, reply: Reply, chat: str) -> str:
        while True:
            await pacer.wait(chat)
            try:
                await send_one(reply)
                return "sent"
            except RetryLater as exc:
                pacer.pause(exc.seconds)  # everyone waits; this message goes again, still in its place
                continue
            except Undeliverable:
                if reply.to is not None:
                    await engine.set_blocked(reply.to.platform, reply.to.user_id, True)
                return "blocked"
            except Exception:
                log.exception("outbox message %s failed", row_id)
                return "failed"

    await asyncio.gather(*(worker() for _ in range(workers)))
    return closed


async def run_outbox(
    engine: Engine, send_one: SendOne, stop: asyncio.Event, rate: float = 29.0, per_chat: float = 1.1, idle: float = 0.5
) -> None:
    """Until `stop` is set: send whatever waits, then look again; beside it, keep progress messages live.

    Only one sender runs at a time (see storage/sender_lock.py); a second waits until the first has stopped.
    """
    lock = SenderLock(engine.database)
    if not await lock.acquire(stop):
        return
    try:
        try:
            if released := await engine.release_outbox():
                log.info("%s outbox messages left by a stopped sender are sent again", released)
        except Exception:
            log.exception("could not release old outbox leases; they run out by themselves")
        pacer = Pacer(rate, per_chat)
        progress = asyncio.create_task(show_progress(engine, send_one, pacer, stop))
        while not stop.is_set():
            try:
                if await drain_paced(engine, send_one, pacer):
                    continue
            except Exception:
                log.exception("outbox round failed; trying again")
            await _pause(stop, idle)
        await progress
    finally:
        await lock.release()


async def show_progress(
    engine: Engine, send_one: SendOne, pacer: Pacer, stop: asyncio.Event, every: float = 1.0
) -> None:
    """Edit coordinators' progress messages as a broadcast goes. Sent directly, in the same pace as the rest:
    behind ten thousand queued messages an edit would come too late to be news."""
    while not stop.is_set():
        try:
            edits = await engine.broadcast_progress()
        except Exception:
            log.exception("broadcast progress failed; trying again")
            edits = []
        for reply in edits:
            await edit_patiently(send_one, pacer, reply)
        await _pause(stop, every)


async def edit_patiently(send_one: SendOne, pacer: Pacer, reply: Reply, tries: int = 3) -> None:
    """The last edit of a broadcast is shown only once, so a 429 is waited out rather than skipped."""
    for _ in range(tries):
        await pacer.wait(reply.to.chat_id if reply.to else "")
        try:
            await send_one(reply)
            return
        except RetryLater as exc:
            pacer.pause(exc.seconds)
        except Undeliverable:
            return
        except Exception:
            log.exception("progress edit failed")
            return


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass
