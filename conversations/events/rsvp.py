"""She answers an invitation: Going / Maybe / Can't come, a friend's link, and what she needs to come."""

from __future__ import annotations

from conversations.events.admin import coordinator_action
from conversations.events.common import NEEDS, invite_code
from conversations.events.places import promote, welcome
from conversations.kernel import nudges
from conversations.kernel.flow import (
    Context,
    Step,
    action,
    flow,
    rows,
    stale,
    step,
)
from conversations.kernel.options import SPOKEN_LANGUAGES
from conversations.kernel.questions import ticked, toggle
from storage import events
from storage.events import rsvp_of
from storage.models import Event, Rsvp

# -- answering ---------------------------------------------------------------------------------------------


@action("e")
async def answer(ctx: Context, value: str) -> None:
    verb, _, raw_id = value.partition(":")
    event = await ctx.session.get(Event, int(raw_id)) if raw_id.isdigit() else None
    if event is None or verb not in ("go", "maybe", "no", "needs", "invite", "cancel", "list", "edit"):
        await stale(ctx)
        return
    if verb in ("cancel", "list", "edit"):
        await coordinator_action(ctx, verb, event)
        return
    if not await may_answer(ctx, event):
        await stale(ctx)
        return
    if event.status != "published" or event.starts_at <= ctx.now:
        ctx.say(ctx._("This event is closed."))
        if ctx.flow == "guest" and ctx.step in ("guest_name", "guest_answer"):  # a guest is not left with dead buttons
            ctx.goto("guest_join")
            await ctx.prompt()
        return
    if verb == "invite":
        await invite_a_friend(ctx, event)
        return
    await respond(ctx, verb, event)
    if (
        ctx.flow == "guest" and ctx.step == "guest_answer"
    ):  # a guest through a friend's link: now offer her the whole network
        ctx.goto("guest_join")
        await ctx.prompt()


async def may_answer(ctx: Context, event: Event) -> bool:
    """The same doors as the invitations: her own guest link to this event, an answer she gave before, or the
    privacy notice accepted, a finished profile and the event's audience. A forged or passed-on button opens none."""
    if ctx.flow == "guest" and ctx.args.get("event") == event.id:
        return True
    if await rsvp_of(ctx.session, event.id, ctx.user.id) is not None:
        return True
    if ctx.user.consent_at is None or ctx.user.onboarded_at is None:
        return False
    return ctx.user.role == "coordinator" or event.audience in ("all", ctx.user.role)


async def invite_a_friend(ctx: Context, event: Event) -> None:
    if event.invite_code is None:  # an event from before guest links: the first to ask sets its code, once
        await events.set_invite_code_once(ctx.session, event, invite_code())
    ctx.say(
        ctx._(
            "Send this link to a friend who is not in Mentornet yet. With it she can say she is coming with just "
            "her first name:"
        )
        + f"\n{ctx.v(ctx.join_link(event.invite_code))}"
    )


async def respond(ctx: Context, verb: str, event: Event) -> None:
    rsvp = await rsvp_of(ctx.session, event.id, ctx.user.id)
    before = rsvp.status if rsvp else None
    if verb == "needs":
        if before != "going":
            await stale(ctx)
            return
        await ask_needs(ctx, rsvp)
        return
    if rsvp is None:
        rsvp = Rsvp(event_id=event.id, user_id=ctx.user.id, status="no", answered_at=ctx.now)
        ctx.session.add(rsvp)
    if verb == "go":
        if before in ("going", "waitlist"):
            ctx.say(
                ctx._("You have already answered. See you there!")
                if before == "going"
                else ctx._("You are on the waitlist already.")
            )
            return
        rsvp.answered_at = ctx.now
        if await events.going_count(ctx.session, event.id) >= event.capacity:
            rsvp.status = "waitlist"
            await ctx.session.flush()
            position = [r.id for r in await events.waitlist(ctx.session, event.id)].index(rsvp.id) + 1
            ctx.say(
                ctx._(
                    "The event is full. You are number {position} on the waitlist; I will tell you if a place frees up."
                ).format(position=position)
            )
            return
        rsvp.status = "going"
        await ctx.session.flush()
        await welcome(ctx, ctx.user, event, rsvp)
        return
    rsvp.status = "maybe" if verb == "maybe" else "no"
    ctx.say(
        ctx._("Thank you for answering.")
        if verb == "no"
        else ctx._("Noted: maybe. You can change your answer on the invitation.")
    )
    if before == "going":
        await nudges.cancel(ctx.session, ctx.now, "event_reminder", event_id=event.id, user_id=ctx.user.id)
        await promote(ctx, event)


NEEDS_FLOW = flow("needs", "ev_needs", "ev_interpreter")


async def ask_needs(ctx: Context, rsvp: Rsvp) -> None:
    await ctx.begin("needs", data={"rsvp": rsvp.id, "picked": list(rsvp.needs or [])})


@step
class Needs(Step):
    name = "ev_needs"

    async def prompt(self, ctx: Context, edit: bool = False) -> None:
        picked = ctx.state["picked"]
        buttons = [[ctx.button(ticked(ctx._(o.label), o.code in picked), o.code)] for o in NEEDS]
        (ctx.edit if edit else ctx.say)(
            ctx._("What do you need to come? Tap all that fit, then Done."),
            # NOTE: button, ≤ 30 characters
            [*buttons, [ctx.button(ctx._("Done"), "done")]],
        )

    async def on_button(self, ctx: Context, value: str) -> None:
        picked = ctx.state["picked"]
        rsvp = await ctx.session.get(Rsvp, ctx.state["rsvp"])
        if rsvp is None or rsvp.user_id != ctx.user.id:
            await stale(ctx)
            return
        if value in {o.code for o in NEEDS}:
            toggle(picked, value)
            await self.prompt(ctx, edit=True)
        elif value == "done":
            rsvp.needs = [o.code for o in NEEDS if o.code in picked]
            if "interpreter" in picked:
                ctx.goto("ev_interpreter")
                await ctx.prompt()
                return
            await done_needs(ctx)
        else:
            await stale(ctx)


@step
class Interpreter(Step):
    name = "ev_interpreter"

    async def prompt(self, ctx: Context) -> None:
        buttons = [ctx.button(ctx.t.language_label(c), c) for c in SPOKEN_LANGUAGES if c != "da"]
        ctx.say(ctx._("An interpreter for which language?"), rows(buttons, 3))

    async def on_button(self, ctx: Context, value: str) -> None:
        rsvp = await ctx.session.get(Rsvp, ctx.state["rsvp"])
        if rsvp is None or rsvp.user_id != ctx.user.id or value not in SPOKEN_LANGUAGES:
            await stale(ctx)
            return
        rsvp.interpreter = value
        await done_needs(ctx)


async def done_needs(ctx: Context) -> None:
    ctx.say(ctx._("Thank you, we will prepare for it."))
    await ctx.end()
