"""Events end to end: create, publish, RSVP, waitlist promotion, needs, reminders, check-in, cancel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from conversations.kernel.engine import Engine
from conversations.privacy import NOTICE_VERSION
from storage import indicators, repo
from storage.models import Event, Rsvp, User
from tests.fakechat import FakeChat
from tests.flows import at_fields_question, deliver_all, due
from tests.people import coordinator, mentee

EVENT_AT = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)  # 17:00 in Copenhagen


async def create(karen: FakeChat, capacity: str = "10", kind: str = "Intro course", audience: str = "Mentees") -> None:
    await karen.send("/newevent")
    await karen.tap(kind)
    await karen.send("Intro to Danish working life <3")
    await karen.send("10.03.2026 17:00")
    await karen.tap("2 hours")
    await karen.send("Hovedbiblioteket, Krystalgade 15, København")
    if capacity.isdigit() and capacity in ("10", "20", "30", "50", "100", "150"):
        await karen.tap(capacity)
    else:
        await karen.send(capacity)
    await karen.tap(audience)
    await karen.tap("Everywhere")
    await karen.send("Coffee, cake and the basics of the labour market.")
    await karen.tap("Danish")
    await karen.tap("Arabic")
    await karen.tap("Done")


async def invited(engine: Engine, people: dict) -> None:
    deliver_all(people, [r for r in await due(engine) if r.to.user_id in people])


async def published(engine: Engine, people: dict, karen: FakeChat, **event: str) -> None:
    """Karen creates and publishes an event; the invitations arrive."""
    await create(karen, **event)
    await karen.tap("📣 Publish")
    await invited(engine, people)


async def test_create_publish_and_answer(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    amina = await mentee(engine, people)
    await create(karen)
    preview = karen.last
    assert preview.text.startswith("Preview of the invitation:")
    assert "📅 <b>Intro to Danish working life &lt;3</b> · Intro course" in preview.text
    assert "For: Mentees, Everywhere. Places: 10." not in preview.text and "Places: 10." in preview.text
    await karen.tap("📣 Publish")
    assert "Invitations are on their way to 1 women" in karen.texts_since(-3)
    await invited(engine, people)
    invitation = amina.last
    assert "🗣 Danish and Arabic" in invitation.text and invitation.buttons == ["✅ Going", "Maybe", "Can't come"]
    await amina.tap("✅ Going")
    welcome = next(s for s in reversed(amina.history) if s.reply.attachment)
    assert "You are going to Intro to Danish working life &lt;3!" in welcome.text
    assert "UID:event-" in welcome.reply.attachment.content
    assert "🕒 Tue, 10 Mar, 17.00–19.00" in invitation.text  # with its end
    assert "DTEND;TZID=Europe/Copenhagen:20260310T190000" in welcome.reply.attachment.content
    assert welcome.reply.attachment.filename == "Intro-to-Danish-working-life-3.ics"  # named after the event
    await amina.tap("Tell us what you need")
    await amina.tap("Childcare")
    await amina.tap("An interpreter")
    await amina.tap("Done")
    await amina.tap("Arabic")
    assert "we will prepare for it" in amina.texts_since(-3)
    await karen.send("/events")
    assert "Going: 1 of 10 · maybe: 0 · waitlist: 0" in karen.last.text
    assert "Needs: childcare 1, interpreter 1, accessibility 0" in karen.last.text
    assert "Interpreters asked for: Arabic 1" in karen.last.text  # which language, not only how many
    await amina.send("/newevent")
    assert amina.last.text == "Only coordinators can do this."


async def test_a_full_event_has_a_waitlist_and_a_freed_place_goes_to_the_first(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    amina = await mentee(engine, people)
    sara = await mentee(engine, people, user_id="1002", name="Sara")
    await published(engine, people, karen, capacity="1")
    await amina.tap("✅ Going")
    await sara.tap("✅ Going")
    assert "You are number 1 on the waitlist" in sara.last.text
    await amina.tap("Can't come")
    assert "a place at Intro to Danish working life &lt;3 has freed up, and it is yours" in sara.texts_since(-3)
    async with sessions() as session:
        statuses = sorted((await session.execute(select(Rsvp.status))).scalars().all())
    assert statuses == ["going", "no"]


async def test_reminders_24_and_2_hours_before_for_those_going(engine, people, sessions, clock) -> None:
    karen = await coordinator(engine, people)
    amina = await mentee(engine, people)
    sara = await mentee(engine, people, user_id="1002", name="Sara")
    await published(engine, people, karen)
    await amina.tap("✅ Going")
    await sara.tap("Maybe")

    async def reminders_at(moment: datetime) -> list[str]:
        clock.now = moment
        return [r.to.user_id for r in await due(engine) if "is soon" in r.text]

    assert await reminders_at(EVENT_AT - timedelta(hours=24, minutes=1)) == []
    assert await reminders_at(EVENT_AT - timedelta(hours=24)) == ["1001"]
    assert await reminders_at(EVENT_AT - timedelta(hours=2, minutes=1)) == []
    assert await reminders_at(EVENT_AT - timedelta(hours=2)) == ["1001"]


async def test_check_in_at_the_door_counts_for_the_yearly_numbers(engine, people, sessions, clock) -> None:
    karen = await coordinator(engine, people)
    amina = await mentee(engine, people)
    await create(karen)
    await karen.tap("📣 Publish")
    async with sessions() as session:
        code = (await session.execute(select(Event.checkin_code))).scalar_one()
    await amina.send(f"/checkin {code}")
    assert "does not fit an event today" in amina.last.text  # a week early
    clock.now = EVENT_AT
    await amina.send(f"/checkin {code.lower()}")
    assert "You are checked in" in amina.last.text
    await karen.send("/events")  # the event has started: no longer upcoming
    async with sessions() as session:
        report = await indicators.compute(session, indicators.Scope(year=2026), clock.now)
    assert report.intro_participants == 1
    await karen.send("/stats")
    numbers = next(s for s in reversed(karen.history) if "Programme numbers" in s.text).text
    assert "Intro-course participants: 1 (target 150–200 a year)" in numbers
    assert "Collective mentoring events held: 0 (target 4 a year)" in numbers


async def test_coordinators_mark_attendance_and_cancel(engine, people, sessions, clock) -> None:
    karen = await coordinator(engine, people)
    amina = await mentee(engine, people)
    await published(engine, people, karen, kind="Collective mentoring", audience="Everyone")
    await amina.tap("✅ Going")
    await karen.send("/events")
    await karen.tap("Attendance")
    # Days before the event nobody can have come yet: from its day on (a forged tap before it is refused too).
    assert karen.last.text == "You can mark who came from the day of the event, 10 March 2026."
    async with sessions() as session:
        rsvp = (await session.execute(select(Rsvp))).scalar_one()
    await karen.press(f"ea:{rsvp.id}")
    clock.now = EVENT_AT.replace(hour=6)  # the morning of the day
    await karen.send("/events")
    await karen.tap("Attendance")
    await karen.tap("Amina")
    assert karen.last.buttons == ["✓ Amina"]
    async with sessions() as session:
        assert (await session.get(Rsvp, rsvp.id)).attended  # one tap: the forged one before the day did nothing
    await amina.press(karen.last.reply.buttons[0][0].payload)
    assert amina.last.text == "Only coordinators can do this."
    await karen.send("/events")
    await karen.tap("Cancel event")
    assert "Cancelled. 1 woman is being told." in karen.last.text
    await invited(engine, people)
    assert "is cancelled" in amina.last.text
    await amina.tap(
        "✅ Going", message=next(s for s in amina.history if s.buttons == ["✅ Going", "Maybe", "Can't come"])
    )
    assert amina.last.text == "This event is closed."


async def test_bad_dates_and_numbers_are_asked_again(engine, people) -> None:
    karen = await coordinator(engine, people)
    await karen.send("/newevent")
    await karen.tap("Workshop")
    await karen.send("CV workshop")
    await karen.send("next tuesday")
    assert "I could not read that date" in karen.last.text
    await karen.send("01.01.2020 10:00")
    assert "That time has passed" in karen.last.text
    await karen.send("10.03.2026 17:00")
    await karen.tap("3 hours")
    await karen.send("Online: https://meet.example/cv")
    await karen.send("lots")
    assert "⚠️ Please write a number between 1 and 5000." in karen.last.text  # the question again, with why
    await karen.send("25")
    assert karen.last.text == "Who is it for?"


async def test_invitations_can_be_turned_off_but_reminders_for_a_yes_still_come(
    engine, people, sessions, clock
) -> None:
    karen = await coordinator(engine, people)
    amina = await mentee(engine, people)
    sara = await mentee(engine, people, user_id="1002", name="Sara")
    await published(engine, people, karen)
    await amina.tap("✅ Going")
    for chat in (amina, sara):
        await chat.send("/settings")
        assert "messages from the Mentornet team are <b>on</b>" in chat.last.text
        await chat.tap("Turn announcements off")
        assert "messages from the Mentornet team are <b>off</b>" in chat.last.text
    await create(karen)
    await karen.tap("📣 Publish")
    assert "Invitations are on their way to 0 women" in karen.texts_since(-3)
    clock.now = EVENT_AT - timedelta(hours=2)
    assert [r.to.user_id for r in await due(engine) if "is soon" in r.text] == ["1001"]


async def test_a_friend_comes_through_a_guest_link_with_her_first_name_only(engine, people, sessions, clock) -> None:
    karen = await coordinator(engine, people)
    amina = await mentee(engine, people)
    await published(engine, people, karen, kind="Collective mentoring", audience="Everyone")
    await amina.tap("✅ Going")
    await amina.tap("Invite a friend")
    link = amina.last.text.splitlines()[-1]
    assert link.startswith("/start ev")

    hodan = FakeChat(engine, user_id="2001", name="Hodan", network=people)
    await hodan.send(link)
    await hodan.tap("English")
    assert "A friend has invited you to this event:" in hodan.texts_since(-4)
    assert "Intro to Danish working life &lt;3" in hodan.texts_since(-4)
    await hodan.tap("Use “Hodan”")
    assert hodan.last.text == "Thank you, Hodan! Are you coming?"
    await hodan.tap("✅ Going")
    assert any(s.reply.attachment for s in hodan.history[-3:])  # the calendar file, as for members
    assert hodan.last.text.startswith("Would you like to join Mentornet?")
    await hodan.tap("Not now")
    assert hodan.last.text.startswith("See you there!")
    async with sessions() as session:
        guest = (await session.execute(select(User).where(User.external_id == "2001"))).scalar_one()
        assert (guest.first_name, guest.role, guest.consent_at, guest.onboarded_at) == ("Hodan", None, None, None)
    await karen.send("/events")
    assert "Going: 2 of 10" in karen.last.text
    await amina.send(link)  # a member who opens the link just gets the invitation
    assert amina.last.buttons == ["✅ Going", "Maybe", "Can't come"]
    stranger = FakeChat(engine, user_id="2002", name="Ayan", network=people)
    await stranger.send("/start ev0000000000")
    assert stranger.history[0].text == "This invitation link is no longer valid. Here is Mentornet instead:"
    assert stranger.last.buttons[0] == "Dansk"  # on to the usual start

    clock.now = EVENT_AT - timedelta(hours=2)
    assert sorted(r.to.user_id for r in await due(engine) if "is soon" in r.text) == ["1001", "2001"]
    await hodan.send("/start")
    assert hodan.last.text.startswith("Would you like to join Mentornet?")  # /start offers it again
    clock.now = EVENT_AT + timedelta(days=1)
    followups = [r for r in await due(engine) if "Thank you for coming" in r.text]
    assert [r.to.user_id for r in followups] == ["2001"]  # the guest, not the member
    deliver_all(people, followups)
    await hodan.tap("Yes, tell me more", message=hodan.last)
    assert hodan.last.text.startswith("<b>Before we start: your data</b>")


async def test_editing_an_event_tells_who_answered_and_moves_reminders(engine, people, sessions, clock) -> None:
    karen = await coordinator(engine, people)
    amina = await mentee(engine, people)
    sara = await mentee(engine, people, user_id="1002", name="Sara")
    await published(engine, people, karen, capacity="1")
    await amina.tap("✅ Going")
    await sara.tap("✅ Going")  # the waitlist
    await karen.send("/events")
    await karen.tap("Edit")
    await karen.tap("Date and time")
    await karen.tap("Back")  # back to the list of what can change, nothing lost
    assert karen.last.text.startswith("Tap what you want to change.")
    await karen.tap("Date and time")
    await karen.send("11.03.2026 18:00")
    await karen.tap("Places")
    await karen.tap("20")
    assert "Places: 20" in karen.last.text
    await karen.tap("Save and tell them")
    assert "Saved. 2 women who answered are being told." in karen.texts_since(-3)
    assert "has freed up, and it is yours" in sara.texts_since(-3)  # more places: the waitlist moved up

    changed = [r for r in await due(engine) if "The event has changed" in r.text]
    assert sorted(r.to.user_id for r in changed) == ["1001", "1002"]
    assert all("🕒 Wed, 11 Mar, 18.00" in r.text for r in changed)
    assert next(r for r in changed if r.to.user_id == "1001").attachment is not None
    clock.now = EVENT_AT - timedelta(hours=2)  # the old time: no reminder any more
    assert [r for r in await due(engine) if "is soon" in r.text] == []
    clock.now = EVENT_AT + timedelta(days=1, hours=-1)
    assert sorted(r.to.user_id for r in await due(engine) if "is soon" in r.text) == ["1001", "1002"]

    await karen.send("/events")
    await karen.tap("Edit")
    await karen.tap("Save and tell them")
    assert "Nothing has changed." in karen.texts_since(-2)


async def guest_at_the_door(engine, people, sessions, karen: FakeChat, name: str) -> FakeChat:  # type: ignore[no-untyped-def]
    """Karen publishes an event for everyone; a newcomer opens its guest link and picks English."""
    await published(engine, people, karen, audience="Everyone")
    async with sessions() as session:
        code = (await session.execute(select(Event.invite_code))).scalar_one()
    guest = FakeChat(engine, user_id="2001", name=name, network=people)
    await guest.send(f"/start {code}")
    await guest.tap("English")
    return guest


async def test_a_guest_types_her_name_and_bad_input_keeps_her_place(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    guest = await guest_at_the_door(engine, people, sessions, karen, name="")
    await guest.send_unsupported("voice")
    assert guest.history[-2].text == "Sorry, I can only read text and buttons here."
    await guest.send("x" * 41)
    assert "the limit here is 40" in guest.last.text
    await guest.press("999:tg")  # a forged button
    assert guest.history[-2].text == "That question is closed. Here is where we are now:"
    await guest.send("<b>Zoë</b> & Co")
    assert guest.last.text == "Thank you, &lt;b&gt;Zoë&lt;/b&gt; &amp; Co! Are you coming?"
    await guest.send("yes")  # typed instead of tapped
    assert guest.history[-2].text == "Please choose one of the buttons."
    await guest.tap("Maybe")
    assert guest.last.text.startswith("Would you like to join Mentornet?")
    async with sessions() as session:
        assert (await session.execute(select(Rsvp.status))).scalar_one() == "maybe"


async def test_a_guest_whose_event_is_cancelled_before_she_answers_is_not_stuck(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    guest = await guest_at_the_door(engine, people, sessions, karen, name="Hodan")
    await guest.tap("Use “Hodan”")
    await karen.send("/events")
    await karen.tap("Cancel event")
    await guest.tap("✅ Going")
    assert guest.history[-2].text == "This event is closed."
    assert guest.last.text.startswith("Would you like to join Mentornet?")
    await guest.tap("Not now")
    assert guest.last.text == "All right. If you want to join Mentornet later, send /start."
    await guest.send("/start")
    await guest.tap("Yes, tell me more")
    assert guest.last.text.startswith("<b>Before we start: your data</b>")


async def test_two_coordinators_editing_at_once_keep_each_others_changes(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    await published(engine, people, karen)
    lise = FakeChat(engine, user_id="9001", name="Lise", network=people)
    async with sessions() as session, session.begin():
        user, conv = await repo.create_user(session, "test", "9001", "9001", "en", "coordinator")
        user.first_name, user.consent_at, user.onboarded_at, conv.step = "Lise", EVENT_AT, EVENT_AT, "idle"
        user.consent_version = NOTICE_VERSION
    await lise.send("/events")
    await lise.tap("Edit")  # Lise opens the form first...
    await karen.send("/events")
    await karen.tap("Edit")
    await karen.tap("Place")
    await karen.send("Room 2, Hovedbiblioteket")
    await karen.tap("Save and tell them")
    await lise.tap("Title")  # ...and changes only the title, after Karen's save
    await lise.send("Intro course for newcomers")
    await lise.tap("Save and tell them")
    async with sessions() as session:
        event = (await session.execute(select(Event))).scalar_one()
    assert (event.title, event.place) == ("Intro course for newcomers", "Room 2, Hovedbiblioteket")


async def test_an_event_from_before_guest_links_gets_one_code_that_stays(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    amina = await mentee(engine, people)
    await published(engine, people, karen)
    async with sessions() as session, session.begin():
        (await session.execute(select(Event))).scalar_one().invite_code = None
    await amina.send("/events")
    await amina.tap("Invite a friend")
    first = amina.last.text.splitlines()[-1]
    await amina.send("/events")
    await amina.tap("Invite a friend")
    assert amina.last.text.splitlines()[-1] == first and first.startswith("/start ev")


async def test_events_and_settings_mid_question_put_the_question_back(engine, people) -> None:
    chat = FakeChat(engine, network=people)
    await at_fields_question(chat)
    question = chat.last.text
    await chat.send("/events")
    assert chat.history[-2].text == "No events are planned right now." and chat.last.text == question
    await chat.send("/settings")
    assert "Reminders and friendly nudges are" in chat.history[-2].text and chat.last.text == question
