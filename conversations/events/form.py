"""Coordinators create an event with the form kit, preview and publish it, and change it once published:
everyone who answered is told, and those going get a calendar update."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from conversations.events.common import (
    AUDIENCES,
    CAPACITIES,
    EVERYWHERE,
    KINDS,
    PLACE_LIMIT,
    TEXT_LIMIT,
    TITLE_LIMIT,
    card,
    invite_code,
    label,
    rsvp_buttons,
)
from conversations.events.places import invitation_file, promote, schedule_for
from conversations.kernel import audit
from conversations.kernel.flow import (
    Context,
    Step,
    flow,
    freeze,
    ref_of,
    rows,
    stale,
    step,
    voice,
)
from conversations.kernel.forms import draft, edit_field, form
from conversations.kernel.i18n import COPENHAGEN, N_, NC_
from conversations.kernel.messages import Reply
from conversations.kernel.options import REGIONS, Option
from conversations.kernel.questions import ChoiceQuestion, LanguagesQuestion, NumberQuestion, TextQuestion
from conversations.kernel.subflows import stop
from conversations.vetting import is_coordinator
from storage import events, outbox
from storage.models import Event

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
# How long an event lasts, in minutes; its end is its start plus this.
EVENT_LENGTHS = (
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("60", N_("1 hour")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("120", N_("2 hours")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("180", N_("3 hours")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("240", N_("4 hours")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("360", N_("6 hours")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("480", N_("A whole day")),
)
QUESTIONS = (
    ChoiceQuestion("kind", N_("What kind of event is it?"), N_("What kind of event is it?"), KINDS, columns=2),
    TextQuestion("title", N_("Title"), N_("What is the event called?"), limit=TITLE_LIMIT),
    WhenQuestion("when", N_("Date and time"), N_("When is it? Write the date and time like this: 24.12.2026 17:00"),
                 limit=40, show_limit=False),
    ChoiceQuestion(
        "length",
        # NOTE: button, ≤ 27 characters (after ✏️ on the card)
        N_("Length"),
        N_("How long is it?"),
        EVENT_LENGTHS,
        columns=3,
    ),
    TextQuestion(
        "place",
        # NOTE: button, ≤ 27 characters (after ✏️ on the card)
        NC_("event venue", "Place"),
        N_("Where is it? An address, or the link for an online event."),
        limit=PLACE_LIMIT,
    ),
    NumberQuestion("capacity", NC_("event seats", "Places"), N_("How many people can come? Tap a number or write one."),
                   tuple(Option(c, c) for c in CAPACITIES), columns=3, low=1, high=5000,
                   range_hint=N_("Please write a number between 1 and 5000.")),
    ChoiceQuestion("audience", N_("Who is it for?"), N_("Who is it for?"), AUDIENCES, columns=2),
    ChoiceQuestion("region", N_("For women in one place only, or for everyone?"),
                   N_("For women in one place only, or for everyone?"), (EVERYWHERE, *REGIONS), columns=2),
    TextQuestion("description", N_("Description"), N_("A short description for the invitation (optional)."),
                 limit=TEXT_LIMIT, optional=True, single_line=False),
    LanguagesQuestion(
        "languages",
        # NOTE: button, ≤ 27 characters (after ✏️ on the card)
        N_("Languages"),
        N_("Which languages are spoken there? Tap all that fit, then Done."),
        columns=3,
        required=False,
        others=False,
    ),
)  # fmt: skip
EDITED = ("title", "when", "length", "place", "capacity", "description", "languages")  # what can change once published


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


def region_of(d: dict) -> str | None:
    return None if d.get("region") in (None, EVERYWHERE.code) else d["region"]


def ends(starts_at: datetime, length: str | None) -> datetime | None:
    return starts_at + timedelta(minutes=int(length)) if length in {o.code for o in EVENT_LENGTHS} else None


def length_of(event: Event) -> str | None:
    """The length option an event was given, from its start and end."""
    if event.ends_at is None:
        return None
    minutes = str(int((event.ends_at - event.starts_at).total_seconds() // 60))
    return minutes if minutes in {o.code for o in EVENT_LENGTHS} else None


def event_from(ctx: Context) -> Event:
    d = draft(ctx)
    starts_at = datetime.fromisoformat(d["when"])
    return Event(
        kind=d["kind"], title=d["title"], starts_at=starts_at, ends_at=ends(starts_at, d.get("length")),
        place=d["place"],
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
        # NOTE: button, ≤ 30 characters
        ctx.say(text, [[ctx.button(ctx._("📣 Publish"), "publish")], [ctx.button(ctx._("Back"), "quit")]])

    async def on_button(self, ctx: Context, value: str) -> None:
        if value == "quit":
            ctx.goto(f"ask:{QUESTIONS[-1].key}")
            await ctx.prompt()
        elif value == "publish":
            await publish(ctx)
        else:
            await stale(ctx)


async def publish(ctx: Context) -> None:
    event = event_from(ctx)
    ctx.session.add(event)
    await ctx.session.flush()
    audit.log(ctx, "publish_event", f"event:{event.id}")
    invited = await events.audience(ctx.session, event)
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


# -- changing a published event ----------------------------------------------------------------------------


def editable_values(event: Event) -> tuple:
    return (
        event.title, event.starts_at.isoformat(), length_of(event), event.place, event.capacity, event.description,
        list(event.languages or []),
    )  # fmt: skip


def differs(key: str, new: object, old: object) -> bool:
    if key == "when":  # the same moment may be written in another zone
        return datetime.fromisoformat(str(new)) != datetime.fromisoformat(str(old))
    return new != old


def apply(event: Event, key: str, value: object) -> None:
    if key == "when":  # a moved event keeps its length
        length = event.ends_at - event.starts_at if event.ends_at else None
        event.starts_at = datetime.fromisoformat(str(value))
        event.ends_at = event.starts_at + length if length else None
    elif key == "length":
        event.ends_at = ends(event.starts_at, str(value))
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
            # NOTE: button, ≤ 30 characters
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
    before = (event.starts_at, event.ends_at, event.place)
    audit.log(ctx, "edit_event", f"event:{event.id}")
    for key in changed:
        apply(event, key, d[key])
    if not changed:
        ctx.edit(ctx._("Nothing has changed."))
        await ctx.end()
        return
    answered = await events.answers_with_people(ctx.session, event.id)
    if event.starts_at != before[0]:  # new reminders for the new time
        for rsvp, user in answered:
            if rsvp.status == "going":
                await schedule_for(ctx.session, event, user, ctx.now)
    moved = (event.starts_at, event.ends_at, event.place) != before
    for rsvp, user in answered:
        view = voice(user)
        text = view._("The event has changed. This is how it is now:") + "\n\n" + card(view, event)
        # Same calendar UID, newer stamp: her calendar moves the entry instead of adding a second one.
        file = invitation_file(event, ctx.now) if moved and rsvp.status == "going" else None
        outbox.enqueue(ctx.session, Reply(text, to=ref_of(user), attachment=file), ctx.now)
    while await promote(ctx, event):  # more places: the waitlist moves up
        pass
    ctx.edit(
        ctx.t.ngettext(
            "Saved. {count} woman who answered is being told.",
            "Saved. {count} women who answered are being told.",
            len(answered),
        ).format(count=len(answered))
    )
    await ctx.end()
