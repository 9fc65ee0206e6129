"""The console adapter and the entry point, as a tester uses them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.console import Console
from bot.settings import Settings
from conversations.kernel.engine import Engine
from storage import demo

ROOT = Path(__file__).resolve().parents[1]


async def test_console_chat_with_numbered_buttons_and_identities(sessions) -> None:
    async with sessions() as session, session.begin():
        assert await demo.seed(session)
        assert not await demo.seed(session)  # once only
    out: list[str] = []
    console = Console(Engine(sessions, coordinator_ids=[demo.COORDINATOR_ID]), write=out.append)

    async def type_(line: str) -> str:
        mark = len(out)
        await console.line(line)
        return "\n".join(out[mark:])

    assert "[2] English" in await type_("hello")
    assert "[1] I agree" in await type_("2")
    assert "I can only read text and buttons" in await type_("/photo")
    assert "(you are now mentor-1)" in await type_("/as mentor-1")
    card = await type_("/profile")
    assert "Mette (demo)" in card and "<b>" not in card  # demo data, markup stripped
    await type_("/as new")
    assert "[8] Türkçe" in await type_("hi")
    assert (await type_("/who")).startswith("(you are guest-")
    assert not await console.line("/quit")


def test_help_lists_the_modes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    for mode in ("console", "polling", "auto"):
        assert mode in result.stdout


def test_polling_without_a_token_says_what_is_missing(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "BOT_TOKEN": "", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    result = subprocess.run([sys.executable, "-m", "bot", "polling"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert result.returncode != 0 and "BOT_TOKEN is not set" in result.stderr


def test_coordinator_ids_are_read_comma_separated(monkeypatch) -> None:
    monkeypatch.setenv("COORDINATOR_IDS", "123, 456,")
    assert Settings().coordinator_ids == ("123", "456")
