"""A coordinator's broadcast to many women, as /broadcast sends it: one outbox row each, the paced sender with its
live progress edits, the real aiogram client, and a fake Bot API on 127.0.0.1 that enforces Telegram's limits
(30 messages/s for the bot, 1/s per chat) with 429 + retry_after.

    .venv/bin/python bench/broadcast.py [--users 10000] [--database-url postgresql://...]

Reports the achieved rate as a share of the 30/s limit, the number of 429s received, and how long queueing the
broadcast took.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.outbox_runner import run_outbox
from bot.telegram.app import make_bot
from bot.telegram.send import send_one
from conversations import broadcasts
from conversations.kernel.engine import Engine
from storage import repo
from storage.db import make_engine, migrate, sessionmaker
from storage.models import User, utcnow
from tests.fakebotapi import FakeBotAPI, Limits

LIMIT = 30
TEXT = "The next intro course is on Tuesday at 17:00 in the main library. See /events."


async def main(users: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = make_engine(database_url or f"sqlite:///{tmp}/broadcast.db")
        await migrate(db)
        sessions = sessionmaker(db)
        async with FakeBotAPI(limits=Limits(per_second=LIMIT)) as api:
            first = int(time.time())
            people = [api.user(f"U{i}", "en", user_id=first + i) for i in range(users)]
            karen = api.user("Karen", "en", user_id=first - 1)
            now = utcnow()
            async with sessions() as session, session.begin():
                await session.execute(
                    insert(User),
                    [
                        {"platform": "telegram", "external_id": str(u.id), "chat_id": str(u.chat_id), "locale": "en",
                         "role": "mentee", "is_demo": False, "created_at": now, "last_seen_at": now,
                         "consent_at": now, "onboarded_at": now}
                        for u in people
                    ],
                )  # fmt: skip
                coordinator, _ = await repo.create_user(
                    session, "telegram", str(karen.id), str(karen.chat_id), "en", "coordinator"
                )
            bot = make_bot(api.token, api.base_url)
            progress = await bot.send_message(karen.chat_id, "📣")  # the coordinator's message the progress edits
            queued = time.monotonic()
            async with sessions() as session, session.begin():
                coordinator = (await session.execute(select(User).where(User.id == coordinator.id))).scalar_one()
                await broadcasts.start(session, coordinator, TEXT, {}, str(progress.message_id), utcnow())
            queueing = time.monotonic() - queued

            engine = Engine(sessions)
            stop = asyncio.Event()
            start = time.monotonic()
            sender = asyncio.create_task(run_outbox(engine, lambda reply: send_one(bot, reply), stop))

            counted, delivered = 0, 0

            def everyone_has_it() -> bool:
                nonlocal counted, delivered  # only the calls since the last look: cheap enough to ask often
                for call in api.calls[counted:]:
                    delivered += call.method == "sendMessage" and call.ok and call.params["chat_id"] != str(karen.id)
                counted = len(api.calls)
                return delivered >= users

            await api.wait_for(everyone_has_it, "every message", within=3600)
            elapsed = time.monotonic() - start
            await api.wait_for(lambda: any("broadcast is done" in m.text for m in api.messages(karen)), "the report")
            stop.set()
            await sender
            await bot.session.close()
            edits = api.chats[karen.chat_id].messages[progress.message_id].edits
        await db.dispose()
    rate = users / elapsed
    print(f"{users} users: queued in {queueing:.2f} s, delivered in {elapsed:.1f} s, {edits} progress edits")
    print(
        f"rate {rate:.2f} messages/s = {100 * rate / LIMIT:.1f} % of the {LIMIT}/s limit; 429s received: {api.limits.refused}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    asyncio.run(main(args.users, args.database_url))
