"""⚠️ Report a problem: what happened (a few kinds to tap), her own words if she wants, and what happens next.

Only the coordinators read it; the other woman is not told. Each coordinator gets it with a way to write to the
woman who reported and to cancel the mentorship.
"""

from __future__ import annotations

from conversations.coordinator_messages import write_button
from conversations.kernel import limits
from conversations.kernel.flow import Context, Step, flow, on_result, stale, step, too_long, voice
from conversations.kernel.i18n import N_
from conversations.kernel.messages import Button
from conversations.kernel.subflows import REASONS
from conversations.vetting import coordinators
from storage.models import Mentorship, ProblemReport, User

NOTE_LIMIT = 800
KINDS = {
    # NOTE: button, ≤ 30 characters
    "noshow": N_("She does not come to meetings"),
    # NOTE: button, ≤ 30 characters
    "respect": N_("She was disrespectful"),
    # NOTE: button, ≤ 30 characters
    "money": N_("She asked me for money"),
    # NOTE: button, ≤ 30 characters
    "safety": N_("I do not feel safe"),
    # NOTE: button, ≤ 30 characters
    "other": N_("Something else"),
}
REASONS["problem"] = KINDS
PROBLEM = flow("problem", "problem_note")


async def start(ctx: Context, m: Mentorship) -> None:
    if await limits.refused(ctx, "problem", spend=False):  # before she tells us anything
        return
    await ctx.begin(
        "reason",
        then="problem_kind",
        set="problem",
        m=m.id,
        q=N_("What happened? Only the coordinators read this; the other woman is not told."),
    )


@on_result("problem_kind")
async def kind_chosen(ctx: Context, kind: str, args: dict) -> None:
    await ctx.begin("problem", m=args["m"], kind=kind)


@step
class ProblemNote(Step):
    name = "problem_note"

    async def prompt(self, ctx: Context) -> None:
        ctx.say(
            ctx._("If you like, write in a few words what happened. Or send it as it is."),
            [
                # NOTE: button, ≤ 30 characters
                [ctx.button(ctx._("Send it as it is"), "send")],
                # NOTE: button, ≤ 30 characters
                [ctx.button(ctx._("Back"), "back")],
            ],
        )

    async def on_text(self, ctx: Context, text: str) -> None:
        if too_long(ctx, text.strip(), NOTE_LIMIT):
            return
        await report(ctx, text.strip() or None)

    async def on_button(self, ctx: Context, value: str) -> None:
        if value == "send":
            await report(ctx, None)
        elif value == "back":
            await ctx.cancel()
        else:
            await stale(ctx)


async def report(ctx: Context, note: str | None) -> None:
    m = await ctx.session.get(Mentorship, ctx.args["m"])
    if m is None or ctx.user.id not in (m.mentee_id, m.mentor_id) or await limits.refused(ctx, "problem"):
        await ctx.end()
        return
    kind = ctx.args["kind"] if ctx.args["kind"] in KINDS else "other"
    ctx.session.add(
        ProblemReport(mentorship_id=m.id, reporter_id=ctx.user.id, kind=kind, note=note, created_at=ctx.now)
    )
    mentee, mentor = await ctx.session.get(User, m.mentee_id), await ctx.session.get(User, m.mentor_id)
    for coordinator in await coordinators(ctx):
        view = voice(coordinator)
        text = view._(
            "⚠️ {reporter} reported a problem in the mentorship of {mentee} (mentee) and {mentor} (mentor): {kind}"
        ).format(
            reporter=view.v(ctx.user.first_name), mentee=view.v(mentee.first_name), mentor=view.v(mentor.first_name),
            kind=view._(KINDS[kind]),
        )  # fmt: skip
        if note:
            text += "\n\n" + view.t.quote(view.v(note))
        buttons = [
            [write_button(view, ctx.user)],
            # NOTE: button, ≤ 30 characters
            [Button(view._("Cancel this mentorship"), f"m:cancel:{m.id}")],
        ]
        ctx.tell(coordinator, text, buttons)
    ctx.say(
        ctx._(
            "Thank you for telling us. A coordinator will write to you here soon; the other woman is not told. "
            "If you are in danger now, call 112."
        )
    )
    await ctx.end()
