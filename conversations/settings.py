"""/settings: her reminders and nudges, and the team's announcements, each on or off with one tap."""

from __future__ import annotations

from conversations.kernel.flow import Context, action, stale
from conversations.kernel.messages import Button


def settings_view(ctx: Context) -> tuple[str, list[list[Button]]]:
    reminders = ctx._("off") if ctx.user.muted else ctx._("on")
    announcements = ctx._("off") if ctx.user.no_announcements else ctx._("on")
    text = "\n\n".join(
        [
            ctx._(
                "Reminders and friendly nudges are {state}. Meeting reminders and report questions always come."
            ).format(state=f"<b>{reminders}</b>"),
            ctx._(
                "Event invitations and messages from the Mentornet team are {state}. Reminders for events you said "
                "yes to always come."
            ).format(state=f"<b>{announcements}</b>"),
        ]
    )
    buttons = [
        [
            Button(
                # NOTE: button, ≤ 30 characters
                ctx._("Turn reminders on")
                if ctx.user.muted
                # NOTE: button, ≤ 30 characters
                else ctx._("Turn reminders off"),
                "set:mute",
            )
        ],
        [
            Button(
                # NOTE: button, ≤ 30 characters
                ctx._("Turn announcements on")
                if ctx.user.no_announcements
                # NOTE: button, ≤ 30 characters
                else ctx._("Turn announcements off"),
                "set:news",
            )
        ],
    ]
    return text, buttons


async def settings(ctx: Context) -> None:
    ctx.say(*settings_view(ctx))
    if ctx.step != "idle":  # asked mid-question: put the question back under the settings
        await ctx.prompt()


@action("set")
async def toggle(ctx: Context, value: str) -> None:
    if value == "mute":
        ctx.user.muted = not ctx.user.muted
    elif value == "news":
        ctx.user.no_announcements = not ctx.user.no_announcements
    else:
        await stale(ctx)
        return
    ctx.edit(*settings_view(ctx))
