"""/broadcast: a coordinator writes a message, picks who gets it, sees how many and a preview, and sends.

Every recipient is one outbox row tagged with the broadcast, so the paced sender does the sending, a restart
continues where it stopped, and the rows' outcomes are the progress the coordinator watches.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.kernel import audit
from conversations.kernel.flow import Context, Step, Voice, flow, ref_of, rows, stale, step, voice
from conversations.kernel.forms import draft, form
from conversations.kernel.i18n import LANGUAGES, N_
from conversations.kernel.messages import Reply, UserRef
from conversations.kernel.options import REGIONS, Option
from conversations.kernel.questions import TextQuestion
from conversations.vetting import is_coordinator
from storage import outbox
from storage.broadcasts import count, due_for_progress, outcomes, recent_events, recipients
from storage.companies import all_companies
from storage.models import Broadcast, User

TEXT_LIMIT = 3000
PROGRESS_EVERY = timedelta(seconds=3)  # an edit every few seconds reads as live without eating the chat's limit

ROLES = (Option("mentee", N_("Mentees")), Option("mentor", N_("Mentors")))
MENTORSHIP = (Option("yes", N_("In a mentorship now")), Option("no", N_("Not in a mentorship now")))
DIMENSIONS = (
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("role", N_("Role")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("lang", N_("Language")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("region", N_("Area")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("company", N_("Company")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("mentorship", N_("Mentorship")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("event", N_("Event")),
)


def message(view: Context | Voice, text: str) -> str:
    """What she receives: a line in her language saying who writes, the coordinator's words as written."""
    return (
        "📣 <b>"
        + view._("From the Mentornet team")
        + "</b>\n\n"
        + view.v(text)
        + "\n\n<i>"
        + view._("You can turn off announcements in /settings.")
        + "</i>"
    )


# -- the coordinator's steps -------------------------------------------------------------------------------


# Written exactly as it goes out; a line in each woman's language is put above it.
WRITE = N_(
    "Write the message. It goes out exactly as you write it, under a line in each woman's own "
    "language saying it is from the Mentornet team."
)
QUESTIONS = (TextQuestion("text", WRITE, WRITE, limit=TEXT_LIMIT, single_line=False),)
# The message, then who gets it, then the preview; the draft holds {"text", "segment", "picking"}.
BROADCAST_FORM = flow(
    "broadcast_form", "ask:text", "ask:", "bc_segment", "bc_preview",
    holds_answers=lambda state: "text" in state.get("draft", {}),
)  # fmt: skip
form("broadcast_form", QUESTIONS, done="bc_segment", back_out=True)


async def broadcast_command(ctx: Context) -> None:
    if not await is_coordinator(ctx):
        return
    await ctx.begin("broadcast_form", data={"draft": {"segment": {}}})


async def choices(ctx: Context, dimension: str) -> list[tuple[str, str]]:
    """(value, label) for one filter; the empty value means "no filter"."""
    if dimension == "role":
        options = [(o.code, ctx._(o.label)) for o in ROLES]
    elif dimension == "lang":
        options = list(LANGUAGES.items())
    elif dimension == "region":
        options = [(o.code, ctx._(o.label)) for o in REGIONS if o.code != "online"]
    elif dimension == "mentorship":
        options = [(o.code, ctx._(o.label)) for o in MENTORSHIP]
    elif dimension == "company":
        companies = (await all_companies(ctx.session))[:20]
        options = [(str(c.id), c.name) for c in companies]
    else:
        events = await recent_events(ctx.session, ctx.now)
        options = [(str(e.id), f"{e.title[:30]} · {ctx.t.date(e.starts_at)}") for e in events]
    # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
    return [("", ctx._("Everyone")), *options]


async def chosen(ctx: Context, dimension: str) -> str:
    value = draft(ctx)["segment"].get(dimension)
    if value is None:
        return ctx._("everyone")
    return next((title for code, title in await choices(ctx, dimension) if code == str(value)), "?")


@step
class BroadcastSegment(Step):
    """The filters, each a button showing its choice; the count follows every change."""

    name = "bc_segment"

    async def prompt(self, ctx: Context, edit: bool = False) -> None:
        picking = draft(ctx).get("picking")
        if picking:
            options = await choices(ctx, picking)
            # The filter travels with the value: company and event ids look alike.
            buttons = [ctx.button(title, f"set:{picking}:{code}") for code, title in options]
            title = next(ctx._(o.label) for o in DIMENSIONS if o.code == picking)
            (ctx.edit if edit else ctx.say)(f"<b>{title}</b>", rows(buttons, 2))
            return
        segment = draft(ctx)["segment"]
        lines = [ctx._("Who should receive it?"), ""]
        for dimension in DIMENSIONS:
            lines.append(ctx.t.label(ctx._(dimension.label), f"<b>{ctx.v(await chosen(ctx, dimension.code))}</b>"))
        total = await count(ctx.session, segment, ctx.user)
        lines += ["", ctx._("Recipients: {count}").format(count=total)]
        buttons = [ctx.button(ctx._(d.label), f"dim:{d.code}") for d in DIMENSIONS]
        (ctx.edit if edit else ctx.say)(
            "\n".join(lines),
            # NOTE: button, ≤ 30 characters
            [*rows(buttons, 3), [ctx.button(ctx._("See the preview"), "preview")], [ctx.button(ctx._("Back"), "quit")]],
        )

    async def on_button(self, ctx: Context, value: str) -> None:
        verb, _, arg = value.partition(":")
        picking = draft(ctx).get("picking")
        if verb == "dim" and arg in {d.code for d in DIMENSIONS} and not picking:
            draft(ctx)["picking"] = arg
            await self.prompt(ctx, edit=True)
        elif verb == "set" and picking and arg.partition(":")[0] == picking:
            await self.choose(ctx, picking, arg.partition(":")[2])
        elif value == "preview" and not picking:
            ctx.goto("bc_preview")
            await ctx.prompt()
        elif value == "quit" and not picking:
            ctx.goto("ask:text")
            await ctx.prompt()
        else:
            await stale(ctx)

    async def choose(self, ctx: Context, picking: str, arg: str) -> None:
        if arg not in {code for code, _ in await choices(ctx, picking)}:
            await stale(ctx)
            return
        segment = draft(ctx)["segment"]
        if arg:
            segment[picking] = int(arg) if picking in ("company", "event") else arg
        else:
            segment.pop(picking, None)
        draft(ctx).pop("picking")
        await self.prompt(ctx, edit=True)


@step
class BroadcastPreview(Step):
    name = "bc_preview"

    async def prompt(self, ctx: Context) -> None:
        total = await count(ctx.session, draft(ctx)["segment"], ctx.user)
        text = ctx._("This is how it arrives:") + "\n\n" + message(ctx, draft(ctx)["text"]) + "\n\n"
        buttons = []
        if total:
            text += ctx._("Recipients: {count}").format(count=total)
            # NOTE: button, ≤ 30 characters
            buttons.append([ctx.button(ctx._("📣 Send to {count}").format(count=total), "send")])
        else:
            text += ctx._("Nobody fits this choice yet. Change who should receive it.")
        # NOTE: button, ≤ 30 characters
        buttons += [[ctx.button(ctx._("Change who gets it"), "segment")], [ctx.button(ctx._("Back"), "quit")]]
        ctx.say(text, buttons)

    async def on_button(self, ctx: Context, value: str) -> None:
        if value == "send":
            await send(ctx)
        elif value in ("segment", "quit"):
            ctx.goto("bc_segment")
            await ctx.prompt()
        else:
            await stale(ctx)


async def send(ctx: Context) -> None:
    broadcast = await start(
        ctx.session, ctx.user, draft(ctx)["text"], draft(ctx)["segment"], ctx.inbound.message_id, ctx.now
    )
    if broadcast is None:
        await stale(ctx)
        return
    audit.log(ctx, "broadcast", f"broadcast:{broadcast.id}")
    ctx.edit(progress_text(ctx, broadcast, {}))
    await ctx.end()


async def start(
    session: AsyncSession, coordinator: User, text: str, segment: dict, progress_message: str | None, now: datetime
) -> Broadcast | None:
    """One outbox row per recipient, each in her language, all in the transaction that records the broadcast."""
    people = await recipients(session, segment, coordinator)
    if not people:
        return None
    broadcast = Broadcast(
        created_by=coordinator.id,
        text=text,
        segment=segment,
        total=len(people),
        created_at=now,
        progress_message=progress_message,
    )
    session.add(broadcast)
    await session.flush()
    framed: dict[str | None, str] = {}  # one rendering per language, not per woman
    for person in people:
        if person.locale not in framed:
            framed[person.locale] = message(Voice(person.locale), text)
    replies = (Reply(framed[p.locale], to=UserRef(p.platform, p.external_id, p.chat_id)) for p in people)
    await outbox.enqueue_many(session, replies, now, broadcast_id=broadcast.id)
    return broadcast


# -- progress ----------------------------------------------------------------------------------------------


def progress_text(view: Context | Voice, broadcast: Broadcast, done: dict[str | None, int]) -> str:
    left = broadcast.total - sum(n for outcome, n in done.items() if outcome is not None)
    head = (view._("📣 Sending. Recipients: {total}") if left else view._("📣 Sent. Recipients: {total}")).format(
        total=broadcast.total
    )
    return (
        head
        + "\n"
        + view._("Sent: {sent} · left: {left} · blocked the bot: {blocked} · failed: {failed}").format(
            sent=done.get("sent", 0), left=left, blocked=done.get("blocked", 0), failed=done.get("failed", 0)
        )
    )


async def progress(session: AsyncSession, now: datetime) -> list[Reply]:
    """Edits for the coordinators' progress messages, at most every few seconds each, and a report at the end.

    The edits are returned to be sent at once; the report goes through the outbox, so a crash cannot lose it.
    """
    edits: list[Reply] = []
    for broadcast in await due_for_progress(session, now, PROGRESS_EVERY):
        done = await outcomes(session, broadcast.id)
        finished = sum(n for outcome, n in done.items() if outcome is not None)
        broadcast.progress_at = now
        if finished == broadcast.progress_shown:
            continue
        broadcast.progress_shown = finished
        coordinator = await session.get(User, broadcast.created_by) if broadcast.created_by else None
        if coordinator is None:
            if finished >= broadcast.total:
                broadcast.finished_at = now
            continue
        view = voice(coordinator)
        if broadcast.progress_message is not None:
            edits.append(
                Reply(progress_text(view, broadcast, done), to=ref_of(coordinator), replace=broadcast.progress_message)
            )
        if finished >= broadcast.total:
            broadcast.finished_at = now
            outbox.enqueue(session, report(view, broadcast, done, ref_of(coordinator), now), now)
    return edits


def report(view: Voice, broadcast: Broadcast, done: dict[str | None, int], to: UserRef, now: datetime) -> Reply:
    minutes, seconds = divmod(max(0, int((now - broadcast.created_at).total_seconds())), 60)
    text = view._(
        "📣 Your broadcast is done. Received it: {sent} of {total}. Blocked the bot: {blocked}. "
        "Could not be reached: {failed}. Time: {minutes} min {seconds} s."
    ).format(
        sent=done.get("sent", 0),
        total=broadcast.total,
        blocked=done.get("blocked", 0),
        failed=done.get("failed", 0),
        minutes=minutes,
        seconds=seconds,
    )
    return Reply(text, to=to)
