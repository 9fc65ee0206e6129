"""Engine construction and migrations, applied on start."""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import event, exc
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def async_url(url: str) -> str:
    """Accept the plain URLs hosting platforms hand out and pick the async driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


def make_engine(url: str, busy_timeout: float = 30.0) -> AsyncEngine:
    """`busy_timeout`: how long a SQLite statement waits for another writer before it fails."""
    url = async_url(url)
    if url.startswith("sqlite"):
        # hide_parameters: an error's message would otherwise repeat the statement's values (her text, her id).
        engine = create_async_engine(url, connect_args={"timeout": busy_timeout}, hide_parameters=True)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
            cur.execute("PRAGMA synchronous=NORMAL")  # with WAL: safe from corruption, no fsync per commit
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin_immediate(conn) -> None:  # type: ignore[no-untyped-def]
            # Take the write lock at the start: a transaction that reads and then writes can never fail to
            # upgrade, and concurrent ones (two accepts for one last place) queue instead of interleaving.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # Enough connections for the inbox workers, the webhook's inserts and the sender at once.
    return create_async_engine(url, pool_size=20, max_overflow=10, pool_pre_ping=True, hide_parameters=True)


# SQLite's own words for "not now" (another writer, a full or vanished disk), as opposed to a mistake in a query.
SQLITE_PASSING = ("locked", "busy", "disk i/o", "unable to open", "readonly database", "disk is full")


def is_transient(error: BaseException) -> bool:
    """True when the database could not be reached or was busy: the work should wait and run again, unchanged.
    False for everything else (a bug, a broken constraint), which no retry would mend."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, exc.DBAPIError) and seen.connection_invalidated:
            return True
        if isinstance(
            seen, (exc.InterfaceError, exc.TimeoutError, ConnectionError, TimeoutError, asyncio.TimeoutError)
        ):
            return True
        if isinstance(seen, OSError) and not isinstance(seen, FileNotFoundError):
            return True
        if isinstance(seen, exc.OperationalError):
            original = seen.orig
            if isinstance(original, sqlite3.OperationalError) or "sqlite" in type(original).__module__:
                return any(word in str(original).lower() for word in SQLITE_PASSING)
            return True  # PostgreSQL's operational errors are the server going away, shutting down, out of room
        if type(seen).__module__.startswith("asyncpg") and "Connection" in type(seen).__name__:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


async def migrate(engine: AsyncEngine) -> None:
    def upgrade(conn: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")

    async with engine.begin() as conn:
        await conn.run_sync(upgrade)


@functools.cache
def migrations_head() -> str | None:
    """The newest migration this code knows: read from the files once, not at every health check."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def migrations_current(engine: AsyncEngine) -> bool:
    """The database is at the newest migration this code knows."""
    head = migrations_head()
    async with engine.connect() as conn:
        version = (await conn.exec_driver_sql("SELECT version_num FROM alembic_version")).scalar()
    return version == head
