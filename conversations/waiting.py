"""The waiting list, as coordinators see it: who waits, since when, and a mentor proposed by hand."""

from __future__ import annotations

from conversations.browse import ask, mentor_card
from conversations.kernel.flow import Context, action, stale, voice
from conversations.kernel.messages import Button
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
        ctx.say(
            ctx._("{position}. {name}, waiting since {date}").format(
                position=position, name=f"<b>{ctx.v(mentee.first_name)}</b>", date=ctx.t.date(since)
            ),
            # NOTE: button, ≤ 30 characters
            [[Button(ctx._("Suggest a mentor"), f"w:{mentee.id}")]],
        )


@action("w")
async def suggest(ctx: Context, value: str) -> None:
    """`w:<mentee>` lists mentors with a free place; `w:<mentee>:<mentor>` sends her that mentor's card."""
    if not await is_coordinator(ctx):
        return
    parts = value.split(":")
    mentee = await ctx.session.get(MenteeProfile, int(parts[0])) if parts[0].isdigit() else None
    mentee_user = await ctx.session.get(User, mentee.user_id) if mentee else None
    if mentee_user is None or mentee_user.erased_at or len(parts) > 2 or not can_see(ctx.user, mentee_user):
        await stale(ctx)
        return
    if len(parts) == 1:
        # By hand a coordinator may look past the shared-language rule, so every available mentor is listed.
        found = await matching.available_mentors(ctx.session, mentee, ctx.now)
        if not found:
            ctx.say(ctx._("No mentor has a free place right now."))
            return
        buttons = [
            [Button(f"{user.first_name} · {profile.job_title}", f"w:{mentee.user_id}:{user.id}")]
            for profile, user in found
        ]
        ctx.say(ctx._("Which mentor would you like to suggest to her?"), buttons)
        return
    mentor = await ctx.session.get(MentorProfile, int(parts[1])) if parts[1].isdigit() else None
    if mentor is None or not await matching.is_available(ctx.session, mentee.user_id, mentor.user_id):
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
