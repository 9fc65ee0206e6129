"""The relay: mentor and mentee write to each other through the bot, so neither has to share a phone number or
username. Each message is labelled with the sender's first name and carries "Report a problem"."""

from __future__ import annotations

import html

from conversations.kernel import limits
from conversations.kernel.flow import Context, Step, flow, on_result, stale, step, too_long, voice
from conversations.kernel.i18n import N_
from conversations.kernel.messages import Button
from conversations.kernel.subflows import which_mentorship
from storage import matching
from storage.models import Mentorship, User

RELAY_LIMIT = 2000


async def write_command(ctx: Context) -> None:
    await which_mentorship(ctx, N_("Who would you like to write to?"), "write_to")


@on_result("write_to")
async def write_to(ctx: Context, mentorship_id: int, args: dict) -> None:
    m = await ctx.session.get(Mentorship, mentorship_id)
    if m is not None:
        await start_relay(ctx, m)


# Everything she writes goes to the other side until she taps Done.
RELAY = flow("relay", "relay")


async def start_relay(ctx: Context, m: Mentorship) -> None:
    await ctx.begin("relay", m=m.id)


@step
class Relay(Step):
    name = "relay"

    async def prompt(self, ctx: Context) -> None:
        m = await ctx.session.get(Mentorship, ctx.args["m"])
        other = await ctx.session.get(User, m.other(ctx.user.id)) if m else None
        ctx.say(
            ctx._("Write your message to {name}. I pass on everything you send until you tap Done.").format(
                name=ctx.v(other.first_name if other else "")
            ),
            # NOTE: button, ≤ 30 characters
            [[ctx.button(ctx._("Done"), "done")]],
        )

    async def on_button(self, ctx: Context, value: str) -> None:
        if value == "done":
            await ctx.end()
        else:
            await stale(ctx)

    async def on_text(self, ctx: Context, text: str) -> None:
        m = await ctx.session.get(Mentorship, ctx.args["m"])
        if m is None or m.status not in matching.LIVE:
            ctx.say(ctx._("This mentorship has ended, so I cannot pass on messages any more."))
            await ctx.end()
            return
        if too_long(ctx, text, RELAY_LIMIT) or await limits.refused(ctx, "relay"):
            return
        other = await ctx.session.get(User, m.other(ctx.user.id))
        if other.blocked_at is not None:  # the platform told us nothing reaches her; do not say "sent"
            ctx.say(
                ctx._(
                    "{name} cannot get messages from me right now: she may have stopped or blocked the bot. "
                    "Your message was not passed on. A coordinator can help: open /mentorship and tap "
                    "“⚠️ Report a problem”."
                ).format(name=ctx.v(other.first_name)),
                # NOTE: button, ≤ 30 characters
                [[ctx.button(ctx._("Done"), "done")]],
            )
            return
        view = voice(other)
        ctx.tell(
            other,
            f"💬 <b>{view.v(ctx.user.first_name)}</b>:\n{html.escape(text, quote=False)}",
            # NOTE: button, ≤ 30 characters
            [[Button(view._("↩️ Reply"), f"m:write:{m.id}"), Button(view._("⚠️ Report a problem"), f"m:report:{m.id}")]],
        )
        ctx.say(ctx._("✓ Sent to {name}.").format(name=ctx.v(other.first_name)), [[ctx.button(ctx._("Done"), "done")]])
