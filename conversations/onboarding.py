"""Onboarding: role, the profile questions one by one, a summary card with an edit button per field, confirm.

Reads top to bottom like the conversation; the questions themselves are in profile_questions.py.
"""

from __future__ import annotations

from typing import Any

from conversations import vetting
from conversations.kernel.flow import Context, Step, stale, step
from conversations.kernel.forms import draft, edit_buttons, edit_field, form
from conversations.kernel.i18n import N_
from conversations.profile_questions import profile_lines, questions
from storage import repo

# -- after the privacy notice ------------------------------------------------------------------------------


async def begin(ctx: Context) -> None:
    if ctx.user.role == "coordinator":
        await start_questions(ctx)
    else:
        ctx.goto("role")
        await ctx.prompt()


# The privacy notice's part for her role, said when she chooses it.
WHO_SEES = {
    "mentee": N_(
        "🔒 As a mentee: the coordinators see your profile. A mentor sees it only when you ask her to be your "
        "mentor. /mydata shows everything we keep."
    ),
    "mentor": N_(
        "🔒 As a mentor: once a coordinator has approved you, every mentee who looks for a mentor sees your card: "
        "first name, job title, employer, fields, languages, area and introduction. Coordinators see your whole "
        "profile. You can change it with /profile or delete it with /delete."
    ),
}


@step
class ChooseRole(Step):
    name = "role"

    async def prompt(self, ctx: Context) -> None:
        ctx.say(
            ctx._("How would you like to take part?"),
            [
                # NOTE: button, ≤ 30 characters
                [ctx.button(ctx._("I want a mentor"), "mentee")],
                # NOTE: button, ≤ 30 characters
                [ctx.button(ctx._("I want to be a mentor"), "mentor")],
            ],
        )

    async def on_button(self, ctx: Context, value: str) -> None:
        if value not in ("mentee", "mentor"):
            await stale(ctx)
            return
        ctx.user.role = value
        # NOTE: button, ≤ 30 characters
        chosen = ctx._("I want a mentor") if value == "mentee" else ctx._("I want to be a mentor")
        ctx.close_question(ctx._("How would you like to take part?"), chosen)
        ctx.say(ctx._(WHO_SEES[value]))
        await start_questions(ctx)


async def start_questions(ctx: Context, answers: dict[str, Any] | None = None) -> None:
    ctx.restart(f"ask:{questions(ctx.user.role)[0].key}", {"draft": answers or {}})
    await ctx.prompt()


# The profile questions of her role, one at a time (`ask:<key>`), then the summary card.
ONBOARDING = form("main", lambda ctx: questions(ctx.user.role), done="summary")


# -- the summary card --------------------------------------------------------------------------------------


def profile_card(ctx: Context, values: dict[str, Any], status: str | None = None) -> str:
    lines = ["<b>" + ctx._("Your profile") + "</b>", "", *profile_lines(ctx, ctx.user.role, values)]
    if status == "pending":
        lines += ["", ctx._("Status: waiting for a coordinator's approval")]
    elif status == "approved":
        lines += ["", ctx._("Status: approved")]
    return "\n".join(lines)


@step
class Summary(Step):
    name = "summary"

    async def prompt(self, ctx: Context) -> None:
        text = profile_card(ctx, draft(ctx)) + "\n\n" + ctx._("Is everything right? Tap a field to change it.")
        # NOTE: button, ≤ 30 characters
        ctx.say(text, [*edit_buttons(ctx), [ctx.button(ctx._("✅ Confirm"), "ok")]])

    async def on_button(self, ctx: Context, value: str) -> None:
        if await edit_field(ctx, value, "summary"):
            return
        if value == "ok":
            await confirm(ctx)
            return
        await stale(ctx)


async def confirm(ctx: Context) -> None:
    values = draft(ctx)
    await repo.save_profile(ctx.session, ctx.user, values, company_id=ctx.data.pop("company", None))
    ctx.user.onboarded_at = ctx.now
    ctx.restart("idle")
    ctx.edit(profile_card(ctx, values))
    name = ctx.v(values["name"])
    if ctx.user.role == "mentor":
        await vetting.announce(ctx)
        ctx.say(
            ctx._(
                "Thank you, {name}! 🌱 A coordinator will look at your profile soon. Until it is approved, "
                "mentees cannot see it. I will write to you here as soon as it is."
            ).format(name=name)
        )
    elif ctx.user.role == "coordinator":
        ctx.say(ctx._("Welcome, {name}. You are registered as a coordinator.").format(name=name))
    else:
        ctx.say(
            ctx._(
                "Thank you, {name}! 🌱 Your profile is saved. You can see and change it at any time with /profile."
            ).format(name=name)
        )
    await ctx.prompt()
