"""Real databases only: SQLite in a temporary file always, PostgreSQL when a server answers."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from conversations.kernel.engine import Engine
from storage.db import make_engine, migrate, sessionmaker
from tests.fakechat import FakeChat

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
COORDINATOR = "9000"
# Each run works in a database of its own, dropped at the end, so two runs on one server never meet.
RUN_DATABASE = f"mentornet_test_{os.getpid()}_{secrets.token_hex(3)}"


async def _admin(statement: str) -> None:
    engine = make_engine(PG_URL)
    try:
        async with asyncio.timeout(10), engine.connect() as conn:
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_run() -> Iterator[tuple[str | None, str | None]]:
    """(url of this run's own database, None), or (None, why there is none)."""
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{RUN_DATABASE}"'))
    except Exception as exc:  # any failure to connect means: no server here
        yield None, f"{type(exc).__name__}: {exc}"
        return
    yield make_url(PG_URL).set(database=RUN_DATABASE).render_as_string(hide_password=False), None
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{RUN_DATABASE}" WITH (FORCE)'))


async def _reset_postgres(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_engine(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_run: tuple[str | None, str | None]
) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    else:
        url, problem = postgres_run
        if url is None:
            if os.environ.get("CI"):
                pytest.fail(f"PostgreSQL is required in CI but not reachable at {PG_URL}: {problem}")
            pytest.skip(f"PostgreSQL not reachable at {PG_URL} ({problem}); these tests run in CI")
        engine = make_engine(url)
        await _reset_postgres(engine)
    await migrate(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(db_engine: AsyncEngine) -> async_sessionmaker:
    return sessionmaker(db_engine)


class Clock:
    """The engine's clock in tests: set `now` to move time instead of sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday, 11:00 in Copenhagen

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(sessions: async_sessionmaker, clock: Clock) -> Engine:
    return Engine(sessions, coordinator_ids=[COORDINATOR], clock=clock)


@pytest.fixture
def people() -> dict[str, FakeChat]:
    """Everyone's chat windows in one test, so messages to someone else arrive in hers."""
    return {}


@pytest.fixture
def chat(engine: Engine) -> FakeChat:
    return FakeChat(engine)
