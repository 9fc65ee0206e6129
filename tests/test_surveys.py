"""Surveys as conversations, and the evaluation numbers checked exactly on a network with known answers."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from conversations.evaluation import chart
from conversations.kernel.i18n import Translator
from storage import indicators, repo
from storage.models import MeetingReport, Mentorship, SurveyResponse
from tests.flows import deliver_all, due
from tests.people import add_mentor, coordinator, matched

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


async def test_the_start_survey_one_question_at_a_time_with_skip_pause_and_resume(engine, people, sessions) -> None:
    amina, mette = await matched(engine, people, sessions)
    invitation = next(s for s in amina.history if "A short survey of 8 questions" in s.text)
    assert invitation.buttons == ["Start the survey"]
    assert "Two short questions about what you hope for" in mette.texts_since(-4)
    await amina.tap("Start the survey", message=invitation)
    question = amina.last
    assert question.text.startswith("<b>1/8</b>\n\nWhat is your work situation now?")
    assert question.buttons[-2:] == ["Prefer not to say", "Later"]
    await amina.tap("Looking for a job")
    assert amina.last.id == question.id and amina.last.text.startswith("<b>2/8</b>")  # edited in place
    await amina.tap("Prefer not to say")
    await amina.tap("Later")
    assert "Paused" in amina.history[-2].text
    await amina.send("/survey")
    assert amina.last.text.startswith("<b>3/8</b>\n\nAre you in education now?")
    await amina.send("maybe")
    assert "Please use the buttons below." in amina.last.text
    for title in ("Danish language school", "1–2", "2", "A little", "3"):
        await amina.tap(title)
    assert amina.last.text.startswith("<b>8/8</b>") and "Tap all that fit" in amina.last.text
    await amina.tap("Done")
    assert "Please choose at least one" in amina.last.text
    await amina.tap("The Danish language")
    await amina.tap("No network")
    await amina.tap("Done")
    assert amina.history[-2].text == "Thank you! 🌱 Your answers are saved."
    async with sessions() as session:
        response = (
            await session.execute(select(SurveyResponse).where(SurveyResponse.survey == "mentee_start"))
        ).scalar_one()
    assert response.finished_at is not None
    assert response.answers["employment"] == {"v": 1, "a": "seeking"}
    assert response.answers["own_field"] == {"v": 1, "a": None}  # skipped, not lost
    assert response.answers["network"]["a"] == "1" and response.answers["clarity"]["a"] == "2"
    assert response.answers["challenges"]["a"] == ["language", "network"]
    await amina.tap("Start the survey", message=invitation)
    assert amina.last.text == "You have answered this survey. Thank you!"


async def test_an_unfinished_survey_is_reminded_after_three_days(engine, people, sessions, clock) -> None:
    amina, mette = await matched(engine, people, sessions)
    await mette.tap("Start the survey")
    await mette.tap("Share what I know")
    await mette.tap("Done")
    await mette.tap("5")  # finished
    clock.now = START + timedelta(days=3) - timedelta(minutes=1)
    assert [r for r in await due(engine) if "survey" in r.text] == []
    clock.now = START + timedelta(days=3)
    reminders = [r for r in await due(engine) if "survey" in r.text]
    assert [(r.to.user_id, r.text) for r in reminders] == [
        ("1001", "A reminder: your short survey has 8 questions left. It takes a minute.")
    ]
    deliver_all(people, reminders)
    await amina.tap("Go on with the survey")
    assert amina.last.text.startswith("<b>1/8</b>")


async def test_end_surveys_follow_the_end_of_a_mentorship(engine, people, sessions) -> None:
    amina, mette = await matched(engine, people, sessions)
    await mette.send("/mentorship")
    await mette.tap("🎓 Complete")
    await mette.tap("Yes, complete it")
    assert "A last short survey of 10 questions" in amina.texts_since(-3)
    assert "Two short questions about how it went" in mette.last.text


# -- the numbers -------------------------------------------------------------------------------------------


def answers(**given: object) -> dict:
    return {
        key: {"v": v, "a": a}
        for key, (a, v) in ((k, val if isinstance(val, tuple) else (val, 1)) for k, val in given.items())
    }


async def network(sessions) -> None:  # type: ignore[no-untyped-def]
    """Three completed mentorships with both surveys, one running with a start survey only."""
    plan = [
        # status, start answers, end answers
        ("completed", answers(employment="seeking", own_field="no", education="no", network="0", clarity="2", danish="none", confidence="1"),
         answers(employment="full_time", own_field="yes", education="no", network="3", clarity="4", danish="basic", confidence="3")),
        ("completed", answers(employment="seeking", own_field=("no", 1), education="no", network="1", clarity="3", danish="basic", confidence="2"),
         answers(employment="part_time", own_field=("no", 2), education="no", network="6", clarity="5", danish="daily", confidence="4")),
        ("completed", answers(employment="education", own_field="no_job", education="danish", network="3", clarity=None, danish="daily", confidence="3"),
         answers(employment="seeking", own_field="no_job", education="no", network="6", clarity="5", danish="work", confidence="3")),
        ("active", answers(employment="seeking", network="0"), None),
    ]  # fmt: skip
    mentor_id = await add_mentor(sessions, "m-1", "Mette", capacity=3, languages=("en",))
    async with sessions() as session, session.begin():
        for i, (status, start, end) in enumerate(plan):
            user, _ = await repo.create_user(session, "test", f"mentee-{i}", f"mentee-{i}", "en", "mentee")
            user.first_name = f"Secret{i}"
            await repo.save_profile(
                session, user,
                {"name": f"Secret{i}", "region": "aarhus" if i < 2 else "cph", "fields": ["it"], "education": "master",
                 "experience": "6", "languages": ["en"], "danish": "basic", "goals": ["cv"], "about": None},
            )  # fmt: skip
            m = Mentorship(mentee_id=user.id, mentor_id=mentor_id, status=status, started_at=START + timedelta(days=i))
            session.add(m)
            await session.flush()
            session.add(
                SurveyResponse(
                    mentorship_id=m.id, user_id=user.id, survey="mentee_start", answers=start, finished_at=START
                )
            )
            if end:
                session.add(
                    SurveyResponse(
                        mentorship_id=m.id, user_id=user.id, survey="mentee_end", answers=end, finished_at=START
                    )
                )
            if i == 0:  # two meetings reported, one of them by both sides
                for day, reporter in ((0, user.id), (7, user.id), (7, mentor_id)):
                    session.add(
                        MeetingReport(
                            mentorship_id=m.id,
                            reporter_id=reporter,
                            met="yes",
                            topics=["cv"],
                            minutes=60,
                            held_on=START + timedelta(days=day),
                        )
                    )
        # The first former mentee is a mentor now.
        first = (await session.execute(select(Mentorship).order_by(Mentorship.id))).scalars().first()
        mentee = await session.get(repo.User, first.mentee_id)
        mentee.role = "mentor"
        await repo.save_profile(
            session, mentee,
            {"name": "Secret0", "job_title": "Engineer", "employer": "Acme", "fields": ["it"], "experience": "2",
             "region": "aarhus", "languages": ["en"], "meeting_modes": ["online"], "helps_with": ["cv"], "capacity": "1", "about": None},
        )  # fmt: skip


async def test_indicators_are_exact_on_a_known_network(sessions) -> None:
    await network(sessions)
    async with sessions() as session:
        report = await indicators.compute(session, indicators.Scope(year=2026))
    assert report.started == 4 and report.completed_with_both == 3
    got = {p.indicator: (p.n, round(p.start, 4), round(p.end, 4)) for p in report.paired}
    assert got["employment"] == (3, 0.0, round(2 / 3, 4))
    assert got["own_field"] == (2, 0.0, 0.5)  # the pair asked under two versions is left out
    assert got["education"] == (3, round(1 / 3, 4), 0.0)
    assert got["network"] == (3, round(1 / 3, 4), 1.0)
    assert got["clarity"] == (2, 2.5, 4.5)  # the skipped start answer leaves that pair out
    assert got["danish"] == (3, 2.0, 3.0)
    assert got["confidence"] == (3, 2.0, round(10 / 3, 4))
    assert (report.former_mentees, report.former_mentees_now_mentors) == (3, 1)
    assert report.meetings_per_mentorship == 0.5  # two distinct meetings over four mentorships
    async with sessions() as session:
        aarhus = await indicators.compute(session, indicators.Scope(year=2026, region="aarhus"))
        last_year = await indicators.compute(session, indicators.Scope(year=2025))
    assert aarhus.started == 2 and aarhus.completed_with_both == 2
    assert last_year.started == 0


async def test_stats_in_chat_with_chart_and_csv_for_evaluators(engine, people, sessions) -> None:
    await network(sessions)
    karen = await coordinator(engine, people)
    await karen.send("/stats")
    text = next(s for s in reversed(karen.history) if "Programme numbers" in s.text).text
    assert "Mentorships started: 4 (target 200 a year)" in text
    assert "In work: 0 % → 67 % (n=3)" in text
    assert "Clarity (1–5): 2.5 → 4.5 (n=2)" in text
    assert "Former mentees who are now mentors: 1 of 3 (33 %)" in text
    chart_message = karen.last
    assert chart_message.reply.attachment.filename == "indicators.png"
    assert (
        chart_message.reply.attachment.content.startswith(b"\x89PNG")
        and len(chart_message.reply.attachment.content) > 5000
    )

    await karen.tap("⬇ CSV for evaluators")
    assert karen.last.reply.attachment is None  # four mentorships: too few to hide one woman among
    async with sessions() as session, session.begin():
        fifth, _ = await repo.create_user(session, "test", "mentee-4", "mentee-4", "en", "mentee")
        mentor_id = (await session.execute(select(Mentorship.mentor_id))).scalars().first()
        session.add(Mentorship(mentee_id=fifth.id, mentor_id=mentor_id, started_at=START + timedelta(days=4)))
    await karen.tap("⬇ CSV for evaluators")
    exported = karen.last.reply.attachment
    assert exported.mime == "text/csv"
    content = exported.content.decode()
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][:8] == [
        "mentorship",
        "started",
        "status",
        "ended",
        "mentee_place",
        "partner_company",
        "meetings",
        "start_employment",
    ]
    assert len({r[0] for r in rows[1:]}) == 5
    first = next(
        dict(zip(rows[0], r, strict=True)) for r in rows[1:] if r[rows[0].index("end_employment")] == "full_time"
    )
    assert (first["start_employment"], first["start_network"], first["end_network"]) == ("seeking", "0", "3")
    # Five rows that differ by status cannot share one combination: what could point to a woman is not shown.
    assert {tuple(r[1:7]) for r in rows[1:]} == {("suppressed",) * 6}
    for secret in ("Secret", "mentee-", "Mette", "m-1"):
        assert secret not in content

    await karen.tap("Place")
    await karen.tap("Copenhagen area")
    assert "Mentorships started: <5" in next(s for s in reversed(karen.history) if "Programme numbers" in s.text).text


def test_the_chart_is_a_png_in_any_language() -> None:
    report = indicators.Report(scope=indicators.Scope(), started=1, companies=0, completed_with_both=1)
    report.paired = [
        indicators.Paired("employment", "share", 1, 0.0, 1.0),
        indicators.Paired("clarity", "mean", 1, 2.0, 4.0),
    ]
    for locale in ("da", "uk"):
        assert chart(report, Translator(locale)).startswith(b"\x89PNG")


async def test_stats_are_for_coordinators_only(engine, people, sessions) -> None:
    amina, _ = await matched(engine, people, sessions)
    await amina.send("/stats")
    assert amina.last.text == "Only coordinators can do this."
    await amina.press("st:csv")
    assert amina.last.text == "Only coordinators can do this."
