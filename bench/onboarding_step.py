"""Cost of one onboarding step through the whole stack, against a bare aiogram echo handler in the same run.

Each measured update goes in through aiogram (`Dispatcher.feed_update`), through our adapter, the engine and the
database, and its reply goes out over HTTP to a fake Bot API server on 127.0.0.1. Updates arrive at a fixed rate;
latency is measured from an update's scheduled arrival to the moment its reply was accepted by the server.

    .venv/bin/python bench/onboarding_step.py [--rate 50] [--users 500] [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiogram import Bot, Dispatcher, Router
from aiogram.types import Message, Update

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.telegram.app import make_bot, make_dispatcher
from bot.telegram.convert import PLATFORM
from conversations.kernel.engine import Engine
from conversations.kernel.messages import Inbound, Kind, UserRef
from storage.db import make_engine, migrate, sessionmaker
from tests.fakebotapi import FakeBotAPI

_update_ids = itertools.count(int(time.time() * 1000))  # never seen before, also by a kept database
_message_ids = itertools.count(1)


def text_update(user_id: int, text: str) -> dict:
    user = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", "language_code": "en"}
    message = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": user["first_name"]},
        "from": user,
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": next(_update_ids), "message": message}


async def feed(dispatcher: Dispatcher, bot: Bot, raw: dict) -> None:
    await dispatcher.feed_update(bot, Update.model_validate(raw, context={"bot": bot}))


async def at_rate(rate: float, jobs: list[Callable[[], Awaitable[None]]]) -> list[float]:
    """Start one job every 1/rate seconds; return each job's latency from its scheduled start, in ms."""
    latencies: list[float] = []
    # The fake server keeps every chat in this process; without freezing what exists now, each full garbage
    # collection rescans it and the tail measures the fake's memory, not the bot.
    gc.collect()
    gc.freeze()
    start = time.perf_counter()

    async def timed(scheduled: float, job: Callable[[], Awaitable[None]]) -> None:
        await job()
        latencies.append((time.perf_counter() - scheduled) * 1000)

    tasks = []
    for i, job in enumerate(jobs):
        scheduled = start + i / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        tasks.append(asyncio.create_task(timed(scheduled, job)))
    await asyncio.gather(*tasks)
    return latencies


def summary(latencies: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(latencies, n=100)
    return statistics.median(latencies), cuts[94], statistics.fmean(latencies)


async def main(rate: float, users: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{tmp}/bench.db"
        db = make_engine(url)
        await migrate(db)
        async with FakeBotAPI() as api:
            bot = make_bot(api.token, api.base_url)
            engine = Engine(sessionmaker(db))
            ours = make_dispatcher(engine)

            # Bring every user to the first-name question straight through the engine (not measured).
            first = int(time.time())  # new users on every run, also against a database kept between runs
            ids = list(range(first, first + users))
            for uid in ids:
                api.user(f"User{uid}", "en", user_id=uid)
                ref = UserRef(PLATFORM, str(uid), str(uid))
                await engine.handle(Inbound(ref, Kind.COMMAND, text="/start"))
                for payload in ("lang:en", "2:yes", "3:mentee"):
                    await engine.handle(Inbound(ref, Kind.BUTTON, payload=payload))

            def step(uid: int) -> Callable[[], Awaitable[None]]:
                return lambda: feed(ours, bot, text_update(uid, f"Name{uid}"))

            ours_ms = await at_rate(rate, [step(uid) for uid in ids])

            echo = Dispatcher()
            router = Router()

            @router.message()
            async def echo_handler(message: Message) -> None:
                await message.answer(message.text or "")

            echo.include_router(router)

            def echo_step(uid: int) -> Callable[[], Awaitable[None]]:
                return lambda: feed(echo, bot, text_update(uid, f"Name{uid}"))

            echo_ms = await at_rate(rate, [echo_step(uid) for uid in ids])
            await bot.session.close()
        await db.dispose()

    o50, o95, omean = summary(ours_ms)
    e50, e95, emean = summary(echo_ms)
    backend = url.split(":", 1)[0]
    print(f"{users} updates at {rate:g}/s, database {backend}")
    print(f"{'':<22}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}")
    print(f"{'onboarding step':<22}{o50:>9.2f}{o95:>9.2f}{omean:>9.2f}")
    print(f"{'bare aiogram echo':<22}{e50:>9.2f}{e95:>9.2f}{emean:>9.2f}")
    print(f"{'ratio':<22}{o50 / e50:>9.2f}{o95 / e95:>9.2f}{omean / emean:>9.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=50, help="updates per second (default 50)")
    parser.add_argument("--users", type=int, default=500, help="measured updates, one per user (default 500)")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    asyncio.run(main(args.rate, args.users, args.database_url))
