"""The paced outbox against a fake Bot API that enforces Telegram's flood limits with 429 + retry_after."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.outbox_runner import drain_paced, run_outbox
from bot.pacer import Pacer
from bot.telegram.app import make_bot
from bot.telegram.send import send_one
from conversations.kernel.messages import Reply, UserRef
from storage import outbox, repo
from storage.models import Outbox, User
from storage.process_lock import ProcessLock
from tests.fakebotapi import FakeBotAPI, FakeUser, Limits


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(limits=Limits()) as fake:
        yield fake


async def queue(sessions, clock, users: list[FakeUser], texts: list[str]) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        for user in users:
            if (await repo.user_and_conversation(session, "telegram", str(user.id), lock=False))[0] is None:
                await repo.create_user(session, "telegram", str(user.id), str(user.chat_id), "en", "mentee")
        for text in texts:
            for user in users:
                outbox.enqueue(session, Reply(text, to=UserRef("telegram", str(user.id), str(user.chat_id))), clock())


async def send_all(engine, api: FakeBotAPI, rate: float = 29.0) -> float:  # type: ignore[no-untyped-def]
    bot = make_bot(api.token, api.base_url)
    pacer = Pacer(rate, 1.1)
    start = time.monotonic()
    try:
        while await drain_paced(engine, lambda reply: send_one(bot, reply), pacer):
            pass
    finally:
        await bot.session.close()
    return time.monotonic() - start


async def outcomes(sessions) -> list[str]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return sorted((await session.execute(select(Outbox.outcome))).scalars().all())


async def test_a_burst_is_paced_under_the_bulk_limit_without_a_429(engine, sessions, clock, api) -> None:
    users = [api.user(f"U{i}", "en") for i in range(45)]
    await queue(sessions, clock, users, ["Hello from Mentornet"])
    elapsed = await send_all(engine, api)
    assert api.limits.refused == 0
    assert all(len(api.messages(u)) == 1 for u in users)
    assert elapsed >= 44 / 29 - 0.05  # paced, not sent in one burst
    assert await outcomes(sessions) == ["sent"] * 45


async def test_one_chat_gets_one_message_a_second_in_order(engine, sessions, clock, api) -> None:
    amina = api.user("Amina", "en")
    await queue(sessions, clock, [amina], ["first", "second", "third"])
    elapsed = await send_all(engine, api)
    assert [m.text for m in api.messages(amina)] == ["first", "second", "third"]
    assert api.limits.refused == 0 and elapsed >= 2.0


async def test_a_429_pauses_the_whole_sender_and_nothing_is_lost(engine, sessions, clock, api) -> None:
    users = [api.user(f"U{i}", "en") for i in range(5)]
    await queue(sessions, clock, users, ["Hello"])
    api.limits.forced = [1]  # the next send is refused: retry after 1 s
    elapsed = await send_all(engine, api)
    assert api.limits.refused == 1 and elapsed >= 1.0
    assert all(len(api.messages(u)) == 1 for u in users)  # each exactly once
    assert await outcomes(sessions) == ["sent"] * 5


async def test_a_403_marks_her_blocked_and_her_next_messages_are_skipped(engine, sessions, clock, api) -> None:
    amina, sara = api.user("Amina", "en"), api.user("Sara", "en")
    api.block(amina)
    await queue(sessions, clock, [amina, sara], ["one"])
    await send_all(engine, api)
    async with sessions() as session:
        blocked = (await session.execute(select(User.blocked_at).where(User.external_id == str(amina.id)))).scalar_one()
    assert blocked is not None
    calls = len(api.calls)
    await queue(sessions, clock, [amina], ["two"])
    await send_all(engine, api)
    assert len(api.calls) == calls  # not even tried
    assert await outcomes(sessions) == ["blocked", "blocked", "sent"]


async def test_the_runner_keeps_sending_what_arrives_until_stopped(engine, sessions, clock, api) -> None:
    amina = api.user("Amina", "en")
    bot = make_bot(api.token, api.base_url)
    stop = asyncio.Event()
    runner = asyncio.create_task(run_outbox(engine, lambda reply: send_one(bot, reply), stop, idle=0.05))
    await queue(sessions, clock, [amina], ["later"])
    await api.wait_for(lambda: len(api.messages(amina)) == 1, "the message")
    stop.set()
    await runner
    await bot.session.close()


async def test_a_second_sender_waits_until_the_first_has_stopped(engine, sessions, clock, api) -> None:
    """During a deploy the old process still sends its leased batch: the new sender leaves it alone until the old
    one lets go of the sender lock, then sends what is left, once."""
    amina = api.user("Amina", "en")
    old = ProcessLock(engine.database, "sender")
    assert await old.acquire(asyncio.Event())
    await queue(sessions, clock, [amina], ["in the old sender's batch"])
    assert len(await engine.lease_outbox(10)) == 1
    bot = make_bot(api.token, api.base_url)
    stop = asyncio.Event()
    new = asyncio.create_task(run_outbox(engine, lambda reply: send_one(bot, reply), stop, idle=0.05))
    await asyncio.sleep(0.5)
    assert api.messages(amina) == []  # the lease is the old sender's while it lives
    await old.release()  # it stopped (or died: the database or the kernel lets go the same way)
    await api.wait_for(lambda: len(api.messages(amina)) == 1, "the new sender")
    stop.set()
    await new
    await bot.session.close()
    assert await outcomes(sessions) == ["sent"]
