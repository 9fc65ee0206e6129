"""Events: coordinators create and publish them; invitations go to the audience in each woman's language; she
answers Going / Maybe / Can't come, may add her needs, gets a calendar file and reminders; a full event has a
waitlist, and a place that frees up goes to the first on it. Attendance is checked in with a code at the door or
marked by a coordinator.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conversations import calendar, nudges
from conversations.flow import (
    Context,
    Step,
    Voice,
    action,
    flow,
    freeze,
    ref_of,
    rows,
    stale,
    step,
    voice,
)
from conversations.forms import draft, edit_field, form
from conversations.i18n import COPENHAGEN, N_
from conversations.messages import Attachment, Button, Reply
from conversations.options import REGIONS, SPOKEN_LANGUAGES, Option
from conversations.questions import ChoiceQuestion, LanguagesQuestion, NumberQuestion, TextQuestion, ticked, toggle
from conversations.subflows import stop
from conversations.vetting import is_coordinator
from storage import outbox
from storage.models import Event, MenteeProfile, MentorProfile, Rsvp, User

KINDS = (
    Option("intro", N_("Intro course")),
    Option("collective", N_("Collective mentoring")),
    Option("workshop", N_("Workshop")),
    Option("other", N_("Other event")),
)
AUDIENCES = (Option("mentee", N_("Mentees")), Option("mentor", N_("Mentors")), Option("all", N_("Everyone")))
NEEDS = (
    Option("childcare", N_("Childcare")),
    Option("interpreter", N_("An interpreter")),
    Option("access", N_("Accessibility")),
)
CAPACITIES = ("10", "20", "30", "50", "100", "150")
EVERYWHERE = Option("any", N_("Everywhere"))
TITLE_LIMIT, PLACE_LIMIT, TEXT_LIMIT = 120, 200, 800
INVITE_PREFIX = "ev"  # a guest link's start code begins with it; partner companies' codes are hex and never do
REMINDERS = (timedelta(hours=24), timedelta(hours=2))


def label(view: Context | Voice, options: tuple[Option, ...], code: str | None) -> str:
    return next((view._(o.label) for o in options if o.code == code), "")


def card(view: Context | Voice, event: Event) -> str:
    """The invitation: the frame in her language, the coordinator's title and description as written."""
    lines = [
        f"📅 <b>{view.v(event.title)}</b> · {label(view, KINDS, event.kind)}",
        f"🕒 {view.t.when(event.starts_at)}",
        f"📍 {view.v(event.place)}",
    ]
    if event.languages:
        lines.append("🗣 " + ", ".join(view.t.language_name(c) for c in event.languages))
    if event.description:
        lines += ["", view.v(event.description)]
    if event.status == "cancelled":
        lines += ["", "❌ " + view._("This event is cancelled.")]
    return "\n".join(lines)


def rsvp_buttons(view: Voice | Context, event_id: int) -> list[list[Button]]:
    return [
        [Button(view._("✅ Going"), f"e:go:{event_id}"), Button(view._("Maybe"), f"e:maybe:{event_id}")],
        [Button(view._("Can't come"), f"e:no:{event_id}")],
    ]


# -- creating an event -------------------------------------------------------------------------------------


class WhenQuestion(TextQuestion):
    """A date and time typed as 24.12.2026 17:00, in Copenhagen time and still ahead; kept as an ISO string."""

    def check(self, ctx: Context, text: str) -> tuple[Any, str]:
        try:
            local = datetime.strptime(" ".join(text.split()), DATE_FORMAT).replace(tzinfo=COPENHAGEN)
        except ValueError:
            return None, ctx._("I could not read that date. Please write it like this: 24.12.2026 17:00")
        if local <= ctx.now:
            return None, ctx._("That time has passed. Please choose a time in the future.")
        return local.isoformat(), ""

    def typed(self, value: Any) -> str:
        return datetime.fromisoformat(value).astimezone(COPENHAGEN).strftime(DATE_FORMAT)

    def show(self, ctx: Context, value: Any) -> str:
        return ctx.t.when(datetime.fromisoformat(value)) if value else "—"


DATE_FORMAT = "%d.%m.%Y %H:%M"
QUESTIONS = (
    ChoiceQuestion("kind", N_("What kind of event is it?"), N_("What kind of event is it?"), KINDS, columns=2),
    TextQuestion("title", N_("Title"), N_("What is the event called?"), limit=TITLE_LIMIT),
    WhenQuestion("when", N_("Date and time"), N_("When is it? Write the date and time like this: 24.12.2026 17:00"),
                 limit=40, show_limit=False),
    TextQuestion("place", N_("Place"), N_("Where is it? An address, or the link for an online event."),
                 limit=PLACE_LIMIT),
    NumberQuestion("capacity", N_("Places"), N_("How many people can come? Tap a number or write one."),
                   tuple(Option(c, c) for c in CAPACITIES), columns=3, low=1, high=5000,
                   range_hint=N_("Please write a number between 1 and 5000.")),
    ChoiceQuestion("audience", N_("Who is it for?"), N_("Who is it for?"), AUDIENCES, columns=2),
    ChoiceQuestion("region", N_("For women in one place only, or for everyone?"),
                   N_("For women in one place only, or for everyone?"), (EVERYWHERE, *REGIONS), columns=2),
    TextQuestion("description", N_("Description"), N_("A short description for the invitation (optional)."),
                 limit=TEXT_LIMIT, optional=True, single_line=False),
    LanguagesQuestion("languages", N_("Languages"), N_("Which languages are spoken there? Tap all that fit, then Done."),
                      columns=3, required=False, others=False),
)  # fmt: skip
EDITED = ("title", "when", "place", "capacity", "description", "languages")  # what can change once published


async def new_event(ctx: Context) -> None:
    if not await is_coordinator(ctx):
        return
    await ctx.begin("event_form")


def editing(ctx: Context) -> bool:
    """A published event is being changed: each answer goes back to the list of what can change."""
    return "id" in draft(ctx)


def _holds_answers(state: dict) -> bool:
    d = state.get("draft") or {}
    if "id" not in d:
        return bool(d)
    return any(differs(key, d[key], d["was"][key]) for key in EDITED)


# The questions one at a time (`ask:<key>`), then the preview; changing a published event starts at `ev_edit`.
EVENT_FORM = flow("event_form", "ask:kind", "ask:", "ev_preview", "ev_edit", holds_answers=_holds_answers)
form("event_form", QUESTIONS, done="ev_preview", back_out=True)


def invite_code() -> str:
    return INVITE_PREFIX + secrets.token_hex(5)


def region_of(d: dict) -> str | None:
    return None if d.get("region") in (None, EVERYWHERE.code) else d["region"]


def event_from(ctx: Context) -> Event:
    d = draft(ctx)
    return Event(
        kind=d["kind"], title=d["title"], starts_at=datetime.fromisoformat(d["when"]), place=d["place"],
        capacity=d["capacity"], audience=d["audience"], region=region_of(d), description=d.get("description"),
        languages=d.get("languages") or [], status="published", checkin_code=secrets.token_hex(3).upper(),
        invite_code=invite_code(), created_by=ctx.user.id, created_at=ctx.now,
    )  # fmt: skip


@step
class EventPreview(Step):
    name = "ev_preview"

    async def prompt(self, ctx: Context) -> None:
        d = draft(ctx)
        audience = label(ctx, AUDIENCES, d["audience"])
        if region_of(d):
            audience += ", " + label(ctx, REGIONS, region_of(d))
        text = (
            ctx._("Preview of the invitation:")
            + "\n\n"
            + card(ctx, event_from(ctx))
            + "\n\n"
            + ctx._("For: {audience}. Places: {capacity}.").format(audience=audience, capacity=d["capacity"])
        )
        ctx.say(text, [[ctx.button(ctx._("📣 Publish"), "publish")], [ctx.button(ctx._("Back"), "quit")]])

    async def on_button(self, ctx: Context, value: str) -> None:
        if value == "quit":
            ctx.goto(f"ask:{QUESTIONS[-1].key}")
            await ctx.prompt()
        elif value == "publish":
            await publish(ctx)
        else:
            await stale(ctx)


async def audience_of(session: AsyncSession, event: Event) -> list[User]:
    query = select(User).where(
        User.onboarded_at.is_not(None),
        User.consent_at.is_not(None),
        User.blocked_at.is_(None),
        User.no_announcements.is_(False),
    )
    roles = ("mentee", "mentor") if event.audience == "all" else (event.audience,)
    query = query.where(User.role.in_(roles))
    users = list((await session.execute(query)).scalars().all())
    if event.region:
        mentee_regions = dict((await session.execute(select(MenteeProfile.user_id, MenteeProfile.region))).all())
        mentor_regions = dict((await session.execute(select(MentorProfile.user_id, MentorProfile.region))).all())
        users = [u for u in users if (mentee_regions.get(u.id) or mentor_regions.get(u.id)) in (event.region, "online")]
    return users


async def publish(ctx: Context) -> None:
    event = event_from(ctx)
    ctx.session.add(event)
    await ctx.session.flush()
    invited = await audience_of(ctx.session, event)
    for user in invited:
        view = voice(user)
        # Invitations go through the outbox: hundreds of them must not hold up anyone's conversation.
        outbox.enqueue(
            ctx.session, Reply(card(view, event), freeze(rsvp_buttons(view, event.id)), to=ref_of(user)), ctx.now
        )
    ctx.edit(
        ctx._("📣 Published. Invitations are on their way to {count} women. Check-in code at the door: {code}").format(
            count=len(invited), code=event.checkin_code
        )
    )
    await ctx.end()


# -- answering ---------------------------------------------------------------------------------------------


async def going_count(session: AsyncSession, event_id: int) -> int:
    return (
        await session.execute(select(func.count()).where(Rsvp.event_id == event_id, Rsvp.status == "going"))
    ).scalar_one()


async def waitlist(session: AsyncSession, event_id: int) -> list[Rsvp]:
    query = select(Rsvp).where(Rsvp.event_id == event_id, Rsvp.status == "waitlist").order_by(Rsvp.answered_at, Rsvp.id)
    return list((await session.execute(query)).scalars().all())


async def schedule_for(session: AsyncSession, event: Event, user: User, now: datetime) -> None:
    """Her reminders for this event, replacing any from an earlier time of it."""
    await nudges.cancel(session, now, "event_reminder", "guest_join", event_id=event.id, user_id=user.id)
    for before in REMINDERS:
        if event.starts_at - before > now:
            nudges.schedule(
                session, "event_reminder", event.starts_at - before, user_id=user.id, event_id=event.id, essential=True
            )
    if user.consent_at is None:  # a guest through a friend's link: the day after, an invitation to join
        nudges.schedule(session, "guest_join", event.starts_at + timedelta(days=1), user_id=user.id, event_id=event.id)


def invitation_file(event: Event, now: datetime) -> Attachment:
    # Event and meeting calendar UIDs must not collide: events get a prefix of their own.
    return calendar.invitation(f"event-{event.id}", event.starts_at, event.title, event.place, now)


@action("e")
async def answer(ctx: Context, value: str) -> None:
    verb, _, raw_id = value.partition(":")
    event = await ctx.session.get(Event, int(raw_id)) if raw_id.isdigit() else None
    if event is None or verb not in ("go", "maybe", "no", "needs", "invite", "cancel", "list", "edit"):
        await stale(ctx)
        return
    if verb in ("cancel", "list", "edit"):
        await coordinator_action(ctx, verb, event)
        return
    if event.status != "published" or event.starts_at <= ctx.now:
        ctx.say(ctx._("This event is closed."))
        if ctx.flow == "guest" and ctx.step in ("guest_name", "guest_answer"):  # a guest is not left with dead buttons
            ctx.goto("guest_join")
            await ctx.prompt()
        return
    if verb == "invite":
        await invite_a_friend(ctx, event)
        return
    await respond(ctx, verb, event)
    if ctx.flow == "guest" and ctx.step == "guest_answer":  # a guest through a friend's link: now offer her the whole network
        ctx.goto("guest_join")
        await ctx.prompt()


async def invite_a_friend(ctx: Context, event: Event) -> None:
    if event.invite_code is None:  # an event from before guest links: the first to ask sets its code, once
        await ctx.session.execute(
            update(Event).where(Event.id == event.id, Event.invite_code.is_(None)).values(invite_code=invite_code())
        )
        await ctx.session.refresh(event, ["invite_code"])
    ctx.say(
        ctx._(
            "Send this link to a friend who is not in Mentornet yet. With it she can say she is coming with just "
            "her first name:"
        )
        + f"\n{ctx.v(ctx.join_link(event.invite_code))}"
    )


async def respond(ctx: Context, verb: str, event: Event) -> None:
    rsvp = (
        await ctx.session.execute(select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.user_id == ctx.user.id))
    ).scalar_one_or_none()
    before = rsvp.status if rsvp else None
    if verb == "needs":
        if before != "going":
            await stale(ctx)
            return
        await ask_needs(ctx, rsvp)
        return
    if rsvp is None:
        rsvp = Rsvp(event_id=event.id, user_id=ctx.user.id, status="no", answered_at=ctx.now)
        ctx.session.add(rsvp)
    if verb == "go":
        if before in ("going", "waitlist"):
            ctx.say(
                ctx._("You have already answered. See you there!")
                if before == "going"
                else ctx._("You are on the waitlist already.")
            )
            return
        rsvp.answered_at = ctx.now
        if await going_count(ctx.session, event.id) >= event.capacity:
            rsvp.status = "waitlist"
            await ctx.session.flush()
            position = [r.id for r in await waitlist(ctx.session, event.id)].index(rsvp.id) + 1
            ctx.say(
                ctx._(
                    "The event is full. You are number {position} on the waitlist; I will tell you if a place frees up."
                ).format(position=position)
            )
            return
        rsvp.status = "going"
        await ctx.session.flush()
        await welcome(ctx, ctx.user, event, rsvp)
        return
    rsvp.status = "maybe" if verb == "maybe" else "no"
    ctx.say(
        ctx._("Thank you for answering.")
        if verb == "no"
        else ctx._("Noted: maybe. You can change your answer on the invitation.")
    )
    if before == "going":
        await nudges.cancel(ctx.session, ctx.now, "event_reminder", event_id=event.id, user_id=ctx.user.id)
        await promote(ctx, event)


async def welcome(ctx: Context, user: User, event: Event, rsvp: Rsvp) -> None:
    """She has a place: the calendar file, her reminders, and the question about needs."""
    view = voice(user)
    await schedule_for(ctx.session, event, user, ctx.now)
    text = view._(
        "You are going to {title}! 🌱 The calendar file below adds it to your calendar. Do you need anything to come?"
    ).format(title=view.v(event.title))
    buttons = [
        [Button(view._("Tell us what you need"), f"e:needs:{event.id}")],
        [Button(view._("Invite a friend"), f"e:invite:{event.id}")],
    ]
    ctx.replies.append(Reply(text, freeze(buttons), to=ref_of(user), attachment=invitation_file(event, ctx.now)))


async def promote(ctx: Context, event: Event) -> bool:
    """A place freed up: the first on the waitlist gets it, and is told. False when nobody moved up."""
    if await going_count(ctx.session, event.id) >= event.capacity:
        return False
    queue = await waitlist(ctx.session, event.id)
    if not queue:
        return False
    first = queue[0]
    first.status = "going"
    user = await ctx.session.get(User, first.user_id)
    if user is not None:
        view = voice(user)
        ctx.tell(
            user,
            view._("Good news: a place at {title} has freed up, and it is yours.").format(title=view.v(event.title)),
        )
        await welcome(ctx, user, event, first)
    await ctx.session.flush()
    return True


# What she needs to come to an event she said yes to; the frame holds {"rsvp", "picked"}.
NEEDS_FLOW = flow("needs", "ev_needs", "ev_interpreter")


async def ask_needs(ctx: Context, rsvp: Rsvp) -> None:
    await ctx.begin("needs", data={"rsvp": rsvp.id, "picked": list(rsvp.needs or [])})


@step
class Needs(Step):
    name = "ev_needs"

    async def prompt(self, ctx: Context, edit: bool = False) -> None:
        picked = ctx.state["picked"]
        buttons = [[ctx.button(ticked(ctx._(o.label), o.code in picked), o.code)] for o in NEEDS]
        (ctx.edit if edit else ctx.say)(
            ctx._("What do you need to come? Tap all that fit, then Done."),
            [*buttons, [ctx.button(ctx._("Done"), "done")]],
        )

    async def on_button(self, ctx: Context, value: str) -> None:
        picked = ctx.state["picked"]
        rsvp = await ctx.session.get(Rsvp, ctx.state["rsvp"])
        if rsvp is None or rsvp.user_id != ctx.user.id:
            await stale(ctx)
            return
        if value in {o.code for o in NEEDS}:
            toggle(picked, value)
            await self.prompt(ctx, edit=True)
        elif value == "done":
            rsvp.needs = [o.code for o in NEEDS if o.code in picked]
            if "interpreter" in picked:
                ctx.goto("ev_interpreter")
                await ctx.prompt()
                return
            await done_needs(ctx)
        else:
            await stale(ctx)


@step
class Interpreter(Step):
    name = "ev_interpreter"

    async def prompt(self, ctx: Context) -> None:
        buttons = [ctx.button(ctx.t.language_name(c), c) for c in SPOKEN_LANGUAGES if c != "da"]
        ctx.say(ctx._("An interpreter for which language?"), rows(buttons, 3))

    async def on_button(self, ctx: Context, value: str) -> None:
        rsvp = await ctx.session.get(Rsvp, ctx.state["rsvp"])
        if rsvp is None or rsvp.user_id != ctx.user.id or value not in SPOKEN_LANGUAGES:
            await stale(ctx)
            return
        rsvp.interpreter = value
        await done_needs(ctx)


async def done_needs(ctx: Context) -> None:
    ctx.say(ctx._("Thank you, we will prepare for it."))
    await ctx.end()


@nudges.kind("event_reminder")
async def remind(session: AsyncSession, nudge, now: datetime) -> list[Reply]:  # type: ignore[no-untyped-def]
    event = await session.get(Event, nudge.event_id)
    user = await session.get(User, nudge.user_id)
    if event is None or user is None or event.status != "published" or event.starts_at <= now:
        return []
    last = min(REMINDERS)
    if nudge.due_at < event.starts_at - last <= now:  # held back so long that the last reminder is due too
        return []
    rsvp = (
        await session.execute(select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.user_id == user.id))
    ).scalar_one_or_none()
    if rsvp is None or rsvp.status != "going":
        return []
    view = voice(user)
    return [
        Reply(
            view._("A reminder: {title} is soon.").format(title=view.v(event.title)) + "\n\n" + card(view, event),
            to=ref_of(user),
        )
    ]


# -- /events, check-in and the coordinators' tools ---------------------------------------------------------


async def events_command(ctx: Context) -> None:
    query = (
        select(Event).where(Event.status == "published", Event.starts_at > ctx.now).order_by(Event.starts_at).limit(10)
    )
    upcoming = list((await ctx.session.execute(query)).scalars().all())
    coordinator = ctx.user.role == "coordinator"
    if not coordinator:
        upcoming = [e for e in upcoming if e.audience in ("all", ctx.user.role)]
    if not upcoming:
        ctx.say(ctx._("No events are planned right now."))
    for event in upcoming:
        text = card(ctx, event)
        if coordinator:
            text += "\n\n" + await counts(ctx, event)
            buttons = [
                [Button(ctx._("Attendance"), f"e:list:{event.id}"), Button(ctx._("Edit"), f"e:edit:{event.id}")],
                [Button(ctx._("Cancel event"), f"e:cancel:{event.id}")],
            ]
        else:
            buttons = [*rsvp_buttons(ctx, event.id), [Button(ctx._("Invite a friend"), f"e:invite:{event.id}")]]
        ctx.say(text, buttons)
    if ctx.step != "idle":  # asked mid-question: put the question back under the list
        await ctx.prompt()


async def counts(ctx: Context, event: Event) -> str:
    rsvps = list((await ctx.session.execute(select(Rsvp).where(Rsvp.event_id == event.id))).scalars().all())
    by = {s: sum(r.status == s for r in rsvps) for s in ("going", "maybe", "waitlist")}
    going = [r for r in rsvps if r.status == "going"]
    needs = {o.code: sum(o.code in (r.needs or []) for r in going) for o in NEEDS}
    lines = [
        ctx._("Going: {going} of {capacity} · maybe: {maybe} · waitlist: {waitlist}").format(
            going=by["going"], capacity=event.capacity, maybe=by["maybe"], waitlist=by["waitlist"]
        ),
        ctx._("Needs: childcare {childcare}, interpreter {interpreter}, accessibility {access}").format(**needs),
        ctx._("Check-in code: {code}").format(code=event.checkin_code),
    ]
    return "\n".join(lines)


async def coordinator_action(ctx: Context, verb: str, event: Event) -> None:
    if not await is_coordinator(ctx):
        return
    if verb == "edit":
        await start_editing(ctx, event)
        return
    if verb == "cancel":
        if event.status == "cancelled":
            ctx.say(ctx._("This event is closed."))
            return
        event.status = "cancelled"
        told = (
            (
                await ctx.session.execute(
                    select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.status.in_(("going", "maybe", "waitlist")))
                )
            )
            .scalars()
            .all()
        )
        for rsvp in told:
            user = await ctx.session.get(User, rsvp.user_id)
            if user is not None:
                view = voice(user)
                outbox.enqueue(
                    ctx.session,
                    Reply(view._("Sorry: {title} is cancelled.").format(title=view.v(event.title)), to=ref_of(user)),
                    ctx.now,
                )
        await nudges.cancel(ctx.session, ctx.now, "event_reminder", event_id=event.id)
        ctx.edit(ctx._("Cancelled. {count} women are being told.").format(count=len(told)))
        return
    going = (
        await ctx.session.execute(
            select(Rsvp, User)
            .join(User, User.id == Rsvp.user_id)
            .where(Rsvp.event_id == event.id, Rsvp.status == "going")
        )
    ).all()
    if not going:
        ctx.say(ctx._("Nobody has said yes yet."))
        return
    buttons = [[Button(ticked(u.first_name or "?", r.attended), f"ea:{r.id}")] for r, u in going]
    ctx.say(ctx._("Tap the women who came:"), buttons)


@action("ea")
async def mark_attended(ctx: Context, value: str) -> None:
    if not await is_coordinator(ctx):
        return
    rsvp = await ctx.session.get(Rsvp, int(value)) if value.isdigit() else None
    if rsvp is None:
        await stale(ctx)
        return
    rsvp.attended = not rsvp.attended
    going = (
        await ctx.session.execute(
            select(Rsvp, User)
            .join(User, User.id == Rsvp.user_id)
            .where(Rsvp.event_id == rsvp.event_id, Rsvp.status == "going")
        )
    ).all()
    buttons = [[Button(ticked(u.first_name or "?", r.attended), f"ea:{r.id}")] for r, u in going]
    ctx.edit(ctx._("Tap the women who came:"), buttons)


async def checkin_command(ctx: Context) -> None:
    """/checkin CODE at the door."""
    code = ctx.inbound.command_args.strip().upper()
    event = (
        (
            await ctx.session.execute(select(Event).where(Event.checkin_code == code, Event.status == "published"))
        ).scalar_one_or_none()
        if code
        else None
    )
    if event is None or abs(event.starts_at - ctx.now) > timedelta(hours=12):
        ctx.say(ctx._("That check-in code does not fit an event today. Please check it, or ask at the door."))
        return
    rsvp = (
        await ctx.session.execute(select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.user_id == ctx.user.id))
    ).scalar_one_or_none()
    if rsvp is None:
        rsvp = Rsvp(event_id=event.id, user_id=ctx.user.id, status="going", answered_at=ctx.now)
        ctx.session.add(rsvp)
    rsvp.attended = True
    ctx.say(ctx._("Welcome to {title}! 🌱 You are checked in.").format(title=ctx.v(event.title)))


# -- changing a published event ----------------------------------------------------------------------------

def editable_values(event: Event) -> tuple:
    return (
        event.title, event.starts_at.isoformat(), event.place, event.capacity, event.description,
        list(event.languages or []),
    )  # fmt: skip


def differs(key: str, new: object, old: object) -> bool:
    if key == "when":  # the same moment may be written in another zone
        return datetime.fromisoformat(str(new)) != datetime.fromisoformat(str(old))
    return new != old


def apply(event: Event, key: str, value: object) -> None:
    if key == "when":
        event.starts_at = datetime.fromisoformat(str(value))
    else:
        setattr(event, key, value)


async def start_editing(ctx: Context, event: Event) -> None:
    if event.status != "published" or event.starts_at <= ctx.now:
        ctx.say(ctx._("This event is closed."))
        return
    fields = {name: value for name, value in zip(EDITED, editable_values(event), strict=True)}
    # `was` is what she started from: saving writes only what she changed, not what another coordinator did since.
    values = {"id": event.id, "kind": event.kind, "audience": event.audience, "region": event.region, **fields}
    await ctx.begin("event_form", "ev_edit", data={"draft": {**values, "was": fields}, "return_to": "ev_edit"})


@step
class EventEdit(Step):
    name = "ev_edit"

    async def prompt(self, ctx: Context) -> None:
        text = (
            ctx._("Tap what you want to change. When you save, everyone who has answered is told.")
            + "\n\n"
            + card(ctx, event_from(ctx))
            + "\n"
            + ctx._("Places: {capacity}").format(capacity=draft(ctx)["capacity"])
        )
        buttons = [ctx.button(f"✏️ {ctx._(q.label)}", f"e:{q.key}") for q in QUESTIONS if q.key in EDITED]
        ctx.say(
            text,
            [*rows(buttons, 2), [ctx.button(ctx._("Save and tell them"), "save")], [ctx.button(ctx._("Back"), "quit")]],
        )

    async def on_button(self, ctx: Context, value: str) -> None:
        if value.removeprefix("e:") in EDITED and await edit_field(ctx, value, "ev_edit"):
            return
        if value == "save":
            await save_changes(ctx)
        elif value == "quit":
            await stop(ctx)
        else:
            await stale(ctx)


async def save_changes(ctx: Context) -> None:
    d = draft(ctx)
    event = await ctx.session.get(Event, d["id"])
    if event is None or event.status != "published" or event.starts_at <= ctx.now:
        ctx.say(ctx._("This event is closed."))
        await ctx.cancel()
        return
    changed = [key for key in EDITED if differs(key, d[key], d["was"][key])]
    if "when" in changed and datetime.fromisoformat(d["when"]) <= ctx.now:
        ctx.say(ctx._("That time has passed. Please choose a time in the future."))
        ctx.goto("ask:when")
        await ctx.prompt()
        return
    before = (event.starts_at, event.place)
    for key in changed:
        apply(event, key, d[key])
    if not changed:
        ctx.edit(ctx._("Nothing has changed."))
        await ctx.end()
        return
    answered = (
        await ctx.session.execute(
            select(Rsvp, User)
            .join(User, User.id == Rsvp.user_id)
            .where(Rsvp.event_id == event.id, Rsvp.status.in_(("going", "maybe", "waitlist")))
        )
    ).all()
    if event.starts_at != before[0]:  # new reminders for the new time
        for rsvp, user in answered:
            if rsvp.status == "going":
                await schedule_for(ctx.session, event, user, ctx.now)
    moved = (event.starts_at, event.place) != before
    for rsvp, user in answered:
        view = voice(user)
        text = view._("The event has changed. This is how it is now:") + "\n\n" + card(view, event)
        # Same calendar UID, newer stamp: her calendar moves the entry instead of adding a second one.
        file = invitation_file(event, ctx.now) if moved and rsvp.status == "going" else None
        outbox.enqueue(ctx.session, Reply(text, to=ref_of(user), attachment=file), ctx.now)
    while await promote(ctx, event):  # more places: the waitlist moves up
        pass
    ctx.edit(ctx._("Saved. {count} women who answered are being told.").format(count=len(answered)))
    await ctx.end()
