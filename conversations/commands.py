"""Commands and menu buttons that work from any step, and the idle menu after onboarding."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from conversations import (
    audit,
    broadcasts,
    browse,
    companies,
    coordinators,
    evaluation,
    my_requests,
    mydata,
    pairs,
    requests,
    settings,
    vetting,
    waiting,
    watch,
    women,
)
from conversations.events import admin as event_admin
from conversations.events import form as event_form
from conversations.events import guests, rsvp  # noqa: F401  (rsvp: the invitations' buttons)
from conversations.kernel.flow import ROOT, Context, Step, step
from conversations.kernel.i18n import N_
from conversations.kernel.subflows import stop
from conversations.language import offer_languages
from conversations.mentorship import lifecycle, meetings, relay, reports, surveys
from conversations.privacy import ask_to_delete
from conversations.profile import show_profile
from storage import matching

# The platform's command menu, in this order. Adapters translate the descriptions per language.
MENU: tuple[tuple[str, str], ...] = (
    ("start", N_("Start or continue")),
    # NOTE: button, ≤ 30 characters
    ("mentors", N_("Find a mentor")),
    ("mentorship", N_("Your mentorship")),
    ("write", N_("Write to your mentor or mentee")),
    ("meet", N_("Plan a meeting")),
    ("report", N_("Report a meeting")),
    ("settings", N_("Reminders and announcements")),
    ("survey", N_("Go on with a survey")),
    # NOTE: button, ≤ 30 characters
    ("events", N_("Upcoming events")),
    ("profile", N_("See or change your profile")),
    ("language", N_("Change the language")),
    ("help", N_("What I can do for you")),
    ("cancel", N_("Stop the current step")),
    ("mydata", N_("See what is stored about you")),
    ("delete", N_("Delete your data")),
)


# Commands that only some roles have; they are in that role's /help, not in everyone's menu.
ROLE_COMMANDS: dict[str | None, tuple[tuple[str, str], ...]] = {
    "mentor": (("requests", N_("Your open requests")), ("pause", N_("Pause or resume new requests"))),
    "mentee": (("requests", N_("Your open requests")), ("become_mentor", N_("Become a mentor yourself"))),
    "coordinator": (
        # NOTE: button, ≤ 30 characters
        ("mentorships", N_("Mentorships at a glance")),
        ("stats", N_("Programme numbers, chart and CSV")),
        ("newevent", N_("Create and publish an event")),
        ("broadcast", N_("Send a message to a group of women")),
        ("pending", N_("Mentors waiting for approval")),
        # NOTE: button, ≤ 30 characters
        ("waiting", N_("Mentees on the waiting list")),
        ("company", N_("Partner companies and their join links")),
        ("pairs", N_("Running mentorships, one pair at a time")),
        ("find", N_("Find a woman by her first name")),
        ("invite", N_("Invite another coordinator")),
        ("audit", N_("Recent coordinator actions")),
    ),
}


# What only a woman in a mentorship uses: a coordinator's /help, or a newcomer's, leaves these out.
IN_A_MENTORSHIP = frozenset({"mentorship", "write", "meet", "report", "survey"})
HIDDEN: dict[str | None, frozenset[str]] = {
    "mentee": frozenset(),
    "mentor": frozenset({"mentors"}),
    "coordinator": IN_A_MENTORSHIP | {"mentors"},
    None: IN_A_MENTORSHIP,
}


def command_list(ctx: Context) -> str:
    hidden = HIDDEN.get(ctx.user.role, IN_A_MENTORSHIP)
    commands = [c for c in MENU if c[0] not in hidden] + list(ROLE_COMMANDS.get(ctx.user.role, ()))
    return "\n".join(f"{ctx.t.value(f'/{name}')} – {ctx._(description)}" for name, description in commands)


@step
class Idle(Step):
    """Onboarded and not in the middle of anything: the main menu."""

    name = "idle"

    async def prompt(self, ctx: Context) -> None:
        role = ctx.user.role
        live = await matching.live_mentorships(ctx.session, ctx.user.id)
        buttons = []
        if role == "mentee" and not any(m.mentee_id == ctx.user.id for m in live):
            # NOTE: button, ≤ 30 characters
            buttons.append([ctx.button(ctx._("Find a mentor"), "find")])
        if live:
            # NOTE: button, ≤ 30 characters
            buttons.append([ctx.button(ctx._("My mentorship"), "mentorship")])
        if role == "coordinator":
            # NOTE: button, ≤ 30 characters
            buttons.append([ctx.button(ctx._("Mentorships at a glance"), "mentorships")])
            # NOTE: button, ≤ 30 characters
            buttons.append([ctx.button(ctx._("Mentors to approve"), "pending")])
            # NOTE: button, ≤ 30 characters
            buttons.append([ctx.button(ctx._("Mentees on the waiting list"), "waiting")])
            # NOTE: button, ≤ 30 characters
            buttons.append([ctx.button(ctx._("Message a group of women"), "broadcast")])
        # NOTE: button, ≤ 30 characters
        buttons.append([ctx.button(ctx._("Upcoming events"), "events")])
        # NOTE: button, ≤ 30 characters
        buttons.append([ctx.button(ctx._("My profile"), "profile")])
        buttons.append(
            [
                # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
                ctx.button(ctx._("Language"), "language"),
                # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
                ctx.button(ctx._("Help"), "help"),
            ]
        )
        ctx.say(ctx._("What would you like to do?"), buttons)

    async def on_text(self, ctx: Context, text: str) -> None:
        await self.prompt(ctx)

    async def on_button(self, ctx: Context, value: str) -> None:
        actions = {
            "profile": show_profile,
            "language": offer_languages,
            "help": help_,
            "find": browse.find,
            "mentorship": lifecycle.show,
            "pending": vetting.pending,
            "waiting": waiting.waiting_command,
            "mentorships": watch.overview,
            "events": event_admin.events_command,
            "broadcast": broadcasts.broadcast_command,
        }
        if value in actions:
            await actions[value](ctx)
        else:
            await super().on_button(ctx, value)


async def start(ctx: Context) -> None:
    code = ctx.inbound.command_args.strip()
    if guests.is_invite(code):  # a friend's link to an event: t.me/<bot>?start=<invite code>
        if await guests.arrive(ctx, code):
            return
    elif coordinators.is_invitation(code):  # a coordinator brings in another
        await coordinators.arrive(ctx, code)
    elif code:  # a partner company's join link: t.me/<bot>?start=<company code>
        await companies.joined_through(ctx, code)
    if ctx.flow == ROOT and ctx.step == "declined":
        ctx.goto("privacy")
    elif ctx.step == "idle":
        ctx.say(ctx._("Welcome back! 🌱"))
    elif ctx.step != "language":
        ctx.say(ctx._("Welcome back! Let us continue where we stopped."))
    await ctx.prompt()


ROLE_HELP = {
    None: N_(
        "I am the Mentornet bot. I bring together women who are new in Denmark and mentors: women who know "
        "Danish working life and want to share what they know."
    ),
    "mentee": N_(
        "As a mentee you choose a mentor: a woman who works in Denmark. She can help you understand the labour "
        "market, improve your CV, practise job interviews and build a network. Tap “Find a mentor” to see the "
        "mentors who fit you best and ask one of them."
    ),
    "mentor": N_(
        "As a mentor you help a woman who is new in Denmark find her way into Danish working life. Mentees ask "
        "you once a coordinator has approved your profile; you accept or decline, and you decide how many "
        "mentees you have at once."
    ),
    "coordinator": N_(
        "As a coordinator you approve new mentors, help mentees on the waiting list, look after the mentorships, "
        "create events and send messages to groups of women."
    ),
}


async def help_(ctx: Context) -> None:
    text = ctx._(ROLE_HELP.get(ctx.user.role, ROLE_HELP[None]))
    ctx.say(f"{text}\n\n{command_list(ctx)}")
    if ctx.step != "idle":  # mid-question: put the question and its buttons back under the help
        await ctx.prompt()


async def cancel(ctx: Context) -> None:
    """Leave the flow on top only; sent again straight after, leave every detour, so from anywhere at most three
    /cancel reach the menu. In the main flow, pause onboarding keeping every answer."""
    if len(ctx.stack) > 1:
        await stop(ctx, everything=ctx.data.get("cancels", 0) > 1)
    elif ctx.step in ("idle", "language", "declined"):
        ctx.say(ctx._("There is nothing to stop right now."))
        await ctx.prompt()
    else:
        # Mid-onboarding: keep every answer, close the open question, pick up again on her next message.
        ctx.conv.seq += 1
        ctx.data["paused"] = True
        ctx.say(ctx._("Stopped. Everything you answered is saved. Send /start when you want to continue."))


async def unknown(ctx: Context) -> None:
    ctx.say(ctx._("I do not know that command. These are the ones I know:") + "\n\n" + command_list(ctx))
    await ctx.prompt()


async def unsupported(ctx: Context) -> None:
    ctx.say(ctx._("Sorry, I can only read text and buttons here."))
    await ctx.prompt()


COMMANDS: dict[str, Callable[[Context], Awaitable[None]]] = {
    "start": start,
    "help": help_,
    "language": offer_languages,
    "profile": show_profile,
    "cancel": cancel,
    "delete": ask_to_delete,
    "mydata": mydata.mydata_command,
    "mentors": browse.find,
    "mentorship": lifecycle.show,
    "write": relay.write_command,
    "pause": requests.pause_command,
    "requests": my_requests.requests_command,
    "become_mentor": lifecycle.become_mentor,
    "pending": vetting.pending,
    "waiting": waiting.waiting_command,
    "company": companies.company_command,
    "meet": meetings.plan_command,
    "report": reports.report_command,
    "mentorships": watch.overview,
    "settings": settings.settings,
    "survey": surveys.resume_command,
    "stats": evaluation.stats_command,
    "events": event_admin.events_command,
    "newevent": event_form.new_event,
    "checkin": event_admin.checkin_command,
    "broadcast": broadcasts.broadcast_command,
    "audit": audit.audit_command,
    "pairs": pairs.pairs_command,
    "find": women.find_command,
    "invite": coordinators.invite_command,
    "myid": coordinators.my_id,
}
