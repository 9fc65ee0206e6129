"""Ranking mentor candidates for a mentee among many generated mentor profiles.

    .venv/bin/python bench/ranking.py [--mentors 10000 100000] [--queries 200] [--database-url postgresql://...]

Each query is what a mentee's "Find a mentor" runs: exclusions, the shared-language rule, the score, top 50.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conversations.kernel.options import FIELDS, GOALS, REGIONS, SPOKEN_LANGUAGES
from storage.db import make_engine, migrate, sessionmaker
from storage.matching import Filters, rank
from storage.models import MenteeProfile, MentorProfile, User
from storage.repo import mentor_derived

NOW = datetime(2026, 11, 27, tzinfo=UTC)
FIELD_CODES = [o.code for o in FIELDS]
GOAL_CODES = [o.code for o in GOALS]
PLACES = [o.code for o in REGIONS if o.code != "online"]
# Most mentors speak Danish and English; a few speak a newcomer's language too, as in the real network.
COMMON, OTHERS = ["da", "en"], [c for c in SPOKEN_LANGUAGES if c not in ("da", "en")]


def mentor_answers(rng: random.Random) -> dict:
    languages = [c for c in COMMON if rng.random() < 0.9] + rng.sample(OTHERS, rng.choice([0, 0, 1, 2]))
    modes = rng.choice([["in_person"], ["online"], ["in_person", "online"]])
    return {
        "fields": rng.sample(FIELD_CODES, rng.choice([1, 1, 2, 3])),
        "languages": languages or ["en"],
        "meeting_modes": modes,
        "helps_with": rng.sample(GOAL_CODES, rng.randint(1, 4)),
    }


async def populate(sessions, count: int, start: int, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        users, profiles = [], []
        for i in range(start, start + count):
            users.append({
                "id": i, "platform": "bench", "external_id": str(i), "chat_id": str(i), "locale": "en",
                "role": "mentor", "first_name": f"M{i}", "is_demo": True, "created_at": NOW,
                "last_seen_at": NOW - timedelta(days=rng.randint(0, 120)),
            })  # fmt: skip
            answers = mentor_answers(rng)
            capacity = rng.randint(1, 3)
            profiles.append({
                "user_id": i, "job_title": "Engineer", "employer": "Acme", "experience": "6",
                "region": rng.choice(PLACES), "capacity": capacity, "active_count": rng.randint(0, capacity),
                "about": None, "status": rng.choice(["approved"] * 8 + ["pending", "paused"]),
                "updated_at": NOW, **answers, **mentor_derived(answers),
            })  # fmt: skip
        for chunk in range(0, count, 5000):
            await session.execute(insert(User), users[chunk : chunk + 5000])
            await session.execute(insert(MentorProfile), profiles[chunk : chunk + 5000])


def mentee(rng: random.Random) -> MenteeProfile:
    return MenteeProfile(
        user_id=0,
        region=rng.choice([o.code for o in REGIONS]),
        fields=rng.sample(FIELD_CODES, rng.choice([1, 2])),
        education="master",
        experience="6",
        languages=[rng.choice(OTHERS), "en"] if rng.random() < 0.7 else [rng.choice(OTHERS)],
        danish="basic",
        goals=rng.sample(GOAL_CODES, rng.randint(1, 3)),
    )


async def measure(sessions, queries: int, rng: random.Random) -> list[float]:  # type: ignore[no-untyped-def]
    timings = []
    for i in range(queries):
        seeker = mentee(rng)
        filters = Filters(place="online") if i % 5 == 4 else Filters()
        async with sessions() as session:
            start = time.perf_counter()
            ids = await rank(session, seeker, NOW, filters)
            timings.append((time.perf_counter() - start) * 1000)
        assert ids, "every generated mentee has some candidates"
    return timings


async def main(sizes: list[int], queries: int, database_url: str | None) -> None:
    rng = random.Random(2017)
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{tmp}/rank.db"
        db = make_engine(url)
        if url.startswith("postgres"):
            async with db.begin() as conn:
                await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
        await migrate(db)
        sessions = sessionmaker(db)
        print(f"database {url.split(':', 1)[0]}, {queries} queries per size")
        print(f"{'mentors':>9}{'p50 ms':>9}{'p95 ms':>9}")
        have = 0
        for size in sorted(sizes):
            await populate(sessions, size - have, have + 1, rng)
            have = size
            if url.startswith("postgres"):
                async with db.begin() as conn:
                    await conn.execute(text("ANALYZE"))
            await measure(sessions, 10, rng)  # warm caches
            timings = await measure(sessions, queries, rng)
            p95 = statistics.quantiles(timings, n=100)[94]
            print(f"{size:>9}{statistics.median(timings):>9.1f}{p95:>9.1f}")
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mentors", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    asyncio.run(main(args.mentors, args.queries, args.database_url))
