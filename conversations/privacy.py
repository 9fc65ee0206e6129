"""The privacy notice before anything is stored, and deleting everything later."""

from __future__ import annotations

from conversations import onboarding
from conversations.events import places
from conversations.kernel.flow import Context, Step, on_result, stale, step
from conversations.kernel.i18n import N_
from conversations.mentorship import lifecycle
from storage import erasure

NOTICE_VERSION = 1

SHORT = N_(
    "<b>Before we start: your data</b>\n\n"
    "We store what you tell me here: your first name, your language and your profile answers.\n"
    "Who sees it: the Mentornet coordinators. A mentor sees your profile only when you ask her to be your "
    "mentor.\n"
    "You can delete everything at any time with /delete."
)
MORE = N_(
    "<b>More about your data</b>\n\n"
    "Mentornet is a network that connects women who are new in Denmark with mentors in Danish working life. "
    "We use your answers only to find a good match and to follow how the mentorships go.\n\n"
    "• We never share your phone number or username. Mentors and mentees can write to each other through me.\n"
    "• We never sell your data or give it to employers or authorities.\n"
    "• Coordinators use anonymous numbers to show that the programme works.\n"
    "• If you write /delete, your profile and answers are deleted at once.\n\n"
    "Do you agree that we store your answers?"
)


@step
class Notice(Step):
    name = "privacy"

    async def prompt(self, ctx: Context) -> None:
        ctx.say(ctx._(SHORT), self._buttons(ctx, more=True))

    def _buttons(self, ctx: Context, *, more: bool) -> list:
        return [
            [ctx.button(ctx._("I agree"), "yes")],
            [ctx.button(ctx._("Read more"), "more")] if more else [],
            [ctx.button(ctx._("No, thank you"), "no")],
        ]

    async def on_button(self, ctx: Context, value: str) -> None:
        if value == "more":
            ctx.edit(ctx._(MORE), self._buttons(ctx, more=False))
        elif value == "yes":
            ctx.user.consent_version = NOTICE_VERSION
            ctx.user.consent_at = ctx.now
            ctx.user.declined_at = None
            ctx.close_question(ctx._(SHORT) + "\n", ctx._("I agree"))
            await onboarding.begin(ctx)
        elif value == "no":
            ctx.user.declined_at = ctx.now
            ctx.goto("declined")
            ctx.close_question(ctx._(SHORT) + "\n", ctx._("No, thank you"))
            await ctx.prompt()
        else:
            await stale(ctx)


@step
class Declined(Step):
    name = "declined"

    async def prompt(self, ctx: Context) -> None:
        ctx.say(
            ctx._(
                "Thank you for your answer. I have stored nothing about you except that you said no.\n\n"
                "If you change your mind, send /start."
            )
        )

    async def on_text(self, ctx: Context, text: str) -> None:
        await self.prompt(ctx)


async def ask_to_delete(ctx: Context) -> None:
    await ctx.begin(
        "confirm",
        then="delete",
        q=N_("Do you want to delete your profile and everything you told me? This cannot be undone."),
        yes=N_("Yes, delete everything"),
        no=N_("No, keep my data"),
    )


@on_result("delete")
async def delete(ctx: Context, sure: bool, args: dict) -> None:
    if not sure:
        ctx.say(ctx._("Nothing was deleted."))
        return
    await lifecycle.leave(ctx)
    await places.give_up_places(ctx)
    await erasure.erase(ctx.session, ctx.user, ctx.now)
    ctx.say(ctx._("Everything is deleted. Thank you for the time with us. Send /start if you want to come back."))
    ctx.deleted = True
    ctx.restart("language")  # nothing of this is saved; the words above are her last from us
