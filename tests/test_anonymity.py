"""The evaluators' CSV and the /stats breakdowns on a synthetic year: no row and no cell points to one woman."""

from __future__ import annotations

import csv
import io
import random
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from conversations.mentorship.survey_defs import SURVEYS
from storage.models import Company, MeetingReport, MenteeProfile, MentorProfile, Mentorship, SurveyResponse, User
from tests.fakechat import FakeChat
from tests.people import coordinator

SMALLEST = 5
QUASI_IDENTIFIERS = ("started", "status", "ended", "mentee_place", "partner_company", "meetings")
# A realistic skew: a few big places and companies, several small ones, some mentors without a company.
PLACES = {"cph": 98, "aarhus": 50, "zealand": 26, "jutland": 19, "funen": 4, "online": 3}
COMPANIES = {"Fjord Energy": 60, "Nordic Bank": 35, "Havn Logistics": 20, "Lys Design": 8, "Bølge Care": 4}
COMPANIES |= {"Sund Pharma": 3, "Klit Software": 2, "Eng Foods": 1}
STATUSES = {"completed": 50, "active": 20, "ended_early": 15, "paused": 8, "cancelled": 7}
YEAR_END = datetime(2026, 3, 1, tzinfo=UTC)
SURVEY_COLUMNS = [
    f"{side}_{q.id}" for side, survey in (("start", "mentee_start"), ("end", "mentee_end")) for q in SURVEYS[survey]
]


def _answers(rng: random.Random, survey: str) -> dict:
    return {
        q.id: {"v": q.version, "a": sorted(rng.sample([o.code for o in q.options], 2)) if q.multi else rng.choice(q.options).code}
        for q in SURVEYS[survey]
    }  # fmt: skip


async def synthetic_year(sessions) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    """200 mentorships started in 2025, straight into the database; returns the survey answers of each as the
    CSV shows them, in the order of the survey columns."""
    rng = random.Random(2025)
    places = [p for p, n in PLACES.items() for _ in range(n)]
    companies = [c for c, n in COMPANIES.items() for _ in range(n)]
    companies += [None] * (200 - len(companies))
    rng.shuffle(places)
    rng.shuffle(companies)
    expected = []
    async with sessions() as session, session.begin():
        ids = {}
        for number, name in enumerate(COMPANIES):
            company = Company(name=name, code=f"co{number}")
            session.add(company)
            await session.flush()
            ids[name] = company.id
        users = [
            User(platform="test", external_id=f"{role}-{i}", chat_id=f"{role}-{i}", locale="en", role=role,
                 first_name=f"Secret{role}{i}")
            for i in range(200) for role in ("mentee", "mentor")
        ]  # fmt: skip
        session.add_all(users)
        await session.flush()
        mentorships = []
        for i in range(200):
            mentee, mentor = users[2 * i], users[2 * i + 1]
            session.add(
                MenteeProfile(
                    user_id=mentee.id, region=places[i], fields=["it"], education="master", experience="6",
                    languages=["en"], danish="basic", goals=["cv"],
                )
            )  # fmt: skip
            session.add(
                MentorProfile(
                    user_id=mentor.id, job_title="Engineer", employer="Acme", fields=["it"], experience="6",
                    region="cph", languages=["en"], meeting_modes=["online"], capacity=1, status="approved",
                    company_id=ids[companies[i]] if companies[i] else None,
                )
            )  # fmt: skip
            # Every small place has completed mentorships with both surveys, so its view has small n.
            status = "completed" if places[i] == "funen" else rng.choices(*zip(*STATUSES.items(), strict=True))[0]
            started = datetime(2025, 1, 1, 9, tzinfo=UTC) + timedelta(days=rng.randrange(365), hours=rng.randrange(9))
            ended = None
            if status in ("completed", "ended_early", "cancelled"):
                ended = min(started + timedelta(days=rng.randrange(20, 300)), YEAR_END)
            m = Mentorship(mentee_id=mentee.id, mentor_id=mentor.id, status=status, started_at=started, ended_at=ended)
            mentorships.append(m)
        session.add_all(mentorships)
        await session.flush()
        for i, m in enumerate(mentorships):
            start = _answers(rng, "mentee_start") if rng.random() < 0.9 or places[i] == "funen" else None
            end = None
            if m.status == "completed" and (rng.random() < 0.8 or places[i] == "funen"):
                end = _answers(rng, "mentee_end")
            for survey, given in (("mentee_start", start), ("mentee_end", end)):
                if given:
                    session.add(
                        SurveyResponse(
                            mentorship_id=m.id, user_id=m.mentee_id, survey=survey, answers=given, finished_at=YEAR_END
                        )
                    )
            for k in range(rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 10, 12])):
                session.add(
                    MeetingReport(
                        mentorship_id=m.id, reporter_id=m.mentee_id, met="yes", topics=["cv"], minutes=60,
                        held_on=m.started_at + timedelta(days=14 * k),
                    )
                )  # fmt: skip
            given = {f"start_{k}": v for k, v in (start or {}).items()} | {
                f"end_{k}": v for k, v in (end or {}).items()
            }
            expected.append(tuple(_shown(given.get(c)) for c in SURVEY_COLUMNS))
    return expected


def _shown(answer: dict | None) -> str:
    if answer is None:
        return ""
    return ";".join(answer["a"]) if isinstance(answer["a"], list) else str(answer["a"])


async def last_years_stats(engine, people) -> FakeChat:  # type: ignore[no-untyped-def]
    karen = await coordinator(engine, people)
    await karen.send("/stats")
    await karen.tap("Last year")
    return karen


async def export(karen: FakeChat) -> list[dict[str, str]]:
    await karen.tap("⬇ CSV for evaluators")
    attachment = karen.last.reply.attachment
    assert attachment is not None and attachment.mime == "text/csv"
    return list(csv.DictReader(io.StringIO(attachment.content.decode())))


def numbers(karen: FakeChat) -> str:
    return next(s for s in reversed(karen.history) if "Programme numbers" in s.text).text


async def test_every_combination_of_quasi_identifiers_in_the_csv_is_shared_by_five_rows(
    engine, people, sessions
) -> None:
    expected = await synthetic_year(sessions)
    karen = await last_years_stats(engine, people)
    rows = await export(karen)
    assert len(rows) == 200
    groups = Counter(tuple(row[c] for c in QUASI_IDENTIFIERS) for row in rows)
    smallest = min(groups.values())
    assert smallest >= SMALLEST, [key for key, n in groups.items() if n == smallest]
    # Still useful: the survey answers are exact, and the big places and companies keep their names.
    assert sorted(tuple(row[c] for c in SURVEY_COLUMNS) for row in rows) == sorted(expected)
    assert {"cph", "aarhus"} <= {row["mentee_place"] for row in rows}
    assert {"Fjord Energy", "Nordic Bank"} <= {row["partner_company"] for row in rows}
    content = "".join(",".join(row.values()) for row in rows)
    for secret in ("Secret", "mentee-", "mentor-", "Eng Foods", "funen"):
        assert secret not in content


def _month(value: str) -> tuple[int, int] | None:
    """Where a start value falls: its month, or a quarter's first month; a year or a suppressed cell says too
    little to order by."""
    if match := re.match(r"(\d{4})-(\d{2})", value):
        return int(match[1]), int(match[2])
    if match := re.match(r"(\d{4})-Q(\d)", value):
        return int(match[1]), 3 * int(match[2]) - 2
    return None


def _in_start_order(rows: list[dict[str, str]]) -> bool:
    months = [m for row in rows if (m := _month(row["started"]))]
    return months == sorted(months)


async def test_row_labels_are_new_in_every_export_and_follow_no_order(engine, people, sessions) -> None:
    await synthetic_year(sessions)
    karen = await last_years_stats(engine, people)
    first, second = await export(karen), await export(karen)
    labels = [row["mentorship"] for row in first], [row["mentorship"] for row in second]
    assert len(set(labels[0])) == 200 and not set(labels[0]) & set(labels[1])
    for rows in (first, second):
        assert not _in_start_order(rows)  # neither the order of the rows ...
        assert not _in_start_order(sorted(rows, key=lambda row: row["mentorship"]))  # ... nor of the labels

    # Nor does a row's place in the file link two exports: the answers tell one mentorship from another.
    def answers(row: dict[str, str]) -> tuple[str, ...]:
        return tuple(row[c] for c in SURVEY_COLUMNS)

    same_place = sum(answers(a) == answers(b) for a, b in zip(first, second, strict=True))
    assert same_place < 50


async def test_small_cells_of_a_breakdown_show_as_fewer_than_five(engine, people, sessions) -> None:
    await synthetic_year(sessions)
    karen = await last_years_stats(engine, people)
    assert "Mentorships started: 200 (target 200 a year)" in numbers(karen)  # the programme's total stays exact

    await karen.tap("Place")
    await karen.tap("Funen")
    funen = numbers(karen)
    assert "Mentorships started: <5 (target 200 a year)" in funen
    assert "completed mentorships with both surveys: <5" in funen
    assert re.search(r"n=[1-4]\b", funen) is None and "(n<5)" in funen
    assert "Former mentees who are now mentors: 0 of <5" in funen

    await karen.tap("Place")
    await karen.tap("any")
    await karen.tap("Company")
    await karen.tap("Sund Pharma")
    assert "Mentorships started: <5 (target 200 a year)" in numbers(karen)
    await karen.tap("Company")
    await karen.tap("Fjord Energy")
    assert "Mentorships started: 60 (target 200 a year)" in numbers(karen)  # a big group is shown as it is


def test_the_rule_holds_on_any_data_of_at_least_five_rows() -> None:
    from conversations.evaluation import Known, anonymise  # here, so the tests above fail on their own

    rng = random.Random(5)
    for _ in range(300):
        rows = []
        for _ in range(rng.randrange(SMALLEST, 80)):
            started = date(2024, 1, 1) + timedelta(days=rng.randrange(800))
            status = rng.choice(list(STATUSES))
            ended = started + timedelta(days=rng.randrange(10, 400)) if status not in ("active", "paused") else None
            place, company = rng.choice(list(PLACES)), rng.choice(["", *COMPANIES])
            rows.append(Known(started, status, ended, place, company, rng.randrange(15)))
        shown = anonymise(rows)
        assert len(shown) == len(rows) and min(Counter(shown).values()) >= SMALLEST


async def test_a_choice_of_fewer_than_five_mentorships_gets_no_csv(engine, people, sessions) -> None:
    await synthetic_year(sessions)
    karen = await last_years_stats(engine, people)
    await karen.tap("Place")
    await karen.tap("Online only")
    await karen.tap("⬇ CSV for evaluators")
    assert karen.last.reply.attachment is None
    assert "fewer than 5" in karen.last.text
