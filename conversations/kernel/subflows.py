"""Small flows that answer a caller: "are you sure?", "why?", "which mentorship?".

A caller begins one with `then=<handler>` and the handler receives the answer when it ends:

    await ctx.begin("confirm", then="complete", m=m.id, q=N_("Complete your mentorship with {name}?"),
                    # NOTE: button, ≤ 30 characters
                    yes=N_("Yes, complete it"), fmt={"name": other.first_name})

Texts travel as msgids (marked with `N_` where they are written) and are translated when shown, so the question
comes in her language even if she changes it in between; `fmt` fills the placeholders, escaped for display.
"""

from __future__ import annotations

from typing import Any

from conversations.kernel.flow import FLOWS, RESULTS, Context, Step, flow, on_result, stale, step
from conversations.kernel.i18n import N_
from storage import matching
from storage.models import User


def text(ctx: Context, msgid: str, fmt: dict[str, Any] | None = None) -> str:
    """A msgid from a frame's arguments, in her language, its placeholders filled and escaped."""
    return ctx._(msgid).format(**{key: ctx.v(value) for key, value in (fmt or {}).items()})


def arg(ctx: Context, key: str, default: str = "") -> str:
    """A msgid from the frame's arguments, in her language."""
    return text(ctx, ctx.args.get(key) or default)


def question(ctx: Context) -> str:
    """The sub-flow's question (`q`, filled from `fmt`)."""
    return text(ctx, ctx.args["q"], ctx.args.get("fmt"))


async def answered(ctx: Context, chosen: str, result: Any) -> None:
    """Close the question in place showing her answer, and hand the result to the caller."""
    ctx.close_question(question(ctx), chosen)
    await ctx.end(result)


# -- are you sure? -----------------------------------------------------------------------------------------


async def decide(ctx: Context, sure: bool) -> None:
    await answered(ctx, arg(ctx, "yes") if sure else no_label(ctx), sure)


async def _confirm_cancelled(ctx: Context) -> None:
    """/cancel on the question is a no, except where the question is whether to stop (`cancel_means=True`)."""
    await decide(ctx, bool(ctx.args.get("cancel_means")))


CONFIRM = flow("confirm", "confirm", on_cancel=_confirm_cancelled)


def no_label(ctx: Context) -> str:
    # NOTE: button, ≤ 30 characters
    return arg(ctx, "no", N_("No, go back"))


@step
class Confirm(Step):
    """Yes or no before something that cannot be undone; the result is True or False."""

    name = "confirm"

    async def prompt(self, ctx: Context) -> None:
        ctx.say(question(ctx), [[ctx.button(arg(ctx, "yes"), "yes")], [ctx.button(no_label(ctx), "no")]])

    async def on_button(self, ctx: Context, value: str) -> None:
        if value in ("yes", "no"):
            await decide(ctx, value == "yes")
        else:
            await stale(ctx)


# -- why? --------------------------------------------------------------------------------------------------

# Sets of reasons by name, each `{code: msgid}`; the flows that ask register theirs.
REASONS: dict[str, dict[str, str]] = {}
REASON = flow("reason", "reason")


@step
class Reason(Step):
    """One reason from a registered set, or Back; the result is the reason's code."""

    name = "reason"

    def options(self, ctx: Context) -> dict[str, str]:
        return REASONS[ctx.args["set"]]

    async def prompt(self, ctx: Context) -> None:
        buttons = [[ctx.button(ctx._(label), code)] for code, label in self.options(ctx).items()]
        # NOTE: button, ≤ 30 characters
        ctx.say(question(ctx), [*buttons, [ctx.button(ctx._("Back"), "back")]])

    async def on_button(self, ctx: Context, value: str) -> None:
        if value == "back":
            await ctx.cancel()
        elif value in self.options(ctx):
            await answered(ctx, ctx._(self.options(ctx)[value]), value)
        else:
            await stale(ctx)


# -- which mentorship? -------------------------------------------------------------------------------------

PICK_MENTORSHIP = flow("pick_mentorship", "pick_mentorship")


async def which_mentorship(ctx: Context, question: str, then: str) -> None:
    """Hand `then` one of her running mentorships: the only one at once, or the one she picks."""
    live = await matching.live_mentorships(ctx.session, ctx.user.id)
    if not live:
        ctx.say(ctx._("You have no mentorship right now."))
        if ctx.step != "idle":
            await ctx.prompt()
        return
    if len(live) == 1:
        await RESULTS[then](ctx, live[0].id, {})
        return
    await ctx.begin("pick_mentorship", then=then, q=question)


@step
class PickMentorship(Step):
    name = "pick_mentorship"

    async def choices(self, ctx: Context) -> list[tuple[int, str]]:
        out = []
        for m in await matching.live_mentorships(ctx.session, ctx.user.id):
            other = await ctx.session.get(User, m.other(ctx.user.id))
            out.append((m.id, (other.first_name if other else None) or "?"))
        return out

    async def prompt(self, ctx: Context) -> None:
        choices = await self.choices(ctx)
        if not choices:
            ctx.say(ctx._("You have no mentorship right now."))
            await ctx.cancel()
            return
        buttons = [[ctx.button(name, str(m_id))] for m_id, name in choices]
        # NOTE: button, ≤ 30 characters
        ctx.say(question(ctx), [*buttons, [ctx.button(ctx._("Back"), "back")]])

    async def on_button(self, ctx: Context, value: str) -> None:
        if value == "back":
            await ctx.cancel()
            return
        names = dict(await self.choices(ctx))
        if not value.isdigit() or int(value) not in names:
            await stale(ctx)
            return
        await answered(ctx, ctx.v(names[int(value)]), int(value))


# -- leaving a flow ----------------------------------------------------------------------------------------

# What leaving a flow says; "Stopped." where nothing more needs saying.
STOPPED = {"profile": N_("Stopped. Your saved profile is unchanged.")}


async def stop(ctx: Context, *, everything: bool = False) -> None:
    """Leave the flow on top (`/cancel`, Back on a form's first question), asking first when that would throw
    answers away; `everything` leaves every detour, back to the main flow."""
    current = FLOWS[ctx.flow]
    if everything and ctx.flow == "confirm" and ctx.args.get("cancel_means"):
        # "Stop here?" answered by a second /cancel: a yes, and to everything, as a second /cancel always means.
        ctx.say(ctx._("Stopped."))
        await leave(ctx, everything=True)
    elif current.on_cancel is not None:
        await current.on_cancel(ctx)
    elif any(FLOWS[f["flow"]].holds_answers(f["data"]) for f in (ctx.stack[1:] if everything else [ctx.frame])):
        await ctx.begin(
            "confirm",
            then="stop_all" if everything else "stop_flow",
            cancel_means=True,  # /cancel on "stop here?" is a yes
            q=N_("Stop here? What you entered here will be lost."),
            # NOTE: button, ≤ 30 characters
            yes=N_("Yes, stop"),
            # NOTE: button, ≤ 30 characters
            no=N_("No, go on"),
        )
    else:
        ctx.say(ctx._(STOPPED.get(ctx.flow, N_("Stopped."))))
        await leave(ctx, everything)


async def leave(ctx: Context, everything: bool) -> None:
    if everything:
        ctx.restart(ctx.stack[0]["step"], ctx.stack[0]["data"])
        await ctx.prompt()
    else:
        await ctx.cancel()


@on_result("stop_flow")
async def stop_flow(ctx: Context, sure: bool, args: dict) -> None:
    if sure:
        ctx.say(ctx._("Stopped."))
        await leave(ctx, everything=False)


@on_result("stop_all")
async def stop_all(ctx: Context, sure: bool, args: dict) -> None:
    if sure:
        ctx.say(ctx._("Stopped."))
        await leave(ctx, everything=True)


# -- in her own words --------------------------------------------------------------------------------------


class Written(Step):
    """A question answered in her own words, with Back to leave it; subclasses say the question and what
    becomes of the answer."""

    async def question(self, ctx: Context) -> str:
        raise NotImplementedError

    async def prompt(self, ctx: Context) -> None:
        # NOTE: button, ≤ 30 characters
        ctx.say(await self.question(ctx), [[ctx.button(ctx._("Back"), "back")]])

    async def on_button(self, ctx: Context, value: str) -> None:
        if value == "back":
            await ctx.cancel()
        else:
            await stale(ctx)
