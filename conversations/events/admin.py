"""/events, check-in at the door, and the coordinators' tools: counts, attendance, cancel, edit."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from conversations.events.common import NEEDS, card, rsvp_buttons
from conversations.events.form import start_editing
from conversations.kernel import audit, nudges
from conversations.kernel.flow import (
    Context,
    action,
    ref_of,
    stale,
    voice,
)
from conversations.kernel.i18n import COPENHAGEN
from conversations.kernel.messages import Button, Reply
from conversations.kernel.questions import ticked
from conversations.vetting import is_coordinator
from storage import events, outbox
from storage.events import rsvp_of
from storage.models import Event, Rsvp, User

# -- /events, check-in and the coordinators' tools ---------------------------------------------------------


async def events_command(ctx: Context) -> None:
    upcoming = await events.upcoming(ctx.session, ctx.now, viewer=ctx.user)
    coordinator = ctx.user.role == "coordinator"
    if not coordinator:
        upcoming = [e for e in upcoming if e.audience in ("all", ctx.user.role)]
    if not upcoming:
        ctx.say(ctx._("No events are planned right now."))
    for event in upcoming:
        text = card(ctx, event)
        if coordinator:
            text += "\n\n" + await counts(ctx, event)
            buttons = [
                # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
                [Button(ctx._("Attendance"), f"e:list:{event.id}"), Button(ctx._("Edit"), f"e:edit:{event.id}")],
                # NOTE: button, ≤ 30 characters
                [Button(ctx._("Cancel event"), f"e:cancel:{event.id}")],
            ]
        else:
            # NOTE: button, ≤ 30 characters
            buttons = [*rsvp_buttons(ctx, event.id), [Button(ctx._("Invite a friend"), f"e:invite:{event.id}")]]
        ctx.say(text, buttons)
    if ctx.step != "idle":  # asked mid-question: put the question back under the list
        await ctx.prompt()


async def counts(ctx: Context, event: Event) -> str:
    rsvps = await events.rsvps(ctx.session, event.id)
    by = {s: sum(r.status == s for r in rsvps) for s in ("going", "maybe", "waitlist")}
    going = [r for r in rsvps if r.status == "going"]
    needs = {o.code: sum(o.code in (r.needs or []) for r in going) for o in NEEDS}
    lines = [
        ctx._("Going: {going} of {capacity} · maybe: {maybe} · waitlist: {waitlist}").format(
            going=by["going"], capacity=event.capacity, maybe=by["maybe"], waitlist=by["waitlist"]
        ),
        ctx._("Needs: childcare {childcare}, interpreter {interpreter}, accessibility {access}").format(**needs),
    ]
    asked = Counter(r.interpreter for r in going if "interpreter" in (r.needs or []) and r.interpreter)
    if asked:
        languages = ctx.t.join(f"{ctx.t.language_label(code)} {n}" for code, n in asked.most_common())
        lines.append(ctx._("Interpreters asked for: {languages}").format(languages=languages))
    lines.append(ctx._("Check-in code: {code}").format(code=event.checkin_code))
    return "\n".join(lines)


async def coordinator_action(ctx: Context, verb: str, event: Event) -> None:
    if not await is_coordinator(ctx):
        return
    if verb == "edit":
        await start_editing(ctx, event)
        return
    if verb == "cancel":
        if event.status == "cancelled":
            ctx.say(ctx._("This event is closed."))
            return
        event.status = "cancelled"
        audit.log(ctx, "cancel_event", f"event:{event.id}")
        told = [rsvp for rsvp, _ in await events.answers_with_people(ctx.session, event.id)]
        for rsvp in told:
            user = await ctx.session.get(User, rsvp.user_id)
            if user is not None:
                view = voice(user)
                outbox.enqueue(
                    ctx.session,
                    Reply(view._("Sorry: {title} is cancelled.").format(title=view.v(event.title)), to=ref_of(user)),
                    ctx.now,
                )
        await nudges.cancel(ctx.session, ctx.now, "event_reminder", event_id=event.id)
        ctx.edit(
            ctx.t.ngettext(
                "Cancelled. {count} woman is being told.", "Cancelled. {count} women are being told.", len(told)
            ).format(count=len(told))
        )
        return
    if not on_or_after_the_day(ctx, event):
        ctx.say(
            ctx._("You can mark who came from the day of the event, {date}.").format(date=ctx.t.date(event.starts_at))
        )
        return
    going = await events.answers_with_people(ctx.session, event.id, ("going",))
    if not going:
        ctx.say(ctx._("Nobody has said yes yet."))
        return
    buttons = [[Button(ticked(u.first_name or "?", r.attended), f"ea:{r.id}")] for r, u in going]
    ctx.say(ctx._("Tap the women who came:"), buttons)


@action("ea")
async def mark_attended(ctx: Context, value: str) -> None:
    if not await is_coordinator(ctx):
        return
    rsvp = await ctx.session.get(Rsvp, int(value)) if value.isdigit() else None
    event = await ctx.session.get(Event, rsvp.event_id) if rsvp is not None else None
    if rsvp is None or event is None or not on_or_after_the_day(ctx, event):
        await stale(ctx)
        return
    rsvp.attended = not rsvp.attended
    going = await events.answers_with_people(ctx.session, rsvp.event_id, ("going",))
    buttons = [[Button(ticked(u.first_name or "?", r.attended), f"ea:{r.id}")] for r, u in going]
    ctx.edit(ctx._("Tap the women who came:"), buttons)


def on_or_after_the_day(ctx: Context, event: Event) -> bool:
    """Attendance is marked from the event's day on, in Copenhagen, not days before it."""
    return ctx.now.astimezone(COPENHAGEN).date() >= event.starts_at.astimezone(COPENHAGEN).date()


async def checkin_command(ctx: Context) -> None:
    """/checkin CODE at the door."""
    code = ctx.inbound.command_args.strip().upper()
    event = await events.event_by_checkin(ctx.session, code) if code else None
    if event is None or abs(event.starts_at - ctx.now) > timedelta(hours=12):
        ctx.say(ctx._("That check-in code does not fit an event today. Please check it, or ask at the door."))
        return
    rsvp = await rsvp_of(ctx.session, event.id, ctx.user.id)
    if rsvp is None:
        rsvp = Rsvp(event_id=event.id, user_id=ctx.user.id, status="going", answered_at=ctx.now)
        ctx.session.add(rsvp)
    rsvp.attended = True
    ctx.say(ctx._("Welcome to {title}! 🌱 You are checked in.").format(title=ctx.v(event.title)))
