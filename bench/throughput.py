"""How many updates a second the bot sustains, through the whole production path, per database.

Real `python -m bot webhook` processes behind a round-robin "load balancer" (this script posts each update, with
the webhook secret, to the next instance, as Telegram would); every update is a /start from one of many women, and
its latency runs from its scheduled arrival to the moment the fake Bot API accepted the answer. An update is
answered only after the inbox insert, the worker's step transaction, the outbox row and the fast-path send.

    .venv/bin/python bench/throughput.py [--rates 100 200 300] [--seconds 20] [--instances 1 2]
                                         [--database-url postgresql://...]
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
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage.db import make_engine, migrate
from tests.crashload import free_port, ready, spawn
from tests.fakebotapi import FakeBotAPI

_update_ids = itertools.count(int(time.time() * 1000))


def start_update(user_id: int) -> dict:
    user = {"id": user_id, "is_bot": False, "first_name": f"W{user_id}", "language_code": "en"}
    message = {
        "message_id": next(_update_ids) % 1_000_000_000, "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": user["first_name"]}, "from": user, "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    }  # fmt: skip
    return {"update_id": next(_update_ids), "message": message}


def percentiles(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=100)
    return statistics.median(values), cuts[94]


async def measure(api: FakeBotAPI, ports: list[int], rate: float, seconds: float, users: list[int]) -> dict:
    """Post `rate` updates a second for `seconds`; every woman has at most one update in flight."""
    waiting: dict[int, float] = {}
    latencies: list[float] = []

    def answered(chat_id: int) -> None:
        if (began := waiting.pop(chat_id, None)) is not None:
            latencies.append((time.perf_counter() - began) * 1000)

    api.on_sent = answered
    total = int(rate * seconds)
    before = len(api.calls_to("sendMessage"))
    gc.collect()
    gc.freeze()
    async with aiohttp.ClientSession() as client:
        headers = {"X-Telegram-Bot-Api-Secret-Token": "bench-secret"}
        urls = itertools.cycle([f"http://127.0.0.1:{port}/telegram" for port in ports])
        pool = itertools.cycle(users)

        async def post(scheduled: float, url: str, user: int) -> None:
            waiting[user] = scheduled
            async with client.post(url, json=start_update(user), headers=headers) as response:
                assert response.status == 200, response.status

        start = time.perf_counter()
        tasks = []
        for i in range(total):
            scheduled = start + i / rate
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            user = next(pool)
            while user in waiting:  # still waiting for her last answer: the next woman instead
                user = next(pool)
            tasks.append(asyncio.create_task(post(scheduled, next(urls), user)))
        await asyncio.gather(*tasks)
        deadline = time.perf_counter() + 30
        while waiting and time.perf_counter() < deadline:  # noqa: ASYNC110 - answers come in a callback
            await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)  # an answer sent twice would arrive now
    gc.unfreeze()
    p50, p95 = percentiles(latencies) if len(latencies) > 2 else (float("nan"), float("nan"))
    # Each /start is answered with exactly one message (the language picker): as many messages as updates means
    # every update was handled once, by one instance.
    messages = len(api.calls_to("sendMessage")) - before
    return {"rate": rate, "sent": total, "answered": len(latencies), "messages": messages, "p50": p50, "p95": p95}


async def run(url: str, rates: list[float], seconds: float, instances: list[int], tmp: Path) -> None:
    db = make_engine(url)
    await migrate(db)
    await db.dispose()
    async with FakeBotAPI() as api:
        users = [200_000_000 + n for n in range(6000)]
        for uid in users:
            api.user(f"W{uid}", "en", user_id=uid)
        log = (tmp / "bench.log").open("ab")
        backend = url.split(":", 1)[0].split("+")[0]
        print(f"database {backend}; {seconds:g} s per rate; latency from arrival to the answer accepted")
        print(
            f"{'instances':>9} {'rate/s':>7} {'updates':>8} {'answered':>8} {'messages':>8} {'p50 ms':>8} {'p95 ms':>8}"
        )
        for count in instances:
            ports = [free_port() for _ in range(count)]
            processes = [
                await spawn("webhook", url, api, port, log, WEBHOOK_SECRET="bench-secret", LOG_LEVEL="ERROR")
                for port in ports
            ]
            try:
                for port in ports:
                    await ready(port)
                await measure(api, ports, 50, 3, users)  # warm up: connections, caches, first users
                for rate in rates:
                    r = await measure(api, ports, rate, seconds, users)
                    print(
                        f"{count:>9} {r['rate']:>7g} {r['sent']:>8} {r['answered']:>8} {r['messages']:>8} "
                        f"{r['p50']:>8.1f} {r['p95']:>8.1f}",
                        flush=True,
                    )
            finally:
                for process in processes:
                    process.terminate()
                for process in processes:
                    await process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", type=float, nargs="+", default=[100, 200, 300])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file (one instance only)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        asyncio.run(run(url, args.rates, args.seconds, args.instances, Path(tmp)))


if __name__ == "__main__":
    main()
