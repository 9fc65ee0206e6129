"""Mentees and mentors are refused every coordinator command and every coordinator button, and nothing changes."""

from __future__ import annotations

from sqlalchemy import select

from conversations.commands import ROLE_COMMANDS
from storage.models import Broadcast, Event, MentorRequest, Mentorship, Outbox, Rsvp
from tests.fakechat import FakeChat
from tests.people import add_mentor, coordinator, matched, mentee, status_of, user_id
from tests.test_events import published

REFUSED = "Only coordinators can do this."


def coordinator_buttons(event: int, rsvp: int, pending: int, mentorship: int, mentee: int, mentor: int) -> list[str]:
    """Every button a coordinator's messages carry, aimed at real rows."""
    return [
        f"e:cancel:{event}", f"e:list:{event}", f"e:edit:{event}", f"ea:{rsvp}",
        f"v:ok:{pending}", f"v:no:{pending}", f"v:ask:{pending}",
        f"m:cancel:{mentorship}", f"ms:{mentorship}", f"mw:{mentorship}",
        f"w:{mentee}", f"w:{mentee}:{mentor}",
        "st:y:2026", "st:places", "st:companies", "st:csv",
    ]  # fmt: skip


async def test_mentees_and_mentors_are_refused_everything_that_is_for_coordinators(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    amina, mette = await matched(engine, people, sessions)
    pending = await add_mentor(sessions, "m-2", "Birgit", status="pending")
    await published(engine, people, karen, audience="Everyone")
    await amina.tap("✅ Going")
    async with sessions() as session:
        event = (await session.execute(select(Event.id))).scalar_one()
        rsvp = (await session.execute(select(Rsvp.id))).scalar_one()
        mentorship = (await session.execute(select(Mentorship.id))).scalar_one()
        queued = len((await session.execute(select(Outbox.id))).all())
    buttons = coordinator_buttons(
        event, rsvp, pending, mentorship, await user_id(sessions, "1001"), await user_id(sessions, "m-1")
    )

    for chat in (amina, mette):
        for command, _ in ROLE_COMMANDS["coordinator"]:
            await chat.send(f"/{command}")
            assert chat.last.text == REFUSED, f"/{command} as {chat.name}: {chat.last.text!r}"
        for payload in buttons:
            await chat.press(payload)
            assert chat.last.text == REFUSED, f"{payload} as {chat.name}: {chat.last.text!r}"

    async with sessions() as session:
        assert (await session.get(Event, event)).status == "published"
        assert (await session.get(Rsvp, rsvp)).attended is False
        assert (await session.get(Mentorship, mentorship)).status == "active"
        assert (await session.execute(select(Broadcast.id))).all() == []
        assert len((await session.execute(select(Outbox.id))).all()) == queued  # nobody was told anything
    assert await status_of(sessions, pending) == "pending"
    assert "broadcast" in {c for c, _ in ROLE_COMMANDS["coordinator"]}


async def requests_of(sessions, mentee: int) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return len((await session.execute(select(MentorRequest.id).where(MentorRequest.mentee_id == mentee))).all())


async def test_an_old_suggestion_follows_the_rules_of_finding_a_mentor(engine, people, sessions) -> None:
    """A coordinator's suggestion pressed after she found a mentor, or after she deleted her profile, asks nobody."""
    amina, _mette = await matched(engine, people, sessions)
    birgit = await add_mentor(sessions, "m-2", "Birgit", languages=("en",))
    mentee = await user_id(sessions, "1001")
    asked = await requests_of(sessions, mentee)
    replies = await amina.press(f"ask:{birgit}")
    assert any("You already have a mentor" in r.text for r in replies), [r.text for r in replies]
    assert await requests_of(sessions, mentee) == asked

    await amina.send("/delete")
    await amina.tap("Yes, delete everything")
    replies = await amina.press(f"ask:{birgit}")  # the suggestion is still in her chat
    assert "Which language would you like to use?" in replies[-1].text, "she can start again from the beginning"
    async with sessions() as session:
        assert (await session.execute(select(MentorRequest.id).where(MentorRequest.mentor_id == birgit))).all() == []


async def test_an_event_button_opens_only_the_doors_an_invitation_opens(engine, people, sessions) -> None:
    """`e:go:<id>` pressed by someone who never accepted the privacy notice, or by a mentor for an event for
    mentees, saves no answer; a mentee of the audience still can."""
    karen = await coordinator(engine, people)
    await published(engine, people, karen, audience="Mentees")
    await add_mentor(sessions, "m-1", "Mette")
    async with sessions() as session:
        event = (await session.execute(select(Event.id))).scalar_one()
    stranger = FakeChat(engine, user_id="7777", name="Stranger", network=people)
    mette = FakeChat(engine, user_id="m-1", name="Mette", network=people)
    for chat in (stranger, mette):
        await chat.press(f"e:go:{event}")
        await chat.press(f"e:maybe:{event}")
    async with sessions() as session:
        assert (await session.execute(select(Rsvp.id))).all() == []
    amina = await mentee(engine, people)
    await amina.press(f"e:go:{event}")
    async with sessions() as session:
        assert len((await session.execute(select(Rsvp.id))).all()) == 1
