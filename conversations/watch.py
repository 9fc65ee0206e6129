"""Keeping mentorships alive: nudges when nothing happens, alerts for coordinators, the 5-month question, and
/mentorships, the coordinators' overview."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.kernel import nudges
from conversations.kernel.flow import Context, Voice, action, flow, freeze, ref_of, stale, step, voice
from conversations.kernel.i18n import COPENHAGEN, N_
from conversations.kernel.messages import Button, Reply
from conversations.kernel.subflows import Written
from conversations.vetting import is_coordinator
from storage import matching, repo
from storage.demo import can_see
from storage.models import Mentorship, User
from storage.reports import meetings_since
from storage.watch import mentorship_counts, stalled_mentorships

QUIET_NUDGE = timedelta(days=21)
# A mentorship's status as coordinators read it.
STATES = {
    "active": N_("active"), "paused": N_("paused"), "completed": N_("completed"), "ended_early": N_("ended early"),
    "cancelled": N_("cancelled"),
}  # fmt: skip
COORDINATOR_ALERT = timedelta(days=35)
ASK_TO_CONTINUE = timedelta(days=150)  # about 5 months
SIX_MONTHS = timedelta(days=183)
INACTIVITY = ("inactive_21", "inactive_35")


async def started(session: AsyncSession, m: Mentorship, now: datetime) -> None:
    for user_id in (m.mentee_id, m.mentor_id):
        nudges.schedule(
            session, "continue_5m", m.started_at + ASK_TO_CONTINUE, user_id=user_id, mentorship_id=m.id, essential=True
        )
    await contact(session, m, now)


async def contact(session: AsyncSession, m: Mentorship, now: datetime) -> None:
    """A meeting or a report: the stalled-watch starts counting again from now."""
    m.last_contact_at = now
    await nudges.cancel(session, now, *INACTIVITY, mentorship_id=m.id)
    for user_id in (m.mentee_id, m.mentor_id):
        nudges.schedule(session, "inactive_21", now + QUIET_NUDGE, user_id=user_id, mentorship_id=m.id)
    nudges.schedule(session, "inactive_35", now + COORDINATOR_ALERT, mentorship_id=m.id)


async def _pair(session: AsyncSession, nudge) -> tuple[Mentorship, User, User] | None:  # type: ignore[no-untyped-def]
    m = await session.get(Mentorship, nudge.mentorship_id)
    if m is None or m.status != "active":
        return None
    me = await session.get(User, nudge.user_id) if nudge.user_id else None
    her = await session.get(User, m.mentor_id if me and m.mentee_id == me.id else m.mentee_id)
    return m, me, her  # type: ignore[return-value]


def plan_button(view: Voice, m: Mentorship) -> list[list[Button]]:
    # NOTE: button, ≤ 30 characters
    return [[Button(view._("📅 Plan a meeting"), f"mt:plan:{m.id}")]]


@nudges.kind("inactive_21")
async def quiet_nudge(session: AsyncSession, nudge, now: datetime) -> list[Reply]:  # type: ignore[no-untyped-def]
    found = await _pair(session, nudge)
    if found is None:
        return []
    m, me, her = found
    view = voice(me)
    text = view._(
        "It has been three weeks since you and {name} last met. How about planning your next meeting? It takes a few taps."
    ).format(name=view.v(her.first_name))
    return [Reply(text, freeze(plan_button(view, m)), to=ref_of(me))]


@nudges.kind("inactive_35")
async def coordinator_alert(session: AsyncSession, nudge, now: datetime) -> list[Reply]:  # type: ignore[no-untyped-def]
    m = await session.get(Mentorship, nudge.mentorship_id)
    if m is None or m.status != "active":
        return []
    mentee, mentor = await session.get(User, m.mentee_id), await session.get(User, m.mentor_id)
    out = []
    for coordinator in [c for c in await repo.coordinators(session) if can_see(mentee, c)]:
        view = voice(coordinator)
        text = view._("⚠️ No meeting or report for 5 weeks in the mentorship of {mentee} and {mentor}.").format(
            mentee=view.v(mentee.first_name), mentor=view.v(mentor.first_name)
        )
        # NOTE: button, ≤ 30 characters
        out.append(Reply(text, freeze([[Button(view._("Open"), f"ms:{m.id}")]]), to=ref_of(coordinator)))
    return out


@nudges.kind("continue_5m")
async def ask_to_continue(session: AsyncSession, nudge, now: datetime) -> list[Reply]:  # type: ignore[no-untyped-def]
    found = await _pair(session, nudge)
    if found is None:
        return []
    m, me, her = found
    view = voice(me)
    text = view._(
        "You and {name} started your mentorship five months ago. Mentorships usually last six months. Would you like to go on, or finish at six months?"
    ).format(name=view.v(her.first_name))
    # NOTE: button, ≤ 30 characters
    buttons = [[Button(view._("Go on"), f"ct:{m.id}:go")], [Button(view._("Finish at six months"), f"ct:{m.id}:end")]]
    return [Reply(text, freeze(buttons), to=ref_of(me))]


@action("ct")
async def continue_answer(ctx: Context, value: str) -> None:
    raw_id, _, choice = value.partition(":")
    m = await ctx.session.get(Mentorship, int(raw_id)) if raw_id.isdigit() else None
    if m is None or ctx.user.id not in (m.mentee_id, m.mentor_id) or choice not in ("go", "end"):
        ctx.say(ctx._("This button is not for you."))
        return
    if m.status not in matching.LIVE:
        ctx.say(ctx._("This mentorship has ended."))
        return
    her = await ctx.session.get(User, m.other(ctx.user.id))
    view = voice(her)
    if choice == "go":
        ctx.edit(ctx._("Lovely! Your mentorship goes on."))
        ctx.tell(
            her, view._("{name} would like to go on with your mentorship.").format(name=view.v(ctx.user.first_name))
        )
        await nudges.cancel(ctx.session, ctx.now, "complete_6m", mentorship_id=m.id)
    else:
        ctx.edit(
            ctx._("Good. Your mentorship will finish at six months, on {date}.").format(
                date=ctx.t.date(m.started_at + SIX_MONTHS)
            )
        )
        ctx.tell(
            her,
            view._("{name} would like to finish your mentorship at six months, on {date}.").format(
                name=view.v(ctx.user.first_name), date=view.t.date(m.started_at + SIX_MONTHS)
            ),
        )
        await nudges.cancel(ctx.session, ctx.now, "complete_6m", mentorship_id=m.id)
        nudges.schedule(
            ctx.session, "complete_6m", max(m.started_at + SIX_MONTHS, ctx.now), mentorship_id=m.id, essential=True
        )


@nudges.kind("complete_6m")
async def complete(session: AsyncSession, nudge, now: datetime) -> list[Reply]:  # type: ignore[no-untyped-def]
    m = await session.get(Mentorship, nudge.mentorship_id)
    if m is None or not await matching.end_mentorship(session, m, "completed", now, None, "six_months"):
        return []
    out = []
    for me_id, her_id in ((m.mentee_id, m.mentor_id), (m.mentor_id, m.mentee_id)):
        me, her = await session.get(User, me_id), await session.get(User, her_id)
        view = voice(me)
        out.append(
            Reply(
                view._("Your mentorship with {name} has ended. Thank you both! 🌱").format(name=view.v(her.first_name)),
                to=ref_of(me),
            )
        )
    return out


# -- /mentorships for coordinators ------------------------------------------------------------------------


async def overview(ctx: Context) -> None:
    if not await is_coordinator(ctx):
        return
    counts = await mentorship_counts(ctx.session)
    month_start = ctx.now.astimezone(COPENHAGEN).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    meetings, minutes = await meetings_since(ctx.session, month_start)
    states = ("active", "paused", "completed", "ended_early", "cancelled")
    lines = [
        "<b>" + ctx._("Mentorships") + "</b>",
        *(ctx.t.label(ctx._(STATES[s]), str(counts.get(s, 0))) for s in states),
        "",
    ]
    lines.append(
        ctx._("This month: {meetings}, {hours}").format(
            meetings=ctx.t.ngettext("{count} meeting", "{count} meetings", meetings).format(count=meetings),
            hours=ctx.t.hours(minutes / 60),
        )
    )
    stalled = await stalled_mentorships(ctx.session, ctx.now - QUIET_NUDGE)
    buttons = []
    if stalled:
        lines += ["", "<b>" + ctx._("Stalled (no contact for 3 weeks or more)") + "</b>"]
        for m in stalled:
            mentee, mentor = await ctx.session.get(User, m.mentee_id), await ctx.session.get(User, m.mentor_id)
            since = m.last_contact_at or m.started_at
            lines.append(
                ctx._("{mentee} and {mentor}: last contact {date}").format(
                    mentee=ctx.v(mentee.first_name), mentor=ctx.v(mentor.first_name), date=ctx.t.date(since)
                )
            )
            buttons.append([Button(f"{mentee.first_name} & {mentor.first_name}", f"ms:{m.id}")])
    ctx.say("\n".join(lines), buttons)


def shown_name(ctx: Context, user: User | None) -> str:
    """Her name, or what a deleted account is called: nothing of hers is left to show."""
    return ctx.v(user.first_name) if user is not None and user.first_name else ctx._("a deleted account")


@action("mw")
async def write_both(ctx: Context, value: str) -> None:
    if not await is_coordinator(ctx):
        return
    m = await ctx.session.get(Mentorship, int(value)) if value.isdigit() else None
    if m is None:
        await stale(ctx)
        return
    await ctx.begin("coord_write", m=m.id)


# A coordinator writes one message to both women of a mentorship.
COORD_WRITE = flow("coord_write", "coord_write")


@step
class WriteBoth(Written):
    name = "coord_write"

    async def question(self, ctx: Context) -> str:
        return ctx._("Write your message to both of them.")

    async def on_text(self, ctx: Context, text: str) -> None:
        m = await ctx.session.get(Mentorship, ctx.args["m"])
        if m is None:
            await ctx.cancel()
            return
        for user_id in (m.mentee_id, m.mentor_id):
            user = await ctx.session.get(User, user_id)
            if user is None or user.erased_at is not None:  # she left Mentornet: there is nobody to reach
                continue
            view = voice(user)
            ctx.tell(
                user,
                view._("A message from the coordinator {name}:").format(name=view.v(ctx.user.first_name))
                + "\n\n"
                + view.v(text[:2000]),
            )
        ctx.say(ctx._("Sent to both."))
        await ctx.end()
