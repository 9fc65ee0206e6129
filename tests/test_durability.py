"""State lives in the database: restarts resume, duplicates are dropped, one user's updates run in order."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from conversations.kernel.engine import Engine
from conversations.kernel.i18n import Translator
from conversations.kernel.messages import Inbound
from conversations.kernel.questions import ChoiceQuestion
from storage.db import make_engine, migrate, sessionmaker
from storage.models import User
from tests.fakechat import FakeChat
from tests.flows import at_fields_question, finish_and_read_card, reach_role

ROOT = Path(__file__).resolve().parents[1]


async def test_a_restart_mid_onboarding_continues_at_the_same_step(db_engine) -> None:
    chat = FakeChat(Engine(sessionmaker(db_engine)))
    await at_fields_question(chat, region="Copenhagen area")
    await chat.tap("Health")
    await db_engine.dispose()  # every connection gone, as after a crash

    chat.engine = Engine(sessionmaker(db_engine))  # a fresh process: nothing in memory
    card = await finish_and_read_card(chat, fields=("Law",))
    assert "Noor" in card and "Copenhagen area" in card and "Health and Law" in card


async def test_one_users_updates_run_one_at_a_time(engine, sessions) -> None:
    chat = FakeChat(engine)
    await at_fields_question(chat)
    question = chat.last
    payloads = {b.title: b.payload for row in question.reply.buttons for b in row}
    # Six toggles arrive at once; each reads and writes the same draft. Interleaved, some would be lost.
    titles = ["IT", "Health", "Law", "Education", "Engineering", "Social sciences"]
    await asyncio.gather(*(chat.press(payloads[t], message=question) for t in titles))
    await chat.tap("Done")
    assert chat.history[-2].text.count(",") == len(titles) - 2 and " and " in chat.history[-2].text


async def test_updates_of_one_user_never_overlap_while_different_users_do(engine) -> None:
    running: Counter[str] = Counter()
    peak: Counter[str] = Counter()
    original = engine._step

    async def tracked(session: object, inbound: Inbound, row_id: int | None, record: bool = True) -> object:
        who = inbound.user.user_id
        running[who] += 1
        running["all"] += 1
        peak[who] = max(peak[who], running[who])
        peak["all"] = max(peak["all"], running["all"])
        try:
            await asyncio.sleep(0.02)  # widen the window in which an overlap would show
            return await original(session, inbound, row_id, record)
        finally:
            running[who] -= 1
            running["all"] -= 1

    engine._step = tracked
    amina, sara = FakeChat(engine, user_id="amina"), FakeChat(engine, user_id="sara")
    await asyncio.gather(*(amina.send("/help") for _ in range(4)), *(sara.send("/help") for _ in range(4)))
    assert peak["amina"] == 1 and peak["sara"] == 1
    assert peak["all"] == 2


async def test_different_users_are_not_blocked_by_each_other(engine) -> None:
    async with engine._lock("test", "busy"):  # the busy user is stuck in a long handler
        other = FakeChat(engine, user_id="other")
        replies = await asyncio.wait_for(other.send("/start"), timeout=10)
    assert replies and replies[0].buttons


async def start_console(url: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "CONSOLE_DATABASE_URL": url, "BOT_TOKEN": "", "PYTHONUNBUFFERED": "1"}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "console",
        cwd=ROOT, env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def say(proc: asyncio.subprocess.Process, line: str, expect: str) -> str:
    """Type a line into the console and read until `expect` shows."""
    proc.stdin.write(f"{line}\n".encode())
    await proc.stdin.drain()
    seen = ""
    while expect not in seen:
        chunk = await asyncio.wait_for(proc.stdout.read(4096), timeout=30)
        assert chunk, f"process ended before {expect!r}; output: {seen}"
        seen += chunk.decode()
    return seen


async def test_killing_the_process_loses_nothing(tmp_path: Path) -> None:
    """A real process killed with SIGKILL mid-onboarding; the next one continues at the same question."""
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    first = await start_console(url)
    await say(first, "hello", "[8] Türkçe")
    await say(first, "2", "[3] No, thank you")  # English
    await say(first, "1", "[2] I want to be a mentor")  # I agree
    await say(first, "1", "What is your first name?")  # mentee
    await say(first, "Noor", "Where do you live?")
    await say(first, "3", "Which professional field")  # Aarhus
    first.send_signal(signal.SIGKILL)
    await first.wait()

    second = await start_console(url)
    out = await say(second, "hello again", "Which professional field")
    assert "Welcome to Mentornet" not in out
    second.stdin.close()
    await asyncio.wait_for(second.wait(), timeout=30)

    db = make_engine(url)
    await migrate(db)
    async with sessionmaker(db)() as session:
        user = (await session.execute(select(User).where(User.external_id == "you"))).scalar_one()
        assert user.role == "mentee" and user.consent_at is not None
    await db.dispose()


async def test_a_failing_step_apologises_in_her_language_and_keeps_her_answers(engine, monkeypatch) -> None:
    chat = FakeChat(engine, locale="en")
    await reach_role(chat, language="Dansk")
    await chat.tap(Translator("da")._("I want a mentor"))
    await chat.send("Noor")

    def broken(*_args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(ChoiceQuestion, "on_text", broken)
    await chat.send("Aarhus")
    assert chat.last.text == Translator("da")._("Sorry, something went wrong on my side. Please try again in a moment.")
    monkeypatch.undo()
    await chat.tap("Aarhus")
    assert chat.last.text.startswith(Translator("da")._("Which professional field is yours?"))


async def test_killing_the_process_mid_detour_keeps_the_stack_and_its_drafts(tmp_path: Path) -> None:
    """Killed while "delete everything?" waits on top of a half-answered question: the next process asks the
    same thing, "No" keeps her data, and the question below comes back with her tick still on it."""
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    first = await start_console(url)
    await say(first, "hello", "[8] Türkçe")
    await say(first, "2", "[3] No, thank you")  # English
    await say(first, "1", "[2] I want to be a mentor")  # I agree
    await say(first, "1", "What is your first name?")  # mentee
    await say(first, "Noor", "Where do you live?")
    await say(first, "3", "Which professional field")  # Aarhus
    await say(first, "1", "✓ IT")  # ticked, not yet Done
    await say(first, "/delete", "[2] No, keep my data")
    first.send_signal(signal.SIGKILL)
    await first.wait()

    second = await start_console(url)
    out = await say(second, "hello again", "[2] No, keep my data")  # the same question, not a fresh start
    assert "Welcome to Mentornet" not in out
    out = await say(second, "2", "] Back")  # the fields question, read to its last button
    assert "Nothing was deleted." in out and "Which professional field" in out and "✓ IT" in out
    second.stdin.close()
    await asyncio.wait_for(second.wait(), timeout=30)
