"""Meetings and reports as conversations, and every nudge at its time and not before, with a moved clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from conversations.kernel import nudges
from conversations.kernel.engine import Engine
from conversations.kernel.i18n import Translator
from storage.models import Meeting, MeetingReport, Mentorship, Nudge, User
from tests.fakechat import FakeChat
from tests.flows import deliver_all, due
from tests.people import coordinator, matched, user_id

EN = Translator("en")


def nb(text: str) -> str:
    """English times as Babel writes them: a narrow no-break space before AM and PM."""
    return text.replace(" AM", "\u202fAM").replace(" PM", "\u202fPM")


MEETING_AT = datetime(2026, 3, 4, 13, 0, tzinfo=UTC)  # Wednesday 14:00 in Copenhagen


async def plan(
    chat: FakeChat, day: date = date(2026, 3, 4), at: str = "14.00", mode: str = "In person", place: str | None = None
) -> None:
    await chat.tap("📅 Plan a meeting")
    await chat.tap(EN.day(day))
    await chat.tap(at)
    await chat.tap(mode)
    await (chat.send(place) if place else chat.tap("We decide later"))


async def planned(engine, people, sessions) -> tuple[FakeChat, FakeChat]:  # type: ignore[no-untyped-def]
    amina, mette = await matched(engine, people, sessions)
    await plan(amina)
    await mette.tap("✅ Confirm")
    return amina, mette


async def at(engine: Engine, clock, people: dict, moment: datetime) -> list[str]:  # type: ignore[no-untyped-def]
    clock.now = moment
    replies = [r for r in await due(engine) if "survey" not in r.text]  # surveys have tests of their own
    deliver_all(people, replies)
    return [f"{r.to.user_id}: {r.text.splitlines()[0]}" for r in replies]


async def test_plan_a_meeting_day_time_place_and_the_other_confirms(engine, people, sessions, clock) -> None:
    amina, mette = await matched(engine, people, sessions)
    await amina.tap("📅 Plan a meeting")
    assert amina.last.text == "Which day would you like to meet?"
    assert amina.last.buttons[:3] == ["Mon, 2 Mar", "Tue, 3 Mar", "Wed, 4 Mar"] and len(amina.last.buttons) == 14 + 1
    await amina.tap("Wed, 4 Mar")
    assert (
        amina.last.buttons[:3] == [nb("08.00"), nb("08.30"), nb("09.00")] and nb("20.30") in amina.last.buttons
    )
    await amina.tap(nb("14.00"))
    await amina.tap("In person")
    assert amina.last.text == "Where will you meet? Write the address."
    await amina.send("Café <Møller>, Jægergårdsgade 12")
    place = "📍 Café &lt;Møller&gt;, Jægergårdsgade 12"
    assert f"I have asked Mette: Wed, 4 Mar, 14.00, in person\n{place}" in amina.texts_since(-3)
    proposal = mette.last
    assert proposal.text == f"Amina would like to meet you: Wed, 4 Mar, 14.00, in person\n{place}"
    assert proposal.buttons == ["✅ Confirm", "Propose another time"]
    await mette.tap("✅ Confirm")
    for chat, other in ((amina, "Mette"), (mette, "Amina")):
        confirmation = next(s for s in reversed(chat.history) if s.reply.attachment)
        assert f"Your meeting with {other} is confirmed: Wed, 4 Mar, 14.00, in person\n{place}" in confirmation.text
        ics = confirmation.reply.attachment.content
        assert "DTSTART;TZID=Europe/Copenhagen:20260304T140000" in ics and "BEGIN:VTIMEZONE" in ics
        assert f"SUMMARY:Mentor meeting with {other}" in ics
        assert "LOCATION:Café <Møller>\\, Jægergårdsgade 12" in ics  # the address, not "in person"
    async with sessions() as session:
        meeting = (await session.execute(select(Meeting))).scalar_one()
        assert (meeting.status, meeting.starts_at, meeting.mode) == ("confirmed", MEETING_AT, "in_person")
        assert meeting.place == "Café <Møller>, Jægergårdsgade 12"
    await mette.tap("✅ Confirm", message=proposal)
    assert mette.last.text == "This meeting has already been answered."


async def test_today_offers_only_times_still_ahead(engine, people, sessions, clock) -> None:
    amina, _ = await matched(engine, people, sessions)
    clock.now = datetime(2026, 3, 2, 17, 10, tzinfo=UTC)  # 18:10 in Copenhagen
    await amina.tap("📅 Plan a meeting")
    await amina.tap("Mon, 2 Mar")
    assert amina.last.buttons[0] == nb("19.30")


async def test_the_other_side_proposes_another_time(engine, people, sessions, clock) -> None:
    amina, mette = await matched(engine, people, sessions)
    await plan(amina)
    await mette.tap("Propose another time")
    await mette.tap("Thu, 5 Mar")
    await mette.tap(nb("17.30"))
    await mette.tap("Online")
    assert mette.last.text == "Write the link of the online meeting."
    await mette.tap("We decide later")
    assert amina.last.text == "Mette would like to meet you: Thu, 5 Mar, 17.30, online"
    await amina.tap("✅ Confirm")
    async with sessions() as session:
        statuses = [m.status for m in (await session.execute(select(Meeting).order_by(Meeting.id))).scalars()]
    assert statuses == ["replaced", "confirmed"]
    await mette.tap(
        "✅ Confirm", message=next(s for s in mette.history if s.buttons == ["✅ Confirm", "Propose another time"])
    )
    assert mette.last.text == "This meeting has already been answered."


async def test_reminder_24_hours_before_and_not_earlier(engine, people, sessions, clock) -> None:
    await planned(engine, people, sessions)
    assert await at(engine, clock, people, MEETING_AT - timedelta(hours=24, minutes=1)) == []
    sent = await at(engine, clock, people, MEETING_AT - timedelta(hours=24))
    assert sorted(sent) == [
        nb("1001: A reminder of your meeting with Mette: Wed, 4 Mar, 14.00, in person"),
        nb("m-1: A reminder of your meeting with Amina: Wed, 4 Mar, 14.00, in person"),
    ]
    assert await at(engine, clock, people, MEETING_AT - timedelta(hours=2)) == []


async def test_a_report_takes_four_taps(engine, people, sessions, clock) -> None:
    amina, _ = await planned(engine, people, sessions)
    assert await at(engine, clock, people, MEETING_AT + timedelta(minutes=89)) == []
    sent = await at(engine, clock, people, MEETING_AT + timedelta(minutes=90))
    assert nb("1001: How did your meeting with Mette on Wed, 4 Mar, 14.00 go?") in sent
    assert amina.last.buttons == ["Yes, we met", "Postponed", "Cancelled"]
    taps = amina.taps
    await amina.tap("Yes, we met")
    await amina.tap("CV and applications")
    await amina.tap("1 h")
    await amina.tap("Skip")
    assert amina.taps - taps == 4
    assert "Your report is saved" in amina.texts_since(-3)
    async with sessions() as session:
        report = (await session.execute(select(MeetingReport))).scalar_one()
    assert (report.met, report.topics, report.minutes, report.note) == ("yes", ["cv"], 60, None)

    # Only the one who has not reported is reminded, once, 24 hours after the meeting.
    sent = await at(engine, clock, people, MEETING_AT + timedelta(hours=24))
    assert sent == ["m-1: A reminder, it takes a few seconds:"]
    assert await at(engine, clock, people, MEETING_AT + timedelta(hours=48)) == []


async def test_topics_need_one_chip_and_a_note_can_be_written(engine, people, sessions, clock) -> None:
    amina, _ = await planned(engine, people, sessions)
    await at(engine, clock, people, MEETING_AT + timedelta(minutes=90))
    await amina.tap("Yes, we met")
    question = amina.last
    await amina.tap("30 min")
    assert amina.last.id == question.id and "Please choose at least one topic." in amina.last.text
    await amina.tap("Network")
    await amina.tap("Danish language")
    await amina.tap("Network")
    assert "✓ Danish language" in amina.last.buttons and "✓ Network" not in amina.last.buttons
    await amina.tap("2 h or more")
    await amina.send("We practised a job interview in Danish <3")
    async with sessions() as session:
        report = (await session.execute(select(MeetingReport))).scalar_one()
    assert (report.topics, report.minutes, report.note) == (
        ["danish"],
        120,
        "We practised a job interview in Danish <3",
    )


async def test_a_report_can_be_corrected_for_seven_days(engine, people, sessions, clock) -> None:
    amina, _ = await planned(engine, people, sessions)
    await at(engine, clock, people, MEETING_AT + timedelta(minutes=90))
    await amina.tap("Yes, we met")
    await amina.tap("Network")
    await amina.tap("1 h")
    await amina.tap("Skip")
    saved = next(s for s in reversed(amina.history) if "Your report is saved" in s.text)
    await amina.tap("✏️ Correct it", message=saved)
    await amina.tap("Yes, we met")
    await amina.tap("Interview practice")
    await amina.tap("1.5 h")
    await amina.tap("Skip")
    async with sessions() as session:
        reports = (await session.execute(select(MeetingReport))).scalars().all()
    assert len(reports) == 1 and reports[0].topics == ["network", "interview"] and reports[0].minutes == 90
    clock.advance(days=8)
    await amina.tap("✏️ Correct it", message=saved)
    assert amina.last.text == "A report can be corrected for 7 days; this one is older."


async def test_met_against_did_not_meet_alerts_the_coordinators(engine, people, sessions, clock) -> None:
    karen = await coordinator(engine, people)
    amina, mette = await planned(engine, people, sessions)
    await at(engine, clock, people, MEETING_AT + timedelta(minutes=90))
    await amina.tap("Yes, we met")
    await amina.tap("Network")
    await amina.tap("1 h")
    await amina.tap("Skip")
    await mette.tap("Cancelled")
    assert "Your report is saved" in mette.texts_since(-3)
    assert "📅 Plan a meeting" in next(s for s in reversed(mette.history) if "Your report is saved" in s.text).buttons
    assert "disagree: Amina says they met, the other says they did not" in karen.last.text


async def test_report_command_for_an_unplanned_meeting(engine, people, sessions, clock) -> None:
    amina, _ = await matched(engine, people, sessions)
    clock.advance(days=3)
    await amina.send("/report")
    assert amina.last.buttons == ["Today", "Yesterday", "Another day"]
    await amina.tap("Another day")
    # Only days since the mentorship began (2 March): none before it.
    assert amina.last.buttons == [EN.day(date(2026, 3, 3)), EN.day(date(2026, 3, 2))]
    await amina.tap(EN.day(date(2026, 3, 2)))
    await amina.tap("Labour market")
    await amina.tap("30 min")
    await amina.tap("Skip")
    async with sessions() as session:
        report = (await session.execute(select(MeetingReport))).scalar_one()
    assert report.meeting_id is None and report.held_on.astimezone(nudges.COPENHAGEN).date() == date(2026, 3, 2)


async def test_a_report_on_the_first_day_offers_only_today_and_refuses_an_earlier_day(engine, people, sessions) -> None:
    amina, _ = await matched(engine, people, sessions)
    await amina.send("/report")
    assert amina.last.buttons == ["Today"]
    today = amina.last.reply.buttons[0][0].payload
    await amina.press(today.replace(today.rsplit(":", 1)[1], "2026-02-27"), message=amina.last)  # forged
    assert "no longer" in amina.texts_since(-2) or "closed" in amina.texts_since(-2)
    async with sessions() as session:
        assert (await session.execute(select(MeetingReport))).scalars().all() == []


async def test_quiet_three_weeks_nudge_both_and_five_weeks_alert_coordinators(engine, people, sessions, clock) -> None:
    karen = await coordinator(engine, people)
    amina, mette = await matched(engine, people, sessions)
    start = clock.now
    assert await at(engine, clock, people, start + timedelta(days=21, minutes=-1)) == []
    sent = await at(engine, clock, people, start + timedelta(days=21))
    assert sorted(s.split(":")[0] for s in sent) == ["1001", "m-1"]
    assert "It has been three weeks since you and Mette last met" in amina.last.text
    assert amina.last.buttons == ["📅 Plan a meeting"]
    sent = await at(engine, clock, people, start + timedelta(days=35))
    assert sent == [f"{karen.ref.user_id}: ⚠️ No meeting or report for 5 weeks in the mentorship of Amina and Mette."]
    await karen.tap("Open")
    assert "No reports yet." in karen.last.text
    await karen.tap("✉️ Write to both")
    await karen.send("How are you two doing?")
    assert "How are you two doing?" in amina.last.text and "How are you two doing?" in mette.last.text


async def test_a_report_restarts_the_three_weeks(engine, people, sessions, clock) -> None:
    amina, _ = await matched(engine, people, sessions)
    clock.advance(days=20)
    await amina.send("/report")
    await amina.tap("Today")
    await amina.tap("Network")
    await amina.tap("1 h")
    await amina.tap("Skip")
    assert await at(engine, clock, people, clock.now + timedelta(days=2)) == []  # 22 days after the start
    sent = await at(engine, clock, people, clock.now + timedelta(days=19))
    assert len(sent) == 2


async def test_no_nudge_at_night_it_waits_for_the_morning(engine, people, sessions, clock) -> None:
    amina, _ = await matched(engine, people, sessions)
    clock.now = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)  # 22:30 in Copenhagen
    await amina.send("/report")
    await amina.tap("Today")
    await amina.tap("Network")
    await amina.tap("1 h")
    await amina.tap("Skip")
    night = clock.now + timedelta(days=21)
    assert await at(engine, clock, people, night) == []
    assert await at(engine, clock, people, datetime(2026, 3, 24, 6, 59, tzinfo=UTC)) == []  # 07:59
    assert len(await at(engine, clock, people, datetime(2026, 3, 24, 7, 0, tzinfo=UTC))) == 2  # 08:00


async def test_muted_reminders_skip_nudges_but_not_report_questions(engine, people, sessions, clock) -> None:
    amina, _ = await planned(engine, people, sessions)
    await amina.send("/settings")
    assert "Reminders and friendly nudges are <b>on</b>" in amina.last.text
    await amina.tap("Turn reminders off")
    assert "are <b>off</b>" in amina.last.text
    sent = await at(engine, clock, people, MEETING_AT + timedelta(minutes=90))
    assert sorted(s.split(":")[0] for s in sent) == ["1001", "m-1"]  # the report question is essential
    sent = await at(engine, clock, people, MEETING_AT + timedelta(hours=24))
    assert [s.split(":")[0] for s in sent] == ["m-1"]  # the report reminder is not


async def test_five_months_ask_to_go_on_or_finish_at_six(engine, people, sessions, clock) -> None:
    amina, mette = await matched(engine, people, sessions)
    start = clock.now
    await amina.send("/report")
    await amina.tap("Today")
    await amina.tap("Network")
    await amina.tap("1 h")
    await amina.tap("Skip")
    clock.now = start + timedelta(days=150)
    sent = [s for s in await due(engine) if "five months" in s.text]
    deliver_all(people, sent)
    assert len(sent) == 2 and amina.last.buttons == ["Go on", "Finish at six months"]
    await amina.tap("Finish at six months")
    assert "Amina would like to finish your mentorship at six months" in mette.last.text
    clock.now = start + timedelta(days=183)
    deliver_all(people, await due(engine))
    assert "Your mentorship with Mette has ended" in amina.texts_since(-3)
    async with sessions() as session:
        assert (await session.execute(select(Mentorship.status))).scalar_one() == "completed"


async def test_a_crash_during_a_tick_loses_nothing_and_a_second_process_repeats_nothing(
    engine, people, sessions, clock, monkeypatch
) -> None:
    await planned(engine, people, sessions)
    clock.now = MEETING_AT - timedelta(hours=24)

    async def crash(*_args: object) -> list:
        raise RuntimeError("killed mid-tick")

    monkeypatch.setitem(nudges.KINDS, "meeting_reminder", crash)
    with pytest.raises(RuntimeError):
        await engine.tick()
    monkeypatch.undo()
    async with sessions() as session:
        pending = (
            (await session.execute(select(Nudge).where(Nudge.kind == "meeting_reminder", Nudge.done_at.is_(None))))
            .scalars()
            .all()
        )
    assert len(pending) == 2  # rolled back: still due

    restarted, twin = Engine(sessions, clock=clock), Engine(sessions, clock=clock)
    counts = await asyncio.gather(restarted.tick(), twin.tick())
    assert sum(counts) == 2
    sent: list = []

    async def collect(replies: list) -> None:
        sent.extend(replies)

    await asyncio.gather(restarted.drain(collect), twin.drain(collect))
    assert sorted(r.to.user_id for r in sent) == ["1001", "m-1"]
    assert await due(restarted) == []


async def test_coordinators_see_mentorships_at_a_glance(engine, people, sessions, clock) -> None:
    karen = await coordinator(engine, people)
    amina, mette = await planned(engine, people, sessions)
    await at(engine, clock, people, MEETING_AT + timedelta(minutes=90))
    await amina.tap("Yes, we met")
    await amina.tap("Network")
    await amina.tap("1.5 h")
    await amina.tap("Skip")
    await mette.tap("Yes, we met")
    await mette.tap("Network")
    await mette.tap("1 h")
    await mette.tap("Skip")
    await karen.send("/mentorships")
    text = karen.last.text
    assert "active: 1" in text and "This month: 1 meeting, 1.5 hours" in text
    assert "Stalled" not in text
    clock.advance(days=22)
    await karen.send("/mentorships")
    assert "Amina and Mette: last contact" in karen.last.text
    await amina.send("/mentorships")
    assert amina.last.text == "Only coordinators can do this."
    me = await user_id(sessions, "1001")
    async with sessions() as session:
        assert (await session.get(User, me)).role == "mentee"
