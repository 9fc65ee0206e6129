"""Conversation rows written by the release before the frame stack: converted by the migration, or by the engine
when it meets one during a deploy, and every woman goes on where she was, with the buttons already in her chat."""

from __future__ import annotations

import copy

import pytest
from alembic import command
from sqlalchemy import Connection, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from conversations.kernel.messages import Reply
from storage.conversation_upgrade import upgrade
from storage.db import alembic_config
from storage.models import Conversation, MeetingReport, Mentorship, User
from tests.fakechat import FakeChat, Shown
from tests.flows import at_fields_question
from tests.people import coordinator, matched

# Rows as the previous release stored them, captured mid-detour (mentorship id 1 is the pair's):
LEGACY = {
    # a report opened from inside the relay, one topic ticked; a leftover browse list from before
    "1001": ("report_topics", 20, {
        "browse": {"ids": [1], "i": 0}, "relay_return": "idle", "relay": 1, "report_return": "relay",
        "report": {"m": 1, "meeting": None, "met": "yes", "topics": ["cv"], "held_on": "2026-03-02"},
    }),
    # /delete asked while planning a meeting, the day already picked
    "m-1": ("delete", 4, {
        "meet_return": "idle", "meet": {"m": 1, "replacing": None, "day": "20260304"}, "before_delete": "meet_time",
    }),
    # onboarding, IT ticked on the fields question
    "noor": ("ask:fields", 6, {
        "draft": {"name": "Noor", "region": "aarhus"}, "mode": "onboarding", "picking": {"fields": ["it"]},
    }),
    # a coordinator's broadcast, written, at the choice of who gets it
    "9000": ("bc_segment", 7, {
        "form": {"key": "broadcast", "prefix": "bc_", "back": "idle"},
        "broadcast": {"segment": {}, "text": "Hello everyone"},
    }),
}  # fmt: skip


def test_each_way_back_becomes_a_frame_holding_its_own_draft() -> None:
    step, _, data = LEGACY["1001"]
    stack = upgrade(step, data)["stack"]
    assert [(f["flow"], f["step"]) for f in stack] == [
        ("main", "idle"),
        ("relay", "relay"),
        ("report", "report_topics"),
    ]
    assert stack[1]["args"] == {"m": 1} and stack[2]["data"]["topics"] == ["cv"]
    assert set(upgrade(step, data)) == {"stack"}  # the leftover browse list is gone

    step, _, data = LEGACY["m-1"]
    stack = upgrade(step, data)["stack"]
    assert [(f["flow"], f["step"], f["then"]) for f in stack] == [
        ("main", "idle", None), ("meet", "meet_time", None), ("confirm", "confirm", "delete"),
    ]  # fmt: skip
    assert stack[1]["data"]["day"] == "20260304"

    step, _, data = LEGACY["noor"]
    assert upgrade(step, data)["stack"] == [
        {"flow": "main", "step": "ask:fields", "args": {}, "then": None,
         "data": {"draft": {"name": "Noor", "region": "aarhus"}, "picking": {"fields": ["it"]}}},
    ]  # fmt: skip
    already = upgrade(step, data)
    assert upgrade("ask:fields", already) == already  # a converted row is left alone


def test_rows_of_other_shapes_still_land_somewhere_sensible() -> None:
    guest = upgrade("language", {"after_language": "guest_name", "guest_event": 5})["stack"]
    assert [(f["flow"], f["step"]) for f in guest] == [("main", "language"), ("guest", "language")]
    assert guest[1]["args"] == {"event": 5} and guest[1]["then"] == "guest_joined"
    profile = upgrade("ask:region", {"mode": "profile", "draft": {"name": "A"}, "filters": {"field": "it"}})
    assert [(f["flow"], f["step"]) for f in profile["stack"]] == [("main", "idle"), ("profile", "ask:region")]
    assert profile["filters"] == {"field": "it"}  # what outlives flows stays
    loop = upgrade("meet_day", {"meet_return": "relay", "relay_return": "meet_day", "relay": 1, "meet": {"m": 1}})
    assert [f["flow"] for f in loop["stack"]] == ["main", "relay", "meet"]  # her step on top, the loop cut
    assert upgrade("gone_step", {})["stack"][0]["step"] == "idle"


async def _alembic(engine: AsyncEngine, verb: str, revision: str) -> None:
    def run(conn: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        getattr(command, verb)(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


def _old_message(chat: FakeChat) -> Shown:
    """A message of the old release already in her chat, whose buttons she can still tap."""
    shown = Shown(1000 + len(chat.messages), Reply("(sent by the previous release)"))
    chat.messages[shown.id] = shown
    return shown


async def _write_legacy_rows(sessions) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        m_id = (await session.execute(select(Mentorship.id))).scalar_one()
        for external_id, (step, seq, data) in LEGACY.items():
            user_id = (await session.execute(select(User.id).where(User.external_id == external_id))).scalar_one()
            old = copy.deepcopy(data)
            for key in ("meet", "report"):
                if key in old:
                    old[key]["m"] = m_id
            if "relay" in old:
                old["relay"] = m_id
            await session.execute(
                update(Conversation).where(Conversation.user_id == user_id).values(step=step, seq=seq, data=old)
            )


@pytest.mark.parametrize("converted_by", ["migration", "engine"])
async def test_women_mid_detour_go_on_after_the_upgrade(engine, people, sessions, db_engine, converted_by) -> None:
    amina, mette = await matched(engine, people, sessions)
    karen = await coordinator(engine, people)
    noor = FakeChat(engine, "noor", "Noor", network=people)
    await at_fields_question(noor)
    if converted_by == "migration":
        await _alembic(db_engine, "downgrade", "0008")
    await _write_legacy_rows(sessions)
    if converted_by == "migration":
        await _alembic(db_engine, "upgrade", "head")
        async with sessions() as session:
            rows = (await session.execute(select(Conversation))).scalars().all()
            assert all("stack" in row.data for row in rows)
            assert {row.step for row in rows} >= {"report_topics", "confirm", "ask:fields", "bc_segment"}

    # Amina finishes the report she began inside the relay, and lands back in the relay.
    await amina.press("20:len:60", message=_old_message(amina))
    await amina.tap("Skip")
    assert "Your report is saved" in amina.texts_since(-3)
    assert amina.last.text.startswith("Write your message to Mette")
    await amina.tap("Done")
    assert amina.last.text == "What would you like to do?"
    async with sessions() as session:
        report = (await session.execute(select(MeetingReport))).scalar_one()
        assert (report.topics, report.minutes) == (["cv"], 60)

    # Mette keeps her data and finds the meeting she was planning where she left it.
    await mette.press("4:no", message=_old_message(mette))
    assert "Nothing was deleted." in mette.texts_since(-3)
    assert mette.last.text == "At what time?"

    # Noor's ticked field is still ticked.
    await noor.press("6:done", message=_old_message(noor))
    assert noor.last.text.startswith("What is your highest education?")

    # Karen's written broadcast is still there.
    await karen.press("7:preview", message=_old_message(karen))
    assert "Hello everyone" in karen.last.text
