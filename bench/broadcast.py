"""A message to many users through the paced outbox, the real aiogram client and a fake Bot API on 127.0.0.1 that
enforces Telegram's limits (30 messages/s for the bot, 1/s per chat) with 429 + retry_after.

    .venv/bin/python bench/broadcast.py [--users 10000] [--database-url postgresql://...]

Reports the achieved rate as a share of the 30/s limit and the number of 429s received.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.outbox_runner import Pacer, drain_paced
from bot.telegram.app import make_bot
from bot.telegram.send import send_one
from conversations.engine import Engine
from conversations.messages import Reply
from storage.db import make_engine, migrate, sessionmaker
from storage.models import Outbox, User, utcnow
from tests.fakebotapi import FakeBotAPI, Limits

LIMIT = 30


async def main(users: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = make_engine(database_url or f"sqlite:///{tmp}/broadcast.db")
        await migrate(db)
        sessions = sessionmaker(db)
        async with FakeBotAPI(limits=Limits(per_second=LIMIT)) as api:
            first = int(time.time())
            people = [api.user(f"U{i}", "en", user_id=first + i) for i in range(users)]
            now = utcnow()
            async with sessions() as session, session.begin():
                await session.execute(
                    insert(User),
                    [
                        {"platform": "telegram", "external_id": str(u.id), "chat_id": str(u.chat_id), "locale": "en",
                         "role": "mentee", "is_demo": True, "created_at": now, "last_seen_at": now}
                        for u in people
                    ],
                )  # fmt: skip
                payload = Reply("📣 The next intro course is on Tuesday. See /events.").as_payload()
                await session.execute(
                    insert(Outbox),
                    [
                        {"platform": "telegram", "external_id": str(u.id), "chat_id": str(u.chat_id), "payload": payload,
                         "created_at": now, "attempts": 0}
                        for u in people
                    ],
                )  # fmt: skip
            engine = Engine(sessions)
            bot = make_bot(api.token, api.base_url)
            pacer = Pacer(29.0, 1.1)
            start = time.monotonic()
            sent = 0
            while closed := await drain_paced(engine, lambda reply: send_one(bot, reply), pacer):
                sent += closed
            elapsed = time.monotonic() - start
            await bot.session.close()
            delivered = sum(len(api.messages(u)) for u in people)
        await db.dispose()
    rate = delivered / elapsed
    print(f"{users} users: {delivered} delivered in {elapsed:.1f} s")
    print(
        f"rate {rate:.2f} messages/s = {100 * rate / LIMIT:.1f} % of the {LIMIT}/s limit; 429s received: {api.limits.refused}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    asyncio.run(main(args.users, args.database_url))
