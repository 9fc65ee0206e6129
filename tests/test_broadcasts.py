"""Broadcasts as a coordinator sees them: segment counts, the preview, sending, live progress and the report."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from conversations.kernel.i18n import Translator
from storage import repo
from storage.models import Company, Event, MentorProfile, Mentorship, Outbox, Rsvp, User
from tests.fakechat import FakeChat
from tests.flows import deliver_all, due
from tests.people import add_mentee, add_mentor, coordinator, user_id


async def community(engine, people, sessions) -> dict[str, FakeChat]:  # type: ignore[no-untyped-def]
    """Two mentees and two mentors who can be reached, one who turned announcements off, one who blocked us."""
    await add_mentee(sessions, "amina", "Amina", region="aarhus")
    await add_mentee(sessions, "layla", "Layla", locale="ar")
    await add_mentee(sessions, "sara", "Sara")
    await add_mentee(sessions, "hana", "Hana")
    await add_mentor(sessions, "mette", "Mette")
    await add_mentor(sessions, "birgit", "Birgit", region="aarhus")
    mette, layla = await user_id(sessions, "mette"), await user_id(sessions, "layla")
    async with sessions() as session, session.begin():
        await session.execute(update(User).where(User.external_id == "sara").values(no_announcements=True))
        await session.execute(update(User).where(User.external_id == "hana").values(blocked_at=datetime.now(UTC)))
        company = Company(name="Novo Nordisk", code="novo")
        session.add(company)
        await session.flush()
        await session.execute(update(MentorProfile).where(MentorProfile.user_id == mette).values(company_id=company.id))
        session.add(Mentorship(mentee_id=layla, mentor_id=mette, status="active"))
    return {name: FakeChat(engine, user_id=name, name=name.title(), network=people) for name in ("amina", "layla", "mette", "birgit")}  # fmt: skip


async def pick(karen: FakeChat, dimension: str, choice: str) -> None:
    await karen.tap(dimension)
    await karen.tap(choice)


async def test_the_count_follows_every_filter_and_the_preview_shows_what_arrives(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    await community(engine, people, sessions)
    await karen.send("/broadcast")
    await karen.send("Job fair on Friday <b>at 10</b> & coffee")
    assert karen.last.text.endswith("Recipients: 4")  # not Sara (announcements off), not Hana (blocked)
    menu = karen.last
    await pick(karen, "Role", "Mentees")
    assert karen.last.id == menu.id and karen.last.text.endswith("Recipients: 2")
    assert "Role: <b>Mentees</b>" in karen.last.text
    await pick(karen, "Mentorship", "In a mentorship now")
    assert karen.last.text.endswith("Recipients: 1")
    await pick(karen, "Mentorship", "Not in a mentorship now")
    assert karen.last.text.endswith("Recipients: 1")
    await pick(karen, "Mentorship", "Everyone")
    await pick(karen, "Language", "العربية")
    assert karen.last.text.endswith("Recipients: 1")
    await pick(karen, "Language", "Everyone")
    await pick(karen, "Role", "Everyone")
    await pick(karen, "Area", "Aarhus")
    assert karen.last.text.endswith("Recipients: 2")  # Amina and Birgit
    await pick(karen, "Area", "Everyone")
    await pick(karen, "Company", "Novo Nordisk")
    assert karen.last.text.endswith("Recipients: 1")  # Mette
    await pick(karen, "Company", "Everyone")

    await karen.tap("See the preview")
    preview = karen.last.text
    assert preview.startswith("This is how it arrives:")
    assert "Job fair on Friday &lt;b&gt;at 10&lt;/b&gt; &amp; coffee" in preview  # her words, never markup
    assert "Recipients: 4" in preview
    await karen.tap("📣 Send to 4")
    progress = next(s for s in karen.history if s.text.startswith("📣 Sending"))
    assert "Sent: 0 · left: 4" in progress.text

    sent = await due(engine)
    assert sorted(r.to.user_id for r in sent) == ["amina", "birgit", "layla", "mette"]
    layla = next(r for r in sent if r.to.user_id == "layla")
    assert Translator("ar")._("From the Mentornet team") in layla.text
    deliver_all(people, sent)

    edits = await engine.broadcast_progress()
    assert [e.replace for e in edits] == [str(progress.id)]
    deliver_all(people, edits)
    assert karen.messages[progress.id].text.startswith("📣 Sent. Recipients: 4")
    assert "Sent: 4 · left: 0 · blocked the bot: 0 · failed: 0" in karen.messages[progress.id].text
    deliver_all(people, await due(engine))
    assert karen.last.text.startswith("📣 Your broadcast is done. Received it: 4 of 4.")
    assert await engine.broadcast_progress() == []  # done: no more edits


async def test_event_people_include_guests_and_nothing_is_sent_to_nobody(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    await community(engine, people, sessions)
    amina = await user_id(sessions, "amina")
    async with sessions() as session, session.begin():
        event = Event(
            kind="intro", title="Intro course", starts_at=datetime(2026, 3, 10, 16, tzinfo=UTC), place="Library",
            capacity=10, audience="all", checkin_code="ABC123", created_at=datetime(2026, 3, 1, tzinfo=UTC),
        )  # fmt: skip
        session.add(event)
        guest, _ = await repo.create_user(session, "test", "guest", "guest", "so", None)
        guest.first_name = "Hodan"
        await session.flush()
        session.add(Rsvp(event_id=event.id, user_id=guest.id, status="going", answered_at=event.created_at))
        session.add(Rsvp(event_id=event.id, user_id=amina, status="no", answered_at=event.created_at))
    people["guest"] = FakeChat(engine, user_id="guest", network=people)
    await karen.send("/broadcast")
    await karen.send("The room has changed: we meet in room 2.")
    await pick(karen, "Event", "Intro course · 10 March 2026")
    assert karen.last.text.endswith("Recipients: 1")  # the guest said yes; Amina said no
    await pick(karen, "Role", "Mentors")
    await karen.tap("See the preview")
    assert "Nobody fits this choice yet." in karen.last.text
    assert not any(t.startswith("📣 Send") for t in karen.last.buttons)
    await karen.tap("Change who gets it")
    await pick(karen, "Role", "Everyone")
    await karen.tap("See the preview")
    await karen.tap("📣 Send to 1")
    sent = await due(engine)
    assert [r.to.user_id for r in sent] == ["guest"]
    assert Translator("so")._("From the Mentornet team") in sent[0].text
    async with sessions() as session:
        assert (await session.execute(select(Outbox.broadcast_id))).scalars().all() == [1]


async def test_a_mentee_cannot_broadcast(engine, people, sessions) -> None:
    await community(engine, people, sessions)
    amina = people["amina"]
    await amina.send("/broadcast")
    assert amina.last.text == "Only coordinators can do this."


async def test_bad_input_in_the_broadcast_steps_loses_nothing(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    await community(engine, people, sessions)
    await karen.send("/broadcast")
    await karen.send("x" * 3001)
    assert "the limit here is 3000" in karen.last.text
    await karen.send_unsupported("sticker")
    assert "Write the message" in karen.last.text
    await karen.send("Summer party on 20 June")
    menu = karen.last
    await karen.send("mentees please")  # typed where a button is expected
    assert karen.history[-2].text == "Please choose one of the buttons."
    assert karen.last.text.endswith("Recipients: 4")
    forged = menu.reply.buttons[0][0].payload.split(":")[0] + ":set:company:999"  # not picking a company now
    await karen.press(forged)
    assert karen.history[-2].text == "That question is closed. Here is where we are now:"
    await karen.tap("Company")
    await karen.press(karen.last.reply.buttons[0][0].payload.split(":")[0] + ":set:company:999")  # no such company
    assert karen.history[-2].text == "That question is closed. Here is where we are now:"
    novo = next(b for row in karen.last.reply.buttons for b in row if b.title == "Novo Nordisk")
    await karen.tap("Everyone")
    await karen.tap("Event")
    await karen.press(novo.payload)  # a company's button while events are being picked: ids look alike
    assert karen.history[-2].text == "That question is closed. Here is where we are now:"
    await karen.tap("Everyone")
    assert "Company: <b>everyone</b>" in karen.last.text and "Event: <b>everyone</b>" in karen.last.text
    await karen.tap("See the preview")
    assert "Summer party on 20 June" in karen.last.text  # the message survived it all
    await karen.press(menu.reply.buttons[0][0].payload)  # a button of the segment menu, now stale
    assert karen.history[-2].text == "That question is closed. Here is where we are now:"
    await karen.send("/broadcast")  # starting again is always possible
    assert "Write the message" in karen.last.text


async def test_a_woman_who_deletes_her_data_mid_broadcast_is_not_sent_it_and_the_report_adds_up(
    engine, people, sessions
) -> None:
    karen = await coordinator(engine, people)
    await community(engine, people, sessions)
    await karen.send("/broadcast")
    await karen.send("Job fair on Friday")
    await karen.tap("See the preview")
    await karen.tap("📣 Send to 4")
    amina = people["amina"]
    await amina.send("/delete")
    await amina.tap("Yes, delete everything")
    sent = await due(engine)
    assert sorted(r.to.user_id for r in sent if "Job fair" in r.text) == ["birgit", "layla", "mette"]
    deliver_all(people, await engine.broadcast_progress())
    deliver_all(people, await due(engine))
    assert "Received it: 3 of 4. Blocked the bot: 0. Could not be reached: 1." in karen.last.text
    async with sessions() as session:
        texts = (await session.execute(select(Outbox.payload).where(Outbox.external_id.like("erased-%")))).scalars().all()
        hers = (await session.execute(select(Outbox.id).where(Outbox.external_id == "amina"))).all()
    assert texts == [{"text": ""}] and hers == []  # the row still counts her as not reached; nothing of hers is kept


async def test_forms_nest_and_each_keeps_its_draft(engine, people, sessions) -> None:
    """Editing an event, then a broadcast, then the event again: the event form comes to the top once, and
    leaving it finds the written broadcast waiting underneath, text and all."""
    karen = await coordinator(engine, people)
    await community(engine, people, sessions)
    async with sessions() as session, session.begin():
        session.add(
            Event(
                kind="intro", title="Intro course", starts_at=datetime(2026, 3, 10, 16, tzinfo=UTC), place="Library",
                capacity=10, audience="all", checkin_code="ABC123", invite_code="evabc", created_at=datetime(2026, 3, 1, tzinfo=UTC),
            )
        )  # fmt: skip
    await karen.send("/events")
    await karen.tap("Edit")
    await karen.send("/broadcast")
    await karen.send("Hello")
    await karen.send("/events")
    await karen.tap("Edit")
    await karen.tap("Back")  # nothing changed: the event form closes without asking
    assert karen.last.text.startswith("Who should receive it?")
    await karen.tap("Back")  # the broadcast's Back goes to the question before, her text kept
    assert "Keep “Hello”" in karen.last.buttons
    await karen.send("/cancel")  # a written text is not thrown away without asking
    assert karen.last.text == "Stop here? What you entered here will be lost."
    await karen.tap("No, go on")
    assert "Keep “Hello”" in karen.last.buttons
    await karen.tap("Keep “Hello”")
    await karen.tap("See the preview")
    assert "Hello" in karen.last.text
    await karen.tap("📣 Send to 4")
    assert karen.last.text == "What would you like to do?"
    await karen.send("/cancel")
    assert karen.last.text == "What would you like to do?"  # nothing else was left open underneath
    async with sessions() as session:
        assert len((await session.execute(select(Outbox.id).where(Outbox.broadcast_id.is_not(None)))).all()) == 4
