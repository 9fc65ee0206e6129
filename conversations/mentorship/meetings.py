"""Planning a meeting: a day, a time, in person or online; the other side confirms or proposes another time.

Both get a calendar file once it is confirmed, and a reminder 24 hours before.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from conversations import watch
from conversations.kernel import calendar, limits, nudges
from conversations.kernel.flow import (
    Context,
    Step,
    Voice,
    action,
    flow,
    freeze,
    on_result,
    ref_of,
    rows,
    stale,
    step,
    too_long,
    voice,
)
from conversations.kernel.i18n import COPENHAGEN, N_
from conversations.kernel.messages import Button, Reply
from conversations.kernel.options import MEETING_MODES
from conversations.kernel.subflows import which_mentorship
from storage import matching
from storage.models import Meeting, Mentorship, User

DAYS_AHEAD = 14
FIRST_SLOT, LAST_SLOT = time(8, 0), time(20, 30)  # half-hour steps, within sensible hours
REPORT_AFTER = timedelta(minutes=90)  # "How did it go?" shortly after it started
REMINDER_BEFORE = timedelta(hours=24)


def mode_label(view: Context | Voice, code: str) -> str:
    return next(view._(o.label) for o in MEETING_MODES if o.code == code).lower()


def slots() -> list[time]:
    out, minutes = [], FIRST_SLOT.hour * 60 + FIRST_SLOT.minute
    while minutes <= LAST_SLOT.hour * 60 + LAST_SLOT.minute:
        out.append(time(minutes // 60, minutes % 60))
        minutes += 30
    return out


def local_today(now: datetime) -> date:
    return now.astimezone(COPENHAGEN).date()


# The plan she is making lives in the frame: {"m", "replacing", "day", "time"}.
MEET = flow("meet", "meet_day", "meet_time", "meet_mode", "meet_place", holds_answers=lambda plan: "day" in plan)
PLACE_LIMIT = 200


async def plan_command(ctx: Context) -> None:
    """/meet and the "Plan a meeting" buttons."""
    await which_mentorship(ctx, N_("Who would you like to meet?"), "meet_with")


@on_result("meet_with")
async def meet_with(ctx: Context, mentorship_id: int, args: dict) -> None:
    m = await ctx.session.get(Mentorship, mentorship_id)
    if m is not None:
        await start(ctx, m)


async def start(ctx: Context, m: Mentorship, replacing: int | None = None) -> None:
    if await limits.refused(ctx, "meeting", spend=False):  # before she picks a day and a time for nothing
        return
    await ctx.begin("meet", data={"m": m.id, "replacing": replacing})


@step
class PickDay(Step):
    name = "meet_day"

    async def prompt(self, ctx: Context) -> None:
        today = local_today(ctx.now)
        days = [today + timedelta(days=i) for i in range(DAYS_AHEAD)]
        buttons = [ctx.button(ctx.t.day(d), d.strftime("%Y%m%d")) for d in days]
        ctx.say(ctx._("Which day would you like to meet?"), [*rows(buttons, 2), [ctx.button(ctx._("Back"), "back")]])

    async def on_button(self, ctx: Context, value: str) -> None:
        if value == "back":
            await ctx.cancel()
            return
        today = local_today(ctx.now)
        try:
            day = datetime.strptime(value, "%Y%m%d").date()
        except ValueError:
            day = None
        if day is None or not today <= day < today + timedelta(days=DAYS_AHEAD):
            await stale(ctx)
            return
        ctx.state["day"] = value
        ctx.close_question(ctx._("Which day would you like to meet?"), ctx.t.day(day))
        ctx.goto("meet_time")
        await ctx.prompt()


def chosen_day(ctx: Context) -> date:
    return datetime.strptime(ctx.state["day"], "%Y%m%d").date()


def at(day: date, slot: time) -> datetime:
    return datetime.combine(day, slot, tzinfo=COPENHAGEN).astimezone(UTC)


@step
class PickTime(Step):
    name = "meet_time"

    def open_slots(self, ctx: Context) -> list[time]:
        day = chosen_day(ctx)
        return [s for s in slots() if at(day, s) > ctx.now + timedelta(hours=1)]

    async def prompt(self, ctx: Context) -> None:
        day = chosen_day(ctx)
        buttons = [ctx.button(ctx.t.clock(at(day, s)), s.strftime("%H%M")) for s in self.open_slots(ctx)]
        if not buttons:
            ctx.say(ctx._("There is no time left that day. Please choose another day."))
            ctx.goto("meet_day")
            await ctx.prompt()
            return
        ctx.say(ctx._("At what time?"), [*rows(buttons, 4), [ctx.button(ctx._("Back"), "back")]])

    async def on_button(self, ctx: Context, value: str) -> None:
        if value == "back":
            ctx.goto("meet_day")
            await ctx.prompt()
            return
        slot = next((s for s in self.open_slots(ctx) if s.strftime("%H%M") == value), None)
        if slot is None:
            await stale(ctx)
            return
        ctx.state["time"] = value
        ctx.close_question(ctx._("At what time?"), ctx.t.clock(at(chosen_day(ctx), slot)))
        ctx.goto("meet_mode")
        await ctx.prompt()


@step
class PickMode(Step):
    name = "meet_mode"

    async def prompt(self, ctx: Context) -> None:
        buttons = [[ctx.button(ctx._(o.label), o.code)] for o in MEETING_MODES]
        ctx.say(ctx._("In person or online?"), [*buttons, [ctx.button(ctx._("Back"), "back")]])

    async def on_button(self, ctx: Context, value: str) -> None:
        if value == "back":
            ctx.goto("meet_time")
            await ctx.prompt()
            return
        if value not in {o.code for o in MEETING_MODES}:
            await stale(ctx)
            return
        ctx.state["mode"] = value
        ctx.close_question(ctx._("In person or online?"), mode_label(ctx, value))
        ctx.goto("meet_place")
        await ctx.prompt()


@step
class PickPlace(Step):
    """Where: an address, or the link of an online meeting; or later, between the two of them."""

    name = "meet_place"

    async def prompt(self, ctx: Context) -> None:
        question = (
            ctx._("Where will you meet? Write the address.")
            if ctx.state.get("mode") == "in_person"
            else ctx._("Write the link of the online meeting.")
        )
        # NOTE: button, ≤ 30 characters
        buttons = [[ctx.button(ctx._("We decide later"), "later")], [ctx.button(ctx._("Back"), "back")]]
        ctx.say(question, buttons)

    async def on_text(self, ctx: Context, text: str) -> None:
        place = " ".join(text.split())
        if not place:
            await self.prompt(ctx)
            return
        if too_long(ctx, place, PLACE_LIMIT):
            return
        await propose(ctx, place)

    async def on_button(self, ctx: Context, value: str) -> None:
        if value == "back":
            ctx.goto("meet_mode")
            await ctx.prompt()
        elif value == "later":
            ctx.close_question(ctx._("Where will you meet?"), ctx._("We decide later"))
            await propose(ctx, None)
        else:
            await stale(ctx)


def where(view: Context | Voice, meeting: Meeting) -> str:
    """The meeting's time, way and place, as each message about it shows them."""
    text = view._("{when}, {mode}").format(when=view.t.when(meeting.starts_at), mode=mode_label(view, meeting.mode))
    return text + (f"\n📍 {view.v(meeting.place)}" if meeting.place else "")


async def propose(ctx: Context, place: str | None) -> None:
    plan = ctx.state
    m = await ctx.session.get(Mentorship, plan["m"])
    if m is None or m.status not in matching.LIVE or ctx.user.id not in (m.mentee_id, m.mentor_id):
        ctx.say(ctx._("This mentorship has ended."))
        await ctx.end()
        return
    if await limits.refused(ctx, "meeting"):
        await ctx.end()
        return
    starts = at(chosen_day(ctx), time(int(plan["time"][:2]), int(plan["time"][2:])))
    meeting = Meeting(
        mentorship_id=m.id, proposed_by=ctx.user.id, starts_at=starts, mode=plan["mode"], place=place,
        created_at=ctx.now,
    )  # fmt: skip
    ctx.session.add(meeting)
    if plan.get("replacing"):
        old = await ctx.session.get(Meeting, plan["replacing"])
        if old is not None and old.mentorship_id == m.id:
            old.status = "replaced"
    await ctx.session.flush()
    other = await ctx.session.get(User, m.other(ctx.user.id))
    view = voice(other)
    ctx.tell(
        other,
        view._("{name} would like to meet you: {meeting}").format(
            name=view.v(ctx.user.first_name), meeting=where(view, meeting)
        ),
        [
            # NOTE: button, ≤ 30 characters
            [Button(view._("✅ Confirm"), f"mt:ok:{meeting.id}")],
            # NOTE: button, ≤ 30 characters
            [Button(view._("Propose another time"), f"mt:new:{meeting.id}")],
        ],
    )
    ctx.say(
        ctx._("I have asked {name}: {meeting}\nI will tell you when she answers.").format(
            name=ctx.v(other.first_name), meeting=where(ctx, meeting)
        )
    )
    await ctx.end()


@action("mt")
async def answer(ctx: Context, value: str) -> None:
    verb, _, raw_id = value.partition(":")
    if verb == "plan":
        m = await ctx.session.get(Mentorship, int(raw_id)) if raw_id.isdigit() else None
        if m is None or ctx.user.id not in (m.mentee_id, m.mentor_id) or m.status not in matching.LIVE:
            ctx.say(ctx._("This button is not for you."))
            return
        await start(ctx, m)
        return
    meeting = await ctx.session.get(Meeting, int(raw_id)) if raw_id.isdigit() else None
    m = await ctx.session.get(Mentorship, meeting.mentorship_id) if meeting else None
    if (
        meeting is None
        or m is None
        or ctx.user.id not in (m.mentee_id, m.mentor_id)
        or meeting.proposed_by == ctx.user.id
    ):
        ctx.say(ctx._("This button is not for you."))
        return
    if meeting.status != "proposed" or m.status not in matching.LIVE:
        ctx.say(ctx._("This meeting has already been answered."))
        return
    if verb == "ok":
        await confirm(ctx, meeting, m)
    elif verb == "new":
        await start(ctx, m, replacing=meeting.id)
    else:
        await stale(ctx)


async def confirm(ctx: Context, meeting: Meeting, m: Mentorship) -> None:
    meeting.status = "confirmed"
    proposer = await ctx.session.get(User, meeting.proposed_by)
    ctx.edit(ctx._("✅ Confirmed: {meeting}").format(meeting=where(ctx, meeting)))
    for me, her in ((ctx.user, proposer), (proposer, ctx.user)):
        view = voice(me)
        text = view._(
            "Your meeting with {name} is confirmed: {meeting}\nThe calendar file below adds it to your calendar."
        ).format(name=view.v(her.first_name), meeting=where(view, meeting))
        ics = calendar.invitation(
            meeting.id,
            meeting.starts_at,
            view._("Mentor meeting with {name}").format(name=her.first_name),
            meeting.place or mode_label(view, meeting.mode),
            ctx.now,
        )
        ctx.replies.append(Reply(text, to=ref_of(me), attachment=ics))
    due = [
        ("meeting_reminder", meeting.starts_at - REMINDER_BEFORE, True),
        ("report_request", meeting.starts_at + REPORT_AFTER, True),
        ("report_reminder", meeting.starts_at + timedelta(hours=24), False),
    ]
    for user_id in (m.mentee_id, m.mentor_id):
        for kind, when, essential in due:
            if when > ctx.now:
                nudges.schedule(
                    ctx.session,
                    kind,
                    when,
                    user_id=user_id,
                    mentorship_id=m.id,
                    meeting_id=meeting.id,
                    essential=essential,
                )
    await watch.contact(ctx.session, m, ctx.now)


@nudges.kind("meeting_reminder")
async def remind(session: AsyncSession, nudge, now: datetime) -> list[Reply]:  # type: ignore[no-untyped-def]
    meeting = await session.get(Meeting, nudge.meeting_id)
    m = await session.get(Mentorship, nudge.mentorship_id)
    me = await session.get(User, nudge.user_id)
    if meeting is None or m is None or me is None or meeting.status != "confirmed" or m.status not in matching.LIVE:
        return []
    if now >= meeting.starts_at:  # held back (quiet hours, downtime) until too late to be of use
        return []
    her = await session.get(User, m.other(me.id))
    view = voice(me)
    text = view._("A reminder of your meeting with {name}: {meeting}").format(
        name=view.v(her.first_name), meeting=where(view, meeting)
    )
    # NOTE: button, ≤ 30 characters
    return [Reply(text, freeze([[Button(view._("✉️ Write to her"), f"m:write:{m.id}")]]), to=ref_of(me))]
