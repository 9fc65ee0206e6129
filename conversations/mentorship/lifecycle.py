"""A mentorship once it runs: introductions, pause and resume, completing or ending early, sharing contacts, a
problem reported to the coordinators, and a former mentee becoming a mentor."""

from __future__ import annotations

from conversations import onboarding
from conversations.coordinator_messages import answer_button, write_button
from conversations.kernel import audit
from conversations.kernel.flow import Context, Voice, action, on_result, stale, voice
from conversations.kernel.i18n import N_
from conversations.kernel.messages import Button
from conversations.kernel.subflows import REASONS
from conversations.mentorship import problems, surveys
from conversations.mentorship.relay import start_relay
from conversations.vetting import coordinators, find_button, notify_waiting
from storage import matching
from storage.models import Mentorship, User

END_REASONS = {
    # NOTE: button, ≤ 30 characters
    "job": N_("She found a job"),
    # NOTE: button, ≤ 30 characters
    "time": N_("No time any more"),
    # NOTE: button, ≤ 30 characters
    "match": N_("We were not a good match"),
    # NOTE: button, ≤ 30 characters
    "other": N_("Another reason"),
}
REASONS["end"] = END_REASONS  # the mentor's words
# The mentee's own: she found the job herself.
# NOTE: button, ≤ 30 characters
REASONS["end_mentee"] = {**END_REASONS, "job": N_("I found a job")}
# Why a coordinator cancels: both women read it.
CANCEL_REASONS = {
    # NOTE: button, ≤ 30 characters
    "safety": N_("For someone's safety"),
    # NOTE: button, ≤ 30 characters
    "rules": N_("The programme's rules"),
    # NOTE: button, ≤ 30 characters
    "stopped": N_("The mentorship has stopped"),
    # NOTE: button, ≤ 30 characters
    "asked": N_("One of them asked for it"),
    # NOTE: button, ≤ 30 characters
    "other": N_("Another reason"),
}
REASONS["cancel"] = CANCEL_REASONS
# How a platform links to a person; a platform without such links shows no link.
CONTACT_LINKS = {"telegram": "tg://user?id={id}"}


def mentorship_buttons(view: Voice, m: Mentorship) -> list[list[Button]]:
    rows = [
        # NOTE: button, ≤ 30 characters
        [Button(view._("✉️ Write to her"), f"m:write:{m.id}")],
        [
            # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
            Button(view._("📅 Plan a meeting"), f"mt:plan:{m.id}"),
            # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
            Button(view._("📝 Report a meeting"), f"rw:{m.id}"),
        ],
    ]
    if m.status == "active":
        rows.append(
            [
                # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
                Button(view._("⏸ Pause"), f"m:pause:{m.id}"),
                # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
                Button(view._("🎓 Complete"), f"m:done:{m.id}"),
            ]
        )
    else:
        rows.append(
            [
                # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
                Button(view._("▶ Resume"), f"m:resume:{m.id}"),
                # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
                Button(view._("🎓 Complete"), f"m:done:{m.id}"),
            ]
        )
    rows.append(
        [
            # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
            Button(view._("End early"), f"m:end:{m.id}"),
            # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
            Button(view._("Share my contact"), f"m:share:{m.id}"),
        ]
    )
    # NOTE: button, ≤ 30 characters
    rows.append([Button(view._("⚠️ Report a problem"), f"m:report:{m.id}")])
    return rows


async def introduce(ctx: Context, m: Mentorship, mentee: User, mentor: User) -> None:
    for me, her, text in (
        (mentee, mentor, N_("🎉 {name} has accepted! She is now your mentor.")),
        (mentor, mentee, N_("🎉 You and {name} are now mentor and mentee.")),
    ):
        view = voice(me)
        body = (
            view._(text).format(name=view.v(her.first_name))
            + "\n\n"
            + view._(
                "Write to her through me: tap “Write to her” or send /write. Neither of you needs to share a phone "
                "number. Agree on your first meeting soon: in person or online."
            )
        )
        if me.id == ctx.user.id:
            ctx.say(body, mentorship_buttons(view, m))
        else:
            ctx.tell(me, body, mentorship_buttons(view, m))


async def show(ctx: Context) -> None:
    """/mentorship: her running mentorships with their buttons."""
    live = await matching.live_mentorships(ctx.session, ctx.user.id)
    if not live:
        ctx.say(ctx._("You have no mentorship right now."))
        return
    for m in live:
        other = await ctx.session.get(User, m.other(ctx.user.id))
        role = ctx._("your mentor") if m.mentor_id == other.id else ctx._("your mentee")
        state = ctx._("paused") if m.status == "paused" else ctx._("active")
        text = ctx._("{name}, {role} since {date} ({state})").format(
            name=f"<b>{ctx.v(other.first_name)}</b>", role=role, date=ctx.t.date(m.started_at), state=state
        )
        ctx.say(text, mentorship_buttons(ctx, m))


async def _mine(ctx: Context, raw_id: str) -> Mentorship | None:
    m = await ctx.session.get(Mentorship, int(raw_id)) if raw_id.isdigit() else None
    if m is None or ctx.user.id not in (m.mentee_id, m.mentor_id):
        return None
    return m


@action("m")
async def act(ctx: Context, value: str) -> None:
    verb, _, raw_id = value.partition(":")
    if verb == "cancel":
        await coordinator_cancel(ctx, raw_id)
        return
    m = await _mine(ctx, raw_id)
    if m is None:
        ctx.say(ctx._("This button is not for you."))
        return
    if m.status not in matching.LIVE:
        ctx.say(ctx._("This mentorship has ended."))
        return
    other = await ctx.session.get(User, m.other(ctx.user.id))
    view = voice(other)
    if verb == "write":
        await start_relay(ctx, m)
    elif verb in ("pause", "resume"):
        m.status = "paused" if verb == "pause" else "active"
        text = (
            N_("{name} has paused your mentorship for now.")
            if verb == "pause"
            else N_("{name} has resumed your mentorship.")
        )
        ctx.tell(other, view._(text).format(name=view.v(ctx.user.first_name)))
        ctx.edit(
            ctx._("Done: your mentorship is paused.")
            if verb == "pause"
            else ctx._("Done: your mentorship is active again.")
        )
    elif verb == "done":
        await ctx.begin(
            "confirm",
            then="complete",
            m=m.id,
            q=N_("Complete your mentorship with {name}? You will both get a short survey at the end."),
            # NOTE: button, ≤ 30 characters
            yes=N_("Yes, complete it"),
            fmt={"name": other.first_name},
        )
    elif verb == "end":
        reasons = "end_mentee" if ctx.user.id == m.mentee_id else "end"
        await ctx.begin("reason", then="end_early", set=reasons, m=m.id, q=N_("Why does the mentorship end early?"))
    elif verb == "share":
        await share(ctx, m, other)
    elif verb == "report":
        await problems.start(ctx, m)
    else:
        await stale(ctx)


async def live_and_mine(ctx: Context, mentorship_id: int) -> Mentorship | None:
    """The mentorship a sub-flow was about, if it still runs and she is in it; she is told when it does not."""
    m = await ctx.session.get(Mentorship, mentorship_id)
    if m is None or ctx.user.id not in (m.mentee_id, m.mentor_id) or m.status not in matching.LIVE:
        ctx.say(ctx._("This mentorship has ended."))
        return None
    return m


@on_result("complete")
async def complete(ctx: Context, sure: bool, args: dict) -> None:
    if sure and (m := await live_and_mine(ctx, args["m"])) is not None:
        await end(ctx, m, await ctx.session.get(User, m.other(ctx.user.id)), "completed", None)


@on_result("end_early")
async def end_early(ctx: Context, reason: str, args: dict) -> None:
    m = await live_and_mine(ctx, args["m"])
    if m is None:
        return
    other = await ctx.session.get(User, m.other(ctx.user.id))
    await ctx.begin(
        "confirm",
        then="end_early_sure",
        m=m.id,
        reason=reason,
        q=N_("End your mentorship with {name} now? This cannot be undone."),
        yes=N_("Yes, end it"),
        fmt={"name": other.first_name},
    )


@on_result("end_early_sure")
async def end_early_sure(ctx: Context, sure: bool, args: dict) -> None:
    if sure and (m := await live_and_mine(ctx, args["m"])) is not None:
        await end(ctx, m, await ctx.session.get(User, m.other(ctx.user.id)), "ended_early", args["reason"])


async def end(ctx: Context, m: Mentorship, other: User, status: str, reason: str | None) -> None:
    if not await matching.end_mentorship(ctx.session, m, status, ctx.now, ctx.user.id, reason):
        ctx.say(ctx._("This mentorship has ended."))
        return
    for me, her in ((ctx.user, other), (other, ctx.user)):
        view = voice(me)
        text = view._("Your mentorship with {name} has ended. Thank you both! 🌱").format(name=view.v(her.first_name))
        buttons = []
        if me.id == m.mentee_id:
            text += "\n\n" + view._(
                "You can look for a new mentor whenever you like. And one day you may become a mentor yourself: /become_mentor"
            )
            # NOTE: button, ≤ 30 characters
            buttons = [[Button(view._("Find a mentor"), "find:")]]
        if me.id == ctx.user.id:
            ctx.say(text, buttons)
        else:
            ctx.tell(me, text, buttons)
    if status in ("completed", "ended_early"):
        ctx.replies += await surveys.invite_both(ctx.session, m, "end", ctx.now)
    mentor = ctx.user if ctx.user.id == m.mentor_id else other
    await notify_waiting(ctx, mentor)


async def share(ctx: Context, m: Mentorship, other: User) -> None:
    if ctx.user.id == m.mentee_id:
        m.mentee_shares_contact = True
    else:
        m.mentor_shares_contact = True
    if not (m.mentee_shares_contact and m.mentor_shares_contact):
        view = voice(other)
        ctx.tell(
            other,
            view._(
                "{name} would like to share contact details with you. If you agree, tap “Share my contact” too."
            ).format(name=view.v(ctx.user.first_name)),
            # NOTE: button, ≤ 30 characters
            [[Button(view._("Share my contact"), f"m:share:{m.id}")]],
        )
        ctx.say(
            ctx._("Thank you. When {name} agrees too, you both get each other's contact.").format(
                name=ctx.v(other.first_name)
            )
        )
        return
    for me, her in ((ctx.user, other), (other, ctx.user)):
        view = voice(me)
        link = CONTACT_LINKS.get(her.platform)
        contact = (
            f'<a href="{link.format(id=her.external_id)}">{view.v(her.first_name)}</a>'
            if link
            else view.v(her.first_name)
        )
        text = view._("You both agreed to share contacts. You can now write to {name} directly.").format(name=contact)
        if me.id == ctx.user.id:
            ctx.say(text)
        else:
            ctx.tell(me, text)


async def coordinator_cancel(ctx: Context, raw_id: str) -> None:
    if ctx.user.role != "coordinator":
        ctx.say(ctx._("Only coordinators can do this."))
        return
    m = await ctx.session.get(Mentorship, int(raw_id)) if raw_id.isdigit() else None
    if m is None or m.status not in matching.LIVE:
        ctx.say(ctx._("This mentorship has ended."))
        return
    await ctx.begin(
        "reason",
        then="cancel_why",
        set="cancel",
        m=m.id,
        q=N_("Why is the mentorship cancelled? Both women read the reason."),
    )


@on_result("cancel_why")
async def cancel_why(ctx: Context, reason: str, args: dict) -> None:
    m = await ctx.session.get(Mentorship, args["m"])
    if m is None or m.status not in matching.LIVE:
        ctx.say(ctx._("This mentorship has ended."))
        return
    mentee, mentor = await ctx.session.get(User, m.mentee_id), await ctx.session.get(User, m.mentor_id)
    await ctx.begin(
        "confirm",
        then="coordinator_cancel",
        m=m.id,
        reason=reason,
        q=N_("Cancel the mentorship of {mentee} and {mentor}? Both will be told."),
        yes=N_("Yes, cancel it"),
        fmt={"mentee": mentee.first_name, "mentor": mentor.first_name},
    )


@on_result("coordinator_cancel")
async def cancel_confirmed(ctx: Context, sure: bool, args: dict) -> None:
    if not sure or ctx.user.role != "coordinator":
        return
    m = await ctx.session.get(Mentorship, args["m"])
    reason = args["reason"] if args.get("reason") in CANCEL_REASONS else "other"
    if m is None or not await matching.end_mentorship(ctx.session, m, "cancelled", ctx.now, ctx.user.id, reason):
        ctx.say(ctx._("This mentorship has ended."))
        return
    audit.log(ctx, "cancel_mentorship", f"mentorship:{m.id}")
    women = [await ctx.session.get(User, user_id) for user_id in (m.mentee_id, m.mentor_id)]
    for user in women:
        view = voice(user)
        ctx.tell(
            user,
            view._("A coordinator has ended your mentorship. The reason: {reason}").format(
                reason=view.t.quote(view._(CANCEL_REASONS[reason]))
            )
            + "\n\n"
            + view._("The coordinator {name} will write to you here, and you can answer her.").format(
                name=view.v(ctx.user.first_name)
            ),
            [[answer_button(view, ctx.user.id)]],
        )
    ctx.say(
        ctx._("The mentorship is cancelled, and both have been told. Write to each of them now:"),
        [[write_button(ctx, woman)] for woman in women],
    )


async def leave(ctx: Context) -> None:
    """She is deleting her account: her mentorships end and her open requests close, the place she took with a
    mentor is freed, and the others are told without her name (it is about to be deleted)."""
    for m in await matching.live_mentorships(ctx.session, ctx.user.id):
        if not await matching.end_mentorship(ctx.session, m, "ended_early", ctx.now, ctx.user.id, "left"):
            continue
        other = await ctx.session.get(User, m.other(ctx.user.id))
        view = voice(other)
        if other.id == m.mentee_id:
            text = N_(
                "Your mentorship that began on {date} has ended: your mentor has left Mentornet. "
                "You can look for a new mentor whenever you like."
            )
            ctx.tell(other, view._(text).format(date=view.t.date(m.started_at)), [[find_button(view)]])
        else:
            text = N_("Your mentorship that began on {date} has ended: your mentee has left Mentornet.")
            ctx.tell(other, view._(text).format(date=view.t.date(m.started_at)))
            await notify_waiting(ctx, other)
        for coordinator in await coordinators(ctx):
            cview = voice(coordinator)
            text = (
                N_("The mentorship of {name} (mentee) has ended: her mentor deleted her account. Please check on her.")
                if other.id == m.mentee_id
                else N_(
                    "The mentorship of {name} (mentor) has ended: her mentee deleted her account. Please check on her."
                )
            )
            ctx.tell(coordinator, cview._(text).format(name=cview.v(other.first_name)))
    for request in await matching.open_requests_of(ctx.session, ctx.user.id):
        await matching.close_request(ctx.session, request.id, "withdrawn", ctx.now, reason="left")
        if request.mentor_id == ctx.user.id:  # a mentee is waiting for her answer
            mentee = await ctx.session.get(User, request.mentee_id)
            view = voice(mentee)
            ctx.tell(
                mentee,
                view._("The mentor you asked on {date} has left Mentornet. You can ask another mentor.").format(
                    date=view.t.date(request.created_at)
                ),
                [[find_button(view)]],
            )


async def become_mentor(ctx: Context) -> None:
    """A former mentee onboards as a mentor; her history as a mentee stays."""
    if ctx.user.role != "mentee" or not ctx.user.onboarded_at:
        ctx.say(ctx._("This is for mentees who would like to become mentors."))
        return
    if any(m.mentee_id == ctx.user.id for m in await matching.live_mentorships(ctx.session, ctx.user.id)):
        ctx.say(ctx._("You can become a mentor when your own mentorship has ended."))
        return
    ctx.user.role = "mentor"
    ctx.user.onboarded_at = None
    ctx.say(ctx._("Wonderful! 🌱 Let us make your mentor profile."))
    await onboarding.start_questions(ctx, {"name": ctx.user.first_name})
