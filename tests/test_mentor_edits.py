"""An approved mentor's new job title, employer or introduction reaches mentees only after a coordinator approves."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from conversations.kernel.engine import Engine
from storage.models import AuditEntry, MentorProfile
from tests.fakechat import FakeChat, Shown
from tests.people import add_mentor, coordinator, mentee, user_id

REFUSED = "Only coordinators can do this."
STALE = "That question is closed. Here is where we are now:"
NUMBER = "Call me on +45 12 34 56 78 <any time>"


async def approved_mentor(engine: Engine, people: dict, sessions: async_sessionmaker) -> FakeChat:
    """Mette, approved, job title "Engineer" at "Acme", no introduction yet."""
    await add_mentor(sessions, "m-1", "Mette", languages=("en",))
    return FakeChat(engine, user_id="m-1", name="Mette", network=people)


async def change(chat: FakeChat, field: str, text: str) -> None:
    await chat.send("/profile")
    await chat.tap(f"✏️ {field}")
    await chat.send(text)


async def card_for(amina: FakeChat) -> str:
    """The mentor card a mentee sees now."""
    await amina.send("/mentors")
    return amina.last.text


async def mentor_row(sessions: async_sessionmaker, external_id: str = "m-1") -> MentorProfile:
    async with sessions() as session:
        return await session.get(MentorProfile, await user_id(sessions, external_id))


def payload(message: Shown, title: str) -> str:
    found = [b.payload for row in message.reply.buttons for b in row if b.title == title]
    assert found, f"no button {title!r} on {message.text!r}"
    return found[0]


def waiting(profile: MentorProfile) -> dict[str, Any]:
    return profile.pending_changes or {}


async def audited(sessions: async_sessionmaker) -> list[tuple[str, str | None]]:
    async with sessions() as session:
        return [tuple(row) for row in await session.execute(select(AuditEntry.action, AuditEntry.subject))]


async def test_a_new_introduction_reaches_mentees_only_after_a_coordinator_approves(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    mette = await approved_mentor(engine, people, sessions)
    amina = await mentee(engine, people)

    await change(mette, "Introduction", NUMBER)
    assert "Call me" not in await card_for(amina)
    told = mette.texts_since(-2)
    assert "A coordinator will look at this change soon" in told and "mentees see your profile as it was" in told
    assert "Call me on +45 12 34 56 78 &lt;any time&gt;" in mette.last.text  # her own card shows what she wrote
    assert "Waiting for a coordinator's review: Introduction." in mette.last.text

    card = karen.last
    assert card.text.startswith("<b>Mette changed her mentor profile</b>")
    assert "<b>Introduction</b>\n<i>Before</i>: —\n<i>New</i>: Call me on +45 12 34 56 78 &lt;any time&gt;" in card.text
    assert card.buttons == ["✅ Approve", "Reject"]
    profile = await mentor_row(sessions)
    assert profile.about is None and waiting(profile) == {"about": NUMBER}

    # Fields mentees do not read as her own words still save at once.
    await mette.send("/profile")
    await mette.tap("✏️ Languages")
    await mette.tap("Arabic")
    await mette.tap("Done")
    profile = await mentor_row(sessions)
    assert profile.languages == ["en", "ar"] and waiting(profile) == {"about": NUMBER}
    assert "🗣 English and Arabic" in await card_for(amina)

    await karen.tap("✅ Approve", message=card)
    assert karen.last.text.endswith("✅ Approved. Mentees see the new version now.")
    assert karen.last.buttons == []
    assert "Your profile change is approved" in mette.last.text
    assert "Call me on +45 12 34 56 78 &lt;any time&gt;" in await card_for(amina)
    profile = await mentor_row(sessions)
    assert profile.about == NUMBER and profile.pending_changes is None
    assert await audited(sessions) == [("approve_changes", f"user:{profile.user_id}")]
    await mette.send("/profile")
    assert "Waiting for a coordinator" not in mette.last.text


async def test_a_rejected_change_leaves_the_approved_card(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    mette = await approved_mentor(engine, people, sessions)
    amina = await mentee(engine, people)

    await change(mette, "Job title", "Call me: +45 12345678")
    assert "<b>Job title</b>\n<i>Before</i>: Engineer\n<i>New</i>: Call me: +45 12345678" in karen.last.text
    await karen.tap("Reject")
    assert karen.last.text.endswith("Rejected. Mentees keep seeing the earlier version.")
    assert "did not approve your profile change" in mette.last.text
    assert "<b>Mette</b> · Engineer" in await card_for(amina)
    profile = await mentor_row(sessions)
    assert profile.job_title == "Engineer" and profile.pending_changes is None
    assert await audited(sessions) == [("reject_changes", f"user:{profile.user_id}")]
    await mette.send("/profile")
    assert "<b>Job title</b>: Engineer" in mette.last.text and "Waiting for a coordinator" not in mette.last.text


async def test_only_a_coordinator_can_approve_a_change(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    mette = await approved_mentor(engine, people, sessions)
    amina = await mentee(engine, people)
    await change(mette, "Employer", "Call me on +45 12345678")
    approve, reject = payload(karen.last, "✅ Approve"), payload(karen.last, "Reject")

    for chat in (amina, mette):
        for pressed in (approve, reject):
            await chat.press(pressed)
            assert chat.last.text == REFUSED, f"{pressed} as {chat.name}: {chat.last.text!r}"
    profile = await mentor_row(sessions)
    assert profile.employer == "Acme" and waiting(profile) == {"employer": "Call me on +45 12345678"}
    assert await audited(sessions) == []
    assert "Call me" not in await card_for(amina)


async def test_a_stale_or_forged_press_changes_nothing(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    mette = await approved_mentor(engine, people, sessions)
    mette_id = await user_id(sessions, "m-1")
    await change(mette, "Introduction", "Ring me any evening.")
    first = karen.last
    await change(mette, "Introduction", "I help with CVs in IT.")  # a second edit replaces the first
    second = karen.last
    assert second.id != first.id and "I help with CVs in IT." in second.text
    assert waiting(await mentor_row(sessions)) == {"about": "I help with CVs in IT."}

    # The first card shows a text that no longer waits: approving it would approve what Karen never read.
    forged = [payload(first, "✅ Approve"), f"pe:ok:{mette_id}:0", f"pe:ok:{mette_id}", "pe:ok:999999:0", "pe:x"]
    forged.append(payload(second, "✅ Approve").replace("pe:ok:", "pe:go:"))
    for pressed in forged:
        await karen.press(pressed)
        assert karen.history[-2].text == STALE, f"{pressed}: {karen.history[-2].text!r}"
    profile = await mentor_row(sessions)
    assert profile.about is None and waiting(profile) == {"about": "I help with CVs in IT."}

    await karen.tap("✅ Approve", message=second)
    assert (await mentor_row(sessions)).about == "I help with CVs in IT."
    for pressed in (payload(second, "✅ Approve"), payload(second, "Reject")):  # decided already
        await karen.press(pressed)
        assert karen.history[-2].text == STALE
    assert (await mentor_row(sessions)).about == "I help with CVs in IT."


async def test_pending_lists_waiting_changes_and_a_mentor_not_yet_approved_saves_directly(
    engine, people, sessions
) -> None:
    karen = await coordinator(engine, people)
    mette = await approved_mentor(engine, people, sessions)
    await add_mentor(sessions, "m-2", "Birgit", status="pending")
    birgit = FakeChat(engine, user_id="m-2", name="Birgit", network=people)
    seen = len(karen.history)
    await change(birgit, "Introduction", "Nurse for twenty years.")  # she is vetted as a whole anyway
    assert len(karen.history) == seen
    birgit_row = await mentor_row(sessions, "m-2")
    assert birgit_row.about == "Nurse for twenty years." and birgit_row.pending_changes is None

    await change(mette, "Job title", "Team lead")
    before = len(karen.history)
    await karen.send("/pending")
    texts = karen.texts_since(before)
    assert "Mentors waiting for approval: 1" in texts and "Profile changes waiting for review: 1" in texts
    assert karen.last.text.startswith("<b>Mette changed her mentor profile</b>")
    await karen.tap("✅ Approve")
    assert (await mentor_row(sessions)).job_title == "Team lead"
    await karen.send("/pending")
    assert "Profile changes waiting" not in karen.texts_since(-3)
