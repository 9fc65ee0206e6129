"""A friend's link to an event: `t.me/<bot>?start=<invite code>`.

Someone outside the network answers with her first name only, no profile and no full privacy notice, and is
offered to join Mentornet afterwards. A member who opens such a link simply gets the invitation.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.events.common import INVITE_PREFIX, card, rsvp_buttons
from conversations.kernel import nudges
from conversations.kernel.flow import ROOT, Context, Step, action, flow, on_result, ref_of, stale, step, voice
from conversations.kernel.forms import draft, form
from conversations.kernel.messages import Button, Reply
from conversations.kernel.questions import NAME
from storage.events import event_by_invite, rsvp_of
from storage.models import Event, Nudge, User


def is_invite(code: str) -> bool:
    return code.startswith(INVITE_PREFIX)


async def arrive(ctx: Context, code: str) -> bool:
    """`/start <invite code>`. False when the link is no good, so /start carries on as usual."""
    event = await event_by_invite(ctx.session, code)
    if event is None or event.status != "published" or event.starts_at <= ctx.now:
        ctx.say(ctx._("This invitation link is no longer valid. Here is Mentornet instead:"))
        return False
    if ctx.user.onboarded_at is not None:  # a member: the invitation, as members get it
        ctx.say(card(ctx, event), rsvp_buttons(ctx, event.id))
        return True
    # Someone brand new picks her language first, then the invitation comes in it.
    first = "language" if ctx.flow == ROOT and ctx.step == "language" else "guest_name"
    await ctx.begin("guest", first, then="guest_joined", event=event.id)
    return True


# A guest through a friend's link: her language if she is new, her first name, her answer, the offer to join.
GUEST = flow("guest", "guest_name", "language", "ask:", "guest_answer", "guest_join")


async def invited_to(ctx: Context) -> Event | None:
    """Her event, while one can still answer it."""
    event_id = ctx.args.get("event") if ctx.flow == "guest" else None
    event = await ctx.session.get(Event, event_id) if event_id else None
    return event if event is not None and event.status == "published" and event.starts_at > ctx.now else None


async def closed(ctx: Context) -> None:
    """Cancelled or over before she answered: say so, and offer the network instead of dead buttons."""
    ctx.say(ctx._("This event is closed."))
    ctx.goto("guest_join")
    await ctx.prompt()


@step
class GuestName(Step):
    """The invitation, once; then her first name through the form kit (`ask:name`)."""

    name = "guest_name"

    async def prompt(self, ctx: Context) -> None:
        event = await invited_to(ctx)
        if event is None:
            await closed(ctx)
            return
        ctx.say(ctx._("A friend has invited you to this event:") + "\n\n" + card(ctx, event))
        ctx.say(
            ctx._(
                "To save you a place I only need your first name. We keep it for the guest list, and you can "
                "delete it at any time with /delete."
            )
        )
        ctx.state["draft"] = {"name": ctx.user.first_name} if ctx.user.first_name else {}  # a guest may keep hers
        ctx.goto("ask:name")
        await ctx.prompt()


async def keep_name(ctx: Context) -> None:
    ctx.user.first_name = draft(ctx)["name"]


GUEST_NAME = form("guest", (NAME,), done="guest_answer", on_answer=keep_name)


@step
class GuestAnswer(Step):
    """Her answer is one of the invitation's own buttons; `rsvp.answer` brings her on to `guest_join`."""

    name = "guest_answer"

    async def prompt(self, ctx: Context) -> None:
        event = await invited_to(ctx)
        if event is None:
            await closed(ctx)
            return
        ctx.say(
            ctx._("Thank you, {name}! Are you coming?").format(name=ctx.v(ctx.user.first_name)),
            rsvp_buttons(ctx, event.id),
        )


@step
class GuestJoin(Step):
    name = "guest_join"

    async def prompt(self, ctx: Context) -> None:
        ctx.say(
            ctx._(
                "Would you like to join Mentornet? If you are new in Denmark, you can get a mentor who knows "
                "Danish working life. If you know it well, you can become a mentor."
            ),
            # NOTE: button, ≤ 30 characters
            [[ctx.button(ctx._("Yes, tell me more"), "yes")], [ctx.button(ctx._("Not now"), "no")]],
        )

    async def on_button(self, ctx: Context, value: str) -> None:
        if value == "yes":
            await join_instead(ctx)
        elif value == "no":
            going = await invited_to(ctx) is not None
            ctx.edit(
                ctx._("See you there! 🌱 If you want to join Mentornet later, send /start.")
                if going
                else ctx._("All right. If you want to join Mentornet later, send /start.")
            )
        else:
            await stale(ctx)


@nudges.kind("guest_join")
async def after_the_event(session: AsyncSession, nudge: Nudge, now: datetime) -> list[Reply]:
    """The day after, a guest who came (or said she would) is asked once more whether she wants to join."""
    user = await session.get(User, nudge.user_id)
    event = await session.get(Event, nudge.event_id)
    if user is None or event is None or user.consent_at is not None or event.status != "published":
        return []
    rsvp = await rsvp_of(session, event.id, user.id)
    if rsvp is None or not (rsvp.attended or rsvp.status == "going"):
        return []
    view = voice(user)
    text = view._(
        "Thank you for coming to {title}! 🌱 If you would like a mentor, or to become one, Mentornet is open to you."
    ).format(title=view.v(event.title))
    # NOTE: button, ≤ 30 characters
    return [Reply(text, ((Button(view._("Yes, tell me more"), "join:"),),), to=ref_of(user))]


@action("join")
async def join(ctx: Context, value: str) -> None:
    if ctx.user.consent_at is not None:
        ctx.say(ctx._("You are already part of Mentornet. 🌱"))
        await ctx.prompt()
        return
    if ctx.flow == "guest":
        await join_instead(ctx)
    else:
        await joined(ctx, True, {})


async def join_instead(ctx: Context) -> None:
    await ctx.end(True)


@on_result("guest_joined")
async def joined(ctx: Context, result: bool, args: dict) -> None:
    """On into the full onboarding: from the privacy notice if she had not got that far, or back to where she was
    in it."""
    if ctx.flow == ROOT and ctx.step in ("language", "declined", "idle"):
        ctx.goto("privacy")
        await ctx.prompt()
