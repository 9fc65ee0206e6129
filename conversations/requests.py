"""A mentor answers a request: accept within her capacity, decline with a reason, or pause new requests.

Requests expire after 14 days; the mentor is reminded on day 3 and day 10 (see `tick`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from conversations import watch
from conversations.kernel.flow import Context, Voice, action, freeze, on_result, ref_of, voice
from conversations.kernel.i18n import N_
from conversations.kernel.messages import Button, Reply
from conversations.kernel.subflows import REASONS
from conversations.mentorship import lifecycle, surveys
from conversations.profile_questions import profile_lines
from conversations.vetting import notify_waiting
from storage import matching, repo
from storage.models import MentorProfile, MentorRequest, User

DECLINE_REASONS = {
    "time": N_("I have no time right now"),
    "field": N_("It is not my field"),
    # NOTE: button, ≤ 30 characters
    "other": N_("Another reason"),
}

REASONS["decline"] = DECLINE_REASONS


def request_buttons(view: Voice, request_id: int) -> list[list[Button]]:
    return [
        [
            # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
            Button(view._("✅ Accept"), f"r:acc:{request_id}"),
            # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
            Button(view._("Decline"), f"r:dec:{request_id}"),
        ],
        # NOTE: button, ≤ 30 characters
        [Button(view._("⏸ Pause new requests"), f"r:pause:{request_id}")],
    ]


async def request_text(session: AsyncSession, view: Voice, request: MentorRequest, mentee: User) -> str:
    values = await repo.load_profile(session, mentee)
    lines = [
        "<b>" + view._("{name} would like you to be her mentor").format(name=view.v(mentee.first_name)) + "</b>",
        "",
        *profile_lines(view, "mentee", values)[1:],  # her name is in the title
    ]
    if request.message:
        lines += ["", "<b>" + view._("Her message:") + "</b>", view.t.quote(view.v(request.message))]
    return "\n".join(lines)


async def send_card(ctx: Context, request: MentorRequest, mentor: User) -> None:
    view = voice(mentor)
    ctx.tell(mentor, await request_text(ctx.session, view, request, ctx.user), request_buttons(view, request.id))


@action("r")
async def answer(ctx: Context, value: str) -> None:
    verb, _, raw_id = value.partition(":")
    request = await ctx.session.get(MentorRequest, int(raw_id)) if raw_id.isdigit() else None
    if request is None or request.mentor_id != ctx.user.id or verb not in ("acc", "dec", "pause"):
        ctx.say(ctx._("This button is not for you."))
        return
    if verb == "pause":
        await set_paused(ctx, True)
        return
    if request.status != "open":
        ctx.say(ctx._("This request is already closed."))
        return
    if verb == "acc":
        await accept(ctx, request)
    else:
        await ctx.begin(
            "reason",
            then="decline",
            set="decline",
            request=request.id,
            q=N_("Why can you not take her? She will see the reason."),
        )


async def accept(ctx: Context, request: MentorRequest) -> None:
    mentee = await ctx.session.get(User, request.mentee_id)
    started = await matching.accept(ctx.session, request.id, ctx.now)
    if started is None or mentee is None:
        ctx.say(ctx._("You have no free place left, so this request could not be accepted. She has been told kindly."))
        if mentee is not None:
            view = voice(mentee)
            ctx.tell(
                mentee,
                view._(
                    "{name} has no free place any more, so she cannot be your mentor. Please ask someone else."
                ).format(name=view.v(ctx.user.first_name)),
                # NOTE: button, ≤ 30 characters
                [[Button(view._("Find a mentor"), "find:")]],
            )
        return
    ctx.edit(ctx._("✅ You accepted {name}.").format(name=ctx.v(mentee.first_name)))
    await watch.started(ctx.session, started, ctx.now)
    await matching.leave_waiting_list(ctx.session, mentee.id)
    for other in await matching.withdraw_others(ctx.session, mentee.id, ctx.now):
        other_mentor = await ctx.session.get(User, other.mentor_id)
        if other_mentor is not None:
            view = voice(other_mentor)
            ctx.tell(
                other_mentor,
                view._("{name} has found a mentor, so her request to you is withdrawn. Thank you!").format(
                    name=view.v(mentee.first_name)
                ),
            )
    await lifecycle.introduce(ctx, started, mentee, ctx.user)
    # After the introduction, so that each woman reads who her partner is before she is asked about her start.
    ctx.replies += await surveys.invite_both(ctx.session, started, "start", ctx.now)


@on_result("decline")
async def decline(ctx: Context, reason: str, args: dict) -> None:
    request = await ctx.session.get(MentorRequest, args["request"])
    if (
        request is None
        or request.mentor_id != ctx.user.id
        or not await matching.close_request(ctx.session, request.id, "declined", ctx.now, reason=reason)
    ):
        ctx.say(ctx._("This request is already closed."))
        return
    mentee = await ctx.session.get(User, request.mentee_id)
    if mentee is not None:
        view = voice(mentee)
        ctx.tell(
            mentee,
            view._("{name} cannot be your mentor right now. Her reason: {reason}. Please ask someone else.").format(
                name=view.v(ctx.user.first_name), reason=view.t.quote(view._(DECLINE_REASONS[reason]))
            ),
            # NOTE: button, ≤ 30 characters
            [[Button(view._("Find a mentor"), "find:")]],
        )
    ctx.say(ctx._("You declined. Thank you for answering."))


async def set_paused(ctx: Context, paused: bool) -> None:
    profile = await ctx.session.get(MentorProfile, ctx.user.id)
    if profile is None or profile.status not in ("approved", "paused"):
        ctx.say(ctx._("Only approved mentors can pause new requests."))
        return
    profile.status = "paused" if paused else "approved"
    if paused:
        ctx.say(ctx._("Paused: mentees cannot ask you now. Send /pause again when you want new requests."))
    else:
        ctx.say(ctx._("Welcome back! Mentees can ask you again."))
        await notify_waiting(ctx, ctx.user)


async def pause_command(ctx: Context) -> None:
    profile = await ctx.session.get(MentorProfile, ctx.user.id)
    await set_paused(ctx, not (profile is not None and profile.status == "paused"))


# -- the clock ---------------------------------------------------------------------------------------------


async def tick(session: AsyncSession, now: datetime) -> list[Reply]:
    """Reminders on day 3 and day 10, expiry on day 14. Each row is claimed by a conditional update, so two
    processes ticking at once send each message once."""
    out: list[Reply] = []
    for column, days in ((MentorRequest.reminded_day3_at, 3), (MentorRequest.reminded_day10_at, 10)):
        for request_id in await matching.requests_to_remind(session, column, days, now):
            if not await matching.claim_reminder(session, request_id, column, now):
                continue
            request = await session.get(MentorRequest, request_id)
            mentor, mentee = await session.get(User, request.mentor_id), await session.get(User, request.mentee_id)
            if mentor is None or mentee is None:
                continue
            view = voice(mentor)
            days_left = (request.expires_at - now).days
            text = view._("A reminder: {name} is waiting for your answer. The request closes in {days} days.").format(
                name=view.v(mentee.first_name), days=days_left
            )
            out.append(
                Reply(
                    text + "\n\n" + await request_text(session, view, request, mentee),
                    freeze(request_buttons(view, request.id)),
                    to=ref_of(mentor),
                )
            )
    for request_id in await matching.expired_requests(session, now):
        if not await matching.close_request(session, request_id, "expired", now):
            continue
        request = await session.get(MentorRequest, request_id)
        mentor, mentee = await session.get(User, request.mentor_id), await session.get(User, request.mentee_id)
        if mentor is None or mentee is None:
            continue
        her = voice(mentee)
        out.append(
            Reply(
                her._(
                    "{name} did not answer within 14 days, so your request has expired. You can ask someone else."
                ).format(name=her.v(mentor.first_name)),
                # NOTE: button, ≤ 30 characters
                ((Button(her._("Find a mentor"), "find:"),),),
                to=ref_of(mentee),
            )
        )
        view = voice(mentor)
        out.append(
            Reply(
                view._("The request from {name} has expired after 14 days.").format(name=view.v(mentee.first_name)),
                to=ref_of(mentor),
            )
        )
    return out
