"""The programme's numbers, computed from the rows so that an external evaluator can check every one.

Start and end answers are paired per mentorship and compared only where both were answered (not skipped) under
the same question version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.kernel.options import DANISH_LEVELS
from conversations.mentorship.survey_defs import IN_WORK, INDICATORS
from storage.models import (
    Company,
    Event,
    MeetingReport,
    MenteeProfile,
    MentorProfile,
    Mentorship,
    Rsvp,
    SurveyResponse,
)

TARGET_MENTORSHIPS = 200
TARGET_COMPANIES = (2, 3)
TARGET_INTRO = (150, 200)
TARGET_COLLECTIVE = 4
# Fewer women than this in a group (a place, a company, a row's combination in the CSV) could point to one of them.
SMALLEST_GROUP = 5
DANISH_SCALE = {o.code: i + 1 for i, o in enumerate(DANISH_LEVELS)}

# indicator id -> (kind, value of one answer); "share" values are 0/1 and reported as a share, "mean" as a mean.
MEASURES: dict[str, tuple[str, Callable[[object], float]]] = {
    "employment": ("share", lambda a: float(a in IN_WORK)),
    "own_field": ("share", lambda a: float(a == "yes")),
    "education": ("share", lambda a: float(a != "no")),
    "network": ("share", lambda a: float(a in ("3", "6"))),  # three or more people to ask
    "clarity": ("mean", lambda a: float(a)),  # type: ignore[arg-type]
    "danish": ("mean", lambda a: float(DANISH_SCALE[a])),  # type: ignore[index]
    "confidence": ("mean", lambda a: float(a)),  # type: ignore[arg-type]
}


@dataclass(frozen=True)
class Scope:
    year: int | None = None
    region: str | None = None  # the mentee's
    company_id: int | None = None  # the mentor's partner company

    @property
    def is_group(self) -> bool:
        """A part of the programme, whose small counts are suppressed; a year alone is the whole programme."""
        return self.region is not None or self.company_id is not None


def small(count: int) -> bool:
    """A count that could point to one woman: more than none, fewer than SMALLEST_GROUP."""
    return 0 < count < SMALLEST_GROUP


@dataclass
class Paired:
    indicator: str
    kind: str
    n: int
    start: float
    end: float


@dataclass
class Report:
    scope: Scope
    started: int
    companies: int
    paired: list[Paired] = field(default_factory=list)
    completed_with_both: int = 0
    former_mentees: int = 0
    former_mentees_now_mentors: int = 0
    meetings_per_mentorship: float = 0.0
    meetings_reported: int = 0
    meetings_reported_by_both: int = 0
    intro_participants: int = 0
    collective_events: int = 0


def _scoped(scope: Scope):  # type: ignore[no-untyped-def]
    query = select(Mentorship).join(MenteeProfile, MenteeProfile.user_id == Mentorship.mentee_id, isouter=True)
    query = query.join(MentorProfile, MentorProfile.user_id == Mentorship.mentor_id, isouter=True)
    if scope.year is not None:
        start, end = datetime(scope.year, 1, 1, tzinfo=UTC), datetime(scope.year + 1, 1, 1, tzinfo=UTC)
        query = query.where(Mentorship.started_at >= start, Mentorship.started_at < end)
    if scope.region is not None:
        query = query.where(MenteeProfile.region == scope.region)
    if scope.company_id is not None:
        query = query.where(MentorProfile.company_id == scope.company_id)
    return query


async def mentorships(session: AsyncSession, scope: Scope) -> list[Mentorship]:
    return list((await session.execute(_scoped(scope).order_by(Mentorship.started_at, Mentorship.id))).scalars().all())


async def export_facts(session: AsyncSession, ids: list[int]) -> dict[int, tuple[str, int | None, int]]:
    """Mentorship id -> (the mentee's place, the mentor's company id, distinct days met), in two queries."""
    if not ids:
        return {}
    query = (
        select(Mentorship.id, MenteeProfile.region, MentorProfile.company_id)
        .join(MenteeProfile, MenteeProfile.user_id == Mentorship.mentee_id, isouter=True)
        .join(MentorProfile, MentorProfile.user_id == Mentorship.mentor_id, isouter=True)
        .where(Mentorship.id.in_(ids))
    )
    met = (
        select(MeetingReport.mentorship_id, MeetingReport.held_on)
        .where(MeetingReport.mentorship_id.in_(ids), MeetingReport.met == "yes")
        .distinct()
        .subquery()
    )
    days = dict((await session.execute(select(met.c.mentorship_id, func.count()).group_by(met.c.mentorship_id))).all())
    return {i: (region or "", company, days.get(i, 0)) for i, region, company in (await session.execute(query)).all()}


async def surveys_of(session: AsyncSession, ids: list[int]) -> dict[tuple[int, str], dict]:
    """(mentorship id, survey) -> answers of finished responses."""
    if not ids:
        return {}
    rows = await session.execute(
        select(SurveyResponse).where(SurveyResponse.mentorship_id.in_(ids), SurveyResponse.finished_at.is_not(None))
    )
    return {(r.mentorship_id, r.survey): r.answers for r in rows.scalars().all()}


def pair(start: dict, end: dict, indicator: str) -> tuple[object, object] | None:
    a, b = start.get(indicator), end.get(indicator)
    if not a or not b or a["a"] is None or b["a"] is None or a["v"] != b["v"]:
        return None
    return a["a"], b["a"]


async def compute(session: AsyncSession, scope: Scope, now: datetime | None = None) -> Report:
    now = now or datetime.now(UTC)
    scoped = await mentorships(session, scope)
    ids = [m.id for m in scoped]
    report = Report(
        scope=scope,
        started=len(scoped),
        companies=(
            await session.execute(select(func.count()).select_from(Company).where(Company.retired_at.is_(None)))
        ).scalar_one(),
    )

    answers = await surveys_of(session, ids)
    completed = [m for m in scoped if m.status == "completed"]
    both = [m for m in completed if (m.id, "mentee_start") in answers and (m.id, "mentee_end") in answers]
    report.completed_with_both = len(both)
    for question in INDICATORS:
        kind, measure = MEASURES[question.id]
        pairs = [
            p for m in both if (p := pair(answers[(m.id, "mentee_start")], answers[(m.id, "mentee_end")], question.id))
        ]
        if pairs:
            start = sum(measure(a) for a, _ in pairs) / len(pairs)
            end = sum(measure(b) for _, b in pairs) / len(pairs)
        else:
            start = end = 0.0
        report.paired.append(Paired(question.id, kind, len(pairs), start, end))

    # Former mentees (a mentorship of theirs has ended) and how many of them are mentors now.
    ended = {m.mentee_id for m in scoped if m.status in ("completed", "ended_early", "cancelled")}
    report.former_mentees = len(ended)
    if ended:
        report.former_mentees_now_mentors = (
            await session.execute(
                select(func.count()).select_from(MentorProfile).where(MentorProfile.user_id.in_(ended))
            )
        ).scalar_one()

    # Events: intro-course participants are the women checked in; collective events count once held.
    events = select(Event).where(Event.status == "published")
    if scope.year is not None:
        year = (datetime(scope.year, 1, 1, tzinfo=UTC), datetime(scope.year + 1, 1, 1, tzinfo=UTC))
        events = events.where(Event.starts_at >= year[0], Event.starts_at < year[1])
    held = list((await session.execute(events)).scalars().all())
    report.collective_events = sum(e.kind == "collective" and e.starts_at <= now for e in held)
    intro_ids = [e.id for e in held if e.kind == "intro"]
    if intro_ids:
        attended = select(func.count(func.distinct(Rsvp.user_id))).where(Rsvp.event_id.in_(intro_ids), Rsvp.attended)
        report.intro_participants = (await session.execute(attended)).scalar_one()

    if ids:
        met = (
            select(MeetingReport.mentorship_id, MeetingReport.held_on)
            .where(MeetingReport.mentorship_id.in_(ids), MeetingReport.met == "yes")
            .distinct()
            .subquery()
        )
        meetings = (await session.execute(select(func.count()).select_from(met))).scalar_one()
        report.meetings_per_mentorship = meetings / len(ids)
        reporters = (
            select(MeetingReport.meeting_id, func.count(func.distinct(MeetingReport.reporter_id)).label("sides"))
            .where(MeetingReport.mentorship_id.in_(ids), MeetingReport.meeting_id.is_not(None))
            .group_by(MeetingReport.meeting_id)
            .subquery()
        )
        counts = (
            await session.execute(
                select(func.count(), func.count().filter(reporters.c.sides >= 2)).select_from(reporters)
            )
        ).one()
        report.meetings_reported, report.meetings_reported_by_both = counts
    return report
