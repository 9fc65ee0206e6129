"""The relay: mentor and mentee write to each other through the bot, so neither has to share a phone number or
username. Each message, file (a CV, a photo) or voice note is labelled with the sender's first name and carries
"Report a problem"; files go by the platform's reference and are never downloaded."""

from __future__ import annotations

import html

from conversations.kernel import limits
from conversations.kernel.flow import Context, Step, flow, freeze, on_result, ref_of, stale, step, too_long, voice
from conversations.kernel.i18n import N_
from conversations.kernel.messages import Button, Media, Reply
from conversations.kernel.subflows import which_mentorship
from storage import matching
from storage.models import Mentorship, User

RELAY_LIMIT = 2000
CAPTION_LIMIT = 900  # a file's caption, with her name in front, stays within the platform's 1024


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
        await pass_on(ctx, text, None)

    async def on_media(self, ctx: Context, media: Media, caption: str) -> None:
        """A CV, a photo, a voice note: passed on by the platform's reference, never downloaded or kept."""
        await pass_on(ctx, caption, media)


async def pass_on(ctx: Context, text: str, media: Media | None) -> None:
    m = await ctx.session.get(Mentorship, ctx.args["m"])
    if m is None or m.status not in matching.LIVE:
        ctx.say(ctx._("This mentorship has ended, so I cannot pass on messages any more."))
        await ctx.end()
        return
    if too_long(ctx, text, CAPTION_LIMIT if media else RELAY_LIMIT) or await limits.refused(ctx, "relay"):
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
    label = f"💬 <b>{view.v(ctx.user.first_name)}</b>:"
    ctx.replies.append(
        Reply(
            f"{label}\n{html.escape(text, quote=False)}" if text else label,
            freeze(
                [
                    [
                        # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
                        Button(view._("↩️ Reply"), f"m:write:{m.id}"),
                        # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
                        Button(view._("⚠️ Report a problem"), f"m:report:{m.id}"),
                    ]
                ]
            ),
            to=ref_of(other),
            media=media,
        )
    )
    ctx.say(ctx._("✓ Sent to {name}.").format(name=ctx.v(other.first_name)), [[ctx.button(ctx._("Done"), "done")]])
