"""The people of the matching and meeting tests: a coordinator, mentees, vetted mentors, a matched pair."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from conversations.kernel.engine import Engine
from conversations.privacy import NOTICE_VERSION
from storage import repo
from storage.models import MentorProfile, User
from tests.conftest import COORDINATOR
from tests.fakechat import FakeChat
from tests.flows import onboard_mentee, reach_role


async def coordinator(engine: Engine, people: dict) -> FakeChat:
    karen = FakeChat(engine, user_id=COORDINATOR, name="Karen", network=people)
    await reach_role(karen)
    await karen.tap("Use “Karen”")
    await karen.tap("Confirm")
    return karen


async def mentee(engine: Engine, people: dict, user_id: str = "1001", name: str = "Amina") -> FakeChat:
    chat = FakeChat(engine, user_id=user_id, name=name, network=people)
    await onboard_mentee(chat)
    await chat.tap("Confirm")
    return chat


async def ask_first(chat: FakeChat) -> None:
    """She opens "Find a mentor" and asks the first mentor shown, without a message."""
    await chat.tap("Find a mentor")
    await chat.tap("Ask her to be my mentor")
    await chat.tap("Send without a message")


async def add_mentor(
    sessions,
    external_id: str,
    name: str,
    *,
    fields=("it",),
    languages=("da", "en"),
    region="cph",
    modes=("in_person", "online"),
    capacity=2,
    helps=("cv",),
    status="approved",
    locale="en",
):  # type: ignore[no-untyped-def]
    """A vetted mentor straight into the database, for tests about what mentees see."""
    async with sessions() as session, session.begin():
        user, conv = await repo.create_user(session, "test", external_id, external_id, locale, "mentor")
        user.consent_at = user.onboarded_at = user.last_seen_at = datetime(2026, 3, 1, tzinfo=UTC)
        user.consent_version = NOTICE_VERSION
        conv.step = "idle"
        draft = {
            "name": name, "job_title": "Engineer", "employer": "Acme", "fields": list(fields), "experience": "6",
            "region": region, "languages": list(languages), "meeting_modes": list(modes), "helps_with": list(helps),
            "capacity": str(capacity), "about": None,
        }  # fmt: skip
        await repo.save_profile(session, user, draft)
        await session.flush()
        (await session.get(MentorProfile, user.id)).status = status
        return user.id


async def add_mentee(
    sessions, external_id: str, name: str, *, locale="en", region="cph", platform="test", chat_id=None
):  # type: ignore[no-untyped-def]
    """An onboarded mentee straight into the database, for tests about who receives what."""
    async with sessions() as session, session.begin():
        user, conv = await repo.create_user(session, platform, external_id, chat_id or external_id, locale, "mentee")
        user.consent_at = user.onboarded_at = user.last_seen_at = datetime(2026, 3, 1, tzinfo=UTC)
        user.consent_version = NOTICE_VERSION
        conv.step = "idle"
        draft = {
            "name": name, "region": region, "fields": ["it"], "education": "master", "experience": "6",
            "languages": ["en"], "danish": "some", "goals": ["job"], "about": None,
        }  # fmt: skip
        await repo.save_profile(session, user, draft)
        return user.id


async def status_of(sessions, user_id: int) -> str:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return (await session.get(MentorProfile, user_id)).status


async def user_id(sessions, external_id: str) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return (await session.execute(select(User.id).where(User.external_id == external_id))).scalar_one()


async def matched(engine, people, sessions) -> tuple[FakeChat, FakeChat]:  # type: ignore[no-untyped-def]
    await add_mentor(sessions, "m-1", "Mette", languages=("en",))
    mette = FakeChat(engine, user_id="m-1", name="Mette", network=people)
    amina = await mentee(engine, people)
    await ask_first(amina)
    await mette.tap("✅ Accept")
    return amina, mette
