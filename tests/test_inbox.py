"""Nothing lost, nothing handled twice: each guarantee of the inbox -> step -> outbox path, tried by breaking it.

Real processes are killed with SIGKILL under load; PostgreSQL is cut off behind a TCP proxy; a second poller is
started beside the first; webhook requests come without their secret; SIGTERM must end a process in time.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.telegram.app import Webhook
from conversations.commands import ROLE_HELP
from conversations.kernel.engine import Engine
from conversations.kernel.i18n import Translator
from conversations.kernel.messages import Reply, UserRef
from storage import outbox, repo
from storage.db import make_engine, migrate, sessionmaker
from storage.models import InboxUpdate, ProcessedUpdate
from storage.process_lock import ProcessLock
from tests import crashload
from tests.crashload import Proxy, free_port, ready, spawn
from tests.fakebotapi import FakeBotAPI, Limits, visible_text
from tests.running import running

ROOT = Path(__file__).resolve().parents[1]
GREETING = Translator("en")._(
    "Welcome to Mentornet! 🌱 We bring together women who are new in Denmark and women who know "
    "Danish working life.\n\nWhich language would you like to use?"
)
SORRY = "Sorry"


def url_of(db: AsyncEngine) -> str:
    return db.url.render_as_string(hide_password=False)


def postgres_only(db: AsyncEngine) -> None:
    if db.dialect.name != "postgresql":
        pytest.skip("cutting the database off needs a network connection to it: PostgreSQL")


@pytest.fixture
async def cut_off(db_engine: AsyncEngine) -> AsyncIterator[tuple[Proxy, async_sessionmaker]]:
    """The database behind a proxy that can be cut, and sessions that go through it."""
    postgres_only(db_engine)
    url = make_url(url_of(db_engine))
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.mend()
    through = make_engine(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    yield proxy, sessionmaker(through)
    await proxy.cut()
    await through.dispose()


async def inbox_rows(sessions: async_sessionmaker) -> int:
    async with sessions() as session:
        return (await session.execute(select(func.count()).select_from(InboxUpdate))).scalar_one()


# -- killed under load ------------------------------------------------------------------------------------


async def test_killing_the_bot_under_load_loses_nothing_and_handles_nothing_twice(
    db_engine: AsyncEngine, tmp_path: Path
) -> None:
    """A real `python -m bot polling`, killed with SIGKILL five times while sixteen women relay numbered messages:
    every message reaches her partner, every sender gets her "✓ Sent", none runs twice, nobody gets an apology."""
    outcome = await crashload.run(url_of(db_engine), tmp_path, mode="polling", kills=5)
    assert outcome.kills == 5 and outcome.messages > 20, outcome
    assert outcome.clean, outcome
    assert outcome.sent_twice <= outcome.kills, outcome  # at most the one on the wire at each kill


async def test_killing_webhook_instances_under_load_loses_nothing(db_engine: AsyncEngine, tmp_path: Path) -> None:
    postgres_only(db_engine)
    outcome = await crashload.run(url_of(db_engine), tmp_path, mode="webhook", kills=5)
    assert outcome.kills == 5 and outcome.clean, outcome
    assert outcome.sent_twice <= outcome.kills, outcome


async def test_a_database_outage_under_load_loses_nothing(db_engine: AsyncEngine, tmp_path: Path) -> None:
    """PostgreSQL unreachable for ten seconds while women keep writing: no apology, and once it is back every
    message is answered, once: what went out while the database was away is not sent again."""
    postgres_only(db_engine)
    outcome = await crashload.run(url_of(db_engine), tmp_path, mode="polling", kills=0, outage=10.0)
    assert outcome.messages > 80 and outcome.clean, outcome
    assert outcome.sent_twice == 0, outcome


async def test_an_answer_committed_but_not_sent_when_killed_arrives_after_the_restart(
    db_engine: AsyncEngine, tmp_path: Path
) -> None:
    """Killed while its answer is on the wire: the step is saved and the answer recorded, so the next process
    sends it, exactly once, and does not run the step again."""
    async with FakeBotAPI() as api:
        amina = api.user("Amina", "en")
        port = free_port()
        log = (tmp_path / "bot.log").open("ab")
        api.hold_send(after=0)
        first = await spawn("polling", url_of(db_engine), api, port, log)
        api.push_text(amina, "/start")
        await asyncio.wait_for(api.holding.wait(), 60)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        await api.wait_for(lambda: api.held_sender_gone, "the killed process's connection to close")
        api.let_go()
        second = await spawn("polling", url_of(db_engine), api, port, log)
        try:
            await api.wait_for(lambda: api.last(amina) is not None, "the greeting", within=60)
            await asyncio.sleep(1.0)
            assert [m.text for m in api.history(amina)] == [visible_text(GREETING)]
        finally:
            second.send_signal(signal.SIGTERM)
            await asyncio.wait_for(second.wait(), 15)


# -- the database away ------------------------------------------------------------------------------------


async def test_updates_are_confirmed_only_once_stored_and_wait_out_an_outage(
    cut_off: tuple[Proxy, async_sessionmaker],
) -> None:
    proxy, sessions = cut_off
    engine = Engine(sessions)
    async with FakeBotAPI() as api, running(engine, api, clock=False, host="127.0.0.1", port=0) as service:
        amina = api.user("Amina", "en")
        await proxy.cut()
        for text in ("/start", "hello", "/help"):
            api.push_text(amina, text)
        await asyncio.sleep(3)
        assert api.pending_updates == 3, "nothing may be confirmed while it cannot be stored"
        assert api.history(amina) == [], "and nobody is told anything meanwhile, no apology either"
        host, port = service.address  # type: ignore[misc]
        async with aiohttp.ClientSession() as client, client.get(f"http://{host}:{port}/readyz") as response:
            assert response.status == 503
        await proxy.mend()
        await api.wait_for(lambda: api.pending_updates == 0 and len(api.history(amina)) >= 3, "the answers", 30)
        await asyncio.sleep(0.5)
        texts = [m.text for m in api.history(amina)]
        assert texts[0] == visible_text(GREETING)
        assert not any(SORRY in t for t in texts)
        assert await inbox_rows(sessions) == 0


async def test_the_offset_moves_only_past_what_is_stored(tmp_path: Path) -> None:
    """The poller holds its lock, but the database refuses to store (another writer holds SQLite's write lock):
    Telegram is not told the updates arrived, so it keeps them; once storing works they are answered, once."""
    path = tmp_path / "bot.db"
    db = make_engine(f"sqlite:///{path}", busy_timeout=0.5)
    await migrate(db)
    engine = Engine(sessionmaker(db))
    blocker = make_engine(f"sqlite:///{path}")
    async with FakeBotAPI() as api, running(engine, api, clock=False, poll_timeout=1):
        amina = api.user("Amina", "en")
        async with blocker.begin():  # BEGIN IMMEDIATE: the write lock, held
            for text_ in ("/start", "hello", "/help"):
                api.push_text(amina, text_)
            await api.wait_for(lambda: len(api.calls_to("getUpdates")) > 3, "the poller to try")
            await asyncio.sleep(2)
            assert api.pending_updates == 3, "nothing may be confirmed that is not stored"
            assert api.history(amina) == []
        await api.wait_for(lambda: api.pending_updates == 0 and len(api.history(amina)) >= 3, "the answers", 30)
        await asyncio.sleep(0.5)
        texts = [m.text for m in api.history(amina)]
        assert texts[0] == visible_text(GREETING) and not any(SORRY in t for t in texts)
    async with sessionmaker(db)() as session:
        assert (await session.execute(select(func.count()).select_from(ProcessedUpdate))).scalar_one() == 3
    assert await inbox_rows(sessionmaker(db)) == 0
    await blocker.dispose()
    await db.dispose()


async def test_a_sender_that_lost_its_lock_knows_it_and_another_may_take_it(db_engine: AsyncEngine) -> None:
    first = ProcessLock(db_engine, "sender")
    assert await first.acquire(asyncio.Event())
    assert await first.held()
    second = ProcessLock(db_engine, "sender")
    assert not await second._try()
    if db_engine.dialect.name == "postgresql":
        # The connection that carried the advisory lock breaks, as in an outage.
        async with db_engine.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"))
    else:
        os.remove(f"{db_engine.url.database}.sender-lock")  # the lock file replaced under it
    assert not await first.held(), "the fence: the old holder must hear that it lost the lock"
    assert await second._try()
    await first.release()
    await second.release()


# -- webhook ----------------------------------------------------------------------------------------------


async def test_webhook_requires_the_secret_stores_before_200_and_answers_503_when_it_cannot(
    cut_off: tuple[Proxy, async_sessionmaker],
) -> None:
    proxy, sessions = cut_off
    engine = Engine(sessions)
    port = free_port()
    hook = Webhook(f"http://127.0.0.1:{port}/telegram", "s3cret-token")
    async with FakeBotAPI() as api:
        amina = api.user("Amina", "en")
        update = {"update_id": 900, "message": {"message_id": 1, "date": 0, "chat": {"id": amina.chat_id, "type": "private"}, "from": amina.as_json(), "text": "hello"}}  # fmt: skip
        async with running(engine, api, webhook=hook, host="127.0.0.1", port=port, clock=False):
            assert api.webhook_url == hook.url and api.webhook_secret == hook.secret
            async with aiohttp.ClientSession() as client:
                for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                    async with client.post(hook.url, json=update, headers=headers) as response:
                        assert response.status == 401
                assert await inbox_rows(sessions) == 0 and api.history(amina) == []
                await proxy.cut()
                good = {"X-Telegram-Bot-Api-Secret-Token": hook.secret}
                async with client.post(hook.url, json=update, headers=good) as response:
                    assert response.status == 503, "not stored: Telegram must send it again"
                await proxy.mend()
                async with client.post(hook.url, json=update, headers=good) as response:
                    assert response.status == 200
            await api.wait_for(lambda: api.last(amina) is not None, "the answer")
            # Through Telegram itself: updates pushed to the fake are posted to the webhook with the secret.
            api.push_text(amina, "/help")
            await api.wait_for(lambda: len(api.history(amina)) >= 2, "the answer to the posted update")
        assert api.calls_to("setWebhook")[0].params.get("drop_pending_updates") in (None, False, "false")


# -- one poller, and a clean stop -------------------------------------------------------------------------


async def test_a_second_poller_on_the_same_database_waits_instead_of_fighting(
    sessions: async_sessionmaker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="storage.process_lock")
    async with FakeBotAPI() as api:
        amina = api.user("Amina", "en")
        async with running(Engine(sessions), api, clock=False, poll_timeout=1):
            async with running(Engine(sessions), api, clock=False, poll_timeout=1):
                waits = "another process polls this bot on the same database"
                await api.wait_for(lambda: waits in caplog.text, "one of the two to wait", 30)
                api.push_text(amina, "/start")
                await api.wait_for(lambda: api.last(amina) is not None, "the greeting", 30)
                await asyncio.sleep(2.5)  # long enough for two pollers to have met
                conflicts = [(c.method, c.description) for c in api.calls if c.status == 409]
                assert conflicts == [], conflicts
        # Both stopped; a new one takes over at once.
        async with running(Engine(sessions), api, clock=False, poll_timeout=1):
            api.push_text(amina, "/help")
            # The answer is two messages (the help, then her open question again), so wait for the help itself:
            # a count of exactly two could be missed between the two sends.
            helps = Translator("en")._(ROLE_HELP[None])
            await api.wait_for(lambda: any(helps in m.text for m in api.history(amina)), "the answer", 30)


async def test_sigterm_finishes_the_work_in_flight_and_exits_within_ten_seconds(
    db_engine: AsyncEngine, tmp_path: Path
) -> None:
    async with FakeBotAPI() as api:
        women = [api.user(f"W{n}", "en") for n in range(10)]
        port = free_port()
        log = (tmp_path / "bot.log").open("ab")
        process = await spawn("polling", url_of(db_engine), api, port, log)
        await ready(port)
        for woman in women:
            api.push_text(woman, "/start")
        await api.wait_for(lambda: api.pending_updates == 0, "the updates to be taken")
        began = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 15)
        assert code == 0 and time.monotonic() - began < 10
        # Whatever was taken is answered (by this process before it left, or by the next from the outbox).
        process = await spawn("polling", url_of(db_engine), api, port, log)
        try:
            await api.wait_for(lambda: all(api.last(w) is not None for w in women), "every greeting", 60)
            await asyncio.sleep(0.5)
            assert all(len(api.history(w)) == 1 for w in women)
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 15)


# -- one budget, answers first ----------------------------------------------------------------------------


async def test_an_answer_overtakes_a_running_broadcast_within_the_bot_limit(sessions: async_sessionmaker) -> None:
    engine = Engine(sessions)
    async with FakeBotAPI(limits=Limits()) as api:
        women = [api.user(f"W{n}", "en") for n in range(90)]
        amina = api.user("Amina", "en")
        async with sessions() as session, session.begin():
            for woman in women:
                await repo.create_user(session, "telegram", str(woman.id), str(woman.chat_id), "en", "mentee")
                ref = UserRef("telegram", str(woman.id), str(woman.chat_id))
                outbox.enqueue(session, Reply("Intro course on Monday", to=ref), engine.clock())
        async with running(engine, api, clock=False):
            await api.wait_for(lambda: sum(len(api.history(w)) for w in women) >= 10, "the broadcast to begin")
            asked = time.monotonic()
            api.push_text(amina, "/start")
            await api.wait_for(lambda: api.last(amina) is not None, "her answer")
            waited = time.monotonic() - asked
            still_to_go = sum(len(api.history(w)) == 0 for w in women)
            await api.wait_for(lambda: all(api.history(w) for w in women), "the rest of the broadcast", 20)
        assert still_to_go > 20, "she was answered while the broadcast was still going"
        assert waited < 1.5, f"she waited {waited:.2f} s"
        assert api.limits is not None and api.limits.refused == 0, "answers and broadcast share one budget"


# -- an operator's mistakes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"BOT_TOKEN": "12345:short"}, "BOT_TOKEN"),
        ({"TELEGRAM_API_BASE": "api.telegram.org"}, "TELEGRAM_API_BASE"),
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "DATABASE_URL"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"LOG_LEVEL": "chatty"}, "LOG_LEVEL"),
        ({"COORDINATOR_IDS": "12345, Karen"}, "COORDINATOR_IDS"),
        ({"PORT": "eighty"}, "PORT"),
        ({"WEBHOOK_URL": "https://bot.example.org/tg"}, "WEBHOOK_SECRET"),
    ],
)
def test_a_wrong_setting_ends_with_one_line_and_code_2(env: dict[str, str], names: str, tmp_path: Path) -> None:
    token = "123456789:AAHsecretsecretsecretsecretsecret0"
    base = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "DATABASE_URL", "WEBHOOK_URL")}
    full = {**base, "BOT_TOKEN": token, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **env}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "polling"], cwd=tmp_path, env={**full, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and names in lines[0] and "Traceback" not in result.stderr, result.stderr
    assert "secretsecret" not in result.stderr + result.stdout
