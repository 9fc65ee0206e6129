"""Workers that take stored updates from the inbox and run them: one woman's in order, different women side by side.

An adapter stores what arrives and calls `wake()` with whose it is; the dispatcher gives each of those women to a
task that runs her queue until it is empty. Every `every` seconds it also asks the database who has work waiting,
for rows another process stored or left behind. When the database cannot be reached, her rows stay where they are and the task backs off:
she gets no apology, her message is simply answered a little later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable

from conversations.kernel.engine import Engine, Send
from conversations.kernel.messages import Inbound
from storage.db import is_transient
from storage.logsafe import withheld

log = logging.getLogger(__name__)
Acknowledge = Callable[[Inbound], Awaitable[None]]


class InboxWorkers:
    def __init__(
        self,
        engine: Engine,
        send: Send | None,
        acknowledge: Acknowledge | None = None,
        concurrency: int = 16,
        every: float = 0.5,
    ) -> None:
        self.engine = engine
        self.send = send
        self.acknowledge = acknowledge
        self.concurrency = concurrency
        self.every = every
        self.busy: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._hinted: set[tuple[str, str]] = set()
        self._looking = False
        self._backoff = 0.0

    def wake(self, keys: Iterable[tuple[str, str]] = ()) -> None:
        """New rows were stored for these women (platform, user_key)."""
        self._hinted.update(keys)
        self._wake.set()

    @property
    def idle(self) -> bool:
        return not self.busy and not self._hinted and not self._wake.is_set() and not self._looking

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`; then the steps in flight finish (each is one transaction) before this returns."""
        scanned = 0.0
        while not stop.is_set():
            self._looking = True
            self._wake.clear()
            for key in [k for k in self._hinted if k not in self.busy][: self.concurrency - len(self.busy)]:
                self._hinted.discard(key)
                self._start(key)
            if time.monotonic() - scanned >= (self._backoff or self.every) and len(self.busy) < self.concurrency:
                scanned = time.monotonic()
                try:
                    waiting = await self.engine.inbox_heads(self.concurrency - len(self.busy), skip=self.busy)
                    self._backoff = 0.0
                except Exception as exc:
                    waiting = []
                    self._back_off(exc)
                for key in waiting:
                    if key not in self.busy:
                        self._start(key)
            self._looking = False
            await self._sleep(stop, self._backoff or self.every)
        if self.busy:
            await asyncio.gather(*self.busy.values(), return_exceptions=True)

    def _start(self, key: tuple[str, str]) -> None:
        self.busy[key] = asyncio.create_task(self._her_queue(key))

    async def _her_queue(self, key: tuple[str, str]) -> None:
        try:
            while True:
                try:
                    result = await self.engine.handle_queued(*key, self.send)
                except Exception as exc:
                    self._back_off(exc)
                    self._hinted.add(key)  # her row stays; she is tried again after the pause
                    return
                if result is None:
                    return
                inbound, more = result
                if self.acknowledge is not None:
                    await self._acknowledge(inbound)
                if not more:
                    return
        finally:
            del self.busy[key]
            self._wake.set()  # a place is free: look for the next woman now

    async def _acknowledge(self, inbound: Inbound) -> None:
        try:
            await self.acknowledge(inbound)  # type: ignore[misc]
        except Exception as exc:
            log.warning(
                "could not acknowledge update %s (%s; %s); the platform stops waiting by itself",
                inbound.update_id, inbound.kind, type(exc).__name__,
            )  # fmt: skip

    def _back_off(self, error: Exception) -> None:
        if is_transient(error):
            self._backoff = min(max(self._backoff * 2, 0.2), 5.0)
            log.warning("the database is unreachable; stored updates wait (%s)", type(error).__name__)
        else:
            self._backoff = 1.0
            log.error("taking work from the inbox failed (%s)", type(error).__name__, exc_info=withheld(error))

    async def _sleep(self, stop: asyncio.Event, seconds: float) -> None:
        waits = [asyncio.ensure_future(stop.wait())]
        if not self._backoff:  # while the database is away, new rows cannot be taken either: just wait
            waits.append(asyncio.ensure_future(self._wake.wait()))
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await waiting
