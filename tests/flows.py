"""Conversation snippets shared by the tests: each reads like what a user does."""

from __future__ import annotations

from conversations.kernel.engine import Engine
from conversations.kernel.i18n import LANGUAGES, Translator
from conversations.kernel.messages import Reply
from tests.fakechat import FakeChat


async def reach_role(chat: FakeChat, language: str = "English") -> None:
    code = next(c for c, n in LANGUAGES.items() if n == language)
    await chat.send("/start")
    await chat.tap(language)
    await chat.tap(Translator(code)._("I agree"))


async def onboard_mentee(chat: FakeChat, *, about: str | None = "Engineer from Aleppo, mother of two.") -> None:
    await reach_role(chat)
    await chat.tap("I want a mentor")
    await chat.tap(f"Use “{chat.name}”")
    await chat.tap("Aarhus")
    await chat.tap("IT")
    await chat.tap("Engineering")
    await chat.tap("Done")
    await chat.tap("Master's degree")
    await chat.tap("6 to 10 years")
    await chat.tap("Arabic")
    await chat.tap("English")
    await chat.tap("Done")
    await chat.tap("A little")
    await chat.tap("CV and applications")
    await chat.tap("Professional network")
    await chat.tap("Done")
    if about is None:
        await chat.tap("Skip")
    else:
        await chat.send(about)


async def onboard_mentor(chat: FakeChat) -> None:
    await reach_role(chat)
    await chat.tap("I want to be a mentor")
    await chat.send("Mette")
    await chat.send("Software developer")
    await chat.send("Danske Bank")
    await chat.tap("IT")
    await chat.tap("Done")
    await chat.tap("More than 10 years")
    await chat.tap("Copenhagen area")
    await chat.tap("Danish")
    await chat.tap("English")
    await chat.tap("Done")
    await chat.tap("In person")
    await chat.tap("Online")
    await chat.tap("Done")
    await chat.tap("CV and applications")
    await chat.tap("Professional network")
    await chat.tap("Done")
    await chat.tap("2")
    await chat.send("I have worked in IT for 15 years and love helping people find their way.")


async def at_fields_question(chat: FakeChat, name: str = "Noor", region: str = "Aarhus") -> None:
    """A mentee who has answered her name and where she lives, looking at the fields question."""
    await reach_role(chat)
    await chat.tap("I want a mentor")
    await chat.send(name)
    await chat.tap(region)


async def finish_and_read_card(chat: FakeChat, fields: tuple[str, ...] = ("IT",)) -> str:
    """From the fields question to the summary card, with short answers; returns the card."""
    for title in fields:
        await chat.tap(title)
    await chat.tap("Done")
    for title in ("PhD", "None yet", "Arabic", "Done", "Fluent", "Job interviews", "Done", "Skip"):
        await chat.tap(title)
    return chat.last.text


async def due(engine: Engine) -> list[Reply]:
    """One tick of the clock, then everything the outbox holds, as the sender would deliver it."""
    await engine.tick()
    sent: list[Reply] = []

    async def collect(replies: list[Reply]) -> None:
        sent.extend(replies)

    while await engine.drain(collect):
        pass
    return sent


def deliver_all(people: dict[str, FakeChat], replies: list[Reply]) -> None:
    for reply in replies:
        people[reply.to.user_id].receive(reply)
