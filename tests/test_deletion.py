"""/delete wrongs no one: the other woman keeps her records and is told, the mentor's place is freed, the
programme's numbers stay, and nothing that names the woman who left remains in any table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text, update

from storage import indicators
from storage.models import (
    MeetingReport,
    MentorProfile,
    MentorRequest,
    Mentorship,
    Outbox,
    ProblemReport,
    SurveyResponse,
    User,
)
from tests.fakechat import FakeChat
from tests.people import add_mentor, ask_first, coordinator, matched, mentee
from tests.test_surveys import answers

SECRET = "call me at Qx7-5550199"


async def with_history(sessions) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """Both women have written a report and answered the start survey; returns (mentorship, mentee, mentor)."""
    async with sessions() as session, session.begin():
        m = (await session.execute(select(Mentorship))).scalar_one()
        when = m.started_at + timedelta(days=3)
        for who, note in ((m.mentee_id, SECRET), (m.mentor_id, "We worked on her CV.")):
            session.add(MeetingReport(mentorship_id=m.id, reporter_id=who, met="yes", topics=["cv"], minutes=60,
                                      note=note, held_on=when))  # fmt: skip
        for who, survey in ((m.mentee_id, "mentee_start"), (m.mentor_id, "mentor_start")):
            row = (
                await session.execute(select(SurveyResponse).where(SurveyResponse.user_id == who))
            ).scalar_one_or_none() or SurveyResponse(mentorship_id=m.id, user_id=who, survey=survey)
            row.answers, row.finished_at = answers(employment="seeking", clarity="2", network="1"), when
            session.add(row)
        return m.id, m.mentee_id, m.mentor_id


async def dump(sessions) -> str:  # type: ignore[no-untyped-def]
    """Every value in every table, as one text to search."""
    async with sessions() as session:
        out = []
        for table in (t.name for t in MentorProfile.metadata.sorted_tables):
            rows = (await session.execute(text(f'SELECT * FROM "{table}"'))).all()
            out += [f"{table}: {row}" for row in rows]
        return "\n".join(out)


async def test_a_mentee_who_deletes_leaves_her_mentor_whole(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    amina, mette = await matched(engine, people, sessions)
    await amina.send("/write")
    await amina.send(SECRET)
    await amina.send("/mentorship")
    await amina.tap("⚠️ Report a problem")
    await amina.tap("Something else")
    await amina.send(SECRET)  # her words about a problem go too; what kind of problem stays for the coordinators
    mentorship, amina_id, mette_id = await with_history(sessions)
    async with sessions() as session:
        before = await indicators.compute(session, indicators.Scope(year=None))
    seen = len(mette.history), len(karen.history)

    await amina.send("/delete")
    await amina.tap("Yes, delete everything")

    assert "Everything is deleted" in amina.last.text
    told = mette.texts_since(seen[0])
    assert "has ended: your mentee has left Mentornet" in told and "Amina" not in told
    assert "Mette (mentor) has ended: her mentee deleted her account" in karen.texts_since(seen[1])
    async with sessions() as session:
        m = await session.get(Mentorship, mentorship)
        assert (m.status, m.end_reason, m.ended_at is not None) == ("ended_early", "left", True)
        assert (await session.get(MentorProfile, mette_id)).active_count == 0  # her place is free again
        reports = (await session.execute(select(MeetingReport).order_by(MeetingReport.id))).scalars().all()
        assert [(r.reporter_id, r.note) for r in reports] == [(amina_id, None), (mette_id, "We worked on her CV.")]
        problem = (await session.execute(select(ProblemReport))).scalar_one()
        assert (problem.reporter_id, problem.kind, problem.note) == (amina_id, "other", None)
        surveys = (await session.execute(select(SurveyResponse.survey))).scalars().all()
        assert sorted(surveys) == ["mentee_start", "mentor_start"]
        after = await indicators.compute(session, indicators.Scope(year=None))
        gone = await session.get(User, amina_id)
        assert gone.erased_at is not None and gone.first_name is None and gone.platform == "erased"
    assert after.started == before.started == 1
    everything = await dump(sessions)
    for private in ("Amina", SECRET, "1001"):
        assert private not in everything, private

    # Mette is free for the next mentee, and her own mentorship screen says so plainly.
    await mette.send("/mentorship")
    assert mette.last.text == "You have no mentorship right now."
    layla = await mentee(engine, people, user_id="1002", name="Layla")
    await ask_first(layla)
    assert "would like you to be her mentor" in mette.last.text


async def test_a_mentor_who_deletes_frees_her_mentee_and_answers_her_open_requests(engine, people, sessions) -> None:
    await coordinator(engine, people)
    amina, mette = await matched(engine, people, sessions)
    layla = await mentee(engine, people, user_id="1002", name="Layla")
    await ask_first(layla)
    seen = len(amina.history), len(layla.history)

    await mette.send("/delete")
    await mette.tap("Yes, delete everything")

    told = amina.texts_since(seen[0])
    assert "your mentor has left Mentornet" in told and "Find a mentor" in amina.last.buttons
    assert "The mentor you asked on" in layla.texts_since(seen[1])
    async with sessions() as session:
        statuses = (await session.execute(select(MentorRequest.status, MentorRequest.reason))).all()
        assert sorted(statuses) == [("accepted", None), ("withdrawn", "left")]
        rows = (await session.execute(select(Outbox.external_id))).scalars().all()
        assert "m-1" not in rows
    assert "Mette" not in await dump(sessions)
    await amina.tap("Find a mentor")  # a mentee whose mentor left can look again at once
    assert "waiting list" in amina.last.text


async def test_the_programme_numbers_never_go_backwards(engine, people, sessions) -> None:
    """A completed mentorship with start and end answers from both: after the mentee deletes, /stats is the same."""
    amina, _ = await matched(engine, people, sessions)
    mentorship, amina_id, mette_id = await with_history(sessions)
    async with sessions() as session, session.begin():
        m = await session.get(Mentorship, mentorship)
        m.status, m.ended_at = "completed", m.started_at + timedelta(days=120)
        await session.execute(update(MentorProfile).values(active_count=0))
        for who, survey in ((amina_id, "mentee_end"), (mette_id, "mentor_end")):
            session.add(SurveyResponse(mentorship_id=m.id, user_id=who, survey=survey, finished_at=m.ended_at,
                                       answers=answers(employment="full_time", clarity="4", network="3")))  # fmt: skip
    async with sessions() as session:
        before = await indicators.compute(session, indicators.Scope(year=None))
    assert before.started == 1 and any(p.n == 1 for p in before.paired)

    await amina.send("/delete")
    await amina.tap("Yes, delete everything")

    async with sessions() as session:
        assert await indicators.compute(session, indicators.Scope(year=None)) == before


async def test_someone_with_no_history_is_deleted_outright(engine, people, sessions) -> None:
    amina = await mentee(engine, people)
    await amina.send("/delete")
    await amina.tap("Yes, delete everything")
    async with sessions() as session:
        assert (await session.execute(select(User))).first() is None


async def test_a_pending_mentor_who_deletes_is_gone_from_the_coordinators_list(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    await add_mentor(sessions, "m-2", "Birgit", status="pending")
    birgit = FakeChat(engine, user_id="m-2", name="Birgit", network=people)
    await birgit.send("/delete")
    await birgit.tap("Yes, delete everything")
    await karen.send("/pending")
    assert "Birgit" not in karen.last.text


async def test_her_name_leaves_other_womens_open_questions_and_waiting_messages(engine, people, sessions) -> None:
    from conversations.kernel.messages import Reply
    from storage import outbox
    from storage.models import Conversation

    amina, mette = await matched(engine, people, sessions)
    await mette.send("/mentorship")
    await mette.tap("🎓 Complete")  # "Complete your mentorship with Amina?" waits, unanswered
    async with sessions() as session, session.begin():  # and a message naming her waits in the outbox
        outbox.enqueue(session, Reply("Amina has written a report.", to=mette.ref), datetime.now(UTC))
        outbox.enqueue(session, Reply("Planning day on Friday", to=mette.ref), datetime.now(UTC))
    await amina.send("/delete")
    await amina.tap("Yes, delete everything")
    everything = await dump(sessions)
    assert "Amina" not in everything
    assert "Planning day on Friday" in everything  # a word that only contains her letters is not her name
    async with sessions() as session:
        conv = await session.get(
            Conversation, (await session.execute(select(User.id).where(User.external_id == "m-1"))).scalar_one()
        )
    assert any("—" in str(frame) for frame in conv.data["stack"])
