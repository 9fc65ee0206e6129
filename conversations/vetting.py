"""Coordinators vet new mentors: approve, reject with a reason, or ask for more information.

A new mentor is invisible to mentees until approved. Every coordinator gets a card; the buttons work for
coordinators only, and only while the mentor is still waiting. An approved mentor's later changes to her job title,
employer or introduction come back to the coordinators the same way.
"""

from __future__ import annotations

from conversations.kernel import audit, limits
from conversations.kernel.flow import Context, Step, Voice, action, flow, stale, step, voice
from conversations.kernel.i18n import N_
from conversations.kernel.messages import Button
from conversations.kernel.subflows import Written
from conversations.profile_questions import MENTOR_QUESTIONS, profile_lines
from storage import matching, profile_changes, repo
from storage.demo import can_see
from storage.models import Company, MentorProfile, User

REASON_LIMIT = 500


async def coordinators(ctx: Context) -> list[User]:
    """The coordinators her cards and alerts go to: a real woman's never reach a demo coordinator."""
    return [c for c in await repo.coordinators(ctx.session) if can_see(ctx.user, c)]


async def card(ctx: Context, coordinator: User, mentor: User) -> tuple[str, list]:
    """The mentor's profile for one coordinator, in that coordinator's language."""
    view = voice(coordinator)
    values = await repo.load_profile(ctx.session, mentor)
    profile = await ctx.session.get(MentorProfile, mentor.id)
    lines = ["<b>" + view._("A new mentor is waiting for approval") + "</b>", ""]
    lines += profile_lines(view, "mentor", values)
    if profile is not None and profile.company_id is not None:
        company = await ctx.session.get(Company, profile.company_id)
        if company is not None:
            lines.append(view.t.label("<b>" + view._("Partner company") + "</b>", view.v(company.name)))
    buttons = [
        # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
        [vet_button(view._("✅ Approve"), "ok", mentor.id)],
        # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
        [vet_button(view._("Reject"), "no", mentor.id), vet_button(view._("Ask for more info"), "ask", mentor.id)],
    ]
    return "\n".join(lines), buttons


def vet_button(title: str, verb: str, mentor_id: int) -> Button:
    return Button(title, f"v:{verb}:{mentor_id}")


async def announce(ctx: Context, mentor: User | None = None) -> None:
    """Every coordinator gets the card of a mentor who has just finished (or answered a question)."""
    mentor = mentor or ctx.user
    for coordinator in await coordinators(ctx):
        text, buttons = await card(ctx, coordinator, mentor)
        if coordinator.id == ctx.user.id:
            ctx.say(text, buttons)
        else:
            ctx.tell(coordinator, text, buttons)


async def pending(ctx: Context) -> None:
    """/pending: the cards of mentors waiting for approval, then of approved mentors' changes waiting for review."""
    if not await is_coordinator(ctx):
        return
    waiting = [m for m in await repo.pending_mentors(ctx.session) if can_see(ctx.user, m)]
    changed = [(m, p) for m, p in await profile_changes.mentors_with_changes(ctx.session) if can_see(ctx.user, m)]
    if not waiting and not changed:
        ctx.say(ctx._("No mentors are waiting for approval."))
        return
    if waiting:
        ctx.say(ctx._("Mentors waiting for approval: {count}").format(count=len(waiting)))
    for mentor in waiting[:20]:
        text, buttons = await card(ctx, ctx.user, mentor)
        ctx.say(text, buttons)
    if changed:
        ctx.say(ctx._("Profile changes waiting for review: {count}").format(count=len(changed)))
    for mentor, profile in changed[:20]:
        ctx.say(*change_card(ctx.user, mentor, profile))


async def is_coordinator(ctx: Context) -> bool:
    if ctx.user.role == "coordinator" and ctx.user.onboarded_at is not None:
        return True
    ctx.say(ctx._("Only coordinators can do this."))
    return False


@action("v")
async def vet(ctx: Context, value: str) -> None:
    verb, _, raw_id = value.partition(":")
    if not await is_coordinator(ctx):
        return
    mentor = await ctx.session.get(User, int(raw_id)) if raw_id.isdigit() else None
    profile = await ctx.session.get(MentorProfile, mentor.id) if mentor else None
    if mentor is None or profile is None or verb not in ("ok", "no", "ask") or not can_see(ctx.user, mentor):
        await stale(ctx)
        return
    if profile.status != "pending":
        ctx.say(ctx._("This mentor has already been handled."))
        return
    if verb == "ok":
        await approve(ctx, mentor, profile)
    else:
        await ctx.begin("vet", "vet_reason" if verb == "no" else "vet_question", mentor=mentor.id)


async def approve(ctx: Context, mentor: User, profile: MentorProfile) -> None:
    profile.status = "approved"
    profile.decided_at = ctx.now
    audit.log(ctx, "approve", f"user:{mentor.id}")
    ctx.edit(ctx._("✅ {name} is approved. Mentees can find her now.").format(name=ctx.v(mentor.first_name)))
    her = voice(mentor)
    ctx.tell(
        mentor,
        her._(
            "Good news, {name}! 🌱 Your mentor profile is approved. Mentees can find you now and ask you to be their mentor."
        ).format(name=her.v(mentor.first_name)),
    )
    await notify_waiting(ctx, mentor)


async def notify_waiting(ctx: Context, mentor: User) -> None:
    """Mentees on the waiting list hear when a mentor who fits them becomes available."""
    await ctx.session.flush()
    for mentee_id in await matching.waiting_for(ctx.session, mentor.id):
        mentee = await ctx.session.get(User, mentee_id)
        if mentee is None:
            continue
        view = voice(mentee)
        ctx.tell(
            mentee,
            view._("Good news: a mentor who may fit you has a free place now. Tap below to see her."),
            [[find_button(view)]],
        )


def find_button(view: Voice) -> Button:
    # NOTE: button, ≤ 30 characters
    return Button(view._("Find a mentor"), "find:")


def short_text(ctx: Context, text: str) -> str:
    """The text, or "" after telling her the limit."""
    text = text.strip()
    if not text or len(text) > REASON_LIMIT:
        ctx.say(
            ctx.t.ngettext(
                "Please write between 1 and {count} character.",
                "Please write between 1 and {count} characters.",
                REASON_LIMIT,
            ).format(count=REASON_LIMIT)
        )
        return ""
    return text


# A coordinator's reason for a rejection, or her question to the mentor.
VET = flow("vet", "vet_reason", "vet_question")
# The mentor's answer to that question.
INFO = flow("info", "info_answer")


class _TextStep(Written):
    """A coordinator writes one short text about a waiting mentor."""

    async def on_text(self, ctx: Context, text: str) -> None:
        text = short_text(ctx, text)
        if not text:
            return
        mentor = await ctx.session.get(User, ctx.args["mentor"])
        profile = await ctx.session.get(MentorProfile, mentor.id) if mentor else None
        if mentor is None or profile is None or profile.status != "pending":
            ctx.say(ctx._("This mentor has already been handled."))
        else:
            await self.send(ctx, mentor, profile, text)
        await ctx.end()

    async def send(self, ctx: Context, mentor: User, profile: MentorProfile, text: str) -> None:
        raise NotImplementedError


@step
class RejectReason(_TextStep):
    name = "vet_reason"

    async def question(self, ctx: Context) -> str:
        mentor = await ctx.session.get(User, ctx.args["mentor"])
        return ctx._("Why is {name} not approved? Write a short reason; she will read it.").format(
            name=ctx.v(mentor.first_name if mentor else "")
        )

    async def send(self, ctx: Context, mentor: User, profile: MentorProfile, text: str) -> None:
        profile.status = "rejected"
        profile.decided_at = ctx.now
        audit.log(ctx, "reject", f"user:{mentor.id}")
        her = voice(mentor)
        ctx.tell(
            mentor,
            her._(
                "Thank you for wanting to be a mentor, {name}. This time your profile was not approved. The coordinator wrote:"
            ).format(name=her.v(mentor.first_name))
            + "\n\n"
            + her.t.quote(her.v(text)),
        )
        ctx.say(ctx._("Sent. {name} has been told.").format(name=ctx.v(mentor.first_name)))


@step
class AskMore(_TextStep):
    name = "vet_question"

    async def question(self, ctx: Context) -> str:
        mentor = await ctx.session.get(User, ctx.args["mentor"])
        return ctx._("What would you like to ask {name}?").format(name=ctx.v(mentor.first_name if mentor else ""))

    async def send(self, ctx: Context, mentor: User, profile: MentorProfile, text: str) -> None:
        her = voice(mentor)
        ctx.tell(
            mentor,
            her._("A coordinator has a question about your mentor profile:") + "\n\n" + her.t.quote(her.v(text)),
            [[answer_button(her, mentor.id)]],
        )
        ctx.say(ctx._("Sent. Her answer will come to all coordinators."))


def answer_button(view: Voice, mentor_id: int) -> Button:
    # NOTE: button, ≤ 30 characters
    return Button(view._("Answer"), f"va:{mentor_id}")


@action("va")
async def start_answer(ctx: Context, value: str) -> None:
    """The mentor taps Answer under a coordinator's question."""
    profile = await ctx.session.get(MentorProfile, ctx.user.id)
    if value != str(ctx.user.id) or profile is None or profile.status != "pending":
        await stale(ctx)
        return
    if await limits.refused(ctx, "answer", spend=False):
        return
    await ctx.begin("info")


@step
class InfoAnswer(Step):
    name = "info_answer"

    async def prompt(self, ctx: Context) -> None:
        ctx.say(
            ctx._("Write your answer. I will pass it on to the coordinators."), [[ctx.button(ctx._("Back"), "back")]]
        )

    async def on_button(self, ctx: Context, value: str) -> None:
        if value == "back":
            await ctx.cancel()
        else:
            await stale(ctx)

    async def on_text(self, ctx: Context, text: str) -> None:
        text = short_text(ctx, text)
        if not text:
            return
        if await limits.refused(ctx, "answer"):
            await ctx.end()
            return
        for coordinator in await coordinators(ctx):
            view = voice(coordinator)
            ctx.tell(
                coordinator,
                view._("{name} answers your question:").format(name=view.v(ctx.user.first_name))
                + "\n\n"
                + view.t.quote(view.v(text)),
            )
        await announce(ctx)
        ctx.say(ctx._("Thank you! Your answer has gone to the coordinators."))
        await ctx.end()


# -- an approved mentor's changes ---------------------------------------------------------------------------
# Her new job title, employer or introduction wait for review (storage/profile_changes.py, conversations/
# mentor_edits.py); every coordinator gets the old and new text, and a decision applies only to what it shows.

CHANGED_QUESTIONS = {q.key: q for q in MENTOR_QUESTIONS if q.key in profile_changes.REVIEWED}
# NOTE: button, ≤ 30 characters (≤ 15 to share its row)
CHANGE_DECISIONS = {"ok": N_("✅ Approve"), "no": N_("Reject")}


def change_card(coordinator: User, mentor: User, profile: MentorProfile) -> tuple[str, list]:
    """The waiting change, old and new text one under the other, in the coordinator's language."""
    view = voice(coordinator)
    changes = profile_changes.waiting(profile)
    lines = ["<b>" + view._("{name} changed her mentor profile").format(name=view.v(mentor.first_name)) + "</b>"]
    for key, question in CHANGED_QUESTIONS.items():
        if key in changes:
            lines += [
                "",
                "<b>" + view._(question.label) + "</b>",
                view.t.label("<i>" + view._("Before") + "</i>", question.show(view, getattr(profile, key))),
                view.t.label("<i>" + view._("New") + "</i>", question.show(view, changes[key])),
            ]
    seen = profile_changes.fingerprint(changes)
    buttons = [[Button(view._(title), f"pe:{verb}:{mentor.id}:{seen}") for verb, title in CHANGE_DECISIONS.items()]]
    return "\n".join(lines), buttons


@action("pe")
async def decide_change(ctx: Context, value: str) -> None:
    """Approve or Reject under a change: `pe:<ok|no>:<mentor id>:<fingerprint of the change shown>`."""
    verb, _, rest = value.partition(":")
    raw_id, _, seen = rest.partition(":")
    if not await is_coordinator(ctx):
        return
    mentor = await ctx.session.get(User, int(raw_id)) if raw_id.isdigit() else None
    profile = await profile_changes.locked(ctx.session, mentor.id) if mentor else None
    changes = profile_changes.waiting(profile) if profile else {}
    # Decided already, or replaced by a later edit this card does not show: there is nothing here to decide.
    if mentor is None or profile is None or not changes or verb not in CHANGE_DECISIONS:
        await stale(ctx)
        return
    if seen != profile_changes.fingerprint(changes) or not can_see(ctx.user, mentor):
        await stale(ctx)
        return
    shown, _ = change_card(ctx.user, mentor, profile)
    her = voice(mentor)
    if verb == "ok":
        profile_changes.approve(profile)
        audit.log(ctx, "approve_changes", f"user:{mentor.id}")
        ctx.edit(shown + "\n\n" + ctx._("✅ Approved. Mentees see the new version now."))
        ctx.tell(
            mentor,
            her._("Good news, {name}! 🌱 Your profile change is approved. Mentees see it now.").format(
                name=her.v(mentor.first_name)
            ),
        )
    else:
        profile_changes.reject(profile)
        audit.log(ctx, "reject_changes", f"user:{mentor.id}")
        ctx.edit(shown + "\n\n" + ctx._("Rejected. Mentees keep seeing the earlier version."))
        ctx.tell(
            mentor,
            her._(
                "{name}, a coordinator did not approve your profile change. Mentees still see your profile as it was."
            ).format(name=her.v(mentor.first_name)),
        )
