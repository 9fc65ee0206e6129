"""A real bot process under load, killed with SIGKILL again and again, then counted: what was lost, what came twice.

Women in mentorships write numbered messages through the relay. Each message must reach her partner exactly once
(the relayed copy names its number) and she must get exactly one "✓ Sent" per message. Used by the durability
tests (a few kills) and by `bench/crash.py` (many, printed as a table). An outage can be added: the bot reaches
PostgreSQL through a TCP proxy that is stopped for a while and started again.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import signal
import socket
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import aiohttp
from sqlalchemy.engine import make_url

from conversations.kernel.flow import frame
from conversations.privacy import NOTICE_VERSION
from storage import repo
from storage.db import make_engine, migrate, sessionmaker
from storage.models import Mentorship
from tests.fakebotapi import FakeBotAPI, FakeUser

ROOT = Path(__file__).resolve().parents[1]
COPY = re.compile(r"^💬 \S+:\n(m\d+-\d+)$")
SENT = "✓ Sent to"


@dataclass
class Outcome:
    messages: int = 0
    kills: int = 0
    lost: int = 0  # a message whose relayed copy never arrived
    handled_twice: int = 0  # a copy that arrived twice together with a second "✓ Sent": the step ran twice
    replies_lost: int = 0  # a "✓ Sent" missing
    sent_twice: int = 0  # a message that arrived twice (a send in flight when the process died)
    apologies: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return self.lost == self.handled_twice == self.replies_lost == self.apologies == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proxy:
    """A TCP proxy in front of PostgreSQL: `cut()` drops every connection and refuses new ones until `mend()`."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.server: asyncio.Server | None = None
        self.links: set[asyncio.StreamWriter] = set()

    async def mend(self) -> None:
        self.server = await asyncio.start_server(self._link, "127.0.0.1", self.port)

    async def cut(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None
        for writer in list(self.links):
            writer.transport.abort()
        self.links.clear()

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.links |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            with contextlib.suppress(Exception):
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.links -= {writer, up_writer}


async def spawn(
    mode: str, url: str, api: FakeBotAPI, port: int, log: IO[bytes], **extra: str
) -> asyncio.subprocess.Process:
    """`python -m bot <mode>` against the fake Bot API, with its health checks (and webhook) on `port`."""
    env = {
        **os.environ, "DATABASE_URL": url, "BOT_TOKEN": api.token, "TELEGRAM_API_BASE": api.base_url,
        "PYTHONUNBUFFERED": "1", "PORT": str(port), "HOST": "127.0.0.1", "LOG_LEVEL": "WARNING",
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram" if mode == "webhook" else "",
        "WEBHOOK_SECRET": "crash-test-secret",
        # The load is a relay flood by design; what is measured is delivery, not the limit on it.
        "LIMIT_RELAY_BURST": "1000000", **extra,
    }  # fmt: skip
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", mode, cwd=ROOT, env=env, stdout=log, stderr=log
    )


async def pairs(url: str, women: list[FakeUser]) -> None:
    """Mentor and mentee two by two, each already writing in the relay."""
    db = make_engine(url)
    await migrate(db)
    sessions = sessionmaker(db)
    when = datetime(2026, 3, 1, tzinfo=UTC)
    async with sessions() as session, session.begin():
        users = []
        for n, woman in enumerate(women):
            role = "mentor" if n % 2 == 0 else "mentee"
            user, _ = await repo.create_user(session, "telegram", str(woman.id), str(woman.chat_id), "en", role)
            user.first_name, user.consent_at, user.onboarded_at = woman.first_name, when, when
            user.consent_version = NOTICE_VERSION
            users.append(user)
        await session.flush()
        for mentor, mentee in zip(users[::2], users[1::2], strict=True):
            m = Mentorship(mentor_id=mentor.id, mentee_id=mentee.id, status="active", started_at=when)
            session.add(m)
            await session.flush()
            for user in (mentor, mentee):
                _, conv = await repo.user_and_conversation(session, "telegram", user.external_id)
                conv.step = "relay"
                conv.data = {"stack": [frame("main", "idle"), frame("relay", "relay", args={"m": m.id})]}
    await db.dispose()


async def run(
    url: str,
    tmp: Path,
    *,
    mode: str = "polling",
    kills: int = 5,
    women: int = 16,
    rate: float = 8.0,
    outage: float = 0.0,
    settle: float = 90.0,
) -> Outcome:
    """`rate` messages a second in all, for as long as the kills take; then everything must arrive."""
    outcome = Outcome()
    proxy = None
    bot_url = url
    if outage:
        parsed = make_url(url)
        proxy = Proxy(parsed.host or "127.0.0.1", parsed.port or 5432)
        await proxy.mend()
        bot_url = str(parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    async with FakeBotAPI() as api:
        people = [api.user(f"W{n}", "en") for n in range(women)]
        partner = {p.id: people[n + 1 if n % 2 == 0 else n - 1] for n, p in enumerate(people)}
        await pairs(url, people)
        port = free_port()
        log = (tmp / f"crash-{mode}.log").open("ab")

        async def start() -> asyncio.subprocess.Process:
            return await spawn(mode, bot_url, api, port, log)

        sent: Counter[int] = Counter()
        stop_load = asyncio.Event()

        async def load() -> None:
            rng = random.Random(7)
            while not stop_load.is_set():
                woman = rng.choice(people)
                sent[woman.id] += 1
                api.push_text(woman, f"m{woman.id}-{sent[woman.id]}")
                outcome.messages += 1
                await asyncio.sleep(rng.expovariate(rate))

        began = time.monotonic()
        process = await start()
        loader = asyncio.create_task(load())
        rng = random.Random(11)
        try:
            for n in range(max(kills, 1 if outage else 0)):
                await asyncio.sleep(rng.uniform(0.5, 3.0))
                if proxy is not None and n == kills // 2:
                    await ready(port)  # the outage meets a running bot, not one that is starting
                    await asyncio.sleep(1.0)
                    await proxy.cut()  # the database is gone for a while, under load, with no kill meanwhile
                    await asyncio.sleep(outage)
                    await proxy.mend()
                    await asyncio.sleep(rng.uniform(0.5, 2.0))
                if n >= kills:
                    break
                if process.returncode is not None:
                    outcome.notes.append(f"the bot stopped by itself with code {process.returncode}")
                else:
                    process.send_signal(signal.SIGKILL)
                    await process.wait()
                    outcome.kills += 1
                process = await start()
            stop_load.set()
            await loader

            def arrived() -> bool:
                return all(copies(api, partner[p.id]) >= set(range(1, sent[p.id] + 1)) for p in people) and all(
                    confirmations(api, p) >= sent[p.id] for p in people
                )

            with contextlib.suppress(AssertionError):
                await api.wait_for(arrived, "every message", within=settle)
            await asyncio.sleep(1.0)  # anything doubled arrives now or not at all
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), 15)
            if process.returncode is None:
                process.kill()
                await process.wait()
            if proxy is not None:
                await proxy.cut()
        outcome.seconds = time.monotonic() - began
        for p in people:
            got = Counter(n for n in copy_numbers(api, partner[p.id]))
            outcome.lost += sum(1 for k in range(1, sent[p.id] + 1) if got[k] == 0)
            doubled = sum(c - 1 for c in got.values() if c > 1)
            extra_ok = max(confirmations(api, p) - sent[p.id], 0)
            outcome.handled_twice += min(doubled, extra_ok)
            outcome.sent_twice += doubled + extra_ok - min(doubled, extra_ok)
            outcome.replies_lost += max(sent[p.id] - confirmations(api, p), 0)
            outcome.apologies += sum("Sorry" in m.text for m in api.history(p))
    return outcome


async def ready(port: int, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as client:
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError):
                async with client.get(f"http://127.0.0.1:{port}/readyz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise AssertionError("the bot did not become ready")


def copy_numbers(api: FakeBotAPI, receiver: FakeUser) -> list[int]:
    numbers = []
    for shown in api.history(receiver):
        if (match := COPY.match(shown.text)) is not None:
            numbers.append(int(match.group(1).split("-")[1]))
    return numbers


def copies(api: FakeBotAPI, receiver: FakeUser) -> set[int]:
    return set(copy_numbers(api, receiver))


def confirmations(api: FakeBotAPI, woman: FakeUser) -> int:
    return sum(shown.text.startswith(SENT) for shown in api.history(woman))
