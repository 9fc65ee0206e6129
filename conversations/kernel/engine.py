"""Load state -> run one step -> save state -> replies. The only place that opens transactions for a chat."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import weakref
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm.attributes import flag_modified

# Importing the flow modules registers their steps.
from conversations import broadcasts, commands, language, onboarding, privacy, profile, requests, staying  # noqa: F401
from conversations.kernel import door, nudges
from conversations.kernel.flow import ACTIONS, Context, Privacy, ref_of, stale, step_for
from conversations.kernel.i18n import N_, Translator, pick_locale
from conversations.kernel.limits import rules
from conversations.kernel.messages import Inbound, Kind, Reply
from storage import inbox, outbox, repo, retention
from storage.conversation_upgrade import upgrade
from storage.db import is_transient
from storage.logsafe import withheld
from storage.models import Conversation, User, utcnow

log = logging.getLogger(__name__)
APOLOGY = N_("Sorry, something went wrong on my side. Please try again in a moment.")
Deliver = Callable[[list[Reply]], Awaitable[None]]
Send = Callable[[Reply], Awaitable[None]]  # one answer on its way; raises when it could not go


class Unreachable(Exception):
    """Raised by a Send for one answer that cannot reach its chat (no such chat on the platform, or she blocked
    the bot): the answers after it still go, and the paced sender records how this one ended."""


class Engine:
    def __init__(
        self,
        sessions: async_sessionmaker,
        coordinator_ids: Iterable[str] = (),
        clock: Callable[[], datetime] = utcnow,
        join_link: Callable[[str], str] = lambda code: f"/start {code}",
        limits: Mapping[str, tuple[int | None, float | None]] | None = None,
        privacy: Privacy | None = None,
    ) -> None:
        self.join_link = join_link
        self.privacy = privacy or Privacy()
        self.limits = rules(limits)  # what the settings give, the defaults for the rest
        self.sessions = sessions
        self.coordinator_ids = frozenset(coordinator_ids)
        self.clock = clock
        # One lock per user: her updates run one at a time, different users run side by side.
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = weakref.WeakValueDictionary()
        # Outbox rows this process sent but could not yet delete (the database was away).
        self.unclosed: set[int] = set()
        self._closer: asyncio.Task[None] | None = None

    @property
    def database(self) -> AsyncEngine:
        return self.sessions.kw["bind"]

    def _lock(self, platform: str, user_id: str) -> asyncio.Lock:
        key = (platform, user_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    async def handle(self, inbound: Inbound, send: Send | None = None) -> list[Reply]:
        """Run one inbound that did not come through the inbox (the console, tests). With `send`, its answers are
        recorded with the step and sent while her lock is held, so they keep their order; without, the caller
        shows what is returned, in the same process, so there is nothing to record."""
        record = send is not None
        async with self._lock(inbound.user.platform, inbound.user.user_id):
            try:
                async with self.sessions() as session, session.begin():
                    turn = await self._step(session, inbound, None, record=record)
            except Exception:
                # The transaction rolled back, so her answers so far are intact; tell her instead of going silent.
                log.error("update %s (%s) failed in its step", inbound.update_id, inbound.kind, exc_info=withheld())
                turn = await self._recover(inbound, None, record=record)
            await self._deliver(turn, send)
            return turn.replies

    async def handle_queued(self, platform: str, user_key: str, send: Send | None) -> tuple[Inbound, bool] | None:
        """Take the head of her inbox queue and run it; returns what it was and whether more of hers waits, or
        None when there is nothing this process can take.

        The row is deleted in the step's own transaction. When the database cannot be reached the error goes up
        and the row stays, to be taken again: no apology is sent for a message that will still be answered.
        """
        async with self._lock(platform, user_key):
            taken = None
            try:
                async with self.sessions() as session, session.begin():
                    taken = await inbox.take(session, platform, user_key)
                    if taken is None:
                        return None
                    try:
                        inbound = Inbound.from_payload(taken.payload)
                    except (KeyError, TypeError, ValueError):
                        # A row no step can read would otherwise be taken again for ever and hold up her queue.
                        log.error("inbox row %s cannot be read as an update; dropped", taken.id)
                        await inbox.done(session, taken.id)
                        return None
                    turn = await self._step(session, inbound, taken.id)
            except Exception as exc:
                if taken is None or is_transient(exc):
                    raise
                log.error(
                    "update %s (%s) failed in its step, inbox row %s",
                    taken.payload.get("update_id"), taken.payload.get("kind"), taken.id, exc_info=withheld(exc),
                )  # fmt: skip
                turn = await self._recover(inbound, taken.id)
            await self._deliver(turn, send)
            return inbound, taken.more

    async def _deliver(self, turn: Turn, send: Send | None) -> None:
        """The fast path: send each answer and delete its row as soon as it is out, so a process killed half way
        leaves in doubt only the one answer that was on the wire. What could not go is released to the paced
        sender; if this process dies first, the sender takes it when its short lease ends."""
        if not turn.ids:
            return
        if send is None:  # the caller shows them: they are out
            await self._close(turn.ids, [])
            return
        for n, (reply, row_id) in enumerate(zip(turn.addressed, turn.ids, strict=True)):
            try:
                await send(reply)
            except Unreachable:
                await self._close([], [row_id])  # one chat out of reach must not hold up the others
                continue
            except Exception as exc:
                log.info("direct answer %s could not be sent now (%s); the sender takes it", row_id, type(exc).__name__)
                await self._close([], turn.ids[n:])
                return
            await self._close([row_id], [])

    async def _close(self, sent: list[int], unsent: list[int]) -> None:
        try:
            async with self.database.begin() as conn:
                await outbox.delivered(conn, sent)
                await outbox.release_ids(conn, unsent)
        except Exception as exc:
            if not is_transient(exc):
                raise
            # The database went away between the send and this: remember what went out, so this process's
            # sender does not send it again, and close the rows once the database is back.
            self.unclosed.update(sent)
            if self._closer is None or self._closer.done():
                self._closer = asyncio.create_task(self._close_unclosed())

    async def _close_unclosed(self) -> None:
        # Often, not with a growing pause: until these rows are gone, a kill would send them all again.
        while True:
            await asyncio.sleep(0.25)
            ids = sorted(self.unclosed)
            try:
                async with self.database.begin() as conn:
                    await outbox.delivered(conn, ids)
            except Exception as exc:
                if not is_transient(exc):
                    log.warning("could not close %s sent answers; they may be sent once more", len(ids))
                    self.unclosed.difference_update(ids)
                    return
                continue
            self.unclosed.difference_update(ids)
            if not self.unclosed:
                return

    async def _recover(self, inbound: Inbound, row_id: int | None, record: bool = True) -> Turn:
        """After a failed step: an apology the first time; the second time in a row, the flow on top is dropped,
        she is told so kindly and gets the question underneath, so no broken step can hold her for ever.
        Her inbox row goes in the same transaction: the update has had its answer."""
        try:
            async with self.sessions() as session, session.begin():
                if row_id is not None:
                    await inbox.done(session, row_id)
                replies = await self._recovery(session, inbound)
                return await self._record(session, inbound, replies) if record else Turn(replies, [], [])
        except Exception:
            log.error("could not recover after update %s (%s)", inbound.update_id, inbound.kind, exc_info=withheld())
            return Turn([Reply(await self._apology(inbound))], [], [])

    async def _recovery(self, session: AsyncSession, inbound: Inbound) -> list[Reply]:
        ref = inbound.user
        user, conv = await repo.user_and_conversation(session, ref.platform, ref.user_id)
        if user is None or conv is None:
            return [Reply(Translator(pick_locale(inbound.locale_hint))._(APOLOGY))]
        ctx = self._context(session, user, conv, inbound)
        failures = ctx.data.get("failures", 0) + 1
        # The failure's own line could not name her: her row was read in the transaction that was rolled back.
        log.warning("update %s (%s) of user %s failed, %s in a row", inbound.update_id, inbound.kind, user.id, failures)
        if failures < 2:
            ctx.data["failures"] = failures
            self._save(ctx)
            return [Reply(ctx._(APOLOGY))]
        ctx.data.pop("failures", None)
        ctx.say(ctx._("Sorry, that did not work. I have closed it; let us go on from here."))
        try:
            async with session.begin_nested():
                if len(ctx.stack) > 1:
                    await ctx.cancel()
                else:
                    ctx.restart(safe_step(user))
                    await ctx.prompt()
        except Exception:
            log.error(
                "update %s (%s) of user %s: the question underneath failed too; back to the start",
                inbound.update_id, inbound.kind, user.id, exc_info=withheld(),
            )  # fmt: skip
            ctx.replies = ctx.replies[:1]
            ctx.restart(safe_step(user))
        self._save(ctx)
        return ctx.replies

    def _context(self, session: AsyncSession, user: User, conv: Conversation, inbound: Inbound) -> Context:
        data = upgrade(conv.step, conv.data)  # a copy: a failed step must not leave changes in memory
        conv.step = data["stack"][-1]["step"]
        return Context(
            session=session,
            user=user,
            conv=conv,
            inbound=inbound,
            now=self.clock(),
            t=Translator(user.locale or pick_locale(inbound.locale_hint)),
            data=data,
            join_link=self.join_link,
            limits=self.limits,
            privacy=self.privacy,
        )

    @staticmethod
    def _save(ctx: Context) -> None:
        ctx.conv.step = ctx.step  # the column mirrors the top frame, for queries and a quick look
        ctx.conv.data = ctx.data  # already a copy of what was loaded (see `_context`)
        flag_modified(ctx.conv, "data")

    async def _apology(self, inbound: Inbound) -> str:
        locale = pick_locale(inbound.locale_hint)
        try:
            async with self.sessions() as session:
                user, _ = await repo.user_and_conversation(
                    session, inbound.user.platform, inbound.user.user_id, lock=False
                )
                locale = (user and user.locale) or locale
        except Exception:
            log.error(
                "could not read the locale for update %s (%s)", inbound.update_id, inbound.kind, exc_info=withheld()
            )
        return Translator(locale)._(APOLOGY)

    async def receive(self, platform: str, updates: list[inbox.Stored], blocked: dict[str, bool]) -> None:
        """Store what an adapter received, in one transaction; only after it commits may the platform be told.
        `blocked`: women who blocked (True) or unblocked (False) the bot, by their id on the platform."""
        async with self.database.begin() as conn:
            now = self.clock()
            await inbox.store(conn, platform, updates, now)
            for user_id, is_blocked in blocked.items():
                await repo.mark_blocked(conn, platform, user_id, now if is_blocked else None)

    async def inbox_heads(self, limit: int, skip: Iterable[tuple[str, str]] = ()) -> list[tuple[str, str]]:
        async with self.sessions() as session:
            return await inbox.heads(session, limit, skip)

    async def backlog(self) -> dict[str, inbox.Backlog]:
        async with self.sessions() as session:
            return await inbox.backlog(session, self.clock())

    async def release_direct(self) -> int:
        """For the one process that handles updates (polling): direct answers left leased are from a process that
        is gone, and go now instead of when their lease ends."""
        async with self.sessions() as session, session.begin():
            return await outbox.release_leases(session, urgent=True)

    async def tick(self) -> int:
        """Turn due work (request reminders and expiry, nudges) into outbox messages, in one transaction; once a
        day, in its own, the retention job (storage/retention.py)."""
        async with self.sessions() as session, session.begin():
            now = self.clock()
            await repo.prune_updates(session, now)
            replies = await requests.tick(session, now) + await nudges.tick(session, now)
            for reply in replies:
                outbox.enqueue(session, reply, now)
        # Its own transaction: a failure here must not hold up reminders; the claim rolls back and it runs again.
        async with self.sessions() as session, session.begin():
            if await retention.claim_daily(session, "retention", now):
                kept = await self._retention(session, now)
                for reply in kept:
                    outbox.enqueue(session, reply, now)
                replies += kept
        return len(replies)

    async def _retention(self, session: AsyncSession, now: datetime) -> list[Reply]:
        """The daily job of storage/retention.py; each deletion goes through the same steps as her own /delete."""
        policy = self.privacy.retention
        await retention.empty_old_messages(session, policy, now)
        await retention.prune_audit(session, now)
        replies = [staying.question(user, now) for user in await retention.to_ask(session, policy, now)]
        leaving = await retention.to_delete(session, policy, now) + await retention.to_purge(session, policy, now)
        for user in leaving[: retention.MOST_PER_DAY]:  # the rest tomorrow: one day's work stays a short transaction
            try:
                async with session.begin_nested():  # one woman's failure leaves the others' deletions standing
                    conv = await session.get(Conversation, user.id)
                    conv = conv or Conversation(user_id=user.id, step="language", data={})
                    ctx = self._context(session, user, conv, Inbound(ref_of(user), Kind.ACK))
                    await privacy.erase_account(ctx)
            except Exception:
                log.error("retention could not delete user %s", user.id, exc_info=withheld())
                continue
            replies += [reply for reply in ctx.replies if reply.to is not None]  # none to her: she is gone
        return replies

    async def lease_outbox(self, limit: int) -> list[tuple[int, Reply]]:
        async with self.sessions() as session, session.begin():
            return await outbox.lease(session, self.clock(), limit)

    async def finish_outbox(self, row_id: int, outcome: str) -> None:
        async with self.sessions() as session, session.begin():
            await outbox.finish(session, row_id, outcome, self.clock())

    async def release_outbox(self) -> int:
        async with self.sessions() as session, session.begin():
            return await outbox.release_leases(session, urgent=False)

    async def broadcast_progress(self) -> list[Reply]:
        """Edits of coordinators' progress messages that are due now (the final reports go to the outbox)."""
        async with self.sessions() as session, session.begin():
            return await broadcasts.progress(session, self.clock())

    async def drain(self, deliver: Deliver) -> list[Reply]:
        """Send what waits in the outbox: leased first, marked sent after delivery."""
        async with self.sessions() as session, session.begin():
            taken = await outbox.lease(session, self.clock())
        if not taken:
            return []
        replies = [reply for _, reply in taken]
        await deliver(replies)
        async with self.sessions() as session, session.begin():
            await outbox.mark_sent(session, [row_id for row_id, _ in taken], self.clock())
        return replies

    async def set_blocked(self, platform: str, user_id: str, blocked: bool) -> None:
        """She blocked (or unblocked) the bot. Under her lock, so it cannot interleave with her own messages."""
        async with self._lock(platform, user_id), self.sessions() as session, session.begin():
            await repo.mark_blocked(session, platform, user_id, self.clock() if blocked else None)

    async def _step(self, session: AsyncSession, inbound: Inbound, row_id: int | None, record: bool = True) -> Turn:
        ref = inbound.user
        if row_id is not None:
            await inbox.done(session, row_id)
        if inbound.kind is Kind.ACK:
            return Turn([], [], [])
        if inbound.update_id is not None and not await repo.claim_update(
            session, ref.platform, inbound.update_id, self.clock()
        ):
            log.info("duplicate update %s (%s) ignored", inbound.update_id, inbound.kind)
            return Turn([], [], [])
        user, conv = await repo.user_and_conversation(session, ref.platform, ref.user_id)
        if user is None or conv is None:
            role = "coordinator" if ref.user_id in self.coordinator_ids else None
            user, conv = await repo.create_user(
                session, ref.platform, ref.user_id, ref.chat_id, pick_locale(inbound.locale_hint), role
            )
        user.chat_id = ref.chat_id
        user.last_seen_at = self.clock()
        user.blocked_at = None  # she wrote to us, so she has not blocked the bot
        user.retention_asked_at = None  # and she is still with us
        ctx = self._context(session, user, conv, inbound)
        await dispatch(ctx)
        if not ctx.deleted:
            ctx.data.pop("failures", None)
            self._save(ctx)
        return await self._record(session, inbound, ctx.replies) if record else Turn(ctx.replies, [], [])

    async def _record(self, session: AsyncSession, inbound: Inbound, replies: list[Reply]) -> Turn:
        """Write the answers into the outbox in the step's transaction: a crash after the commit still sends them."""
        addressed = [addressed_to(reply, inbound) for reply in replies]
        ids = await outbox.enqueue_direct(session, addressed, self.clock())
        return Turn(replies, addressed, ids)


@dataclass(frozen=True)
class Turn:
    """What one step said: as the flows wrote it, as stored (every recipient and edit spelled out), and the
    outbox rows that hold it."""

    replies: list[Reply]
    addressed: list[Reply]
    ids: list[int]


def addressed_to(reply: Reply, inbound: Inbound) -> Reply:
    """A reply as the outbox keeps it: to her chat unless it names another, and an edit names its message."""
    replace = reply.replace
    if reply.edit and reply.to is None and inbound.message_id is not None:
        replace = inbound.message_id
    edit = reply.edit and reply.to is None and replace is not None
    return dataclasses.replace(reply, to=reply.to or inbound.user, replace=replace, edit=edit)


def safe_step(user: User) -> str:
    """Where the main flow starts over: the menu, or the beginning for someone not yet onboarded."""
    if user.onboarded_at:
        return "idle"
    return "privacy" if user.consent_at else "language"


async def dispatch(ctx: Context) -> None:
    inbound = ctx.inbound
    if inbound.kind is Kind.UNSUPPORTED:
        await commands.unsupported(ctx)
        return
    if door.unstorable(inbound.text):
        ctx.say(
            ctx._("I could not read that message: it has a character I cannot keep. Please send it again without it.")
        )
        return
    if inbound.kind is Kind.BUTTON and door.forged(inbound.payload):
        await stale(ctx)
        return
    if privacy.needs_asking_again(ctx) and ctx.flow != "notice" and inbound.command not in ("delete", "mydata"):
        await privacy.ask_again(ctx)
        return
    # /cancel sent again straight after a /cancel means more: leave every detour.
    if inbound.command == "cancel":
        ctx.data["cancels"] = ctx.data.get("cancels", 0) + 1
    else:
        ctx.data.pop("cancels", None)
    if inbound.kind is Kind.COMMAND:
        ctx.data.pop("paused", None)
        handler = commands.COMMANDS.get(inbound.command, commands.unknown)
        await handler(ctx)
        return
    if inbound.kind is Kind.BUTTON:
        await press(ctx, inbound.payload)
        return
    if ctx.data.pop("paused", None):
        ctx.say(ctx._("Welcome back! Let us continue where we stopped."))
        await ctx.prompt()
        return
    if inbound.kind is Kind.MEDIA and inbound.media is not None:
        await step_for(ctx).on_media(ctx, inbound.media, inbound.text)
        return
    await step_for(ctx).on_text(ctx, inbound.text)


async def press(ctx: Context, payload: str) -> None:
    """Buttons are `lang:<code>` (valid any time) or `<seq>:<value>` (valid while that question is open)."""
    head, _, value = payload.partition(":")
    if head == "lang":
        await language.choose_language(ctx, value)
    elif head in ACTIONS:
        await ACTIONS[head](ctx, value)
    elif head.isdigit() and int(head) == ctx.conv.seq and not ctx.data.get("paused"):
        await step_for(ctx).on_button(ctx, value)
    else:
        ctx.data.pop("paused", None)
        await stale(ctx)
