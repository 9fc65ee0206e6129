"""Long polling that confirms an update to Telegram only once it is stored.

Telegram forgets an update when `getUpdates` is next called with a higher offset. So the offset moves past a
batch only after the batch is committed to the inbox; if storing fails (the database is away), the offset stays,
the poller backs off, and the same updates come again. One poller per database: a second process waits for the
poller lock instead of fighting the first with `Conflict` errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramConflictError, TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.types import Update

from bot.inbox_runner import InboxWorkers
from bot.telegram import convert
from conversations.kernel.engine import Engine
from storage.process_lock import ProcessLock

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]


class Poller:
    def __init__(self, bot: Bot, engine: Engine, workers: InboxWorkers, timeout: int = 25) -> None:
        self.bot = bot
        self.engine = engine
        self.workers = workers
        self.timeout = timeout
        self.offset: int | None = None
        self._backoff = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        lock = ProcessLock(self.engine.database, "poller")
        waiting = "another process polls this bot on the same database; this one waits until it stops"
        first = True
        while not stop.is_set():
            if not await lock.acquire(stop, waiting=waiting):
                return
            try:
                if first:  # later, after a lost lock, the leased answers may be this process's own
                    await self._release_direct()
                    first = False
                await self._poll_while_held(stop, lock)
            finally:
                await self._confirm()
                await lock.release()

    async def _release_direct(self) -> None:
        # The only process that handles updates: any direct answer still leased is from one that died.
        try:
            if released := await self.engine.release_direct():
                log.info("%s answers left by a stopped process are sent now", released)
        except Exception as exc:
            log.warning("could not release answers left by a stopped process (%s)", type(exc).__name__)

    async def _poll_while_held(self, stop: asyncio.Event, lock: ProcessLock) -> None:
        while not stop.is_set():
            if not await lock.held():
                log.warning("the poller lock was lost (the database connection broke); polling pauses")
                return
            updates = await self._fetch(stop)
            if not updates:
                continue
            if (stored := await self._store(updates)) is not None:
                self.offset = updates[-1].update_id + 1
                self.workers.wake(stored)
            else:
                await self._pause(stop)

    async def _fetch(self, stop: asyncio.Event) -> list[Update]:
        fetch = asyncio.ensure_future(
            self.bot.get_updates(
                offset=self.offset,
                timeout=self.timeout,
                allowed_updates=ALLOWED_UPDATES,
                request_timeout=self.timeout + 10,
            )
        )
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if not fetch.done():
            fetch.cancel()  # what it would have brought stays unconfirmed: Telegram sends it again
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await fetch
            return []
        try:
            updates = fetch.result()
        except TelegramConflictError:
            log.warning("Telegram says another client polls this token (on another database?); waiting")
            await self._pause(stop, 5.0)
            return []
        except TelegramRetryAfter as exc:
            await self._pause(stop, float(exc.retry_after))
            return []
        except (TelegramNetworkError, TelegramServerError, TimeoutError, OSError) as exc:
            log.warning("getUpdates failed (%s); trying again", type(exc).__name__)
            await self._pause(stop)
            return []
        self._backoff = 0.0
        return updates

    async def _store(self, updates: list[Update]) -> set[tuple[str, str]] | None:
        """Whose updates were stored (possibly nobody's), or None when storing failed."""
        stored = [s for s in map(convert.stored, updates) if s is not None]
        blocked = dict(m for m in map(convert.membership, updates) if m is not None)
        try:
            await self.engine.receive(convert.PLATFORM, stored, blocked)
        except Exception as exc:
            # No text, no ids: the log says what happened, not what she wrote.
            log.warning(
                "could not store updates %s to %s (%s); they stay unconfirmed",
                updates[0].update_id, updates[-1].update_id, type(exc).__name__,
            )  # fmt: skip
            return None
        return {(convert.PLATFORM, s.user_key) for s in stored}

    async def _confirm(self) -> None:
        """On the way out, tell Telegram what is stored, so a restart does not fetch it again."""
        if self.offset is None:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.bot.get_updates(offset=self.offset, timeout=0, limit=1), 3)

    async def _pause(self, stop: asyncio.Event, seconds: float | None = None) -> None:
        self._backoff = min(max(self._backoff * 2, 0.5), 10.0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds if seconds is not None else self._backoff)
