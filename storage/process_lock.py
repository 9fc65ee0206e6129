"""One holder at a time across processes: the outbox sender, the poller.

The lock is one that is let go of the moment its holder dies: a PostgreSQL advisory lock lives as long as its
connection, a `flock` on a file beside the SQLite database as long as its process. So a sender that gets the lock
knows that every lease it finds belongs to a sender that is gone, and can send those rows again at once, while
during a deploy the new process waits until the old one has finished its batch and stopped.

It is fenced: a holder asks `held()` before each batch of work. When the database connection that carried the
advisory lock broke (an outage), the lock may already belong to another process, and the answer is no.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)
# Any constants no other application on the database uses ("mentor" and the next numbers).
KEYS = {"sender": 0x6D656E746F72, "poller": 0x6D656E746F73}
HELD = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() "
    "AND classid = :high AND objid = :low"
)


class ProcessLock:
    def __init__(self, db: AsyncEngine, name: str) -> None:
        self.db = db
        self.name = name
        self.key = KEYS[name]
        self._connection: AsyncConnection | None = None
        self._fd: int | None = None
        self._path: str | None = None

    async def acquire(self, stop: asyncio.Event, every: float = 1.0, waiting: str = "") -> bool:
        """Wait for the lock; False if `stop` is set first. `waiting` is logged once, if it has to wait."""
        told = False
        while not stop.is_set():
            try:
                if await self._try():
                    if told:
                        log.info("the %s lock is free now; going on", self.name)
                    return True
            except Exception as exc:  # the database is away: wait as for a holder
                log.warning("could not reach the database for the %s lock (%s)", self.name, type(exc).__name__)
            if not told:
                log.info(waiting or f"another process holds the {self.name} lock; waiting until it stops")
                told = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
        return False

    async def _try(self) -> bool:
        if self.db.dialect.name == "postgresql":
            connection = await self.db.connect()
            try:
                got = (await connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key})).scalar()
                await connection.commit()  # the lock belongs to the session, not the transaction
            except Exception:
                await connection.close()
                raise
            if got:
                self._connection = connection
                return True
            await connection.close()
            return False
        path = self.db.url.database
        if not path or path == ":memory:":
            return True  # a database only this process can see
        self._path = f"{path}.{self.name}-lock"
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    async def held(self) -> bool:
        """Still ours? Asked before each batch; a holder that hears no stops at once and releases."""
        if self._connection is not None:
            try:
                params = {"high": (self.key >> 32) & 0xFFFFFFFF, "low": self.key & 0xFFFFFFFF}
                count = await asyncio.wait_for(self._connection.scalar(HELD, params), 5)
                await self._connection.commit()
                return bool(count)
            except Exception:
                return False
        if self._fd is not None and self._path is not None:
            # The flock is ours while the file is open, unless the file itself was removed or replaced.
            try:
                return os.fstat(self._fd).st_ino == os.stat(self._path).st_ino
            except OSError:
                return False
        return self.db.dialect.name != "postgresql"

    async def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None
        if self._fd is not None:
            os.close(self._fd)  # closing the file lets go of the lock
            self._fd = None
