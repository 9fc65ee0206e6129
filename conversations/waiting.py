"""The waiting list, as coordinators see it: who waits, since when, and a mentor proposed by hand."""

from __future__ import annotations

from conversations.browse import ask, label, mentor_card, reasons
from conversations.kernel.flow import Context, action, stale, voice
from conversations.kernel.messages import Button
from conversations.kernel.options import FIELDS
from conversations.vetting import is_coordinator
from storage import matching
from storage.demo import can_see
from storage.models import MenteeProfile, MentorProfile, User


async def waiting_command(ctx: Context) -> None:
    if not await is_coordinator(ctx):
        return
    rows = await matching.waiting_list(ctx.session, ctx.user)
    if not rows:
        ctx.say(ctx._("Nobody is on the waiting list."))
        return
    ctx.say(ctx._("On the waiting list: {count}").format(count=len(rows)))
    for position, (mentee, since) in enumerate(rows[:20], 1):
        days = max((ctx.now - since).days, 0)
        lines = [
            ctx._("{position}. {name}, waiting since {date}").format(
                position=position, name=f"<b>{ctx.v(mentee.first_name)}</b>", date=ctx.t.date(since)
            )
            + " · "
            + ctx.t.ngettext("{count} day", "{count} days", days).format(count=days)
        ]
        if (profile := await ctx.session.get(MenteeProfile, mentee.id)) is not None:
            lines.append("🗣 " + ctx.t.languages(profile.languages))
            lines.append("💼 " + ctx.t.join(label(FIELDS, f, ctx) for f in profile.fields))
        # NOTE: button, ≤ 30 characters
        ctx.say("\n".join(lines), [[Button(ctx._("Suggest a mentor"), f"w:{mentee.id}")]])


@action("w")
async def suggest(ctx: Context, value: str) -> None:
    """`w:<mentee>` lists the mentors "Find a mentor" would show her, with why each fits; `w:<mentee>:<mentor>`
    sends her that mentor's card."""
    if not await is_coordinator(ctx):
        return
    parts = value.split(":")
    mentee = await ctx.session.get(MenteeProfile, int(parts[0])) if parts[0].isdigit() else None
    mentee_user = await ctx.session.get(User, mentee.user_id) if mentee else None
    if mentee_user is None or mentee_user.erased_at or len(parts) > 2 or not can_see(ctx.user, mentee_user):
        await stale(ctx)
        return
    # The same rules as her own search: a free place, and a language they share.
    fitting = await matching.rank(ctx.session, mentee, ctx.now, limit=8)
    if len(parts) == 1:
        if not fitting:
            ctx.say(ctx._("No mentor with a free place shares a language with her right now."))
            return
        lines, buttons = [ctx._("Which mentor would you like to suggest to her?"), ""], []
        for mentor_id in fitting:
            profile, user = await ctx.session.get(MentorProfile, mentor_id), await ctx.session.get(User, mentor_id)
            why = ctx.t.join(reasons(ctx, mentee, profile))
            lines.append(f"• <b>{ctx.v(user.first_name)}</b> · {ctx.v(profile.job_title)}: {why}")
            buttons.append([Button(f"{user.first_name} · {profile.job_title}"[:30], f"w:{mentee.user_id}:{user.id}")])
        ctx.say("\n".join(lines), buttons)
        return
    mentor = await ctx.session.get(MentorProfile, int(parts[1])) if parts[1].isdigit() else None
    if mentor is None or mentor.user_id not in fitting:
        await stale(ctx)
        return
    mentor_user = await ctx.session.get(User, mentor.user_id)
    view = voice(mentee_user)
    card = await mentor_card(view, ctx.session, mentor, mentor_user, mentee)
    ctx.tell(
        mentee_user,
        view._("A coordinator suggests this mentor for you:") + "\n\n" + card,
        # NOTE: button, ≤ 30 characters
        [[Button(view._("Ask her to be my mentor"), f"ask:{mentor.user_id}")]],
    )
    ctx.edit(ctx._("Suggested. {name} can now ask her.").format(name=ctx.v(mentee_user.first_name)))


@action("ask")
async def ask_suggested(ctx: Context, value: str) -> None:
    if ctx.user.role != "mentee" or not value.isdigit():
        await stale(ctx)
        return
    await ask(ctx, int(value))
