"""/profile: her saved profile as a card; each edit is saved at once."""

from __future__ import annotations

from conversations.flow import Context, Step, flow, stale, step
from conversations.onboarding import draft, edit_buttons, edit_field, profile_card
from storage import repo


async def show_profile(ctx: Context) -> None:
    if not ctx.user.onboarded_at:
        ctx.say(ctx._("You do not have a profile yet. Let us finish it first."))
        await ctx.prompt()
        return
    await ctx.begin("profile", data={"draft": await repo.load_profile(ctx.session, ctx.user)})


# Her saved profile, and the profile questions one at a time (`ask:<key>`), each saved as soon as she answers.
PROFILE = flow("profile", "profile", "ask:")


@step
class Profile(Step):
    name = "profile"

    async def prompt(self, ctx: Context) -> None:
        status = await repo.mentor_status(ctx.session, ctx.user) if ctx.user.role == "mentor" else None
        text = profile_card(ctx, draft(ctx), status) + "\n\n" + ctx._("Tap a field to change it.")
        ctx.say(text, [*edit_buttons(ctx), [ctx.button(ctx._("Done"), "done")]])

    async def on_button(self, ctx: Context, value: str) -> None:
        if value.startswith("e:") and await edit_field(ctx, value[2:]):
            return
        if value == "done":
            await close(ctx)
            return
        await stale(ctx)


async def close(ctx: Context) -> None:
    ctx.edit(profile_card(ctx, draft(ctx)))
    await ctx.end()
