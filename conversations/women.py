"""/find <name>: a coordinator finds a woman and opens her page: role and status, requests, mentorships, events,
when she was last here; she can write to her, and pause, deactivate or reactivate a mentor with a reason the
mentor reads."""

from __future__ import annotations

from conversations.coordinator_messages import answer_button, write_button
from conversations.coordinators import removable
from conversations.kernel import audit
from conversations.kernel.flow import Context, action, flow, stale, step, too_long, voice
from conversations.kernel.i18n import COPENHAGEN, N_
from conversations.kernel.messages import Button
from conversations.kernel.subflows import Written
from conversations.vetting import is_coordinator
from storage import people
from storage.demo import can_see
from storage.models import MentorProfile, User, WaitingMentee

FOUND_AT_MOST = 10
REASON_LIMIT = 500
ROLES = {"mentee": N_("Mentee"), "mentor": N_("Mentor"), "coordinator": N_("Coordinator")}
MENTOR_STATES = {
    "pending": N_("waiting for approval"), "approved": N_("approved"), "paused": N_("paused"),
    "inactive": N_("deactivated"), "rejected": N_("not approved"),
}  # fmt: skip
# What a coordinator can do to a mentor's profile: the status it gets and what the mentor reads.
CHANGES = {
    "pause": ("paused", N_("A coordinator has paused your mentor profile: mentees cannot ask you for now. "
                          "You can start again with /pause when you are ready.")),
    "deactivate": ("inactive", N_("A coordinator has deactivated your mentor profile: mentees cannot find you. "
                                  "Your running mentorships go on.")),
    "activate": ("approved", N_("A coordinator has activated your mentor profile again: mentees can find you.")),
}  # fmt: skip


async def find_command(ctx: Context) -> None:
    if not await is_coordinator(ctx):
        return
    name = " ".join(ctx.inbound.command_args.split())[:64]
    if not name:
        ctx.say(ctx._("Write a name after /find, for example: /find Amina"))
        return
    found = await people.by_first_name(ctx.session, name, ctx.user, FOUND_AT_MOST)
    if not found:
        ctx.say(ctx._("Nobody is called {name}.").format(name=ctx.t.quote(ctx.v(name))))
        return
    lines = [ctx._("Who do you mean?"), ""]
    for user in found:
        role = ctx._(ROLES[user.role]) if user.role in ROLES else "—"
        lines.append(f"• <b>{ctx.v(user.first_name)}</b> · {role} · " + ctx.t.date(user.created_at))
    buttons = [
        [Button(f"{u.first_name} · {ctx._(ROLES[u.role]) if u.role in ROLES else '—'}", f"wp:{u.id}")] for u in found
    ]
    ctx.say("\n".join(lines), buttons)


@action("wp")
async def her_page(ctx: Context, value: str) -> None:
    if not await is_coordinator(ctx):
        return
    her = await _her(ctx, value)
    if her is None:
        await stale(ctx)
        return
    role = ctx._(ROLES[her.role]) if her.role in ROLES else "—"
    lines = [f"<b>{ctx.v(her.first_name)}</b> · {role}"]
    profile = await ctx.session.get(MentorProfile, her.id) if her.role == "mentor" else None
    if profile is not None:
        lines.append(ctx.t.label(ctx._("Status"), ctx._(MENTOR_STATES.get(profile.status, profile.status))))
    if her.role == "coordinator":
        how = N_("invited by a coordinator") if her.invited_coordinator else N_("set in the bot's configuration")
        lines.append(ctx.t.label(ctx._("Coordinator"), ctx._(how)))
    lines.append(ctx.t.label(ctx._("Joined"), ctx.t.date(her.created_at)))
    lines.append(ctx.t.label(ctx._("Last here"), ctx.t.date(her.last_seen_at)))
    if (waiting := await ctx.session.get(WaitingMentee, her.id)) is not None:
        lines.append(ctx.t.label(ctx._("On the waiting list since"), ctx.t.date(waiting.since)))
    taking = await people.taking_part(ctx.session, her.id)
    lines.append(ctx.t.label(ctx._("Open requests"), str(taking.open_requests)))
    events = f"{taking.events_answered}, {taking.events_attended}"
    lines.append(ctx.t.label(ctx._("Events answered, attended"), events))
    mentorships = taking.mentorships
    lines.append(ctx.t.label(ctx._("Mentorships"), str(len(mentorships))))
    buttons = [[write_button(ctx, her)]]
    for m in mentorships[:5]:
        other = await ctx.session.get(User, m.other(her.id))
        began = ctx.t.day(m.started_at.astimezone(COPENHAGEN).date())
        label = f"🤝 {other.first_name if other and other.first_name else '—'} · {began}"
        buttons.append([Button(label, f"ms:{m.id}")])
    if profile is not None:
        for verb in OFFERED.get(profile.status, ()):
            buttons.append([Button(ctx._(CHANGE_BUTTONS[verb]), f"wm:{verb}:{her.id}")])
    if removable(her) and her.id != ctx.user.id:
        # NOTE: button, ≤ 30 characters
        buttons.append([Button(ctx._("Remove coordinator role"), f"wc:{her.id}")])
    ctx.say("\n".join(lines), buttons)


# What can be done to a mentor's profile in each status.
OFFERED = {"approved": ("pause", "deactivate"), "paused": ("activate", "deactivate"), "inactive": ("activate",)}
CHANGE_BUTTONS = {
    # NOTE: button, ≤ 30 characters
    "pause": N_("⏸ Pause her profile"),
    # NOTE: button, ≤ 30 characters
    "deactivate": N_("⛔ Deactivate her profile"),
    # NOTE: button, ≤ 30 characters
    "activate": N_("▶ Activate her profile"),
}


async def _her(ctx: Context, value: str) -> User | None:
    her = await ctx.session.get(User, int(value)) if value.isdigit() and len(value) < 10 else None
    if her is None or her.erased_at is not None or not can_see(ctx.user, her):
        return None
    return her


@action("wm")
async def change_mentor(ctx: Context, value: str) -> None:
    if not await is_coordinator(ctx):
        return
    verb, _, raw_id = value.partition(":")
    her = await _her(ctx, raw_id)
    profile = await ctx.session.get(MentorProfile, her.id) if her is not None else None
    if profile is None or verb not in OFFERED.get(profile.status, ()):
        await stale(ctx)
        return
    await ctx.begin("mentor_status", verb=verb, who=her.id)


MENTOR_STATUS = flow("mentor_status", "mentor_status_why")


@step
class Why(Written):
    """The reason she will read, then the change."""

    name = "mentor_status_why"

    async def question(self, ctx: Context) -> str:
        her = await ctx.session.get(User, ctx.args["who"])
        return ctx._("Why? {name} will read what you write.").format(name=ctx.v(her.first_name if her else ""))

    async def on_text(self, ctx: Context, text: str) -> None:
        if too_long(ctx, text.strip(), REASON_LIMIT):
            return
        her = await ctx.session.get(User, ctx.args["who"])
        profile = await ctx.session.get(MentorProfile, ctx.args["who"])
        status, told = CHANGES[ctx.args["verb"]]
        if her is None or her.erased_at is not None or profile is None:
            ctx.say(ctx._("She has left Mentornet, so the message cannot reach her."))
            await ctx.end()
            return
        profile.status = status
        audit.log(ctx, f"{ctx.args['verb']}_mentor", f"mentor:{her.id}")
        view = voice(her)
        ctx.tell(
            her,
            view._(told) + "\n\n" + view._("The reason: {reason}").format(reason=view.t.quote(view.v(text.strip()))),
            [[answer_button(view, ctx.user.id)]],
        )
        ctx.say(ctx._("Done. {name} has been told.").format(name=ctx.v(her.first_name)))
        await ctx.end()
