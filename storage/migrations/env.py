"""Alembic environment: runs on the connection handed in by storage.db.migrate, or on DATABASE_URL."""

import asyncio

from alembic import context

from storage.db import make_engine
from storage.models import Base

target_metadata = Base.metadata


def run_on(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_standalone() -> None:
    from bot.settings import Settings

    engine = make_engine(Settings().database_url)
    async with engine.begin() as conn:
        await conn.run_sync(run_on)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_on(connection)
else:
    asyncio.run(run_standalone())
