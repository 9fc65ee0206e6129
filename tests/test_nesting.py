"""Detours inside detours: each flow waits under the one she opened from it, comes back when that one ends, and
/cancel always finds the way out."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from conversations.kernel import flow
from conversations.kernel.flow import FLOWS, FlowError
from conversations.kernel.i18n import Translator
from conversations.kernel.messages import Inbound, Kind, UserRef
from storage.models import Conversation, Event, MeetingReport, MentorRequest, Mentorship, User
from tests.conftest import COORDINATOR
from tests.fakechat import FakeChat
from tests.flows import due, onboard_mentor
from tests.people import coordinator, matched, mentee, user_id
from tests.test_meetings import EN, MEETING_AT, nb, planned

APOLOGY = Translator("en")._("Sorry, something went wrong on my side. Please try again in a moment.")


async def stack_of(sessions, external_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        conv = await session.get(Conversation, await user_id(sessions, external_id))
        return [f"{f['flow']}:{f['step']}" for f in conv.data["stack"]]


async def report_asked(engine, people, sessions, clock) -> tuple[FakeChat, FakeChat]:  # type: ignore[no-untyped-def]
    """A planned meeting has happened, and both are asked how it went."""
    amina, mette = await planned(engine, people, sessions)
    clock.now = MEETING_AT + timedelta(minutes=91)
    for reply in await due(engine):
        people[reply.to.user_id].receive(reply)
    assert "How did your meeting with Mette" in amina.last.text
    return amina, mette


async def test_meeting_then_report_then_meeting_again_saves_the_report(engine, people, sessions, clock) -> None:
    """The reproduction: /meet, "Yes, we met", /meet again, a whole meeting planned, then the report finished."""
    amina, _mette = await report_asked(engine, people, sessions, clock)
    question = amina.last
    await amina.send("/meet")
    await amina.tap("Yes, we met", message=question)
    assert amina.last.text.startswith("What did you talk about?")
    await amina.send("/meet")
    assert await stack_of(sessions, "1001") == ["main:idle", "report:report_topics", "meet:meet_day"]
    await amina.tap(EN.day(datetime(2026, 3, 6).date()))
    await amina.tap(nb("14.00"))
    await amina.tap("In person")
    await amina.tap("We decide later")
    assert "I have asked Mette" in amina.texts_since(-3)
    assert amina.last.text.startswith("What did you talk about?")  # the report waited underneath
    await amina.tap("CV and applications")
    await amina.tap("1 h")
    await amina.tap("Skip")
    assert "Your report is saved" in amina.texts_since(-3)
    assert amina.last.text == "What would you like to do?"
    assert APOLOGY not in amina.texts_since(0)
    async with sessions() as session:
        report = (await session.execute(select(MeetingReport))).scalar_one()
        assert (report.met, report.topics, report.minutes) == ("yes", ["cv"], 60)


async def test_a_report_from_inside_the_relay_returns_to_the_relay(engine, people, sessions, clock) -> None:
    amina, mette = await report_asked(engine, people, sessions, clock)
    question = amina.last
    await amina.send("/write")
    await amina.tap("Yes, we met", message=question)
    await amina.tap("Network")
    await amina.tap("30 min")
    await amina.tap("Skip")
    assert amina.last.text.startswith("Write your message to Mette")
    await amina.tap("Done")
    assert amina.last.text == "What would you like to do?"
    before = len(mette.history)
    await amina.send("Is this private?")
    assert len(mette.history) == before  # out of the relay: nothing goes to her mentor
    async with sessions() as session:
        assert (await session.execute(select(MeetingReport.minutes))).scalar_one() == 30


async def test_forms_go_back_one_question_and_cancel_asks_before_losing_a_draft(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    await karen.send("/newevent")
    await karen.tap("Workshop")
    await karen.send("CV workshop")
    assert karen.last.text.startswith("When is it?")
    await karen.tap("Back")
    assert karen.last.text.startswith("What is the event called?") and "Keep “CV workshop”" in karen.last.buttons
    await karen.tap("Back")
    assert karen.last.text == "What kind of event is it?" and "✓ Workshop" in karen.last.buttons
    await karen.tap("✓ Workshop")
    await karen.tap("Keep “CV workshop”")
    assert karen.last.text.startswith("When is it?")
    await karen.send("/cancel")
    assert karen.last.text == "Stop here? What you entered here will be lost."
    await karen.tap("No, go on")
    assert karen.last.text.startswith("When is it?")
    await karen.send("/cancel")
    await karen.send("/cancel")  # asked again, /cancel is a yes
    assert karen.last.text == "What would you like to do?"
    assert await stack_of(sessions, "9000") == ["main:idle"]

    await karen.send("/broadcast")
    await karen.send("Dear all, the workshop moves to Tuesday.")
    await karen.tap("See the preview")
    await karen.tap("Back")
    await karen.tap("Back")
    assert karen.last.buttons[0] == "Keep “Dear all, the workshop…”"
    await karen.tap("Back")  # the form's first question: out, but not silently and not without asking
    assert karen.last.text == "Stop here? What you entered here will be lost."
    await karen.tap("Yes, stop")
    assert "Stopped." in karen.texts_since(-3) and karen.last.text == "What would you like to do?"


async def test_back_on_every_profile_question_goes_one_up(engine, people) -> None:
    from tests.flows import at_fields_question

    noor = FakeChat(engine, "noor", "Noor", network=people)
    await at_fields_question(noor)
    assert noor.last.buttons[-1] == "Back"
    await noor.tap("Back")
    assert noor.last.text == "Where do you live?" and "✓ Aarhus" in noor.last.buttons
    await noor.tap("Back")
    assert noor.last.text.startswith("What is your first name?") and "Back" not in noor.last.buttons
    await noor.tap("Keep “Noor”")
    await noor.tap("✓ Aarhus")
    assert noor.last.text.startswith("Which professional field is yours?")


# -- every detour a mentee can open from inside another ----------------------------------------------------


async def _open(name: str, amina: FakeChat, m_id: int, event_id: int) -> None:
    if name == "meet":
        await amina.send("/meet")
    elif name == "report":
        await amina.send("/report")
    elif name == "relay":
        await amina.send("/write")
    elif name == "survey":
        await amina.send("/survey")
    elif name == "needs":
        await amina.press(f"e:needs:{event_id}")
    elif name == "reason":  # end early
        await amina.press(f"m:end:{m_id}")
    elif name == "confirm":  # delete
        await amina.send("/delete")
    elif name == "profile":
        await amina.send("/profile")
    else:  # language: a picker that is no frame; her place stays
        await amina.send("/language")
        await amina.press("lang:en", message=amina.last)


DETOURS = ("meet", "report", "relay", "survey", "needs", "reason", "confirm", "profile", "language")


@pytest.mark.parametrize("first", DETOURS)
async def test_a_then_b_then_a_and_out_again(engine, people, sessions, clock, first) -> None:
    amina, _mette = await matched(engine, people, sessions)
    async with sessions() as session, session.begin():
        event = Event(
            kind="workshop", title="CV", starts_at=clock.now + timedelta(days=5), place="Library", capacity=10,
            audience="all", checkin_code="C0DE", invite_code="evx", created_at=clock.now,
        )  # fmt: skip
        session.add(event)
    async with sessions() as session:
        m_id = (await session.execute(select(Mentorship.id))).scalar_one()
        event_id = (await session.execute(select(Event.id))).scalar_one()
    await amina.press(f"e:go:{event_id}")
    for second in DETOURS:
        if second == first:
            continue
        await _open(first, amina, m_id, event_id)
        await _open(second, amina, m_id, event_id)
        await _open(first, amina, m_id, event_id)
        stack = [f.split(":")[0] for f in await stack_of(sessions, "1001")]
        if first != "language":
            assert stack[-1] == first, (first, second, stack)
        if second != "language" and first != "language":
            assert stack[-2] == second, (first, second, stack)
        assert len(stack) == len(set(stack)), stack  # each flow at most once
        for _ in range(3):
            await amina.send("/cancel")
            if await stack_of(sessions, "1001") == ["main:idle"]:
                break
        assert await stack_of(sessions, "1001") == ["main:idle"], (first, second)
    assert APOLOGY not in amina.texts_since(0)
    assert "Everything is deleted" not in amina.texts_since(0)


# -- the kernel's own rules --------------------------------------------------------------------------------


async def test_a_step_that_fails_twice_is_closed_and_the_question_below_comes_back(
    engine, people, sessions, clock, monkeypatch
) -> None:
    amina, _mette = await matched(engine, people, sessions)
    await amina.send("/write")
    await amina.send("/meet")

    async def broken(*_args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(flow.STEPS["meet_day"], "on_button", broken)
    await amina.tap(EN.day(datetime(2026, 3, 4).date()))
    assert amina.last.text == APOLOGY
    await amina.tap(EN.day(datetime(2026, 3, 4).date()))
    assert "Sorry, that did not work. I have closed it" in amina.texts_since(-2)
    assert amina.last.text.startswith("Write your message to Mette")  # the relay she was in, not an apology loop
    assert await stack_of(sessions, "1001") == ["main:idle", "relay:relay"]
    monkeypatch.undo()
    await amina.send("/meet")
    await amina.tap(EN.day(datetime(2026, 3, 4).date()))
    assert amina.last.text == "At what time?"


def bare_context(*frames: dict) -> flow.Context:
    """A context with no database behind it: enough for the verbs, as long as no question is asked."""
    return flow.Context(
        session=None,  # type: ignore[arg-type]
        user=User(),
        conv=Conversation(step=frames[-1]["step"], seq=1, data={}),
        inbound=Inbound(UserRef("test", "1", "1"), Kind.TEXT, text="hi"),
        now=datetime(2026, 3, 2),
        t=Translator("en"),
        data={"stack": list(frames)},
    )


def test_goto_outside_the_flow_and_unknown_flows_are_errors() -> None:
    assert not FLOWS["meet"].owns("report_note") and FLOWS["main"].owns("ask:name")
    with pytest.raises(FlowError):
        flow.flow("meet", "meet_day")
    with pytest.raises(FlowError):
        flow.step(type("Twice", (flow.Step,), {"name": "meet_day"}))
    with pytest.raises(FlowError):
        flow.action("mt")(lambda ctx, value: None)
    # every step a flow names exists, and every step belongs to a flow
    owned = {s for f in FLOWS.values() for s in f.steps}
    assert {s for s in owned if not s.startswith(("ask:", "filter:"))} <= set(flow.STEPS)
    assert set(flow.STEPS) <= owned
    ctx = bare_context(flow.frame("main", "idle"), flow.frame("meet", "meet_day"))
    for wrong in ("report_note", "no_such_step", "idle"):
        with pytest.raises(FlowError):
            ctx.goto(wrong)
    ctx.goto("meet_time")
    assert (ctx.step, ctx.conv.step, ctx.conv.seq) == ("meet_time", "meet_time", 2)


async def test_the_four_verbs_keep_the_stack_rules() -> None:
    ctx = bare_context(flow.frame("main", "idle"))

    def flows() -> list[str]:
        return [f["flow"] for f in ctx.stack]

    for name in ("relay", "report", "meet", "survey", "needs", "info", "vet"):
        await ctx.begin(name, prompt=False)
    assert flows() == ["main", "meet", "survey", "needs", "info", "vet"]  # the oldest detours gave way
    await ctx.begin("meet", prompt=False, m=7)
    assert flows() == ["main", "survey", "needs", "info", "vet", "meet"] and ctx.args == {"m": 7}
    await ctx.replace("confirm", prompt=False, then="delete", q="?", yes="y")
    assert flows()[-1] == "confirm" and ctx.frame["then"] == "delete" and ctx.step == "confirm"
    await ctx.replace("reason", prompt=False, set="end", q="?")
    assert ctx.frame["then"] == "delete"  # the caller's handler carries over
    ctx.stack.pop()
    await ctx.cancel(prompt=False)
    await ctx.end(prompt=False)
    assert flows() == ["main", "survey", "needs"] and ctx.conv.step == ctx.step == "ev_needs"
    with pytest.raises(FlowError):
        await ctx.begin("main")
    with pytest.raises(FlowError):
        await ctx.begin("meet", then="no_such_handler")
    ctx.restart("idle")
    with pytest.raises(FlowError):
        await ctx.end()


async def test_a_stored_step_that_no_longer_exists_falls_back_quietly(engine, people, sessions) -> None:
    amina, _mette = await matched(engine, people, sessions)
    async with sessions() as session, session.begin():
        conv = await session.get(Conversation, await user_id(sessions, "1001"))
        conv.data = {"stack": [{"flow": "main", "step": "idle", "data": {}, "args": {}, "then": None},
                               {"flow": "renamed", "step": "old_step", "data": {}, "args": {}, "then": None}]}  # fmt: skip
    await amina.send("hello")
    assert amina.last.text == "What would you like to do?"
    assert await stack_of(sessions, "1001") == ["main:idle"]


def test_no_frame_outlives_its_row_shape() -> None:
    """Frames are plain JSON: what a flow keeps must survive a round trip through the database."""
    import json

    frame = flow.frame("meet", "meet_day", {"m": 1}, {"x": [1, 2]}, None)
    assert json.loads(json.dumps(frame)) == frame


async def test_old_and_forged_presses_on_an_are_you_sure_question_do_nothing(engine, people, sessions) -> None:
    amina, mette = await matched(engine, people, sessions)
    await amina.send("/delete")
    question = amina.last
    seq = int(question.reply.buttons[0][0].payload.split(":")[0])
    for forged in (f"{seq - 1}:yes", f"{seq}:maybe", f"{seq + 1}:yes", "yes", f"{seq}:yes:again"):
        await amina.press(forged, message=question)
        assert "Everything is deleted" not in amina.texts_since(-3), forged
    assert await stack_of(sessions, "1001") == ["main:idle", "confirm:confirm"]
    # A "complete?" asked, then the mentorship ends from the other side: the late yes changes nothing.
    await mette.send("/mentorship")
    await mette.tap("🎓 Complete")
    late = mette.last
    await amina.tap("No, keep my data", message=question)
    await amina.send("/mentorship")
    await amina.tap("End early")
    await amina.tap("No time any more")
    await amina.tap("Yes, end it")
    await mette.tap("Yes, complete it", message=late)
    assert mette.last.text == "This mentorship has ended."
    async with sessions() as session:
        m = (await session.execute(select(Mentorship))).scalar_one()
        assert (m.status, m.end_reason) == ("ended_early", "time")
    assert await user_id(sessions, "1001")


MENTOR_DETOURS = ("reason", "meet", "report", "relay", "confirm", "language")


async def _open_as_mentor(name: str, mette: FakeChat, request_id: int) -> None:
    if name == "reason":  # declining a request
        await mette.press(f"r:dec:{request_id}")
    elif name == "meet":
        await mette.send("/meet")
    elif name == "report":
        await mette.send("/report")
    elif name == "relay":
        await mette.send("/write")
    elif name == "confirm":
        await mette.send("/delete")
    else:
        await mette.send("/language")
        await mette.press("lang:en", message=mette.last)


@pytest.mark.parametrize("first", MENTOR_DETOURS)
async def test_a_mentor_declining_inside_any_detour_and_out_again(engine, people, sessions, first) -> None:
    _amina, mette = await matched(engine, people, sessions)
    sara = await mentee(engine, people, user_id="1002", name="Sara")
    await sara.tap("Find a mentor")
    await sara.tap("Ask her to be my mentor")
    await sara.tap("Send without a message")
    async with sessions() as session:
        request_id = (await session.execute(select(MentorRequest.id).where(MentorRequest.status == "open"))).scalar_one()
    for second in MENTOR_DETOURS:
        if second == first:
            continue
        await _open_as_mentor(first, mette, request_id)
        await _open_as_mentor(second, mette, request_id)
        await _open_as_mentor(first, mette, request_id)
        stack = [f.split(":")[0] for f in await stack_of(sessions, "m-1")]
        if first != "language":
            assert stack[-1] == first, (first, second, stack)
        assert len(stack) == len(set(stack)), stack
        for _ in range(3):
            await mette.send("/cancel")
            if await stack_of(sessions, "m-1") == ["main:idle"]:
                break
        assert await stack_of(sessions, "m-1") == ["main:idle"], (first, second)
    # The request is still open for a real answer, and nothing went wrong on the way.
    await mette.press(f"r:dec:{request_id}")
    await mette.tap("It is not my field")
    assert "cannot be your mentor right now" in sara.last.text
    assert APOLOGY not in mette.texts_since(0)


async def test_a_pending_mentor_answers_a_question_around_other_detours(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    lise = FakeChat(engine, user_id="2001", name="Lise", network=people)
    await onboard_mentor(lise)
    await lise.tap("Confirm")
    await karen.tap("Ask for more info")
    await karen.send("Which team do you work in?")
    await karen.send("/broadcast")  # the coordinator, too, has a detour waiting while she vets
    await karen.send("Hello all")
    await lise.tap("Answer")
    await lise.send("/delete")
    await lise.send("/language")
    await lise.press("lang:en", message=lise.last)
    await lise.tap("No, keep my data")
    assert lise.last.text == "Write your answer. I will pass it on to the coordinators."
    await lise.send("/profile")
    await lise.tap("Done")
    assert lise.last.text == "Write your answer. I will pass it on to the coordinators."
    await lise.send("The payments team.")
    assert "“The payments team.”" in karen.texts_since(-4)
    assert await stack_of(sessions, "2001") == ["main:idle"]
    assert [f.split(":")[0] for f in await stack_of(sessions, COORDINATOR)] == ["main", "broadcast_form"]
    assert APOLOGY not in lise.texts_since(0) + karen.texts_since(0)


async def test_two_forms_with_answers_are_left_with_two_cancels(engine, people, sessions) -> None:
    """A second /cancel on "Stop here?" is a yes to every detour, not only to the form on top."""
    karen = await coordinator(engine, people)
    await karen.send("/broadcast")
    await karen.send("Job fair on Friday")
    await karen.send("/newevent")
    await karen.tap("Intro course")
    await karen.send("Intro to Danish working life")
    await karen.send("/cancel")
    assert karen.last.text == "Stop here? What you entered here will be lost."
    await karen.send("/cancel")
    async with sessions() as session:
        conv = await session.get(Conversation, await user_id(sessions, COORDINATOR))
    assert [f["flow"] for f in conv.data["stack"]] == ["main"]
