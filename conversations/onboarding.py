"""Onboarding: role, the profile questions one by one, a summary card with an edit button per field, confirm.

Reads top to bottom like the conversation; the questions themselves are in profile_questions.py.
"""

from __future__ import annotations

from typing import Any

from conversations import vetting
from conversations.flow import Context, Step, resolver, rows, stale, step
from conversations.profile_questions import profile_lines, questions
from conversations.questions import INVALID, NO_ANSWER, Question
from storage import repo


def draft(ctx: Context) -> dict[str, Any]:
    """The answers of the frame she is in: onboarding's in the main flow, or /profile's own."""
    return ctx.state.setdefault("draft", {})


# -- after the privacy notice ------------------------------------------------------------------------------


async def begin(ctx: Context) -> None:
    if ctx.user.role == "coordinator":
        await start_questions(ctx)
    else:
        ctx.goto("role")
        await ctx.prompt()


@step
class ChooseRole(Step):
    name = "role"

    async def prompt(self, ctx: Context) -> None:
        ctx.say(
            ctx._("How would you like to take part?"),
            [
                [ctx.button(ctx._("I am new in Denmark and want a mentor"), "mentee")],
                [ctx.button(ctx._("I want to be a mentor"), "mentor")],
            ],
        )

    async def on_button(self, ctx: Context, value: str) -> None:
        if value not in ("mentee", "mentor"):
            await stale(ctx)
            return
        ctx.user.role = value
        chosen = ctx._("I am new in Denmark and want a mentor") if value == "mentee" else ctx._("I want to be a mentor")
        ctx.close_question(ctx._("How would you like to take part?"), chosen)
        await start_questions(ctx)


async def start_questions(ctx: Context, answers: dict[str, Any] | None = None) -> None:
    ctx.restart(f"ask:{questions(ctx.user.role)[0].key}", {"draft": answers or {}})
    await ctx.prompt()


# -- one question ------------------------------------------------------------------------------------------


class Ask(Step):
    def __init__(self, question: Question) -> None:
        self.q = question

    def back_to(self, ctx: Context) -> str | None:
        """Where Back goes: the card she came from, or the question before; the first question has none."""
        if ctx.flow == "profile":
            return "profile"
        if ctx.state.get("editing"):
            return "summary"
        keys = [q.key for q in questions(ctx.user.role)]
        position = keys.index(self.q.key)
        return f"ask:{keys[position - 1]}" if position > 0 else None

    async def prompt(self, ctx: Context) -> None:
        ctx.offer_back = self.back_to(ctx) is not None
        self.q.ask(ctx, draft(ctx).get(self.q.key))

    async def on_text(self, ctx: Context, text: str) -> None:
        ctx.offer_back = self.back_to(ctx) is not None
        await self._settle(ctx, self.q.on_text(ctx, text, draft(ctx).get(self.q.key)))

    async def on_button(self, ctx: Context, value: str) -> None:
        back = self.back_to(ctx)
        if value == "back" and back is not None:
            ctx.state.get("picking", {}).pop(self.q.key, None)  # ticks not confirmed with Done are dropped
            ctx.goto(back)
            await ctx.prompt()
            return
        ctx.offer_back = back is not None
        await self._settle(ctx, self.q.on_button(ctx, value, draft(ctx).get(self.q.key)))

    async def _settle(self, ctx: Context, answer: Any) -> None:
        if answer is INVALID:
            await stale(ctx)
        elif answer is not NO_ANSWER:
            draft(ctx)[self.q.key] = answer
            await answered(ctx, self.q)


@resolver("ask")
def _ask(ctx: Context, key: str) -> Ask | None:
    found = next((q for q in questions(ctx.user.role) if q.key == key), None)
    return Ask(found) if found else None


async def answered(ctx: Context, question: Question) -> None:
    if ctx.flow == "profile":  # editing a saved profile: save at once and show it again
        await repo.save_profile(ctx.session, ctx.user, draft(ctx))
        ctx.goto("profile")
    elif ctx.state.get("editing"):
        ctx.goto("summary")
    else:
        keys = [q.key for q in questions(ctx.user.role)]
        position = keys.index(question.key)
        ctx.goto(f"ask:{keys[position + 1]}" if position + 1 < len(keys) else "summary")
    await ctx.prompt()


# -- the summary card --------------------------------------------------------------------------------------


def profile_card(ctx: Context, values: dict[str, Any], status: str | None = None) -> str:
    lines = ["<b>" + ctx._("Your profile") + "</b>", "", *profile_lines(ctx, ctx.user.role, values)]
    if status == "pending":
        lines += ["", ctx._("Status: waiting for a coordinator's approval")]
    elif status == "approved":
        lines += ["", ctx._("Status: approved")]
    return "\n".join(lines)


def edit_buttons(ctx: Context) -> list:
    return rows([ctx.button(f"✏️ {ctx._(q.label)}", f"e:{q.key}") for q in questions(ctx.user.role)], 2)


async def edit_field(ctx: Context, key: str) -> bool:
    if _ask(ctx, key) is None:
        return False
    ctx.goto(f"ask:{key}")
    await ctx.prompt()
    return True


@step
class Summary(Step):
    name = "summary"

    async def prompt(self, ctx: Context) -> None:
        text = profile_card(ctx, draft(ctx)) + "\n\n" + ctx._("Is everything right? Tap a field to change it.")
        ctx.say(text, [*edit_buttons(ctx), [ctx.button(ctx._("✅ Confirm"), "ok")]])

    async def on_button(self, ctx: Context, value: str) -> None:
        if value.startswith("e:"):
            ctx.state["editing"] = True
            if await edit_field(ctx, value[2:]):
                return
        elif value == "ok":
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
