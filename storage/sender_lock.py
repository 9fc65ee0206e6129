"""One outbox sender at a time, across processes.

The lock is one that is let go of the moment its holder dies: a PostgreSQL advisory lock lives as long as its
connection, a `flock` on a file beside the SQLite database as long as its process. So a sender that gets the lock
knows that every lease it finds belongs to a sender that is gone, and can send those rows again at once, while
during a deploy the new process waits until the old one has finished its batch and stopped.
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
ADVISORY_KEY = 0x6D656E746F72  # "mentor": any constant that no other application on the database uses


class SenderLock:
    def __init__(self, db: AsyncEngine) -> None:
        self.db = db
        self._connection: AsyncConnection | None = None
        self._fd: int | None = None

    async def acquire(self, stop: asyncio.Event, every: float = 1.0) -> bool:
        """Wait for the lock; False if `stop` is set first."""
        told = False
        while not stop.is_set():
            if await self._try():
                return True
            if not told:
                log.info("another process is sending the outbox; waiting until it stops")
                told = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
        return False

    async def _try(self) -> bool:
        if self.db.dialect.name == "postgresql":
            connection = await self.db.connect()
            got = (await connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY})).scalar()
            await connection.commit()  # the lock belongs to the session, not the transaction
            if got:
                self._connection = connection
                return True
            await connection.close()
            return False
        path = self.db.url.database
        if not path or path == ":memory:":
            return True  # a database only this process can see
        fd = os.open(f"{path}.sender-lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    async def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
            await self._connection.close()
            self._connection = None
        if self._fd is not None:
            os.close(self._fd)  # closing the file lets go of the lock
            self._fd = None
