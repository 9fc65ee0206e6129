"""Ranking in SQL against a plain-Python reading of the same rules, on generated mentors and mentees."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from conversations.kernel.options import FIELDS, GOALS, REGIONS, SPOKEN_LANGUAGES
from storage.masks import LANGUAGE_BITS
from storage.matching import Filters, rank
from storage.models import MenteeProfile, MentorProfile, User
from storage.repo import mentor_derived

NOW = datetime(2026, 11, 27, tzinfo=UTC)
FIELD_CODES = [o.code for o in FIELDS]
GOAL_CODES = [o.code for o in GOALS]


def expected_score(mentee: MenteeProfile, mentor: dict, last_seen: datetime) -> float:
    score = 3.0 * len(set(mentee.fields) & set(mentor["fields"]))
    score += 1.0 * len(set(mentee.goals) & set(mentor["helps_with"]))
    score += 0.5 * len(set(mentee.languages) & set(mentor["languages"]))
    online, in_person = "online" in mentor["meeting_modes"], "in_person" in mentor["meeting_modes"]
    if mentee.region == "online":
        score += 2.0 if online else 0.0
    else:
        score += 2.0 if (mentor["region"] == mentee.region and in_person) else (1.0 if online else 0.0)
    score += 0.25 * (mentor["capacity"] - mentor["active_count"])
    age = NOW - last_seen
    score += 1.0 if age <= timedelta(days=14) else (0.5 if age <= timedelta(days=60) else 0.0)
    return score


@pytest.mark.parametrize("size", [60, 400])
async def test_sql_ranking_matches_the_rules(sessions, size: int) -> None:
    rng = random.Random(size)
    mentors = {}
    async with sessions() as session, session.begin():
        for i in range(1, size + 1):
            capacity = rng.randint(1, 3)
            answers = {
                "fields": rng.sample(FIELD_CODES, rng.randint(1, 3)),
                "languages": rng.sample(list(SPOKEN_LANGUAGES[:6]), rng.randint(1, 3)),
                "meeting_modes": rng.choice([["in_person"], ["online"], ["in_person", "online"]]),
                "helps_with": rng.sample(GOAL_CODES, rng.randint(1, 4)),
            }
            mentor = {
                **answers, "region": rng.choice([o.code for o in REGIONS if o.code != "online"]),
                "capacity": capacity, "active_count": rng.randint(0, capacity),
                "status": rng.choice(["approved", "approved", "approved", "paused", "pending"]),
            }  # fmt: skip
            last_seen = NOW - timedelta(days=rng.randint(0, 90))
            await session.execute(
                insert(User).values(
                    id=i,
                    platform="t",
                    external_id=str(i),
                    chat_id=str(i),
                    role="mentor",
                    is_demo=False,
                    created_at=NOW,
                    last_seen_at=last_seen,
                )
            )
            await session.execute(
                insert(MentorProfile).values(
                    user_id=i,
                    job_title="x",
                    employer="y",
                    experience="6",
                    about=None,
                    **mentor,
                    **mentor_derived(answers),
                )
            )
            mentors[i] = (mentor, last_seen)

    for trial in range(12):
        mentee = MenteeProfile(
            user_id=0,
            region=rng.choice([o.code for o in REGIONS]),
            fields=rng.sample(FIELD_CODES, rng.randint(1, 2)),
            languages=rng.sample(list(SPOKEN_LANGUAGES[:6]), rng.randint(1, 2)),
            goals=rng.sample(GOAL_CODES, rng.randint(1, 3)),
        )
        filters = Filters(place="online") if trial % 4 == 3 else Filters()
        limit = 10
        eligible = []
        for i, (m, seen) in mentors.items():
            if m["status"] != "approved" or m["active_count"] >= m["capacity"]:
                continue
            if not set(m["languages"]) & set(mentee.languages) & set(LANGUAGE_BITS):
                continue
            if filters.place == "online" and "online" not in m["meeting_modes"]:
                continue
            eligible.append((-expected_score(mentee, m, seen), i))
        expected = [i for _, i in sorted(eligible)[:limit]]
        async with sessions() as session:
            assert await rank(session, mentee, NOW, filters, limit=limit) == expected
