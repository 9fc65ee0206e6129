"""Coordinator power comes from one place: the configured list. Whoever leaves it loses every power at the next
start; what coordinators do is written to an audit log they can read with /audit."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from conversations.kernel.engine import Engine
from storage import invitations, repo
from storage.models import AuditEntry, CoordinatorInvite, User
from tests.conftest import COORDINATOR
from tests.fakechat import FakeChat
from tests.flows import reach_role
from tests.people import add_mentor, coordinator, mentee

REFUSED = "Only coordinators can do this."


async def second_coordinator(engine: Engine, people: dict) -> FakeChat:
    lise = FakeChat(engine, user_id="9001", name="Lise", network=people)
    await reach_role(lise)
    await lise.tap("Use “Lise”")
    await lise.tap("Confirm")
    return lise


async def test_a_coordinator_taken_off_the_list_loses_every_power_at_the_next_start(
    sessions, clock, people
) -> None:
    before = Engine(sessions, coordinator_ids=[COORDINATOR, "9001"], clock=clock)
    karen = await coordinator(before, people)
    lise = await second_coordinator(before, people)
    await lise.send("/broadcast")  # a coordinator form left open
    await lise.send("Job fair on Friday")
    form = lise.last

    # The next start reads a list without her.
    async with sessions() as session, session.begin():
        assert await repo.sync_coordinators(session, "test", [COORDINATOR]) == [
            (await session.execute(select(User.id).where(User.external_id == "9001"))).scalar_one()
        ]
    after = Engine(sessions, coordinator_ids=[COORDINATOR], clock=clock)
    for chat in (karen, lise):
        chat.engine = after

    for command in ("/stats", "/pending", "/broadcast", "/waiting", "/mentorships", "/audit"):
        await lise.send(command)
        assert REFUSED in lise.texts_since(-3), command
    await lise.tap("See the preview", message=form)  # her old form's buttons are closed
    assert "That question is closed" in lise.texts_since(-3)
    assert "📣" not in lise.last.text

    # New mentors' profiles and problem alerts go to whoever repo.coordinators names: Karen only.
    async with sessions() as session:
        assert [u.external_id for u in await repo.coordinators(session)] == [COORDINATOR]
    await lise.send("hello")  # she starts over, as anyone new
    assert "Which language would you like to use?" in lise.last.text
    await karen.send("/stats")
    assert REFUSED not in karen.last.text


async def test_coordinator_actions_are_in_the_audit_log(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    await add_mentor(sessions, "m-2", "Birgit", status="pending")
    FakeChat(engine, user_id="m-2", name="Birgit", network=people)
    await karen.send("/audit")
    assert karen.last.text == "No coordinator actions are recorded yet."
    await karen.send("/pending")
    await karen.tap("✅ Approve")
    async with sessions() as session:
        entries = (await session.execute(select(AuditEntry))).scalars().all()
        birgit = (await session.execute(select(User.id).where(User.external_id == "m-2"))).scalar_one()
    assert [(e.action, e.subject) for e in entries] == [("approve", f"user:{birgit}")]
    await karen.send("/audit")
    assert "Karen approved a mentor: Birgit" in karen.last.text

    amina = await mentee(engine, people)
    await amina.send("/audit")
    assert amina.last.text == REFUSED


async def test_a_coordinator_brings_in_another_with_a_one_time_link_and_can_take_the_role_away(
    engine, people, sessions, clock
) -> None:
    karen = await coordinator(engine, people)
    await karen.send("/invite")
    code = karen.last.text.split()[-1]
    assert karen.last.text.startswith("A link for one new coordinator. It works once, for 7 days.")
    lene = FakeChat(engine, user_id="9002", name="Lene", network=people)
    await lene.send(f"/start {code}")
    assert "Welcome! You are a coordinator now. 🌱" in lene.texts_since(0)
    await lene.tap("English")
    await lene.tap("I agree")
    assert "I want a mentor" not in lene.last.buttons  # no role question: she is a coordinator
    await lene.tap("Use “Lene”")
    await lene.tap("Confirm")
    await lene.send("/stats")
    assert lene.last.text != REFUSED

    # Once only.
    sara = FakeChat(engine, user_id="9003", name="Sara", network=people)
    await sara.send(f"/start {code}")
    assert "This invitation link does not work any more." in sara.texts_since(0)
    # A woman who takes part already cannot become one by a link; an old link does not work.
    amina = await mentee(engine, people)
    await karen.send("/invite")
    fresh = karen.last.text.split()[-1]
    await amina.send(f"/start {fresh}")
    assert "you take part as a mentee or a mentor already" in amina.texts_since(-3)
    clock.advance(days=8)
    newcomer = FakeChat(engine, user_id="9004", name="Ida", network=people)
    await newcomer.send(f"/start {fresh}")
    assert "This invitation link does not work any more." in newcomer.texts_since(0)

    # The list read at start-up leaves an invited coordinator alone.
    async with sessions() as session, session.begin():
        assert await repo.sync_coordinators(session, "test", [COORDINATOR]) == []

    await karen.send("/find Lene")
    await karen.tap("Lene · Coordinator")
    assert "Coordinator: invited by a coordinator" in karen.last.text
    await karen.tap("Remove coordinator role")
    await karen.tap("Yes, remove the role")
    assert "Your coordinator role has been removed." in lene.last.text
    await lene.send("/stats")
    assert REFUSED in lene.texts_since(-3)
    async with sessions() as session:
        actions = (await session.execute(select(AuditEntry.action).order_by(AuditEntry.id))).scalars().all()
    assert {"invite_coordinator", "join_coordinator", "remove_coordinator"} <= set(actions)


async def test_anyone_can_see_her_own_id_for_the_coordinator_list(engine, people) -> None:
    amina = await mentee(engine, people)
    await amina.send("/myid")
    assert "Your id here: 1001" in amina.texts_since(-2)


async def test_two_women_opening_one_invitation_at_once_make_one_coordinator(sessions, clock) -> None:
    """The claim is one conditional UPDATE: of two transactions racing for the link, exactly one gets it."""
    async with sessions() as session, session.begin():
        first, _ = await repo.create_user(session, "test", "9101", "9101", "en", None)
        second, _ = await repo.create_user(session, "test", "9102", "9102", "en", None)
        invite = CoordinatorInvite(code="co" + "0" * 16, created_at=clock.now, expires_at=clock.now + timedelta(days=7))
        session.add(invite)
    async with sessions() as one, sessions() as two:
        await one.begin()
        await two.begin()
        got_first = await invitations.claim(one, invite.id, first.id, clock.now)
        await one.commit()  # the second waits on the row lock (PostgreSQL) or the write lock (SQLite) until here
        got_second = await invitations.claim(two, invite.id, second.id, clock.now)
        await two.commit()
    assert (got_first, got_second) == (True, False)
