"""Broadcasts through Telegram: the real adapter and the paced sender against a fake Bot API that enforces the
flood limits, and a real bot process killed with SIGKILL in the middle of a broadcast."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.telegram.app import make_bot
from conversations import broadcasts
from conversations.kernel.engine import Engine
from conversations.privacy import NOTICE_VERSION
from storage import repo
from storage.db import make_engine, migrate, sessionmaker
from storage.models import Broadcast, Outbox, User
from tests.fakebotapi import FakeBotAPI, FakeUser, Limits
from tests.people import add_mentee
from tests.running import running

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 3, 1, tzinfo=UTC)
REPORT = "📣 Your broadcast is done."


async def add_coordinator(sessions: async_sessionmaker, karen: FakeUser) -> User:
    async with sessions() as session, session.begin():
        user, conv = await repo.create_user(session, "telegram", str(karen.id), str(karen.chat_id), "en", "coordinator")
        user.first_name, user.consent_at, user.onboarded_at = "Karen", NOW, NOW
        user.consent_version = NOTICE_VERSION
        conv.step = "idle"
        return user


async def add_women(sessions: async_sessionmaker, women: list[FakeUser]) -> None:
    for woman in women:
        await add_mentee(sessions, str(woman.id), woman.first_name, platform="telegram", chat_id=str(woman.chat_id))


def last_text(api: FakeBotAPI, user: FakeUser) -> str:
    shown = api.last(user)
    return shown.text if shown else ""


def got_it(api: FakeBotAPI, woman: FakeUser) -> int:
    return sum("Intro course on Monday" in m.text for m in api.messages(woman))


async def test_a_broadcast_on_telegram_is_paced_shows_progress_and_marks_who_blocked_the_bot(
    sessions: async_sessionmaker,
) -> None:
    engine = Engine(sessions)  # on the wall clock: progress is shown every few seconds of real time
    async with FakeBotAPI(limits=Limits()) as api:
        karen = api.user("Karen", "en")
        women = [api.user(f"W{i}", "en") for i in range(40)]
        await add_coordinator(sessions, karen)
        await add_women(sessions, women)
        api.chats[women[3].chat_id].blocked = True  # she blocked the bot while it was not looking
        async with running(engine, api):
            api.push_text(karen, "/broadcast")
            await api.wait_for(lambda: "Write the message" in last_text(api, karen), "the first question")
            api.push_text(karen, "Intro course on Monday")
            await api.wait_for(lambda: last_text(api, karen).endswith("Recipients: 40"), "the segment")
            api.push_press(karen, "See the preview")
            await api.wait_for(lambda: "📣 Send to 40" in api.last(karen).buttons, "the preview")
            preview = api.last(karen)
            api.push_press(karen, "📣 Send to 40", preview)
            await api.wait_for(lambda: any(REPORT in m.text for m in api.messages(karen)), "the report", within=30)

            progress = api.chats[karen.chat_id].messages[preview.message_id]
            assert progress.edits >= 2  # the tap itself, then live numbers
            assert "Sent: 39 · left: 0 · blocked the bot: 1 · failed: 0" in progress.text
            report = next(m for m in api.messages(karen) if REPORT in m.text)
            assert "Received it: 39 of 40. Blocked the bot: 1." in report.text
            assert [got_it(api, w) for w in women] == [0 if w is women[3] else 1 for w in women]
            # Karen's own quick taps may meet the strict per-chat limit (her answers wait and go again); the
            # paced broadcast never does.
            refused = {str(c.params.get("chat_id")) for c in api.calls if c.status == 429}
            assert refused <= {str(karen.chat_id)}
            async with sessions() as session:
                blocked = await session.execute(select(User.blocked_at).where(User.external_id == str(women[3].id)))
                assert blocked.scalar_one() is not None


async def test_killing_the_bot_mid_broadcast_neither_repeats_nor_skips_anyone(tmp_path: Path) -> None:
    """A real bot process is killed with SIGKILL while one message is on its way; the next process finishes the
    broadcast: every woman has it exactly once, and the coordinator gets one report."""
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    async with FakeBotAPI(limits=Limits()) as api:
        karen = api.user("Karen", "en")
        women = [api.user(f"W{i}", "en") for i in range(60)]
        db = make_engine(url)
        await migrate(db)
        sessions = sessionmaker(db)
        coordinator = await add_coordinator(sessions, karen)
        await add_women(sessions, women)
        bot = make_bot(api.token, api.base_url)
        shown = await bot.send_message(karen.chat_id, "📣")  # the message the progress edits
        await bot.session.close()
        async with sessions() as session, session.begin():
            coordinator = await session.get(User, coordinator.id)
            await broadcasts.start(session, coordinator, "Intro course on Monday", {}, str(shown.message_id), NOW)

        env = {
            **os.environ, "DATABASE_URL": url, "BOT_TOKEN": api.token, "TELEGRAM_API_BASE": api.base_url,
            "COORDINATOR_IDS": str(karen.id), "PYTHONUNBUFFERED": "1", "PORT": "0",
        }  # fmt: skip
        log = (tmp_path / "bot.log").open("ab")

        async def start() -> asyncio.subprocess.Process:
            return await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "polling", cwd=ROOT, env=env, stdout=log, stderr=log
            )

        api.hold_send(after=1 + 25)  # the progress message, then 25 women; the 26th is on its way
        first = await start()
        await asyncio.wait_for(api.holding.wait(), timeout=60)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        await api.wait_for(lambda: api.held_sender_gone, "the killed sender's connection to close")
        api.let_go()  # too late: the connection is gone with the process
        assert sum(got_it(api, w) for w in women) == 25

        second = await start()
        try:
            await api.wait_for(lambda: any(REPORT in m.text for m in api.messages(karen)), "the report", within=60)
        finally:
            second.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(second.wait(), timeout=20)
            except TimeoutError:
                second.kill()
                await second.wait()
        log.close()

        assert [got_it(api, w) for w in women] == [1] * len(women), (tmp_path / "bot.log").read_text()[-3000:]
        assert sum(REPORT in m.text for m in api.messages(karen)) == 1
        assert "Received it: 60 of 60." in api.messages(karen)[-1].text
        assert "Sent: 60 · left: 0" in api.chats[karen.chat_id].messages[shown.message_id].text
        async with sessions() as session:
            outcomes = (await session.execute(select(Outbox.outcome).where(Outbox.broadcast_id.is_not(None)))).all()
            assert [o for (o,) in outcomes] == ["sent"] * 60
            assert (await session.execute(select(Broadcast.finished_at))).scalar_one() is not None
        await db.dispose()
