"""/requests: a mentee sees whom she has asked, how long each has left to answer, and can withdraw; a mentor
gets each open request as its card again, with Accept and Decline."""

from __future__ import annotations

import math

from conversations.kernel.flow import Context, action, voice
from conversations.kernel.i18n import COPENHAGEN
from conversations.kernel.messages import Button
from conversations.requests import request_buttons, request_text
from storage import matching
from storage.models import MentorRequest, User


async def requests_command(ctx: Context) -> None:
    if ctx.user.role == "mentor":
        await for_a_mentor(ctx)
    elif ctx.user.role == "mentee":
        await for_a_mentee(ctx)
    else:
        ctx.say(ctx._("Only mentees and mentors have requests."))
    if ctx.step != "idle":
        await ctx.prompt()  # asked mid-question: the question comes back under the list


async def for_a_mentee(ctx: Context) -> None:
    sent = [r for r in await matching.open_requests_of(ctx.session, ctx.user.id) if r.mentee_id == ctx.user.id]
    if not sent:
        ctx.say(ctx._("You have no open requests."), [[Button(ctx._("Find a mentor"), "find:")]])
        return
    lines, buttons = [ctx._("Your requests, waiting for an answer:"), ""], []
    for request in sent:
        mentor = await ctx.session.get(User, request.mentor_id)
        name = mentor.first_name if mentor is not None else "—"
        days = max(math.ceil((request.expires_at - ctx.now).total_seconds() / 86400), 0)
        left = ctx.t.ngettext("{count} day left", "{count} days left", days).format(count=days)
        lines.append(
            "• "
            + ctx._("{name}: asked on {date}, {left}").format(
                name=f"<b>{ctx.v(name)}</b>", date=ctx.t.date(request.created_at.astimezone(COPENHAGEN)), left=left
            )
        )
        # NOTE: button, ≤ 30 characters; {name} is her first name
        buttons.append([Button(ctx._("Withdraw: {name}").format(name=name), f"rq:w:{request.id}")])
    lines += ["", ctx._("If you withdraw a request, she is told, and you can ask another mentor.")]
    ctx.say("\n".join(lines), buttons)


async def for_a_mentor(ctx: Context) -> None:
    received = [r for r in await matching.open_requests_of(ctx.session, ctx.user.id) if r.mentor_id == ctx.user.id]
    if not received:
        ctx.say(ctx._("You have no open requests."))
        return
    view = voice(ctx.user)
    for request in received:
        mentee = await ctx.session.get(User, request.mentee_id)
        if mentee is not None:
            ctx.say(await request_text(ctx.session, view, request, mentee), request_buttons(view, request.id))


@action("rq")
async def withdraw(ctx: Context, value: str) -> None:
    verb, _, raw_id = value.partition(":")
    request = await ctx.session.get(MentorRequest, int(raw_id)) if raw_id.isdigit() else None
    if request is None or verb != "w" or request.mentee_id != ctx.user.id:
        ctx.say(ctx._("This button is not for you."))
        return
    if not await matching.close_request(ctx.session, request.id, "withdrawn", ctx.now, reason="mentee"):
        ctx.say(ctx._("This request is already closed."))
        return
    mentor = await ctx.session.get(User, request.mentor_id)
    if mentor is not None:
        her = voice(mentor)
        ctx.tell(mentor, her._("{name} has withdrawn her request to you.").format(name=her.v(ctx.user.first_name)))
    ctx.say(ctx._("Withdrawn. You can ask another mentor."), [[Button(ctx._("Find a mentor"), "find:")]])


async def waiting_for_answers(ctx: Context) -> str:
    """A line for a mentee whom no mentor card fits: the mentors she has asked are still thinking."""
    sent = [r for r in await matching.open_requests_of(ctx.session, ctx.user.id) if r.mentee_id == ctx.user.id]
    names = [u.first_name for r in sent if (u := await ctx.session.get(User, r.mentor_id)) is not None]
    if not names:
        return ""
    listed = ctx.t.join(f"<b>{ctx.v(n)}</b>" for n in names)
    return ctx._("You have asked {names} and are waiting for an answer: /requests shows them.").format(names=listed)
