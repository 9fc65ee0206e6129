"""Retention on the durable clock, and the privacy notice that names it: texts emptied after 30 days, the silent
asked after 18 months and deleted after 24, unfinished accounts purged after 90 days, the notice asked again when
its version changes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from conversations.kernel.engine import Engine
from conversations.kernel.flow import Privacy
from conversations.kernel.messages import Reply
from storage import outbox
from storage.models import Mentorship, Outbox, ProcessedUpdate, User
from storage.retention import Retention
from tests.conftest import COORDINATOR
from tests.fakechat import FakeChat
from tests.flows import deliver_all, due, reach_role
from tests.people import matched


async def texts(sessions) -> list[str]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return [p.get("text", "") for p in (await session.execute(select(Outbox.payload))).scalars()]


async def test_relayed_texts_are_gone_thirty_days_after_delivery(engine, people, sessions, clock) -> None:
    amina, _ = await matched(engine, people, sessions)
    async with sessions() as session, session.begin():  # a relayed message on its way through the outbox
        outbox.enqueue(session, Reply("💬 Mette: My new number is Qx7-555", to=amina.ref), clock.now)
    deliver_all(people, await due(engine))
    assert any("Qx7-555" in t for t in await texts(sessions))
    clock.advance(days=29)
    await due(engine)
    assert any("Qx7-555" in t for t in await texts(sessions))  # not yet: within 30 days
    clock.advance(days=2)
    await due(engine)
    assert not any("Qx7-555" in t for t in await texts(sessions))


async def test_the_silent_are_asked_once_then_deleted_as_if_they_had_sent_delete(
    engine, people, sessions, clock
) -> None:
    _, mette = await matched(engine, people, sessions)
    async with sessions() as session, session.begin():  # Mette was here yesterday; Amina 19 months ago
        await session.execute(update(User).values(last_seen_at=clock.now - timedelta(days=1)))
        await session.execute(
            update(User).where(User.external_id == "1001").values(last_seen_at=clock.now - timedelta(days=580))
        )
    asked = [r for r in await due(engine) if r.to.user_id == "1001"]
    assert len(asked) == 1 and "Do you want to stay in Mentornet?" in asked[0].text
    clock.advance(hours=2)
    assert [r for r in await due(engine) if r.to.user_id == "1001"] == []  # once a day, and asked only once
    clock.advance(days=200)  # 24 months of silence
    async with sessions() as session, session.begin():
        await session.execute(update(User).where(User.external_id == "m-1").values(last_seen_at=clock.now))
    deliver_all(people, [r for r in await due(engine) if r.to.user_id != "1001"])
    assert "your mentee has left Mentornet" in mette.texts_since(-3)
    async with sessions() as session:
        gone = (await session.execute(select(User).where(User.first_name == "Amina"))).first()
        m = (await session.execute(select(Mentorship))).scalar_one()
    assert gone is None and (m.status, m.end_reason) == ("ended_early", "left")


async def test_a_word_from_her_keeps_her_account(engine, people, sessions, clock) -> None:
    amina, _ = await matched(engine, people, sessions)
    async with sessions() as session, session.begin():
        await session.execute(update(User).values(last_seen_at=clock.now - timedelta(days=580)))
    amina.receive(next(r for r in await due(engine) if r.to.user_id == "1001"))
    await amina.tap("Yes, I want to stay")
    assert "Your account stays" in amina.last.text
    clock.advance(days=200)
    await due(engine)
    async with sessions() as session:
        assert (await session.execute(select(User).where(User.first_name == "Amina"))).first() is not None


async def test_declined_and_unfinished_accounts_are_purged_after_ninety_days(engine, people, sessions, clock) -> None:
    said_no = FakeChat(engine, user_id="2001", name="Nadia", network=people)
    await said_no.send("/start")
    await said_no.tap("English")
    await said_no.tap("No, thank you")
    halfway = FakeChat(engine, user_id="2002", name="Hawa", network=people)
    await reach_role(halfway)
    await halfway.tap("I want a mentor")
    clock.advance(days=89)
    await due(engine)
    async with sessions() as session:
        assert (await session.execute(select(func.count()).select_from(User))).scalar_one() == 2
    clock.advance(days=2)
    await due(engine)
    async with sessions() as session:
        assert (await session.execute(select(func.count()).select_from(User))).scalar_one() == 0
        assert (await session.execute(select(func.count()).select_from(ProcessedUpdate))).scalar_one() == 0


async def test_a_new_notice_is_asked_again_at_her_next_message_and_names_the_controller(
    sessions, people, clock
) -> None:
    privacy = Privacy("Kvindernetværket", "privacy@example.dk", Retention(30, 18, 24, 90))
    engine = Engine(sessions, coordinator_ids=[COORDINATOR], clock=clock, privacy=privacy)
    amina, _ = await matched(engine, people, sessions)
    async with sessions() as session, session.begin():
        await session.execute(update(User).where(User.external_id == "1001").values(consent_version=1))
    await amina.send("/mentorship")
    assert "Our privacy notice has changed" in amina.texts_since(-3)
    await amina.tap("Read more")
    text = amina.last.text
    for named in ("Kvindernetværket", "privacy@example.dk", "30 days", "18 months", "24 months", "/mydata"):
        assert named in text, named
    await amina.tap("I agree")
    await amina.send("/mentorship")
    assert "<b>Mette</b>, your mentor since" in amina.last.text


async def test_a_mentor_is_told_what_every_mentee_sees_of_her(engine, people) -> None:
    chat = FakeChat(engine, user_id="3001", name="Birgit", network=people)
    await reach_role(chat)
    await chat.tap("I want to be a mentor")
    assert "every mentee who looks for a mentor sees your card" in chat.texts_since(-3)


async def test_the_purge_spares_whoever_wrote_lately_has_history_or_coordinates(
    engine, people, sessions, clock
) -> None:
    """Rejected long ago but writing yesterday, a mentee whose request is on record, a coordinator: none is purged."""
    from tests.people import add_mentor, coordinator

    await coordinator(engine, people)
    await matched(engine, people, sessions)
    await add_mentor(sessions, "m-9", "Birgit", status="rejected")
    async with sessions() as session, session.begin():
        await session.execute(
            update(User).values(onboarded_at=None, last_seen_at=clock.now - timedelta(days=200))
        )  # nobody finished onboarding, everybody silent for 200 days...
        await session.execute(update(User).where(User.external_id == "m-9").values(last_seen_at=clock.now))
        from storage.models import MentorProfile

        await session.execute(update(MentorProfile).values(decided_at=clock.now - timedelta(days=200)))
    await due(engine)
    async with sessions() as session:
        left = sorted((await session.execute(select(User.external_id).where(User.erased_at.is_(None)))).scalars())
    # ...yet Amina and Mette have a mentorship, Birgit wrote today and Karen coordinates.
    assert left == sorted(["1001", "m-1", "m-9", COORDINATOR])
