"""A chat in the terminal on the same engine: try the bot without Telegram.

Type text as the user would; type a button's number to tap it. A few commands are for the tester and never
reach the bot: `/as mentor-1`, `/as new`, `/who`, `/photo`, `/file <name>`, `/sticker`, `/quit`.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bot.scheduler import start_clock
from conversations.kernel.engine import Engine
from conversations.kernel.messages import Attachment, Button, Inbound, Kind, Media, Reply, UserRef
from storage.demo import COORDINATOR_ID, MENTORS, PLATFORM

TAG = re.compile(r"</?[a-z]+>")
TESTER_HELP = (
    "Console chat. Type as the user would; type a number to tap that button.\n"
    "Tester commands: /as <id> (act as another user: " + ", ".join(m[0] for m in MENTORS) + f", {COORDINATOR_ID}),\n"
    "/as new (a brand-new user), /who (who am I), /photo, /file <name> (send a photo or a file, such as a CV),\n"
    "/sticker, /quit."
)


# Charts, CSV exports and calendar invitations land here, beside the console's database.
FILES = Path("mentornet-console-files")
TESTER_COMMANDS = frozenset({"/as", "/who", "/photo", "/file", "/sticker", "/quit", "/exit"})


def plain(text: str) -> str:
    return html.unescape(TAG.sub("", text))


class Console:
    def __init__(self, engine: Engine, write: Callable[[str], None] = print, files: Path = FILES) -> None:
        self.engine = engine
        self.write = write
        self.files = files
        self.identity = "you"
        # Per identity: her newest message with buttons, by the number it was shown under, and its buttons.
        self.buttons: dict[str, tuple[str, list[Button]]] = {}
        self._messages = itertools.count(1)
        self._updates = itertools.count(int(time.time() * 1000))
        self.locale_hint = (os.environ.get("LC_ALL") or os.environ.get("LANG") or "").split(".")[0] or None

    async def line(self, line: str) -> bool:
        """Handle one typed line; False when the tester wants to quit."""
        line = line.strip()
        if not line:
            return True
        words = line.split()
        if words[0] in TESTER_COMMANDS:
            return await self._tester([words[0][1:], *words[1:]])
        message_id, buttons = self.buttons.get(self.identity, ("", []))
        if line.isdigit() and 1 <= int(line) <= len(buttons):
            await self._send(Kind.BUTTON, payload=buttons[int(line) - 1].payload, message_id=message_id)
        else:
            await self._send(Kind.COMMAND if line.startswith("/") else Kind.TEXT, text=line)
        return True

    async def _tester(self, words: list[str]) -> bool:
        match words:
            case ["quit" | "exit"]:
                return False
            case ["as", "new"]:
                self.identity = f"guest-{next(self._updates)}"
                self.write(f"(you are now {self.identity}, a new user; say hello)")
            case ["as", identity]:
                self.identity = identity
                self.write(f"(you are now {identity})")
            case ["who"]:
                self.write(f"(you are {self.identity})")
            case ["photo"]:
                await self._send(Kind.MEDIA, media=Media("photo", f"console-photo-{next(self._updates)}"))
            case ["file", *name]:
                file_name = " ".join(name) or "CV.pdf"
                await self._send(Kind.MEDIA, media=Media("document", f"console-file-{next(self._updates)}", file_name))
            case ["sticker"]:
                await self._send(Kind.UNSUPPORTED, text="sticker")
            case _:
                self.write(TESTER_HELP)
        return True

    async def _send(
        self, kind: Kind, text: str = "", payload: str = "", message_id: str | None = None, media: Media | None = None
    ) -> None:
        ref = UserRef(PLATFORM, self.identity, self.identity)
        inbound = Inbound(
            ref,
            kind,
            text=text,
            payload=payload,
            media=media,
            display_name=self.identity.split("-")[0].title(),
            locale_hint=self.locale_hint,  # the terminal's language stands in for the phone's
            message_id=message_id,
        )
        for reply in await self.engine.handle(inbound):
            self.show(reply)
        await self.flush()

    async def flush(self) -> None:
        """No rate limits in a terminal: what waits in the outbox (a broadcast, say) is shown at once."""

        async def show_all(replies: list[Reply]) -> None:
            for reply in replies:
                self.show(reply)

        while await self.engine.drain(show_all):
            await show_all(await self.engine.broadcast_progress())

    def save(self, attachment: Attachment) -> Path:
        """Where a file the bot sent is kept, never over an earlier one: `stats.csv`, `stats-2.csv`, ..."""
        self.files.mkdir(parents=True, exist_ok=True)
        name = Path(attachment.filename).name or "file"
        path, n = self.files / name, 1
        while path.exists():
            n += 1
            path = self.files / f"{Path(name).stem}-{n}{Path(name).suffix}"
        content = attachment.content
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        return path

    def show(self, reply: Reply) -> None:
        to = reply.to.user_id if reply.to else self.identity
        marker = "(updated) " if reply.edit or reply.replace else ""
        if to != self.identity:
            # In a real messenger this lands in her chat; here it is shown, and `/as <her>` lets you answer it.
            marker = f"📨 to {to}: "
        self.write(f"\n🤖 {marker}{plain(reply.text)}")
        if reply.attachment is not None:
            self.write(f"   📎 {self.save(reply.attachment)}")
        if reply.media is not None:  # passed on by reference: the console has only its name
            self.write(f"   📎 {reply.media.name or reply.media.kind}")
        buttons = [b for row in reply.buttons for b in row]
        if buttons:
            self.buttons[to] = (str(next(self._messages)), buttons)
            number = itertools.count(1)
            for row in reply.buttons:
                self.write("   " + "   ".join(f"[{next(number)}] {b.title}" for b in row))
        elif not reply.edit:
            self.buttons.pop(to, None)


async def run_console(engine: Engine) -> None:
    console = Console(engine)

    async def show_due(replies: list[Reply]) -> None:
        for reply in replies:
            console.show(reply)

    clock = start_clock(engine, show_due)
    print(TESTER_HELP)
    print(f"Files the bot sends (charts, CSV, calendar invitations) are saved in {console.files.resolve()}/")
    print("\nSay hello (or /start) to begin.")
    try:
        while True:
            line = await read_line(f"\n[{console.identity}] > ")
            if line is None or not await console.line(line):
                print()
                break
            sys.stdout.flush()
    finally:
        clock.shutdown(wait=False)


async def read_line(prompt: str) -> str | None:
    """One line from the terminal, or None at its end. The read runs in a daemon thread: Ctrl-C ends the
    console at once instead of waiting for a thread stuck in input() (asyncio's own threads are waited for)."""
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[str | None] = loop.create_future()

    def read() -> None:
        try:
            line: str | None = input(prompt)
        except EOFError:
            line = None
        loop.call_soon_threadsafe(lambda: answer.done() or answer.set_result(line))

    threading.Thread(target=read, daemon=True).start()
    return await answer
