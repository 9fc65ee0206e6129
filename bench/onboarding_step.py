"""Where the time of one step goes, and what the inbox costs against handling an update directly, in one run.

Each woman answers the first-name question. Two paths, one update at a time so nothing queues:
- direct: the update is converted and run by the engine, then its answer is sent (the path before the inbox);
- inbox: the update is parsed and stored (its own commit: only then may Telegram be told), taken by a worker
  and run with its answer written to the outbox in the step's transaction, sent, and its outbox row deleted.
Answers go over HTTP to the fake Bot API server on 127.0.0.1.

    .venv/bin/python bench/onboarding_step.py [--users 300] [--database-url postgresql://...] [--profile]

With --profile, the inbox path runs under cProfile and the CPU it used is shown by library.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aiogram.types import Update

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.pacer import Pacer
from bot.telegram import convert
from bot.telegram.app import make_bot
from bot.telegram.send import live_sender
from conversations.kernel.engine import Engine
from conversations.kernel.messages import Inbound, Kind, Reply, UserRef
from storage.db import make_engine, migrate, sessionmaker
from tests.fakebotapi import FakeBotAPI

ROOT = Path(__file__).resolve().parents[1]


def name_update(update_id: int, user_id: int) -> dict:
    user = {"id": user_id, "is_bot": False, "first_name": f"W{user_id}", "language_code": "en"}
    chat = {"id": user_id, "type": "private", "first_name": user["first_name"]}
    message = {"message_id": update_id, "date": int(time.time()), "chat": chat, "from": user, "text": f"Name{user_id}"}
    return {"update_id": update_id, "message": message}


def row(label: str, values: list[float]) -> str:
    p95 = statistics.quantiles(values, n=100)[94]
    return f"{label:<34}{statistics.median(values):>9.2f}{p95:>9.2f}{statistics.fmean(values):>9.2f}"


def by_library(profile: cProfile.Profile, updates: int) -> None:
    """CPU time per update, by the library its functions belong to."""
    shares: collections.Counter[str] = collections.Counter()
    for (filename, _line, _name), (_cc, _nc, own, _cum, _callers) in pstats.Stats(profile).stats.items():  # type: ignore[attr-defined]
        if "site-packages/" in filename:
            key = filename.split("site-packages/")[1].split("/")[0]
        elif filename.startswith(str(ROOT)):
            key = "mentornet (ours)"
        else:
            key = "built-ins, stdlib, event loop"
        shares[key] += own
    total = sum(shares.values())
    print(f"CPU per update on the inbox path under cProfile: {total / updates * 1000:.2f} ms")
    for key, own in shares.most_common(8):
        print(f"  {key:<30}{own / updates * 1000:>7.2f} ms  {own / total:>5.0%}")


async def main(users: int, database_url: str | None, profile: bool = False) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{tmp}/bench.db"
        db = make_engine(url)
        await migrate(db)
        async with FakeBotAPI() as api:
            bot = make_bot(api.token, api.base_url)
            send = live_sender(bot, Pacer(rate=10_000))  # the budget is not what is measured here
            engine = Engine(sessionmaker(db))
            first = int(time.time() * 1000)
            ids = list(range(first, first + 2 * users))
            for uid in ids:  # every woman at the first-name question (not measured)
                api.user(f"W{uid}", "en", user_id=uid)
                ref = UserRef(convert.PLATFORM, str(uid), str(uid))
                await engine.handle(Inbound(ref, Kind.COMMAND, text="/start"))
                for payload in ("lang:en", "2:yes", "3:mentee"):
                    await engine.handle(Inbound(ref, Kind.BUTTON, payload=payload))

            phases: dict[str, list[float]] = {k: [] for k in ("parse", "store", "step", "send", "close", "all")}
            direct: list[float] = []
            sent_at: list[float] = []

            async def timed_send(reply: Reply) -> None:
                began = time.perf_counter()
                await send(reply)
                sent_at.append(began)
                sent_at.append(time.perf_counter())

            for n, uid in enumerate(ids[:users]):  # the direct path
                began = time.perf_counter()
                raw = name_update(first + n, uid)
                inbound = convert.from_message(Update.model_validate(raw, context={"bot": bot}).message, first + n)
                for reply in await engine.handle(inbound):  # type: ignore[arg-type]
                    await send(reply.__class__(reply.text, reply.buttons, to=inbound.user))  # type: ignore[union-attr]
                direct.append((time.perf_counter() - began) * 1000)

            profiler = cProfile.Profile()
            if profile:
                profiler.enable()
            for n, uid in enumerate(ids[users:]):  # the inbox path
                sent_at.clear()
                t0 = time.perf_counter()
                raw = name_update(first + users + n, uid)
                stored = convert.stored(Update.model_validate(raw, context={"bot": bot}))
                t1 = time.perf_counter()
                await engine.receive(convert.PLATFORM, [stored], {})  # type: ignore[list-item]
                t2 = time.perf_counter()
                assert await engine.handle_queued(convert.PLATFORM, str(uid), timed_send) is not None
                t5 = time.perf_counter()
                t3, t4 = sent_at[0], sent_at[-1]
                for key, value in (("parse", t1 - t0), ("store", t2 - t1), ("step", t3 - t2), ("send", t4 - t3),
                                   ("close", t5 - t4), ("all", t5 - t0)):  # fmt: skip
                    phases[key].append(value * 1000)
            profiler.disable()
            await bot.session.close()
        await db.dispose()

    backend = url.split(":", 1)[0]
    print(f"{users} updates on each path, one at a time, database {backend}")
    print(f"{'':<34}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}")
    print(row("direct: convert, step, send", direct))
    print(row("inbox: all", phases["all"]))
    print(row("  parse the update", phases["parse"]))
    print(row("  store it (commit)", phases["store"]))
    print(row("  take + step + outbox (commit)", phases["step"]))
    print(row("  send the answer", phases["send"]))
    print(row("  delete its outbox row (commit)", phases["close"]))
    ratio = statistics.median(phases["all"]) / statistics.median(direct)
    print(f"inbox / direct, p50: {ratio:.2f}")
    if profile:
        by_library(profiler, users)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=300, help="measured updates on each path (default 300)")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--profile", action="store_true", help="show where the inbox path's CPU time goes")
    args = parser.parse_args()
    asyncio.run(main(args.users, args.database_url, args.profile))
