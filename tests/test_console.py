"""The console adapter and the entry point, as a tester uses them."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.console import Console
from bot.settings import Settings
from conversations.kernel.engine import Engine
from conversations.kernel.messages import Attachment, Reply
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
    assert "I can only read text and buttons" in await type_("/photo")  # not in a conversation with anyone
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


async def test_files_the_bot_sends_are_saved_where_the_console_says(sessions, tmp_path: Path) -> None:
    out: list[str] = []
    console = Console(Engine(sessions), write=out.append, files=tmp_path / "files")
    for _ in range(2):
        console.show(Reply("Your numbers", attachment=Attachment("stats.csv", "a,b\n1,2\n", "text/csv")))
    saved = sorted(p.name for p in (tmp_path / "files").iterdir())
    assert saved == ["stats-2.csv", "stats.csv"]  # the second never overwrites the first
    assert (tmp_path / "files" / "stats.csv").read_text() == "a,b\n1,2\n"
    assert any(str(tmp_path / "files" / "stats-2.csv") in line for line in out)


def test_ctrl_c_ends_the_console_at_once_without_a_traceback(tmp_path: Path) -> None:
    """In a real terminal: Ctrl-C at the prompt ends it within a second, with status 0 and no traceback."""
    env = {**os.environ, "CONSOLE_DATABASE_URL": f"sqlite:///{tmp_path / 'console.db'}"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: the console, in tmp_path so that its files land there
        os.chdir(tmp_path)
        os.execve(sys.executable, [sys.executable, "-m", "bot", "console"], {**env, "PYTHONPATH": str(ROOT)})
    output = b""
    deadline = time.monotonic() + 60
    while b"] > " not in output and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.2)[0]:
            output += os.read(fd, 4096)
    assert b"] > " in output, output
    os.write(fd, b"\x03")
    pressed = time.monotonic()
    done, status = 0, 0
    while not done and time.monotonic() - pressed < 5:
        if select.select([fd], [], [], 0.2)[0]:
            with contextlib.suppress(OSError):  # the terminal closes as she goes
                output += os.read(fd, 4096)
        done, status = os.waitpid(pid, os.WNOHANG)
    if not done:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    assert done, "still running 5 s after Ctrl-C"
    assert os.waitstatus_to_exitcode(status) == 0
    assert b"Traceback" not in output
