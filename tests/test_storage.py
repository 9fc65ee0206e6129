"""Storage on SQLite and PostgreSQL: migrations, the update ledger, the profile round trip."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from storage import repo
from storage.db import async_url, migrate
from storage.models import Base, User


async def test_migrations_create_exactly_the_models(db_engine) -> None:
    def diff(conn):  # type: ignore[no-untyped-def]
        return compare_metadata(MigrationContext.configure(conn), Base.metadata)

    async with db_engine.connect() as conn:
        assert await conn.run_sync(diff) == []
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert {"users", "mentee_profiles", "mentor_profiles", "conversations", "processed_updates"} <= tables


async def test_migrating_again_is_harmless(db_engine) -> None:
    await migrate(db_engine)
    await migrate(db_engine)


async def test_an_update_id_is_claimed_once_per_platform(sessions) -> None:
    async with sessions() as session, session.begin():
        assert await repo.claim_update(session, "telegram", 42)
        assert not await repo.claim_update(session, "telegram", 42)
        assert await repo.claim_update(session, "other", 42)


async def test_a_claim_rolled_back_with_its_handling_can_run_again(sessions) -> None:
    async with sessions() as session:
        async with session.begin():
            assert await repo.claim_update(session, "telegram", 7)
            await session.rollback()  # the handler crashed before commit
    async with sessions() as session, session.begin():
        assert await repo.claim_update(session, "telegram", 7)


async def test_profile_round_trip(sessions) -> None:
    draft = {
        "name": "Layla", "job_title": "Nurse", "employer": "Rigshospitalet", "fields": ["health"],
        "experience": "11", "region": "cph", "languages": ["ar", "da"], "meeting_modes": ["online"], "helps_with": ["cv"],
        "capacity": "3", "about": None,
    }  # fmt: skip
    async with sessions() as session, session.begin():
        user, _ = await repo.create_user(session, "telegram", "55", "55", "ar", "mentor")
        await repo.save_profile(session, user, draft)
    async with sessions() as session:
        user = await session.get(User, user.id)
        assert await repo.load_profile(session, user) == draft
        assert await repo.mentor_status(session, user) == "pending"


async def test_coordinators_come_from_configuration(sessions) -> None:
    async with sessions() as session, session.begin():
        await repo.create_user(session, "telegram", "77", "77", "da", None)
        await repo.sync_coordinators(session, "telegram", ["77", "88"])
    async with sessions() as session:
        user, _ = await repo.user_and_conversation(session, "telegram", "77", lock=False)
        assert user.role == "coordinator"


def test_plain_database_urls_get_an_async_driver() -> None:
    assert async_url("postgres://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert async_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert async_url("sqlite:///x.db") == "sqlite+aiosqlite:///x.db"
    assert async_url("postgresql+asyncpg://u@h/db") == "postgresql+asyncpg://u@h/db"
