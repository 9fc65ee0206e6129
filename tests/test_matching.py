"""Self-service matching as conversations: vetting, ranked cards, requests, mentorships and the relay chat."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from conversations.kernel.engine import Engine
from conversations.kernel.messages import Media, Reply
from storage import matching, repo
from storage.models import MenteeProfile, MentorProfile, MentorRequest, Mentorship, ProblemReport, User, WaitingMentee
from tests.fakechat import FakeChat
from tests.flows import deliver_all, due, onboard_mentor
from tests.people import add_mentor, ask_first, coordinator, matched, mentee, status_of, user_id

# -- vetting -----------------------------------------------------------------------------------------------


async def test_a_new_mentor_is_invisible_until_a_coordinator_approves(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    amina = await mentee(engine, people)
    await amina.tap("Find a mentor")
    assert "You are number 1 on the waiting list" in amina.last.text

    mette = FakeChat(engine, user_id="2001", name="Mette", network=people)
    await onboard_mentor(mette)
    await mette.tap("Confirm")
    card = karen.last
    assert card.text.startswith("<b>A new mentor is waiting for approval</b>")
    assert "Software developer" in card.text and "Danske Bank" in card.text
    assert card.buttons == ["✅ Approve", "Reject", "Ask for more info"]

    await karen.tap("✅ Approve")
    assert karen.last.text == "✅ Mette is approved. Mentees can find her now."
    assert "Your mentor profile is approved" in mette.last.text
    assert "a mentor who may fit you has a free place now" in amina.last.text
    await amina.tap("Find a mentor")
    assert "<b>Mette</b> · Software developer" in amina.last.text
    assert "✓ Works in IT, like you" in amina.last.text
    amina_id = await user_id(sessions, "1001")
    async with sessions() as session:
        assert await session.get(WaitingMentee, amina_id) is None


async def test_only_coordinators_can_vet_and_a_decision_is_made_once(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    mette = FakeChat(engine, user_id="2001", name="Mette", network=people)
    await onboard_mentor(mette)
    await mette.tap("Confirm")
    approve = next(b.payload for row in karen.last.reply.buttons for b in row if b.title == "✅ Approve")
    amina = await mentee(engine, people)
    await amina.press(approve)  # replayed button data from someone who is not a coordinator
    assert amina.history[-1].text == "Only coordinators can do this."
    await mette.press(approve)
    assert mette.history[-1].text == "Only coordinators can do this."
    mette_id = await user_id(sessions, "2001")
    assert await status_of(sessions, mette_id) == "pending"
    await karen.press(approve, message=karen.last)
    await karen.press(approve)
    assert karen.last.text == "This mentor has already been handled."
    assert await status_of(sessions, mette_id) == "approved"


async def test_reject_with_a_reason_she_reads(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    mette = FakeChat(engine, user_id="2001", name="Mette", network=people)
    await onboard_mentor(mette)
    await mette.tap("Confirm")
    await karen.tap("Reject")
    assert karen.last.text.startswith("Why is Mette not approved?")
    await karen.send("We need mentors who live in Denmark <for now>.")
    assert "This time your profile was not approved" in mette.last.text
    assert "“We need mentors who live in Denmark &lt;for now&gt;.”" in mette.last.text
    assert await status_of(sessions, await user_id(sessions, "2001")) == "rejected"


async def test_ask_for_more_info_and_her_answer_returns_to_coordinators(engine, people) -> None:
    karen = await coordinator(engine, people)
    mette = FakeChat(engine, user_id="2001", name="Mette", network=people)
    await onboard_mentor(mette)
    await mette.tap("Confirm")
    await karen.tap("Ask for more info")
    await karen.send("Which team do you work in?")
    assert "A coordinator has a question" in mette.last.text and mette.last.buttons == ["Answer"]
    await mette.tap("Answer")
    await mette.send("The payments team.")
    texts = karen.texts_since(-3)
    assert "Mette answers your question" in texts and "“The payments team.”" in texts
    assert karen.last.buttons == ["✅ Approve", "Reject", "Ask for more info"]
    await karen.send("/pending")
    assert "Mentors waiting for approval: 1" in karen.history[-2].text


# -- browsing ----------------------------------------------------------------------------------------------


async def test_cards_are_ranked_for_her_with_reasons_and_browsed_in_place(engine, people, sessions) -> None:
    # Amina: Aarhus, IT + engineering, speaks Arabic and English, wants CV help and a network.
    await add_mentor(
        sessions, "m-far", "Far", fields=("law",), languages=("da", "en"), region="funen", modes=("in_person",)
    )
    await add_mentor(
        sessions, "m-best", "Best", fields=("it",), languages=("ar", "en"), region="aarhus", helps=("cv", "network")
    )
    await add_mentor(sessions, "m-mid", "Mid", fields=("eng",), languages=("en",), region="cph", modes=("online",))
    await add_mentor(sessions, "m-none", "Nolang", fields=("it",), languages=("da", "uk"), region="aarhus")
    await add_mentor(sessions, "m-wait", "Pending", fields=("it",), languages=("en",), status="pending")
    await add_mentor(sessions, "m-paused", "Paused", fields=("it",), languages=("en",), status="paused")
    amina = await mentee(engine, people)
    await amina.tap("Find a mentor")
    card = amina.last
    assert card.text.startswith("1/3\n\n<b>Best</b>")
    for reason in ("✓ Works in IT, like you", "✓ Lives in Aarhus, like you", "✓ Can help with: CV and applications"):
        assert reason in card.text
    assert card.buttons == ["Ask her to be my mentor", "Next ▶", "Filters"]
    await amina.tap("Next ▶")
    assert amina.last.id == card.id and amina.last.text.startswith("2/3\n\n<b>Mid</b>")
    assert "✓ Works in Engineering, like you" in amina.last.text and "✓ Happy to meet online" in amina.last.text
    await amina.tap("Next ▶")
    assert amina.last.text.startswith("3/3\n\n<b>Far</b>") and "Next ▶" not in amina.last.buttons
    await amina.tap("◀ Back")
    assert amina.last.text.startswith("2/3")
    shown = "".join(s.text for s in amina.history)
    assert "Nolang" not in shown and "Pending" not in shown and "Paused" not in shown

    await amina.tap("Filters")
    await amina.tap("📍 Area")
    await amina.tap("Online only")
    assert "📍 Online only" in amina.last.buttons
    await amina.tap("Show mentors")
    assert amina.last.text.startswith("1/2\n\n<b>Best</b>")  # both online mentors, best first


async def test_filters_that_match_nobody_offer_to_clear(engine, people, sessions) -> None:
    await add_mentor(sessions, "m-1", "Mette", fields=("it",), languages=("en",))
    amina = await mentee(engine, people)
    await amina.tap("Find a mentor")
    await amina.tap("Filters")
    await amina.tap("💼 Field")
    await amina.tap("Law")
    await amina.tap("Show mentors")
    assert amina.last.text == "No mentor fits these filters right now."
    await amina.tap("Clear filters")
    assert "<b>Mette</b>" in amina.last.text


# -- requests ----------------------------------------------------------------------------------------------


async def test_request_accept_introduces_both_and_withdraws_her_other_requests(engine, people, sessions) -> None:
    await add_mentor(sessions, "m-1", "Mette", fields=("it",), languages=("ar", "en"), region="aarhus")
    await add_mentor(sessions, "m-2", "Sofie", fields=("it",), languages=("en",))
    mette = FakeChat(engine, user_id="m-1", name="Mette", network=people)
    sofie = FakeChat(engine, user_id="m-2", name="Sofie", network=people)
    amina = await mentee(engine, people)
    await amina.tap("Find a mentor")
    await amina.tap("Ask her to be my mentor")
    assert "Would you like to write a few words to Mette?" in amina.last.text
    await amina.send("I am an engineer <3 and want to work in Aarhus.")
    assert "Your request has gone to Mette" in amina.history[-2].text
    card = mette.last
    assert card.text.startswith("<b>Amina would like you to be her mentor</b>")
    assert "“I am an engineer &lt;3 and want to work in Aarhus.”" in card.text
    assert "Phone" not in card.text and "1001" not in card.text  # no contact details
    assert card.buttons == ["✅ Accept", "Decline", "⏸ Pause new requests"]

    await amina.tap("Find a mentor")
    assert amina.last.text.startswith("1/2\n\n<b>Sofie</b>")  # Mette, asked already, comes last, saying so
    await amina.tap("Next ▶")
    assert amina.last.text.startswith("2/2\n\n<b>Mette</b>") and "⏳ You asked her on 2 March 2026." in amina.last.text
    assert "Ask her to be my mentor" not in amina.last.buttons
    await amina.tap("◀ Back")
    await amina.tap("Ask her to be my mentor")
    await amina.tap("Send without a message")

    await mette.tap("✅ Accept")
    # Each first reads who her partner is, then gets the start survey.
    for chat, hello in ((mette, "🎉 You and Amina are now mentor and mentee."), (amina, "🎉 Mette has accepted!")):
        texts = [shown.text for shown in chat.history]
        assert hello in texts[-2] and chat.last.buttons == ["Start the survey"], texts[-2:]
    assert "Amina has found a mentor, so her request to you is withdrawn" in sofie.last.text
    mette_id = await user_id(sessions, "m-1")
    async with sessions() as session:
        statuses = dict((await session.execute(select(MentorRequest.mentor_id, MentorRequest.status))).all())
        assert sorted(statuses.values()) == ["accepted", "withdrawn"]
        mentor = await session.get(MentorProfile, mette_id)
        assert mentor.active_count == 1
    await sofie.tap("✅ Accept")
    assert sofie.last.text == "This request is already closed."
    await amina.send("/mentors")
    assert "You already have a mentor" in amina.last.text


async def test_at_most_three_open_requests(engine, people, sessions) -> None:
    for i in range(4):
        await add_mentor(sessions, f"m-{i}", f"Mentor{i}", languages=("en",))
        FakeChat(engine, user_id=f"m-{i}", name=f"Mentor{i}", network=people)
    amina = await mentee(engine, people)
    for _ in range(3):
        await amina.tap("Find a mentor")
        await amina.tap("Ask her to be my mentor")
        await amina.tap("Send without a message")
    await amina.tap("Find a mentor")
    await amina.tap("Ask her to be my mentor")
    assert "You already have 3 open requests" in amina.last.text
    async with sessions() as session:
        assert (await session.execute(select(func.count()).select_from(MentorRequest))).scalar_one() == 3


async def test_decline_with_a_reason_and_she_is_not_shown_again(engine, people, sessions) -> None:
    await add_mentor(sessions, "m-1", "Mette", languages=("en",))
    mette = FakeChat(engine, user_id="m-1", name="Mette", network=people)
    amina = await mentee(engine, people)
    await ask_first(amina)
    await mette.tap("Decline")
    await mette.tap("It is not my field")
    # Her reason as she chose it, not lowercased into the sentence.
    assert "Mette cannot be your mentor right now. Her reason: “It is not my field”." in amina.last.text
    await amina.tap("Find a mentor")
    assert "waiting list" in amina.last.text


async def test_forged_request_buttons_are_refused(engine, people, sessions) -> None:
    await add_mentor(sessions, "m-1", "Mette", languages=("en",))
    await add_mentor(sessions, "m-2", "Sofie", languages=("en",))
    FakeChat(engine, user_id="m-1", name="Mette", network=people)
    sofie = FakeChat(engine, user_id="m-2", name="Sofie", network=people)
    amina = await mentee(engine, people)
    await ask_first(amina)
    async with sessions() as session:
        request_id = (await session.execute(select(MentorRequest.id))).scalar_one()
    for chat in (sofie, amina):
        await chat.press(f"r:acc:{request_id}")
        assert chat.last.text == "This button is not for you."
    await amina.press("r:acc:999999")
    await amina.press("m:write:abc")
    assert amina.last.text == "This button is not for you."
    async with sessions() as session:
        assert (await session.get(MentorRequest, request_id)).status == "open"


@pytest.mark.parametrize("attempt", range(3))
async def test_two_accepts_race_for_the_last_place(sessions, attempt: int) -> None:
    mentor_id = await add_mentor(sessions, "m-1", "Mette", capacity=1, languages=("en",))
    now = datetime(2026, 3, 2, tzinfo=UTC)
    request_ids = []
    async with sessions() as session, session.begin():
        for i in range(2):
            user, _ = await repo.create_user(session, "test", f"mentee-{i}", f"mentee-{i}", "en", "mentee")
            request_ids.append((await matching.create_request(session, user.id, mentor_id, None, now)).id)

    async def accept(request_id: int) -> Mentorship | None:
        async with sessions() as session, session.begin():
            return await matching.accept(session, request_id, now)

    results = await asyncio.gather(*(accept(r) for r in request_ids))
    assert sum(r is not None for r in results) == 1
    async with sessions() as session:
        assert (await session.get(MentorProfile, mentor_id)).active_count == 1
        assert (await session.execute(select(func.count()).select_from(Mentorship))).scalar_one() == 1
        statuses = sorted((await session.execute(select(MentorRequest.status))).scalars().all())
        assert statuses == ["accepted", "withdrawn"]


async def test_the_mentee_who_lost_the_race_is_told_kindly(engine, people, sessions) -> None:
    await add_mentor(sessions, "m-1", "Mette", capacity=1, languages=("en",))
    mette = FakeChat(engine, user_id="m-1", name="Mette", network=people)
    amina = await mentee(engine, people)
    sara = await mentee(engine, people, user_id="1002", name="Sara")
    for chat in (amina, sara):
        await chat.tap("Find a mentor")
        await chat.tap("Ask her to be my mentor")
        await chat.tap("Send without a message")
    first, second = [s for s in mette.history if s.buttons and s.buttons[0] == "✅ Accept"]
    await mette.tap("✅ Accept", message=first)
    await mette.tap("✅ Accept", message=second)
    assert "You have no free place left" in mette.last.text
    assert "Mette has no free place any more" in sara.last.text


async def test_reminders_on_day_3_and_10_and_expiry_on_day_14(engine, people, sessions, clock) -> None:
    await add_mentor(sessions, "m-1", "Mette", languages=("en",))
    mette = FakeChat(engine, user_id="m-1", name="Mette", network=people)
    amina = await mentee(engine, people)
    await ask_first(amina)

    async def tick_at(days: float) -> list[str]:
        clock.now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC) + timedelta(days=days)
        replies = [r for r in await due(engine) if r.to.user_id in ("m-1", "1001") and "request" in r.text]
        deliver_all(people, replies)
        return [f"{r.to.user_id}: {r.text.splitlines()[0]}" for r in replies]

    assert await tick_at(2.9) == []
    assert await tick_at(3) == ["m-1: A reminder: Amina is waiting for your answer. The request closes in 11 days."]
    assert await tick_at(3.5) == []  # once only
    assert mette.last.buttons == ["✅ Accept", "Decline", "⏸ Pause new requests"]
    assert await tick_at(10) == ["m-1: A reminder: Amina is waiting for your answer. The request closes in 4 days."]
    assert await tick_at(13.9) == []
    assert await tick_at(14) == [
        "1001: Mette did not answer within 14 days, so your request has expired. You can ask someone else.",
        "m-1: The request from Amina has expired after 14 days.",
    ]
    assert await tick_at(20) == []
    await mette.tap("✅ Accept", message=next(s for s in mette.history if s.buttons))
    assert mette.last.text == "This request is already closed."


async def test_a_paused_mentor_gets_no_requests(engine, people, sessions) -> None:
    await add_mentor(sessions, "m-1", "Mette", languages=("en",))
    mette = FakeChat(engine, user_id="m-1", name="Mette", network=people)
    await mette.send("/pause")
    assert "Paused" in mette.last.text
    amina = await mentee(engine, people)
    await amina.tap("Find a mentor")
    assert "waiting list" in amina.last.text
    await mette.send("/pause")
    assert mette.last.text == "Welcome back! Mentees can ask you again."
    assert "a mentor who may fit you has a free place now" in amina.last.text


# -- the mentorship ----------------------------------------------------------------------------------------


async def test_the_relay_chat_passes_messages_both_ways_and_stops_when_it_ends(engine, people, sessions) -> None:
    amina, mette = await matched(engine, people, sessions)
    assert "Write to her through me" in amina.history[-2].text  # then the start survey
    await amina.tap("✉️ Write to her")
    await amina.send("Hello Mette! Can we meet on Tuesday? <3")
    relayed = mette.last
    assert relayed.text == "💬 <b>Amina</b>:\nHello Mette! Can we meet on Tuesday? &lt;3"
    assert relayed.buttons == ["↩️ Reply", "⚠️ Report a problem"]
    assert amina.last.text == "✓ Sent to Mette."
    await mette.tap("↩️ Reply")
    await mette.send("Yes, 17:00 at the library.")
    assert amina.last.text == "💬 <b>Mette</b>:\nYes, 17:00 at the library."
    await mette.tap("Done")

    await mette.send("/mentorship")
    await mette.tap("🎓 Complete")
    await mette.tap("Yes, complete it")
    assert "Your mentorship with Amina has ended" in mette.texts_since(-3)
    assert "one day you may become a mentor yourself" in amina.texts_since(-3)
    await amina.send("Are you there?")  # she is still in the relay
    assert amina.history[-2].text == "This mentorship has ended, so I cannot pass on messages any more."
    assert mette.last.text.startswith("Your mentorship has ended. Two short questions")  # nothing relayed
    mette_id = await user_id(sessions, "m-1")
    async with sessions() as session:
        assert (await session.get(MentorProfile, mette_id)).active_count == 0


async def test_report_a_problem_alerts_coordinators_who_can_cancel(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    amina, mette = await matched(engine, people, sessions)
    await amina.tap("✉️ Write to her")
    await amina.send("hi")
    await mette.tap("⚠️ Report a problem")
    assert mette.last.text.startswith("What happened? Only the coordinators read this")
    await mette.tap("She does not come to meetings")
    await mette.send("Three times now, and no answer <b>at all</b>.")
    alert = karen.last
    assert alert.text.startswith(
        "⚠️ Mette reported a problem in the mentorship of Amina (mentee) and Mette (mentor): "
        "She does not come to meetings"
    )
    assert "“Three times now, and no answer &lt;b&gt;at all&lt;/b&gt;.”" in alert.text
    assert alert.buttons == ["✉️ Write to Mette", "Cancel this mentorship"]
    assert "A coordinator will write to you here soon; the other woman is not told." in mette.texts_since(-3)
    assert "problem" not in amina.texts_since(-2)  # Amina is not told
    async with sessions() as session:
        stored = (await session.execute(select(ProblemReport))).scalar_one()
        assert (stored.kind, stored.note) == ("noshow", "Three times now, and no answer <b>at all</b>.")

    await karen.tap("✉️ Write to Mette")
    await karen.send("I am sorry to hear it. Can we talk on Monday?")
    assert "A message from the coordinator Karen:" in mette.last.text and mette.last.buttons == ["↩️ Answer"]
    await mette.tap("↩️ Answer")
    await mette.send("Yes, Monday is good.")
    assert "Mette answers you:\n\nYes, Monday is good." in karen.last.text
    assert karen.last.buttons == ["✉️ Write to Mette"]

    await amina.press(alert.reply.buttons[1][0].payload)  # a mentee cannot use the coordinator's button
    assert amina.last.text == "Only coordinators can do this."
    await karen.tap("Cancel this mentorship", message=alert)
    await karen.tap("One of them asked for it")
    await karen.tap("Yes, cancel it")
    for chat in (amina, mette):
        told = next(s for s in reversed(chat.history) if "A coordinator has ended your mentorship" in s.text)
        assert "The reason: “One of them asked for it”" in told.text and told.buttons == ["↩️ Answer"]
    assert karen.last.buttons == ["✉️ Write to Amina", "✉️ Write to Mette"]
    async with sessions() as session:
        m = (await session.execute(select(Mentorship))).scalar_one()
        assert (m.status, m.end_reason) == ("cancelled", "asked")


async def test_a_problem_can_be_sent_without_words_and_a_forged_answer_goes_nowhere(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    amina, mette = await matched(engine, people, sessions)
    await amina.send("/mentorship")
    await amina.tap("⚠️ Report a problem")
    await amina.tap("I do not feel safe")
    await amina.tap("Send it as it is")
    assert karen.last.text.endswith(": I do not feel safe") and "call 112" in amina.texts_since(-3)
    mette_id = await user_id(sessions, "m-1")
    await amina.press(f"ca:{mette_id}")  # not a coordinator: no channel to her
    assert "cw:" not in str(mette.last.reply.buttons)
    await amina.press(f"cw:{mette_id}")
    assert amina.last.text == "Only coordinators can do this."


async def test_pause_resume_and_end_early_with_a_reason(engine, people, sessions) -> None:
    amina, mette = await matched(engine, people, sessions)
    await amina.tap("⏸ Pause")
    assert mette.last.text == "Amina has paused your mentorship for now."
    await amina.send("/mentorship")
    assert "(paused)" in amina.last.text
    await amina.tap("▶ Resume")
    assert mette.last.text == "Amina has resumed your mentorship."
    await amina.send("/mentorship")
    await amina.tap("End early")
    # Each woman's reasons are in her own words: the mentee found the job herself.
    assert "I found a job" in amina.last.buttons and "She found a job" not in amina.last.buttons
    await amina.tap("I found a job")
    await amina.tap("Yes, end it")
    async with sessions() as session:
        m = (await session.execute(select(Mentorship))).scalar_one()
        assert (m.status, m.end_reason) == ("ended_early", "job")


async def test_contacts_are_shared_only_when_both_opt_in(engine, people, sessions) -> None:
    amina, mette = await matched(engine, people, sessions)
    await amina.tap("Share my contact")
    assert "When Mette agrees too" in amina.last.text
    assert "Amina would like to share contact details with you" in mette.last.text
    assert "tg://" not in mette.last.text
    await mette.tap("Share my contact")
    assert "You can now write to Amina directly" in mette.last.text
    assert "You can now write to Mette directly" in amina.last.text


async def test_a_former_mentee_becomes_a_mentor_and_keeps_her_history(engine, people, sessions) -> None:
    amina, mette = await matched(engine, people, sessions)
    await amina.send("/become_mentor")
    assert "when your own mentorship has ended" in amina.last.text
    await mette.send("/mentorship")
    await mette.tap("🎓 Complete")
    await mette.tap("Yes, complete it")
    await amina.send("/become_mentor")
    assert "Keep “Amina”" in amina.last.buttons
    await amina.tap("Keep “Amina”")
    await amina.send("Data analyst")
    await amina.send("Aarhus Kommune")
    for title in (
        "IT",
        "Done",
        "2 to 5 years",
        "Aarhus",
        "Arabic",
        "Done",
        "Online",
        "Done",
        "Job interviews",
        "Done",
        "1",
    ):
        await amina.tap(title)
    await amina.tap("Skip")
    await amina.tap("Confirm")
    me = await user_id(sessions, "1001")
    async with sessions() as session:
        assert (await session.get(User, me)).role == "mentor"
        assert (await session.get(MentorProfile, me)).status == "pending"
        assert await session.get(MenteeProfile, me) is not None
        former = (await session.execute(select(Mentorship).where(Mentorship.mentee_id == me))).scalar_one()
        assert former.status == "completed"


# -- companies and the waiting list ------------------------------------------------------------------------


async def test_a_company_join_link_tags_mentors_and_mentees_can_filter_by_it(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    await karen.send("/company add Novo Nordisk")
    link = karen.last.text.splitlines()[-1]
    assert link.startswith("/start ")
    await karen.send("/company")
    assert "Novo Nordisk: 0 mentors" in karen.last.text

    await add_mentor(sessions, "m-0", "Plain", languages=("en",))
    mette = FakeChat(engine, user_id="2001", name="Mette", network=people)
    await mette.send(link)
    await onboard_mentor(mette)
    await mette.tap("Confirm")
    assert "<b>Partner company</b>: Novo Nordisk" in karen.last.text
    await karen.tap("✅ Approve")
    await karen.send("/company")
    assert "Novo Nordisk: 1 mentor" in karen.last.text

    amina = await mentee(engine, people)
    await amina.tap("Find a mentor")
    await amina.tap("Filters")
    await amina.tap("Partner companies only")
    await amina.tap("Show mentors")
    assert amina.last.text.startswith("1/1\n\n<b>Mette</b>")
    assert "From our partner company Novo Nordisk" in amina.last.text


async def test_coordinators_see_the_waiting_list_and_suggest_a_mentor(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    amina = await mentee(engine, people)
    await amina.tap("Find a mentor")
    await karen.send("/waiting")
    waiting = karen.last.text
    assert waiting.startswith("1. <b>Amina</b>, waiting since") and "· 0 days" in waiting
    assert "🗣 English and Arabic" in waiting and "💼 IT and Engineering" in waiting
    # Only a Ukrainian-speaking mentor: no shared language, so a coordinator cannot suggest her either.
    await add_mentor(sessions, "m-1", "Olena", languages=("uk",))
    FakeChat(engine, user_id="m-1", name="Olena", network=people)
    await karen.tap("Suggest a mentor")
    assert karen.last.text == "No mentor with a free place shares a language with her right now."
    olena, amina_id = await user_id(sessions, "m-1"), await user_id(sessions, "1001")
    mark = len(amina.history)
    await karen.press(f"w:{amina_id}:{olena}")  # forged
    assert len(amina.history) == mark
    await add_mentor(sessions, "m-2", "Sofie", languages=("ar",))
    FakeChat(engine, user_id="m-2", name="Sofie", network=people)
    await karen.tap("Suggest a mentor")
    assert "• <b>Sofie</b> · Engineer: Works in IT, like you" in karen.last.text  # why she fits
    await karen.tap("Sofie · Engineer")
    assert "A coordinator suggests this mentor for you" in amina.last.text
    await amina.tap("Ask her to be my mentor")
    await amina.tap("Send without a message")
    assert "Your request has gone to Sofie" in amina.history[-2].text


async def test_non_coordinators_are_refused_coordinator_commands(engine, people) -> None:
    amina = await mentee(engine, people)
    for command in ("/pending", "/waiting", "/company", "/company add Evil Corp"):
        await amina.send(command)
        assert amina.last.text == "Only coordinators can do this."
    await amina.press("w:1")
    assert amina.last.text == "Only coordinators can do this."


async def test_two_processes_ticking_at_once_send_each_reminder_once(engine, people, sessions, clock) -> None:
    await add_mentor(sessions, "m-1", "Mette", languages=("en",))
    FakeChat(engine, user_id="m-1", name="Mette", network=people)
    amina = await mentee(engine, people)
    await ask_first(amina)
    clock.now += timedelta(days=3)
    other_process = Engine(sessions, clock=clock)
    first, second = await asyncio.gather(engine.tick(), other_process.tick())
    assert first + second == 1
    assert await engine.tick() == 0 and await other_process.tick() == 0


async def test_a_mentor_ending_early_says_she_found_a_job(engine, people, sessions) -> None:
    _amina, mette = await matched(engine, people, sessions)
    await mette.send("/mentorship")
    await mette.tap("End early")
    assert "She found a job" in mette.last.buttons and "I found a job" not in mette.last.buttons


async def test_a_mentee_sees_her_requests_with_days_left_and_withdraws_one(engine, people, sessions, clock) -> None:
    await add_mentor(sessions, "m-1", "Mette", languages=("en",))
    mette = FakeChat(engine, user_id="m-1", name="Mette", network=people)
    amina = await mentee(engine, people)
    await amina.send("/requests")
    assert amina.last.text == "You have no open requests." and amina.last.buttons == ["Find a mentor"]
    await ask_first(amina)
    clock.advance(days=3)
    await amina.send("/requests")
    assert "<b>Mette</b>: asked on 2 March 2026, 11 days left" in amina.last.text
    assert amina.last.buttons == ["Withdraw: Mette"]
    listing = amina.last
    await amina.tap("Withdraw: Mette")
    assert amina.last.text == "Withdrawn. You can ask another mentor."
    assert mette.last.text == "Amina has withdrawn her request to you."
    async with sessions() as session:
        assert (await session.execute(select(MentorRequest.status))).scalar_one() == "withdrawn"
    await amina.tap("Withdraw: Mette", message=listing)  # the old list
    assert amina.last.text == "This request is already closed."
    await mette.tap("✅ Accept")  # her old card: the request is gone
    assert mette.last.text == "This request is already closed."


async def test_a_mentor_gets_her_open_requests_as_cards_again(engine, people, sessions) -> None:
    await add_mentor(sessions, "m-1", "Mette", languages=("en",))
    mette = FakeChat(engine, user_id="m-1", name="Mette", network=people)
    amina = await mentee(engine, people)
    await mette.send("/requests")
    assert mette.last.text == "You have no open requests."
    await ask_first(amina)
    await mette.send("/help")  # newer messages push the card up
    await mette.send("/requests")
    assert mette.last.text.startswith("<b>Amina would like you to be her mentor</b>")
    await mette.tap("✅ Accept", message=mette.last)
    assert "🎉 Mette has accepted!" in amina.texts_since(-3)


async def test_nobody_else_withdraws_her_request(engine, people, sessions) -> None:
    await add_mentor(sessions, "m-1", "Mette", languages=("en",))
    FakeChat(engine, user_id="m-1", name="Mette", network=people)
    amina = await mentee(engine, people)
    sara = await mentee(engine, people, user_id="1002", name="Sara")
    await ask_first(amina)
    async with sessions() as session:
        request_id = (await session.execute(select(MentorRequest.id))).scalar_one()
    await sara.press(f"rq:w:{request_id}")
    assert sara.last.text == "This button is not for you."
    async with sessions() as session:
        assert (await session.execute(select(MentorRequest.status))).scalar_one() == "open"


async def test_with_every_mentor_asked_she_is_told_whom_she_waits_for(engine, people, sessions) -> None:
    await add_mentor(sessions, "m-1", "Mette", languages=("en",))
    FakeChat(engine, user_id="m-1", name="Mette", network=people)
    amina = await mentee(engine, people)
    await ask_first(amina)
    await amina.tap("Find a mentor")
    told = amina.texts_since(-3)
    assert "You have asked <b>Mette</b> and are waiting for an answer: /requests shows them." in told
    assert amina.last.text.startswith("1/1\n\n<b>Mette</b>") and "⏳ You asked her on" in amina.last.text
    assert amina.last.buttons == ["Filters"]


async def test_a_cv_and_a_voice_note_pass_through_the_relay_by_reference(engine, people, sessions) -> None:
    amina, mette = await matched(engine, people, sessions)
    await amina.send_media("document", "file-7", "CV.pdf", "My CV, <b>new</b>")
    assert amina.texts_since(-2).startswith("Sorry, I can only read text and buttons here.")  # no relay open
    await amina.tap("✉️ Write to her")
    await amina.send_media("document", "file-7", "CV.pdf", "My CV, <b>new</b>")
    cv = mette.last.reply
    assert cv.media == Media("document", "file-7", "CV.pdf")
    assert cv.text == "💬 <b>Amina</b>:\nMy CV, &lt;b&gt;new&lt;/b&gt;"
    assert mette.last.buttons == ["↩️ Reply", "⚠️ Report a problem"]
    assert amina.last.text == "✓ Sent to Mette."
    await amina.send_media("voice", "voice-1")
    assert mette.last.reply.media == Media("voice", "voice-1") and mette.last.text == "💬 <b>Amina</b>:"
    await amina.send_media("photo", "photo-1", caption="x" * 1000)
    assert "the limit here is 900" in amina.last.text and mette.last.reply.media.kind == "voice"  # not passed on
    assert Reply.from_payload(cv.as_payload(), cv.to) == cv  # a file waiting in the outbox keeps its reference
