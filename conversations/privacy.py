"""The privacy notice before anything is stored, and deleting everything later."""

from __future__ import annotations

from conversations import onboarding
from conversations.events import places
from conversations.kernel.flow import Context, Step, flow, on_result, stale, step
from conversations.kernel.i18n import N_
from conversations.mentorship import lifecycle
from storage import erasure

# Raise this when the notice says something new: everyone who agreed to an older one is asked again.
NOTICE_VERSION = 2

SHORT = N_(
    "<b>Before we start: your data</b>\n\n"
    "We store what you tell me here: your first name, your language and your profile answers.\n"
    "Who sees it: the Mentornet coordinators. If you look for a mentor, a mentor sees your profile only when "
    "you ask her. If you are a mentor, mentees see your card: first name, job, employer, fields, languages, "
    "area and introduction.\n"
    "See everything we keep with /mydata, delete it with /delete."
)
MORE = N_(
    "<b>More about your data</b>\n\n"
    "Responsible for your data: {controller}. Questions: {contact}.\n\n"
    "We use your answers only to find good matches and to follow how the mentorships go.\n"
    "• We never share your phone number or username. Mentors and mentees write to each other through me.\n"
    "• We never sell your data or give it to employers or authorities.\n"
    "• Coordinators see anonymous numbers to show that the programme works.\n"
    "• How long we keep it: messages passed between you, {messages} days. If you do not write for "
    "{ask} months, we ask if you want to stay; without an answer, we delete your data after {delete} months.\n"
    "• /mydata shows everything we keep about you, also as a file. /delete deletes it at once; a mentorship you "
    "had stays in our numbers without your name.\n\n"
    "Do you agree that we store your answers?"
)
NO_CONTACT = N_("write to a coordinator in this chat")


def more(ctx: Context) -> str:
    retention = ctx.privacy.retention
    return ctx._(MORE).format(
        controller=ctx.v(ctx.privacy.controller),
        contact=ctx.v(ctx.privacy.contact) if ctx.privacy.contact else ctx._(NO_CONTACT),
        messages=retention.message_days,
        ask=retention.ask_after_months,
        delete=retention.delete_after_months,
    )


def agree(ctx: Context) -> None:
    ctx.user.consent_version = NOTICE_VERSION
    ctx.user.consent_at = ctx.now
    ctx.user.declined_at = None


@step
class Notice(Step):
    name = "privacy"

    async def prompt(self, ctx: Context) -> None:
        ctx.say(ctx._(SHORT), self._buttons(ctx, more=True))

    def _buttons(self, ctx: Context, *, more: bool) -> list:
        return [
            # NOTE: button, ≤ 30 characters
            [ctx.button(ctx._("I agree"), "yes")],
            # NOTE: button, ≤ 30 characters
            [ctx.button(ctx._("Read more"), "more")] if more else [],
            # NOTE: button, ≤ 30 characters
            [ctx.button(ctx._("No, thank you"), "no")],
        ]

    async def on_button(self, ctx: Context, value: str) -> None:
        if value == "more":
            ctx.edit(more(ctx), self._buttons(ctx, more=False))
        elif value == "yes":
            agree(ctx)
            # NOTE: button, ≤ 30 characters
            ctx.close_question(ctx._(SHORT) + "\n", ctx._("I agree"))
            await self.agreed(ctx)
        elif value == "no":
            # NOTE: button, ≤ 30 characters
            ctx.close_question(ctx._(SHORT) + "\n", ctx._("No, thank you"))
            await self.said_no(ctx)
        else:
            await stale(ctx)

    async def agreed(self, ctx: Context) -> None:
        await onboarding.begin(ctx)

    async def said_no(self, ctx: Context) -> None:
        ctx.user.declined_at = ctx.now
        ctx.goto("declined")
        await ctx.prompt()


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


# -- a new version of the notice: asked again at her next message, then back to where she was ---------------
NOTICE_AGAIN = flow("notice", "notice:again")


def needs_asking_again(ctx: Context) -> bool:
    # Demo rows never chat; asking them would only greet a console visitor with a notice she has not seen.
    user = ctx.user
    return user.consent_at is not None and (user.consent_version or 0) < NOTICE_VERSION and not user.is_demo


async def ask_again(ctx: Context) -> None:
    ctx.say(ctx._("Our privacy notice has changed. Please read it before we go on."))
    await ctx.begin("notice")


@step
class NoticeAgain(Notice):
    name = "notice:again"

    async def agreed(self, ctx: Context) -> None:
        await ctx.end()  # back to where she was

    async def said_no(self, ctx: Context) -> None:
        await ctx.replace("confirm", then="delete", q=DELETE_Q, yes=DELETE_YES, no=DELETE_NO)


DELETE_Q = N_("Do you want to delete your profile and everything you told me? This cannot be undone.")
# NOTE: button, ≤ 30 characters
DELETE_YES = N_("Yes, delete everything")
# NOTE: button, ≤ 30 characters
DELETE_NO = N_("No, keep my data")


async def erase_account(ctx: Context) -> None:
    """Her /delete, or the retention job's after long silence: the others are told, then what names her goes."""
    await lifecycle.leave(ctx)
    await places.give_up_places(ctx)
    await erasure.erase(ctx.session, ctx.user, ctx.now)


async def ask_to_delete(ctx: Context) -> None:
    await ctx.begin(
        "confirm",
        then="delete",
        q=DELETE_Q,
        yes=DELETE_YES,
        no=DELETE_NO,
    )


@on_result("delete")
async def delete(ctx: Context, sure: bool, args: dict) -> None:
    if not sure:
        ctx.say(ctx._("Nothing was deleted."))
        return
    await erase_account(ctx)
    ctx.say(ctx._("Everything is deleted. Thank you for the time with us. Send /start if you want to come back."))
    ctx.deleted = True
    ctx.restart("language")  # nothing of this is saved; the words above are her last from us
