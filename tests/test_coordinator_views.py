"""What coordinators see of pairs and people: /pairs, one pair's page, /find and a woman's page."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from storage import mydata
from storage.models import AuditEntry, MentorProfile, Mentorship, PairNote, User
from tests.fakechat import FakeChat
from tests.people import add_mentor, ask_first, coordinator, matched, mentee, user_id


async def test_pairs_lists_the_silent_first_and_opens_a_pairs_page(engine, people, sessions, clock) -> None:
    karen = await coordinator(engine, people)
    amina, mette = await matched(engine, people, sessions)
    clock.advance(days=25)
    await add_mentor(sessions, "m-2", "Sofie", languages=("en",))
    FakeChat(engine, user_id="m-2", name="Sofie", network=people)
    noor = await mentee(engine, people, user_id="1002", name="Noor")
    await ask_first(noor)
    await people["m-2"].tap("✅ Accept")
    await mette.send("/mentorship")
    await mette.tap("⚠️ Report a problem")
    await mette.tap("She does not come to meetings")
    await mette.tap("Send it as it is")

    await karen.send("/pairs")
    listing = karen.last
    assert listing.text.startswith("<b>Running mentorships: 2</b>")
    lines = listing.text.splitlines()
    assert lines[2].startswith("⚠️ Amina &amp; Mette: last contact") and "Noor &amp; Sofie" in lines[3]
    assert listing.buttons == ["Amina & Mette", "Noor & Sofie"]
    await karen.tap("Amina & Mette")
    page = karen.last.text
    assert page.startswith("<b>Amina &amp; Mette</b> · active")
    assert "Mentee: Amina · 📍 Aarhus · 💼 IT and Engineering · 🗣 English and Arabic" in page
    assert "Mentor: Mette · Engineer" in page and "Meetings held: 0" in page
    assert "<b>Problem reports</b>" in page and "Mette: She does not come to meetings" in page
    assert karen.last.buttons == [
        "✉️ Write to Amina",
        "✉️ Write to Mette",
        "📝 Add a note",
        "✉️ Write to both",
        "Cancel this mentorship",
    ]
    await amina.send("/pairs")
    assert amina.last.text == "Only coordinators can do this."
    await amina.press("ms:1")
    assert amina.last.text == "Only coordinators can do this."


async def test_pairs_come_a_page_at_a_time(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    for i in range(10):
        await add_mentor(sessions, f"m-{i}", f"Mentor{i}", languages=("en",))
        mentor = FakeChat(engine, user_id=f"m-{i}", name=f"Mentor{i}", network=people)
        woman = await mentee(engine, people, user_id=f"20{i:02d}", name=f"Mentee{i}")
        await woman.tap("Find a mentor")
        await woman.tap("Ask her to be my mentor")
        await woman.tap("Send without a message")
        await mentor.tap("✅ Accept")
    await karen.send("/pairs")
    assert "Running mentorships: 10</b> · 1/2" in karen.last.text and karen.last.buttons[-1] == "▶"
    assert len(karen.last.buttons) == 8 + 1
    await karen.tap("▶")
    assert "· 2/2" in karen.last.text and karen.last.buttons[-1] == "◀" and len(karen.last.buttons) == 2 + 1


async def test_find_a_woman_write_to_her_and_deactivate_a_mentor_with_a_reason(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    await add_mentor(sessions, "m-1", "Mette", languages=("en",))
    mette = FakeChat(engine, user_id="m-1", name="Mette", network=people)
    await mentee(engine, people)
    await karen.send("/find")
    assert karen.last.text == "Write a name after /find, for example: /find Amina"
    await karen.send("/find zz%")
    assert karen.last.text == "Nobody is called “zz%”."
    await karen.send("/find met")
    assert "• <b>Mette</b> · Mentor" in karen.last.text and karen.last.buttons == ["Mette · Mentor"]
    await karen.tap("Mette · Mentor")
    page = karen.last
    assert page.text.startswith("<b>Mette</b> · Mentor") and "Status: approved" in page.text
    assert page.buttons == ["✉️ Write to Mette", "⏸ Pause her profile", "⛔ Deactivate her profile"]
    await karen.tap("⛔ Deactivate her profile")
    await karen.send("We have not heard from you <b>for months</b>.")
    assert karen.last.text.startswith("Done. Mette has been told.") or "Mette has been told" in karen.texts_since(-3)
    told = mette.last
    assert "deactivated your mentor profile" in told.text
    assert "“We have not heard from you &lt;b&gt;for months&lt;/b&gt;.”" in told.text
    assert told.buttons == ["↩️ Answer"]
    async with sessions() as session:
        assert (await session.get(MentorProfile, await user_id(sessions, "m-1"))).status == "inactive"
    amina = people["1001"]
    await amina.tap("Find a mentor")
    assert "Mette" not in amina.last.text  # mentees cannot find her now
    await mette.send("/pause")
    assert mette.last.text == "Only approved mentors can pause new requests."  # only a coordinator undoes it
    await karen.tap("⛔ Deactivate her profile", message=page)  # the old page: she is inactive already
    assert "That question is closed" in karen.texts_since(-2) or "no longer" in karen.texts_since(-2)
    await karen.send("/find Mette")
    await karen.tap("Mette · Mentor")
    assert karen.last.buttons == ["✉️ Write to Mette", "▶ Activate her profile"]
    await karen.tap("▶ Activate her profile")
    await karen.send("Welcome back.")
    assert "activated your mentor profile again" in mette.last.text
    async with sessions() as session:
        actions = (await session.execute(select(AuditEntry.action).order_by(AuditEntry.id))).scalars().all()
    assert actions[-2:] == ["deactivate_mentor", "activate_mentor"]


async def test_a_note_on_a_pair_is_for_coordinators_and_goes_when_either_woman_deletes(
    engine, people, sessions
) -> None:
    karen = await coordinator(engine, people)
    amina, _mette = await matched(engine, people, sessions)
    async with sessions() as session:
        m_id = (await session.execute(select(Mentorship.id))).scalar_one()
    await karen.press(f"ms:{m_id}")
    await karen.tap("📝 Add a note")
    await karen.send("Talked with both <b>on the phone</b>; all well.")
    assert "The note is saved." in karen.texts_since(-3)
    await karen.press(f"ms:{m_id}")
    page = karen.last.text
    assert (
        "<b>Coordinators' notes</b>" in page
        and "Karen: “Talked with both &lt;b&gt;on the phone&lt;/b&gt;; all well.”" in page
    )
    await amina.press(f"pn:{m_id}")
    assert amina.last.text == "Only coordinators can do this."
    async with sessions() as session:
        amina_user = (await session.execute(select(User).where(User.external_id == "1001"))).scalar_one()
        data = await mydata.collect(session, amina_user, datetime.now(UTC))
    assert [n["text"] for n in data["coordinator_notes_on_my_mentorships"]] == [
        "Talked with both <b>on the phone</b>; all well."
    ]
    await amina.send("/delete")
    await amina.tap("Yes, delete everything")
    async with sessions() as session:
        assert (await session.execute(select(PairNote))).scalars().all() == []


async def test_a_mentee_forging_coordinator_buttons_is_refused_every_time(engine, people, sessions) -> None:
    await coordinator(engine, people)
    await add_mentor(sessions, "m-1", "Mette", languages=("en",))
    amina = await mentee(engine, people)
    mette_id = await user_id(sessions, "m-1")
    for forged in (f"wp:{mette_id}", f"wm:deactivate:{mette_id}", f"wc:{mette_id}", "pp:1", "pn:1", "co:rt:1"):
        await amina.press(forged)
        assert amina.last.text == "Only coordinators can do this.", forged
    async with sessions() as session:
        assert (await session.get(MentorProfile, mette_id)).status == "approved"
