"""The log never holds what a woman wrote, her name, her username or her Telegram id, also when things break.

One woman onboards and writes to her mentor through the real Telegram adapter (the fake Bot API), with
everything logged at DEBUG through the process's own logging setup, while steps fail (with her text, her name and
her id in the exception, and database errors that quote values), Telegram refuses messages, her mentor blocks the
bot and the database goes away for a while. Then no private string may appear in the log output or in any record.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import sys
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from conversations.kernel import engine as engine_module
from conversations.kernel.engine import Engine
from conversations.kernel.flow import Context
from conversations.kernel.i18n import LANGUAGES, Translator
from conversations.kernel.messages import Inbound, Kind, Reply, UserRef
from conversations.privacy import NOTICE_VERSION
from storage import inbox, logsafe, outbox, repo
from storage.db import make_engine, sessionmaker
from storage.models import Mentorship, Outbox, User
from tests.conftest import COORDINATOR
from tests.crashload import Proxy
from tests.fakebotapi import Chat, FakeBotAPI, FakeUser
from tests.test_telegram import Telegram

NAME = "Zainab Qx7"
USERNAME = "zainab_qx7"
SECRET = "my secret phone +45 1234 5678"
HER_ID = 777000123  # in a private chat the chat id is the user's id
MENTOR_NAME = "Mette Vq4"
MENTOR_ID = 777000456
STRANGER_ID = 777000999  # a chat Telegram does not know
PRIVATE = (
    *(SECRET, "secret phone", "1234 5678", NAME, "Qx7", USERNAME, str(HER_ID)),
    *(MENTOR_NAME, "Vq4", "mette_vq4", str(MENTOR_ID), str(STRANGER_ID)),
)
WATCHED = ("bot", "conversations", "storage", "sqlalchemy", "aiogram")
OURS = ("bot", "conversations", "storage")

Outage = Callable[[], AbstractAsyncContextManager[None]]


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def captured() -> Iterator[tuple[io.StringIO, Records]]:
    """Everything logged, at DEBUG: as the process writes it (its own setup), and every record as it was made."""
    names = ("", *WATCHED, *logsafe.QUIET, "sqlalchemy.engine")
    levels = {name: logging.getLogger(name).level for name in names}
    hook = sys.excepthook
    stream = io.StringIO()
    handler = logsafe.configure(logging.DEBUG, stream)
    for name in WATCHED:
        logging.getLogger(name).setLevel(logging.DEBUG)
    # Every statement too, though the process keeps these off: their parameters must show as hidden. (At DEBUG
    # SQLAlchemy would add the rows it reads, which no setting hides.)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    records = Records()
    logging.getLogger().addHandler(records)
    try:
        yield stream, records
    finally:
        logging.getLogger().removeHandler(records)
        logging.getLogger().removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        sys.excepthook = hook


@pytest.fixture
async def database(db_engine: AsyncEngine) -> AsyncIterator[tuple[async_sessionmaker, Outage]]:
    """Sessions for the bot, and a way to take the database away: PostgreSQL behind a proxy that is cut, SQLite
    with its write lock held by another connection."""
    url = make_url(db_engine.url.render_as_string(hide_password=False))
    if db_engine.dialect.name == "postgresql":
        proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
        await proxy.mend()
        through = make_engine(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))

        @contextlib.asynccontextmanager
        async def cut() -> AsyncIterator[None]:
            await proxy.cut()
            try:
                yield
            finally:
                await proxy.mend()

        yield sessionmaker(through), cut
        await proxy.cut()
        await through.dispose()
        return
    path = url.database
    bot_db = make_engine(f"sqlite:///{path}", busy_timeout=1.0)
    blocker = make_engine(f"sqlite:///{path}")

    @contextlib.asynccontextmanager
    async def locked() -> AsyncIterator[None]:
        async with blocker.begin():  # BEGIN IMMEDIATE: the write lock, held
            yield

    yield sessionmaker(bot_db), locked
    await blocker.dispose()
    await bot_db.dispose()


def woman(api: FakeBotAPI, user_id: int, name: str, language: str, username: str) -> FakeUser:
    user = FakeUser(user_id, name, language, username)
    api.chats[user.chat_id] = Chat(user)
    return user


async def onboard(tg: Telegram, user: FakeUser, t: Translator) -> None:
    """A mentee's onboarding by hand: her name typed, her private text as the 'about you'."""
    await tg.send(user, "/start")
    await tg.tap(user, LANGUAGES[t.locale])
    await tg.tap(user, t._("I agree"))
    await tg.tap(user, t._("I want a mentor"))
    await tg.send(user, NAME)
    taps = [
        t._("Copenhagen area"),
        *(t._("Health"), t._("Done")),
        t._("Master's degree"),
        t._("2 to 5 years"),
        *(t.language_name("en"), t.language_name("ar"), t._("Done")),
        t._("A little"),
        *(t._("Job interviews"), t._("Done")),
    ]
    for title in taps:
        await tg.tap(user, title)
    await tg.send(user, SECRET)
    await tg.tap(user, t._("✅ Confirm"))


async def pair(sessions: async_sessionmaker, mentee: FakeUser, mentor: FakeUser) -> int:
    """Her mentor, who has not used the bot herself yet, and their mentorship; returns the mentee's users.id."""
    async with sessions() as session, session.begin():
        her = (
            await session.execute(select(User).where(User.platform == "telegram", User.external_id == str(mentee.id)))
        ).scalar_one()
        other, _ = await repo.create_user(session, "telegram", str(mentor.id), str(mentor.chat_id), "da", "mentor")
        when = datetime.now(UTC)
        other.first_name, other.consent_at, other.onboarded_at = MENTOR_NAME, when, when
        other.consent_version = NOTICE_VERSION
        await session.flush()
        session.add(Mentorship(mentor_id=other.id, mentee_id=her.id, status="active", started_at=when))
        return her.id


def failing_steps(dialect: str) -> Callable[[Context], Awaitable[None]]:
    """A step that breaks, each time in another way, and always with something of hers in the exception."""
    failures = iter(range(100))

    async def dispatch(ctx: Context) -> None:
        ref = ctx.inbound.user
        n = next(failures) % 4
        if n == 0:
            int(ctx.inbound.text)  # ValueError: invalid literal for int() with base 10: '<her text>'
        if n == 1:
            raise RuntimeError(f"cannot handle {ctx.inbound!r}")  # her text, name and ids
        if n == 2 and dialect == "postgresql":
            # asyncpg quotes a value it cannot convert, whatever SQLAlchemy hides.
            await ctx.session.execute(text("SELECT CAST(:v AS integer)"), {"v": ctx.inbound.text})
        # Her row once more, as two processes racing for a new woman would: the insert's values, and on
        # PostgreSQL `DETAIL: Key (platform, external_id)=(telegram, <her id>) already exists`.
        await repo.create_user(ctx.session, ref.platform, ref.user_id, ref.chat_id, "en", "mentee")
        await ctx.session.flush()

    return dispatch


async def sent_out(sessions: async_sessionmaker, rows: list[int]) -> bool:
    async with sessions() as session:
        query = select(Outbox.sent_at).where(Outbox.id.in_(rows))
        return all(sent is not None for sent in (await session.execute(query)).scalars())


async def test_the_log_holds_no_private_data_when_things_fail(
    database: tuple[async_sessionmaker, Outage],
    db_engine: AsyncEngine,
    captured: tuple[io.StringIO, Records],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sessions, outage = database
    stream, records = captured
    en = Translator("en")
    engine = Engine(sessions, coordinator_ids=[COORDINATOR])
    async with FakeBotAPI() as api:
        zainab = woman(api, HER_ID, NAME, "en", USERNAME)
        mette = woman(api, MENTOR_ID, MENTOR_NAME, "da", "mette_vq4")
        tg = Telegram(api, engine)
        await tg.start()
        try:
            # Onboarding, then a message through the relay: everything that goes well, at DEBUG.
            await onboard(tg, zainab, en)
            her_id = await pair(sessions, zainab, mette)
            await tg.send(zainab, "/write")
            await tg.send(zainab, SECRET)
            assert api.last(mette).text.endswith(SECRET)  # type: ignore[union-attr]

            # Steps that fail: an apology, then the flow closed, four times over.
            monkeypatch.setattr(engine_module, "dispatch", failing_steps(db_engine.dialect.name))
            failed = []
            for _ in range(4):
                failed.append(tg.api.push_text(zainab, SECRET)["update_id"])
                await tg.settle()
            # The same from outside the inbox (the console's way in).
            ref = UserRef("telegram", str(HER_ID), str(HER_ID))
            await engine.handle(Inbound(ref, Kind.TEXT, text=SECRET, display_name=NAME, locale_hint="en"))
            monkeypatch.undo()

            # Her mentor blocks the bot; what is relayed to her cannot be delivered.
            await tg.act(mette, lambda: api.block(mette))
            await tg.send(zainab, "/write")
            await tg.send(zainab, SECRET)
            async with sessions() as session:
                query = select(User.blocked_at).where(User.external_id == str(MENTOR_ID))
                assert (await session.execute(query)).scalar_one() is not None

            # Messages Telegram refuses: her name taken for markup (Telegram's reason quotes the tag), an edit
            # of the same, and a chat Telegram does not know.
            async with sessions() as session, session.begin():
                now = datetime.now(UTC)
                stranger = UserRef("telegram", str(STRANGER_ID), str(STRANGER_ID))
                for reply in (
                    Reply(f"<Qx7>{SECRET}</Qx7>", to=ref),
                    Reply(f"<Qx7>{SECRET}</Qx7>", to=ref, replace="999", edit=True),
                    Reply(SECRET, to=stranger),
                ):
                    outbox.enqueue(session, reply, now)
                await session.flush()
                waiting = await session.execute(select(Outbox.id).where(Outbox.sent_at.is_(None)))
                rows = list(waiting.scalars())
            for _ in range(500):
                if await sent_out(sessions, rows):
                    break
                await asyncio.sleep(0.02)
            assert await sent_out(sessions, rows), "the refused messages were given up"

            # The database goes away: one update already stored, one arriving, both wait and are answered after.
            seen = len(api.history(zainab))
            stored = Inbound(ref, Kind.TEXT, text=SECRET, display_name=NAME, locale_hint="en", update_id=10_000)
            await engine.receive("telegram", [inbox.Stored(10_000, str(HER_ID), stored.as_payload())], {})
            async with outage():
                api.push_text(zainab, SECRET)
                await asyncio.sleep(3)
            await api.wait_for(lambda: len(api.history(zainab)) >= seen + 2, "the answers after the outage", 60)
            await tg.settle()
        finally:
            await tg.service.stop()

    # It all happened, and the log says which update and whose, by the ids the bot gives.
    messages = [(r.name, r.levelno, str(r.msg), r.args) for r in records.records]
    step_failures = [args for name, _, msg, args in messages if "failed in its step" in msg]
    assert {args[0] for args in step_failures if isinstance(args, tuple)} >= set(failed), step_failures
    named = [args for _, _, msg, args in messages if msg.startswith("update %s (%s) of user %s failed")]
    assert {(str(args[1]), args[2]) for args in named if isinstance(args, tuple)} == {("text", her_id)}, named
    assert any(msg.startswith("outbox message %s failed") for _, _, msg, _ in messages)
    assert any("could not store" in msg or "unreachable" in msg for _, _, msg, _ in messages)

    # And nothing of hers: not in what the process writes, not in any record a handler could ship elsewhere.
    written = stream.getvalue()
    assert "Traceback" in written, "the failures were logged with their tracebacks"
    leaks = [word for word in PRIVATE if word.casefold() in written.casefold()]
    assert not leaks, f"the log output holds {leaks}:\n" + "\n".join(
        line for line in written.splitlines() if any(w.casefold() in line.casefold() for w in leaks)
    )
    for record in records.records:
        shown = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None and record.name.startswith(OURS):
            shown += "".join(traceback.format_exception(record.exc_info[1]))
        found = [word for word in PRIVATE if word.casefold() in shown.casefold()]
        assert not found, f"a record of {record.name} holds {found}: {shown}"
