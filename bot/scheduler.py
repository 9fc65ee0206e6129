"""APScheduler as the clock: every tick asks the engine for due work and hands the messages to a sender.

The work itself lives in database rows (requests with their due dates), so a restart loses nothing, and the
conditional updates that claim each row mean two processes ticking together still send each message once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from conversations.kernel.engine import Engine
from conversations.kernel.messages import Reply
from storage.logsafe import withheld

log = logging.getLogger(__name__)
TICK_SECONDS = 60


def start_clock(
    engine: Engine, send: Callable[[list[Reply]], Awaitable[None]] | None = None, seconds: int = TICK_SECONDS
) -> AsyncIOScheduler:
    """Every tick turns due work into outbox messages. With `send` (the console) it also empties the outbox at
    once; on Telegram the paced sender does that."""

    async def tick() -> None:
        try:
            await engine.tick()
            while send is not None and await engine.drain(send):
                pass
        except Exception:
            log.error("scheduled tick failed; the rows stay due and the next tick retries", exc_info=withheld())

    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(tick, "interval", seconds=seconds, max_instances=1, coalesce=True)
    scheduler.start()
    return scheduler
