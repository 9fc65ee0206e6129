"""A chat in the terminal on the same engine: try the bot without Telegram.

Type text as the user would; type a button's number to tap it. A few commands are for the tester and never
reach the bot: `/as mentor-1`, `/as new`, `/who`, `/photo`, `/quit`.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import os
import re
import sys
import time
from collections.abc import Callable

from bot.scheduler import start_clock
from conversations.kernel.engine import Engine
from conversations.kernel.messages import Button, Inbound, Kind, Reply, UserRef
from storage.demo import COORDINATOR_ID, MENTORS, PLATFORM

TAG = re.compile(r"</?[a-z]+>")
TESTER_HELP = (
    "Console chat. Type as the user would; type a number to tap that button.\n"
    "Tester commands: /as <id> (act as another user: " + ", ".join(m[0] for m in MENTORS) + f", {COORDINATOR_ID}),\n"
    "/as new (a brand-new user), /who (who am I), /photo (send a photo), /quit."
)


TESTER_COMMANDS = frozenset({"/as", "/who", "/photo", "/quit", "/exit"})


def plain(text: str) -> str:
    return html.unescape(TAG.sub("", text))


class Console:
    def __init__(self, engine: Engine, write: Callable[[str], None] = print) -> None:
        self.engine = engine
        self.write = write
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
                await self._send(Kind.UNSUPPORTED, text="photo")
            case _:
                self.write(TESTER_HELP)
        return True

    async def _send(self, kind: Kind, text: str = "", payload: str = "", message_id: str | None = None) -> None:
        ref = UserRef(PLATFORM, self.identity, self.identity)
        inbound = Inbound(
            ref,
            kind,
            text=text,
            payload=payload,
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

    def show(self, reply: Reply) -> None:
        to = reply.to.user_id if reply.to else self.identity
        marker = "(updated) " if reply.edit or reply.replace else ""
        if to != self.identity:
            # In a real messenger this lands in her chat; here it is shown, and `/as <her>` lets you answer it.
            marker = f"📨 to {to}: "
        self.write(f"\n🤖 {marker}{plain(reply.text)}")
        if reply.attachment is not None:
            self.write(f"   📎 {reply.attachment.filename} ({len(reply.attachment.content)} bytes)")
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
    print("\nSay hello (or /start) to begin.")
    while True:
        try:
            line = await asyncio.to_thread(input, f"\n[{console.identity}] > ")
        except (EOFError, KeyboardInterrupt):
            print()
            break
        if not await console.line(line):
            break
        sys.stdout.flush()
    clock.shutdown(wait=False)
