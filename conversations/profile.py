"""/profile: her saved profile as a card; each edit is saved at once, except an approved mentor's own words,
which wait for a coordinator (mentor_edits.py)."""

from __future__ import annotations

from conversations import mentor_edits
from conversations.kernel.flow import Context, Step, flow, stale, step
from conversations.kernel.forms import draft, edit_buttons, edit_field, form
from conversations.onboarding import profile_card
from conversations.profile_questions import questions
from storage import repo


async def show_profile(ctx: Context) -> None:
    if not ctx.user.onboarded_at:
        ctx.say(ctx._("You do not have a profile yet. Let us finish it first."))
        await ctx.prompt()
        return
    values = await mentor_edits.with_changes(ctx, await repo.load_profile(ctx.session, ctx.user))
    await ctx.begin("profile", data={"draft": values, "return_to": "profile"})


async def save(ctx: Context) -> None:
    await repo.save_profile(ctx.session, ctx.user, await mentor_edits.hold(ctx, draft(ctx)))


# Her saved profile, and the profile questions one at a time (`ask:<key>`), each saved as soon as she answers.
PROFILE = flow("profile", "profile", "ask:")
PROFILE_FORM = form("profile", lambda ctx: questions(ctx.user.role), done="profile", on_answer=save)


@step
class Profile(Step):
    name = "profile"

    async def prompt(self, ctx: Context) -> None:
        status = await repo.mentor_status(ctx.session, ctx.user) if ctx.user.role == "mentor" else None
        text = profile_card(ctx, draft(ctx), status) + await mentor_edits.awaiting(ctx)
        text += "\n\n" + ctx._("Tap a field to change it.")
        # NOTE: button, ≤ 30 characters
        ctx.say(text, [*edit_buttons(ctx), [ctx.button(ctx._("Done"), "done")]])

    async def on_button(self, ctx: Context, value: str) -> None:
        if await edit_field(ctx, value, "profile"):
            return
        if value == "done":
            await close(ctx)
            return
        await stale(ctx)


async def close(ctx: Context) -> None:
    ctx.edit(profile_card(ctx, draft(ctx)) + await mentor_edits.awaiting(ctx))
    await ctx.end()
