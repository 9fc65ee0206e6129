"""/mydata: what is stored about her, readable in her language and as a JSON file with her rows and nobody else's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from conversations.kernel.engine import Engine
from conversations.kernel.i18n import Translator
from conversations.privacy import NOTICE_VERSION
from storage.models import MeetingReport, Mentorship
from tests.fakechat import FakeChat, Shown
from tests.flows import due, reach_role
from tests.people import add_mentee, matched, user_id

MEETING_AT = datetime(2026, 3, 4, 13, 0, tzinfo=UTC)  # Wednesday 14:00 in Copenhagen
HER_NOTE = "We practised <b>interviews</b>"
MENTORS_NOTE = "Mette's own note about the meeting"


async def mydata(chat: FakeChat) -> tuple[list[str], Shown, dict[str, Any]]:
    """She sends /mydata: the readable messages, the message with the file, and the file parsed."""
    before = len(chat.history)
    await chat.send("/mydata")
    shown = chat.history[before:]
    with_file = [s for s in shown if s.reply.attachment is not None]
    assert len(with_file) == 1, [s.text for s in shown]
    exported = with_file[0].reply.attachment
    assert exported.filename == "mentornet-my-data.json" and exported.mime == "application/json"
    texts = [s.text for s in shown if s.reply.attachment is None]
    return texts, with_file[0], json.loads(exported.content)


def leaves(value: Any) -> Iterator[Any]:
    """Every key and value in a parsed JSON document."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from leaves(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from leaves(inner)
    else:
        yield value


async def answer_surveys(amina: FakeChat, mette: FakeChat) -> None:
    await amina.tap("Start the survey")
    for title in ("Looking for a job", "Prefer not to say", "Danish language school", "1–2", "2", "A little", "3"):
        await amina.tap(title)
    await amina.tap("The Danish language")
    await amina.tap("Done")
    await mette.tap("Start the survey")
    await mette.tap("Share what I know")
    await mette.tap("Done")
    await mette.tap("5")


async def meet_and_report(engine: Engine, clock, people: dict[str, FakeChat], amina: FakeChat, mette: FakeChat) -> None:  # type: ignore[no-untyped-def]
    await amina.tap("📅 Plan a meeting")
    await amina.tap(Translator("en").day(date(2026, 3, 4)))
    await amina.tap("14.00")
    await amina.tap("In person")
    await amina.send("Hovedbiblioteket")
    await mette.tap("✅ Confirm")
    clock.now = MEETING_AT + timedelta(minutes=90)
    for reply in await due(engine):
        people[reply.to.user_id].receive(reply)
    for chat, topic, note in ((amina, "CV and applications", HER_NOTE), (mette, "Network", MENTORS_NOTE)):
        await chat.tap("Yes, we met")
        await chat.tap(topic)
        await chat.tap("1 h")
        await chat.send(note)


async def test_a_mentee_reads_her_data_and_gets_her_rows_as_a_file(engine, people, sessions, clock) -> None:
    amina, mette = await matched(engine, people, sessions)
    await answer_surveys(amina, mette)
    await meet_and_report(engine, clock, people, amina, mette)

    texts, with_file, data = await mydata(amina)
    readable = "\n".join(texts)
    assert all(len(text) < 4096 for text in [*texts, with_file.text])
    assert "<b>What we store about you</b>" in readable
    assert "<b>First name</b>: Amina" in readable and "<b>Role</b>: Mentee" in readable
    assert f"Privacy notice accepted on 2 March 2026 (version {NOTICE_VERSION})" in readable
    # Her profile answers with the labels of the profile screen.
    assert "<b>Lives in</b>: Aarhus" in readable
    assert "<b>Professional field</b>: IT and Engineering" in readable
    assert "<b>Education</b>: Master's degree" in readable
    assert "<b>Introduction</b>: Engineer from Aleppo, mother of two." in readable
    assert "To <b>Mette</b>: accepted, 2 March 2026" in readable
    assert "<b>Mette</b>, your mentor since 2 March 2026 (active)" in readable
    assert "✅ 4 March 2026, 14.00, in person" in readable
    assert (
        "4 March 2026 · Yes, we met · CV and applications · 1 h\n<i>We practised &lt;b&gt;interviews&lt;/b&gt;</i>"
        in readable
    )
    assert "Surveys: 1, answers: 8" in readable
    assert MENTORS_NOTE not in readable and "m-1" not in readable
    assert "Messages we sent you in the last 30 days" in readable

    amina_id, mette_id = await user_id(sessions, "1001"), await user_id(sessions, "m-1")
    account = data["account"]
    assert (account["id"], account["first_name"], account["external_id"], account["locale"]) == (
        amina_id,
        "Amina",
        "1001",
        "en",
    )
    assert account["consent_version"] == NOTICE_VERSION and account["consent_at"].startswith("2026-03-02")
    assert "limits" not in account
    profile = data["mentee_profile"]
    assert (profile["region"], profile["fields"], profile["goals"]) == ("aarhus", ["it", "eng"], ["cv", "network"])
    assert data["mentor_profile"] is None
    [request] = data["requests"]
    assert (request["status"], request["direction"], request["other_first_name"]) == ("accepted", "sent", "Mette")
    [mentorship] = data["mentorships"]
    assert (mentorship["mentee_id"], mentorship["mentor_id"], mentorship["status"]) == (amina_id, mette_id, "active")
    [meeting] = data["meetings"]
    assert (meeting["status"], meeting["mode"], meeting["starts_at"]) == (
        "confirmed",
        "in_person",
        "2026-03-04T13:00:00+00:00",
    )
    [report] = data["meeting_reports"]
    assert (report["reporter_id"], report["met"], report["topics"], report["minutes"], report["note"]) == (
        amina_id,
        "yes",
        ["cv"],
        60,
        HER_NOTE,
    )
    [survey] = data["survey_responses"]
    assert (survey["user_id"], survey["survey"]) == (amina_id, "mentee_start")
    assert survey["answers"]["employment"] == {"v": 1, "a": "seeking"} and survey["answers"]["own_field"]["a"] is None
    # Nothing the mentor wrote or answered herself, and not her platform id.
    everything = list(leaves(data))
    assert MENTORS_NOTE not in everything and "mentor_start" not in everything and "share" not in everything
    assert "m-1" not in everything


async def test_in_arabic_the_readable_part_is_in_arabic(engine, people, sessions) -> None:
    await add_mentee(sessions, "2001", "نور", locale="ar")
    noor = FakeChat(engine, user_id="2001", name="نور", locale="ar", network=people)
    texts, _, data = await mydata(noor)
    readable = "\n".join(texts)
    ar = Translator("ar")
    for english in ("Your profile", "Lives in", "Copenhagen area", "Master's degree", "Professional field", "Language"):
        assert ar._(english) != english and ar._(english) in readable, english
    assert "Lives in" not in readable and "Copenhagen area" not in readable
    assert "العربية" in readable  # her language, by its own name
    assert "\u2068نور\u2069" in readable  # her name isolated inside the right-to-left text
    assert data["account"]["first_name"] == "نور" and data["mentee_profile"]["region"] == "cph"
    assert "نور" in noor.history[-1].reply.attachment.content.decode()  # readable in the file, not \u escapes


async def test_without_a_profile_she_gets_what_little_is_stored_and_her_question_back(engine, people) -> None:
    noor = FakeChat(engine, user_id="2002", name="Noor", network=people)
    await reach_role(noor)
    texts, _, data = await mydata(noor)
    readable = "\n".join(texts)
    assert "You do not have a profile yet. Let us finish it first." in readable
    assert f"Privacy notice accepted on 2 March 2026 (version {NOTICE_VERSION})" in readable
    assert "Requests" not in readable and "Mentorships" not in readable
    assert noor.last.text == "How would you like to take part?"  # where she was, asked again
    account = data["account"]
    assert (account["consent_version"], account["role"], account["first_name"]) == (NOTICE_VERSION, None, None)
    assert data["mentee_profile"] is None and data["mentorships"] == [] and data["survey_responses"] == []

    # Even her very first message: the language she came with is all there is, then the language question.
    newcomer = FakeChat(engine, user_id="2003", name="Hana", network=people)
    texts, _, data = await mydata(newcomer)
    assert "<b>Language</b>: English" in "\n".join(texts) and data["account"]["consent_at"] is None
    assert "Privacy notice accepted" not in "\n".join(texts)
    assert "English" in newcomer.last.buttons


async def test_long_histories_are_split_under_telegrams_limit_and_the_file_has_all(engine, people, sessions) -> None:
    amina, _ = await matched(engine, people, sessions)
    amina_id = await user_id(sessions, "1001")
    async with sessions() as session, session.begin():
        mentorship_id = (await session.execute(select(Mentorship.id))).scalar_one()
        for day in range(30):
            session.add(
                MeetingReport(
                    mentorship_id=mentorship_id, reporter_id=amina_id, met="yes", topics=["cv", "network"], minutes=60,
                    held_on=datetime(2026, 1, 1, 12, tzinfo=UTC) + timedelta(days=day), note=f"{day:02d} " + "x" * 996,
                )
            )  # fmt: skip
    texts, _, data = await mydata(amina)
    assert len(texts) > 1 and all(len(text) < 4096 for text in texts)
    readable = "\n".join(texts)
    assert "… and 10 more in the file" in readable
    assert "29 xxx" in readable and "09 xxx" not in readable  # the latest 20 in the messages
    notes = [r["note"] for r in data["meeting_reports"]]
    assert len(notes) == 30 and all(len(note) == 999 for note in notes)
