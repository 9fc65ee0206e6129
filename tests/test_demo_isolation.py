"""Demo data never meets real women: the console keeps a database of its own and refuses one that holds real
users, demo rows left in a real database are never shown to nor reachable by a real woman, and a message that
cannot reach its chat does not hold up the others."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.outbox_runner import drain_paced
from bot.pacer import Pacer
from bot.settings import Settings
from bot.telegram.app import make_bot
from bot.telegram.send import live_sender, send_one
from conversations.kernel.engine import Engine
from conversations.kernel.messages import Inbound, Reply, UserRef
from storage import broadcasts, demo, events, matching
from storage.db import make_engine
from storage.models import Event, MentorProfile, MentorRequest, Outbox, User
from tests.conftest import Clock
from tests.fakebotapi import FakeBotAPI
from tests.fakechat import FakeChat
from tests.flows import onboard_mentee, onboard_mentor
from tests.people import add_mentee, add_mentor, coordinator, mentee, status_of, user_id

ROOT = Path(__file__).resolve().parents[1]


async def seed_demo(sessions: async_sessionmaker) -> list[int]:
    """The console's demo rows, as they end up in a database the console was once run on; their user ids."""
    async with sessions() as session, session.begin():
        assert await demo.seed(session)
    async with sessions() as session:
        return list((await session.execute(select(User.id).where(User.is_demo).order_by(User.id))).scalars())


async def demo_mentor_ids(sessions: async_sessionmaker) -> list[int]:
    async with sessions() as session:
        query = select(User.id).where(User.is_demo, User.role == "mentor").order_by(User.id)
        return list((await session.execute(query)).scalars())


async def request_count(sessions: async_sessionmaker) -> int:
    async with sessions() as session:
        return (await session.execute(select(func.count()).select_from(MentorRequest))).scalar_one()


async def test_a_real_mentee_never_sees_nor_can_ask_a_demo_mentor(engine: Engine, sessions, people) -> None:
    await seed_demo(sessions)
    mette = (await demo_mentor_ids(sessions))[0]
    amina = await mentee(engine, people)  # speaks English, like every demo mentor
    karen = await coordinator(engine, people)

    seen = len(amina.history)
    await amina.tap("Find a mentor")
    assert "no mentor with a free place fits you" in amina.last.text  # the demo mentors are not offered
    mark = len(amina.history)
    await amina.press(f"ask:{mette}")  # a forged button aimed at a demo mentor
    assert "That question is closed" in amina.texts_since(mark)  # refused like any unknown mentor
    assert "(demo)" not in amina.texts_since(seen)
    assert "Send without a message" not in amina.all_buttons()
    assert await request_count(sessions) == 0

    # A coordinator's suggestion by hand offers no demo mentor either, and a forged one reaches nobody.
    await karen.send("/waiting")
    await karen.tap("Suggest a mentor")
    assert karen.last.text == "No mentor with a free place shares a language with her right now."
    amina_id = await user_id(sessions, "1001")
    seen = len(amina.history)
    mark = len(karen.history)
    await karen.press(f"w:{amina_id}:{mette}")
    assert "That question is closed" in karen.texts_since(mark)
    assert len(amina.history) == seen

    # In the console, where demo data belongs, the demo mentors are there as before.
    tester = FakeChat(engine, user_id="you", name="Noor", network=people)
    tester.ref = UserRef(demo.PLATFORM, "you", "you")
    await onboard_mentee(tester)
    await tester.tap("Confirm")
    await tester.tap("Find a mentor")
    assert "(demo)" in tester.last.text and "Ask her to be my mentor" in tester.last.buttons


async def test_a_real_womans_cards_and_lists_leave_demo_and_console_users_out(engine: Engine, sessions, people) -> None:
    await seed_demo(sessions)
    demo_coordinator = FakeChat(engine, user_id=demo.COORDINATOR_ID, name="Karen (demo)", network=people)
    karen = await coordinator(engine, people)
    # Someone typed into a console that was once run on this database: a waiting mentee and a pending mentor.
    noor = await add_mentee(sessions, "you", "Noor", platform=demo.PLATFORM)
    async with sessions() as session, session.begin():
        await matching.join_waiting_list(session, noor, Clock().now)
    lea = await add_mentor(sessions, "guest-1", "Lea", status="pending")
    async with sessions() as session, session.begin():
        await session.execute(update(User).where(User.id == lea).values(platform=demo.PLATFORM))

    mette = FakeChat(engine, user_id="2001", name="Mette", network=people)
    await onboard_mentor(mette)
    await mette.tap("Confirm")
    assert "A new mentor is waiting for approval" in karen.last.text  # the real coordinator has her card
    assert demo_coordinator.history == []  # the demo coordinator never gets a real woman's profile

    mark = len(karen.history)
    await karen.send("/pending")
    pending = karen.texts_since(mark)
    assert "Mentors waiting for approval: 1" in pending and "Lea" not in pending
    mark = len(karen.history)
    await karen.press(f"v:ok:{lea}")  # forged: a console mentor is unknown to her
    assert "That question is closed" in karen.texts_since(mark)
    assert await status_of(sessions, lea) == "pending"
    await karen.send("/waiting")
    assert karen.last.text == "Nobody is on the waiting list."


async def test_event_invitations_event_lists_and_broadcasts_leave_demo_users_out(
    engine: Engine, sessions, people, clock: Clock
) -> None:
    demo_ids = await seed_demo(sessions)
    karen = await coordinator(engine, people)
    amina = await mentee(engine, people)
    karen_id, amina_id = await user_id(sessions, karen.ref.user_id), await user_id(sessions, amina.ref.user_id)
    async with sessions() as session, session.begin():
        karen_user, amina_user = await session.get(User, karen_id), await session.get(User, amina_id)
        assert karen_user is not None and amina_user is not None
        demo_karen = await session.get(User, demo_ids[-1])
        assert demo_karen is not None and demo_karen.role == "coordinator"
        starts = clock.now + timedelta(days=7)
        ours = Event(kind="intro", title="Intro", starts_at=starts, place="Library", capacity=20, audience="all",
                     checkin_code="REAL01", created_by=karen_user.id)  # fmt: skip
        theirs = Event(kind="intro", title="Demo intro", starts_at=starts, place="Nowhere", capacity=20,
                       audience="all", checkin_code="DEMO01", created_by=demo_karen.id)  # fmt: skip
        session.add_all([ours, theirs])
        await session.flush()
        invited = {u.id for u in await events.audience(session, ours)}
        assert amina_user.id in invited and not invited & set(demo_ids)
        assert [e.title for e in await events.upcoming(session, clock.now, viewer=amina_user)] == ["Intro"]
        assert await broadcasts.count(session, {}, karen_user) == 1  # Amina, not the three demo mentors
        reached = {row.external_id for row in await broadcasts.recipients(session, {}, karen_user)}
        assert reached == {amina.ref.user_id}


async def _users(url: str) -> list[tuple[str, bool]]:
    db = make_engine(url)
    try:
        async with db.connect() as conn:
            return [tuple(row) for row in await conn.execute(select(User.platform, User.is_demo))]  # type: ignore[misc]
    finally:
        await db.dispose()


def console(cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot console` as a tester starts it, in a directory of its own, leaving at once."""
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "BOT_TOKEN": "", **env}
    return subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        cwd=cwd, env=environment, input="/quit\n", capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def url_of(db: AsyncEngine) -> str:
    return db.url.render_as_string(hide_password=False)


async def test_the_console_refuses_a_database_with_real_users_and_adds_nothing(
    db_engine: AsyncEngine, sessions, tmp_path: Path
) -> None:
    await add_mentee(sessions, "123456", "Amina", platform="telegram")
    url = url_of(db_engine)
    # The bot's database named both ways, as an operator would try it.
    result = console(tmp_path, DATABASE_URL=url, CONSOLE_DATABASE_URL=url)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "holds real users" in lines[0], result.stderr
    assert "unset CONSOLE_DATABASE_URL" in lines[0] and "sqlite:///mentornet-console.db" in lines[0]
    assert url not in result.stderr  # a URL may hold a password
    assert await _users(url) == [("telegram", False)]


async def test_the_console_has_a_database_of_its_own(
    db_engine: AsyncEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("DATABASE_URL", "CONSOLE_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert defaults.console_database_url != defaults.database_url

    url = url_of(db_engine)  # the bot's database, set as it is in production
    result = console(tmp_path, DATABASE_URL=url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Demo data added" in result.stdout
    assert await _users(url) == []  # the bot's database is not touched
    own = tmp_path / "mentornet-console.db"  # created, migrated and seeded on first use, as `make run` needs
    assert own.exists()
    assert sorted(await _users(f"sqlite:///{own}")) == [(demo.PLATFORM, True)] * 4


class Sending:
    """The engine as a platform's inbox workers use it: each answer sent by `send` right after the commit."""

    def __init__(self, engine: Engine, send) -> None:  # type: ignore[no-untyped-def]
        self.engine = engine
        self.send = send

    async def handle(self, inbound: Inbound) -> list[Reply]:
        return await self.engine.handle(inbound, self.send)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as fake:
        yield fake


@pytest.mark.parametrize("mentor_platform", ["test", "telegram"], ids=["no-telegram-chat", "chat-not-found"])
async def test_an_answer_that_cannot_reach_its_chat_does_not_hold_up_the_others(
    engine: Engine, sessions, people, api: FakeBotAPI, mentor_platform: str
) -> None:
    """Her request card goes to a mentor Telegram cannot reach (a user of another platform, or a chat Telegram does
    not know); the mentee's own answer still goes at once, and the card is closed as failed, not as blocked."""
    amina = api.user("Amina", "en")
    await add_mentee(sessions, str(amina.id), "Amina", platform="telegram", chat_id=str(amina.chat_id))
    mette = await add_mentor(sessions, "5550001", "Mette", languages=("en",))
    async with sessions() as session, session.begin():
        await session.execute(update(User).where(User.id == mette).values(platform=mentor_platform))
    bot = make_bot(api.token, api.base_url)
    try:
        phone = FakeChat(Sending(engine, live_sender(bot, Pacer())), user_id=str(amina.id), network=people)  # type: ignore[arg-type]
        phone.ref = UserRef("telegram", str(amina.id), str(amina.chat_id))
        FakeChat(engine, user_id="5550001", name="Mette", network=people)  # where the card would show
        await phone.send("/mentors")
        await phone.tap("Ask her to be my mentor")
        await phone.tap("Send without a message")
        sent = [m.text for m in api.messages(amina)]
        # At once, with the menu after it, not left for later.
        assert sent[-2].startswith("Your request has gone to Mette") and sent[-1] == "What would you like to do?"

        # The paced sender closes the card as failed and sends nothing twice.
        while await drain_paced(engine, lambda reply: send_one(bot, reply), Pacer(100.0, 0.0)):
            pass
    finally:
        await bot.session.close()
    assert [m.text for m in api.messages(amina)] == sent
    async with sessions() as session:
        left = (await session.execute(select(Outbox.external_id, Outbox.outcome))).all()
        assert [tuple(row) for row in left] == [("5550001", "failed")]
        assert (await session.get(User, mette)).blocked_at is None  # type: ignore[union-attr]
        assert (await session.get(MentorProfile, mette)).status == "approved"  # type: ignore[union-attr]
