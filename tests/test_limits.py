"""Floods are stopped: limits per woman and per kind of act, told to her kindly, and to the coordinators once.

Each test is a flood a probe once got through in full (200 relayed messages, 50 problem reports, 100 reports of
unplanned meetings, 30 unasked answers of a waiting mentor, and requests and meeting proposals likewise): at most a
bucket's worth goes through, she hears when she can go on, and once the clock has moved she can.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bot.settings import Settings
from conversations.kernel.engine import Engine
from conversations.kernel.i18n import Translator
from conversations.kernel.limits import DEFAULTS, Rule, take
from storage.models import MeetingReport, MentorRequest
from tests.conftest import COORDINATOR
from tests.fakechat import FakeChat
from tests.flows import onboard_mentor
from tests.people import add_mentor, ask_first, coordinator, matched, mentee

EN = Translator("en")


def count(chat: FakeChat, text: str) -> int:
    return sum(text in shown.text for shown in chat.history)


async def test_a_relay_flood_stops_at_the_limit_and_she_can_write_again(engine, people, sessions, clock) -> None:
    karen = await coordinator(engine, people)
    amina, mette = await matched(engine, people, sessions)
    rule = DEFAULTS["relay"]
    await amina.tap("✉️ Write to her")
    for i in range(200):
        await amina.send(f"message {i}")
    assert count(mette, "💬 <b>Amina</b>") == rule.capacity
    refusal = "You have sent many messages in a short time, so I have not passed this one on."
    assert count(amina, refusal) == 200 - rule.capacity, "every message held back is answered"
    assert amina.last.text == f"{refusal} You can write again in about 10 seconds."
    assert count(karen, "Amina has sent very many messages in a short time") == 1
    # Her limit is hers: Mette can still answer.
    await mette.tap("↩️ Reply")
    await mette.send("Slow down, please")
    assert amina.last.text == "💬 <b>Mette</b>:\nSlow down, please"

    clock.advance(seconds=rule.every)
    await amina.send("sorry")
    assert mette.last.text == "💬 <b>Amina</b>:\nsorry" and amina.last.text == "✓ Sent to Mette."
    await amina.send("and again")
    assert count(amina, refusal) == 200 - rule.capacity + 1
    assert count(karen, "Amina has sent very many messages") == 1, "one alert per flood"

    # Quiet until the bucket is full: a later flood is a new one, and the coordinators hear of it once.
    clock.advance(seconds=rule.capacity * rule.every)
    for i in range(rule.capacity + 5):
        await amina.send(f"later {i}")
    assert count(mette, "💬 <b>Amina</b>") == 2 * rule.capacity + 1
    assert count(karen, "Amina has sent very many messages") == 2


async def test_fifty_problem_reports_bring_a_few_alerts_not_fifty(engine, people, sessions, clock) -> None:
    karen = await coordinator(engine, people)
    amina, _ = await matched(engine, people, sessions)
    rule = DEFAULTS["problem"]
    before = len(karen.history)
    for _ in range(50):
        await amina.tap("⚠️ Report a problem")
        if "Something else" in amina.last.buttons:
            await amina.tap("Something else")
            await amina.tap("Send it as it is")
    assert count(karen, "Amina reported a problem in the mentorship") == rule.capacity
    assert count(karen, "Amina keeps reporting a problem in her mentorship") == 1
    assert len(karen.history) - before == rule.capacity + 1
    assert amina.last.text.endswith("You can report again in about 1 hour.")
    assert "The coordinators have your reports and will contact you." in amina.last.text

    clock.advance(seconds=rule.every)
    await amina.tap("⚠️ Report a problem")
    await amina.tap("Something else")
    await amina.tap("Send it as it is")
    assert count(karen, "Amina reported a problem in the mentorship") == rule.capacity + 1
    assert "A coordinator will write to you here soon" in amina.texts_since(-3)


async def test_a_hundred_unplanned_reports_for_one_day_stop_at_the_limit(engine, people, sessions, clock) -> None:
    amina, _ = await matched(engine, people, sessions)
    rule = DEFAULTS["report"]

    async def report() -> None:
        await amina.send("/report")
        if amina.last.buttons[:1] == ["Today"]:  # on the mentorship's first day, the only day
            for title in ("Today", "Network", "1 h", "Skip"):
                await amina.tap(title)

    async def reports() -> int:
        async with sessions() as session:
            return (await session.execute(select(func.count()).select_from(MeetingReport))).scalar_one()

    for _ in range(100):
        await report()
    assert await reports() == rule.capacity
    assert amina.last.text == (
        "You have reported many meetings in a short time. You can report another in about 3 hours."
    )
    clock.advance(seconds=rule.every)
    await report()
    assert await reports() == rule.capacity + 1
    assert "Your report is saved" in amina.texts_since(-2)


async def test_a_waiting_mentors_unasked_answers_stop_and_coordinators_hear_once(engine, people, clock) -> None:
    karen = await coordinator(engine, people)
    mette = FakeChat(engine, user_id="2001", name="Mette", network=people)
    await onboard_mentor(mette)
    await mette.tap("Confirm")
    await karen.tap("Ask for more info")
    await karen.send("Which team do you work in?")
    rule = DEFAULTS["answer"]
    before = len(karen.history)
    for i in range(30):
        await mette.tap("Answer")
        if mette.last.text.startswith("Write your answer"):
            await mette.send(f"The payments team ({i}).")
    assert count(karen, "Mette answers your question") == rule.capacity
    assert count(karen, "Mette has sent very many answers in a short time") == 1
    assert len(karen.history) - before == 2 * rule.capacity + 1  # each answer with her card, and one alert
    assert mette.last.text == (
        "You have sent the coordinators many answers in a short time. You can answer again in about 1 hour."
    )
    clock.advance(seconds=rule.every)
    await mette.tap("Answer")
    await mette.send("The payments team, for real.")
    assert count(karen, "Mette answers your question") == rule.capacity + 1


async def test_requests_to_mentors_stop_at_the_limit(engine, people, sessions, clock) -> None:
    rule = DEFAULTS["request"]
    mentors = [f"m-{i}" for i in range(rule.capacity + 4)]
    for i, external_id in enumerate(mentors):
        await add_mentor(sessions, external_id, f"Mentor{i}", languages=("en",))
        FakeChat(engine, user_id=external_id, name=f"Mentor{i}", network=people)
    amina = await mentee(engine, people)

    async def requests() -> int:
        async with sessions() as session:
            return (await session.execute(select(func.count()).select_from(MentorRequest))).scalar_one()

    for _ in range(len(mentors)):
        await amina.tap("Find a mentor")
        await amina.tap("Ask her to be my mentor")
        if "Send without a message" not in amina.last.buttons:
            break
        await amina.tap("Send without a message")
        # The mentor she asked declines at once, so she may ask the next.
        mentor = next(c for c in people.values() if c.history and "Decline" in c.last.buttons)
        await mentor.tap("Decline")
        await mentor.tap("It is not my field")
    assert await requests() == rule.capacity
    assert (
        amina.last.text == "You have sent many requests in a short time. You can ask a mentor again in about 4 hours."
    )
    clock.advance(seconds=rule.every)
    await ask_first(amina)
    assert await requests() == rule.capacity + 1
    assert "Your request has gone to" in amina.texts_since(-2)


async def test_meeting_proposals_stop_at_the_limit(engine, people, sessions, clock) -> None:
    karen = await coordinator(engine, people)
    amina, mette = await matched(engine, people, sessions)
    rule = DEFAULTS["meeting"]

    async def propose() -> None:
        await amina.tap("📅 Plan a meeting")
        if amina.last.text == "Which day would you like to meet?":
            await amina.tap(EN.day(date(2026, 3, 4)))
            await amina.tap(amina.last.buttons[0])
            await amina.tap("In person")
            await amina.tap("We decide later")

    for _ in range(rule.capacity + 10):
        await propose()
    assert count(mette, "Amina would like to meet you") == rule.capacity
    assert amina.last.text == (
        "You have proposed many meetings in a short time. You can propose another in about 1 hour."
    )
    assert count(karen, "Amina has proposed very many meetings") == 1
    clock.advance(seconds=rule.every)
    await propose()
    assert count(mette, "Amina would like to meet you") == rule.capacity + 1


async def test_limits_come_from_the_settings(monkeypatch, sessions, people, clock) -> None:
    monkeypatch.setenv("LIMIT_RELAY_BURST", "2")
    monkeypatch.setenv("LIMIT_RELAY_EVERY", "60")
    monkeypatch.setenv("LIMIT_PROBLEM_EVERY", "")  # set but empty: the default
    settings = Settings()
    assert settings.limits["relay"] == (2, 60) and settings.limits["problem"] == (None, None)
    engine = Engine(sessions, coordinator_ids=[COORDINATOR], clock=clock, limits=settings.limits)
    assert engine.limits["problem"] == DEFAULTS["problem"]
    amina, mette = await matched(engine, people, sessions)
    await amina.tap("✉️ Write to her")
    for i in range(5):
        await amina.send(f"message {i}")
    assert count(mette, "💬 <b>Amina</b>") == 2
    assert amina.last.text.endswith("You can write again in about 1 minute.")


def test_a_bucket_fills_at_its_pace_and_marks_one_alert_per_flood() -> None:
    rule = Rule(2, 10)
    bucket, wait, alert = take(None, rule, 1000)
    assert (bucket, wait, alert) == ([1.0, 1000], 0.0, False)
    bucket, wait, alert = take(bucket, rule, 1000)
    assert (bucket[0], wait, alert) == (0.0, 0.0, False)
    bucket, wait, alert = take(bucket, rule, 1004)
    assert wait == pytest.approx(6.0) and alert and bucket[2] == 1
    bucket, wait, alert = take(bucket, rule, 1005)
    assert wait == pytest.approx(5.0) and not alert, "the coordinators already know of this flood"
    assert take(bucket, rule, 1010).wait == 0.0  # one earned back
    full = take(bucket, rule, 1030)
    assert full.bucket == [1.0, 1030], "full again: the next flood is a new one"
    assert take([0.0, 2000], rule, 1990, spend=False).wait == 10.0  # a clock set back earns nothing
