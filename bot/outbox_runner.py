"""The paced sender: everything in the outbox that is not sent at once by the step that wrote it.

That is broadcasts, notifications from the clock, and the direct answers a crashed process left behind (those
first). It shares the process's budget (bot/pacer.py) with the direct answers and yields to them. A woman who
blocked the bot is marked, and her waiting messages are closed without sending. Only the process that holds the
sender lock sends, and it asks whether it still holds it before each batch.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import logging
from collections.abc import Awaitable, Callable

from bot.pacer import Pacer
from conversations.kernel.engine import Engine, Unreachable
from conversations.kernel.messages import Reply
from storage.db import is_transient
from storage.logsafe import withheld
from storage.process_lock import ProcessLock

log = logging.getLogger(__name__)


class RetryLater(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class Undeliverable(Unreachable):
    """She blocked the bot: nothing can reach her."""


class NoSuchChat(Unreachable):
    """The platform has no chat for this recipient (a console or demo user, a chat that does not exist): this
    message can never go, and trying again would not change that."""


SendOne = Callable[[Reply], Awaitable[None]]


async def drain_paced(engine: Engine, send_one: SendOne, pacer: Pacer, workers: int = 8, batch: int = 30) -> int:
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
                # Sent by this process's fast path already, while the database was away: only close it.
                outcome = "sent" if row_id in engine.unclosed else await attempt(row_id, reply, chat)
            await finish(row_id, outcome)
            closed += 1

    async def finish(row_id: int, outcome: str) -> None:
        # It went out: record that even if the database is away for a while, or it goes again when the lease ends.
        for tries in itertools.count():
            try:
                await engine.finish_outbox(row_id, outcome)
                return
            except Exception as exc:
                if not is_transient(exc) or tries >= 600:
                    raise
                await asyncio.sleep(0.25)  # often: until it is recorded, a kill would send it again

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
            except NoSuchChat:
                log.warning("outbox message %s has no chat to go to; it is closed as failed", row_id)
                return "failed"
            except Exception:
                log.error("outbox message %s failed", row_id, exc_info=withheld())
                return "failed"

    await asyncio.gather(*(worker() for _ in range(workers)))
    return closed


async def run_outbox(
    engine: Engine,
    send_one: SendOne,
    stop: asyncio.Event,
    rate: float = 29.0,
    per_chat: float = 1.1,
    idle: float = 0.5,
    pacer: Pacer | None = None,
) -> None:
    """Until `stop` is set: send whatever waits, then look again; beside it, keep progress messages live.

    Only one sender runs at a time (see storage/process_lock.py); a second waits until the first has stopped,
    and a sender that finds it has lost the lock (its database connection broke) stops and waits like a second.
    """
    pacer = pacer or Pacer(rate, per_chat)
    lock = ProcessLock(engine.database, "sender")
    while not stop.is_set():
        if not await lock.acquire(stop, waiting="another process is sending the outbox; waiting until it stops"):
            return
        try:
            await _send_while_held(engine, send_one, stop, pacer, lock, idle)
        finally:
            await lock.release()


async def _send_while_held(
    engine: Engine, send_one: SendOne, stop: asyncio.Event, pacer: Pacer, lock: ProcessLock, idle: float
) -> None:
    """Send until `stop`, or until the lock turns out to be gone (then return, and the caller waits for it)."""
    try:
        if released := await engine.release_outbox():
            log.info("%s outbox messages left by a stopped sender are sent again", released)
    except Exception:
        log.error("could not release old outbox leases; they run out by themselves", exc_info=withheld())
    lost = asyncio.Event()
    progress = asyncio.create_task(show_progress(engine, send_one, pacer, stop, lost))
    try:
        while not stop.is_set():
            if not await lock.held():
                log.warning("the sender lock was lost (the database connection broke); sending stops")
                break
            try:
                if await drain_paced(engine, send_one, pacer):
                    continue
            except Exception as exc:
                if is_transient(exc):
                    log.warning("the database is unreachable; the outbox waits (%s)", type(exc).__name__)
                else:
                    log.error("outbox round failed; trying again", exc_info=withheld(exc))
            await _pause(stop, idle)
    finally:
        lost.set()
        await progress


async def show_progress(
    engine: Engine, send_one: SendOne, pacer: Pacer, stop: asyncio.Event, done: asyncio.Event, every: float = 1.0
) -> None:
    """Edit coordinators' progress messages as a broadcast goes. Sent directly, in the same pace as the rest:
    behind ten thousand queued messages an edit would come too late to be news."""
    while not stop.is_set() and not done.is_set():
        try:
            edits = await engine.broadcast_progress()
        except Exception:
            log.error("broadcast progress failed; trying again", exc_info=withheld())
            edits = []
        for reply in edits:
            await edit_patiently(send_one, pacer, reply)
        await _pause(done, every)


async def edit_patiently(send_one: SendOne, pacer: Pacer, reply: Reply, tries: int = 3) -> None:
    """The last edit of a broadcast is shown only once, so a 429 is waited out rather than skipped."""
    for _ in range(tries):
        await pacer.wait(reply.to.chat_id if reply.to else "")
        try:
            await send_one(reply)
            return
        except RetryLater as exc:
            pacer.pause(exc.seconds)
        except Unreachable:
            return
        except Exception:
            log.error("progress edit failed", exc_info=withheld())
            return


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass
