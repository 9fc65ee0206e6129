"""An approved mentor changes her job title, employer or introduction: coordinators approve it before mentees see it.

/profile saves every other answer at once. These three are her own words on the card mentees read, so for a
mentor who is approved (or paused) they wait for review (storage/profile_changes.py); she sees them in her
/profile marked as waiting, and every coordinator gets a card with the old and new text (vetting.py decides).
"""

from __future__ import annotations

from typing import Any

from conversations import vetting
from conversations.kernel.flow import Context
from storage import profile_changes
from storage.models import MentorProfile


async def hold(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    """The answers /profile may save at once. For a mentor under review, the reviewed fields keep their approved
    values, and the one she has just answered waits for a coordinator instead."""
    if ctx.user.role != "mentor":
        return values
    profile = await profile_changes.locked(ctx.session, ctx.user.id)
    if profile is None or not profile_changes.under_review(profile):
        return values
    # The form saves while it is still at the question she answered: only that answer is new.
    key = ctx.step.removeprefix("ask:")
    if key in vetting.CHANGED_QUESTIONS and profile_changes.propose(profile, key, values.get(key)):
        await announce(ctx, profile)
    return values | {k: getattr(profile, k) for k in profile_changes.REVIEWED}


async def with_changes(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    """Her saved profile as she wrote it: what waits for review in place of the approved text."""
    profile = await ctx.session.get(MentorProfile, ctx.user.id) if ctx.user.role == "mentor" else None
    return (values | profile_changes.waiting(profile)) if profile is not None else values


async def awaiting(ctx: Context) -> str:
    """A note under her own profile card naming the fields that wait for review; "" when none do."""
    profile = await ctx.session.get(MentorProfile, ctx.user.id) if ctx.user.role == "mentor" else None
    changes = profile_changes.waiting(profile) if profile is not None else {}
    if not changes:
        return ""
    fields = ctx.t.join(ctx._(q.label) for key, q in vetting.CHANGED_QUESTIONS.items() if key in changes)
    return "\n\n⏳ " + ctx._(
        "Waiting for a coordinator's review: {fields}. Until then, mentees see the earlier version."
    ).format(fields=fields)


async def announce(ctx: Context, profile: MentorProfile) -> None:
    if not profile_changes.waiting(profile):
        return  # she put the approved text back: nothing is left to review
    ctx.say(
        ctx._("Thank you! A coordinator will look at this change soon. Until then, mentees see your profile as it was.")
    )
    for coordinator in await vetting.coordinators(ctx):
        ctx.tell(coordinator, *vetting.change_card(coordinator, ctx.user, profile))
