"""Reporting a meeting in a few taps: met? -> topics -> length -> an optional note.

The topics and the lengths share one message, so the common path is four taps: "Yes, we met", a topic, a length,
"Skip". A report can be corrected for 7 days. If one side says they met and the other says they did not, the
coordinators hear about it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from conversations import watch
from conversations.kernel import limits, nudges
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
from conversations.kernel.options import LENGTHS, MET, TOPICS
from conversations.kernel.questions import ticked, toggle
from conversations.kernel.subflows import which_mentorship
from conversations.vetting import coordinators
from storage import matching
from storage.models import Meeting, MeetingReport, Mentorship, User
from storage.reports import other_report, report_of

NOTE_LIMIT = 1000
CORRECTABLE = timedelta(days=7)


def label(view: Context | Voice, options, code: str) -> str:  # type: ignore[no-untyped-def]
    return next((view._(o.label) for o in options if o.code == code), code)


def met_buttons(view: Voice, meeting_id: int) -> list[list[Button]]:
    return [[Button(view._(o.label), f"rep:{meeting_id}:{o.code}")] for o in MET]


async def ask_text(session: AsyncSession, view: Voice, meeting: Meeting, her: User) -> str:
    return view._("How did your meeting with {name} on {when} go?").format(
        name=view.v(her.first_name), when=view.t.when(meeting.starts_at)
    )


async def _report_nudge(session: AsyncSession, nudge, now: datetime, reminder: bool) -> list[Reply]:  # type: ignore[no-untyped-def]
    meeting = await session.get(Meeting, nudge.meeting_id)
    m = await session.get(Mentorship, nudge.mentorship_id)
    me = await session.get(User, nudge.user_id)
    if meeting is None or m is None or me is None or meeting.status != "confirmed":
        return []
    if await report_of(session, meeting.id, me.id) is not None:
        return []
    her = await session.get(User, m.other(me.id))
    if her is None or her.erased_at is not None:  # she left Mentornet; the mentorship has ended with it
        return []
    view = voice(me)
    text = await ask_text(session, view, meeting, her)
    if reminder:
        text = view._("A reminder, it takes a few seconds:") + "\n" + text
    return [Reply(text, freeze(met_buttons(view, meeting.id)), to=ref_of(me))]


@nudges.kind("report_request")
async def request(session: AsyncSession, nudge, now: datetime) -> list[Reply]:  # type: ignore[no-untyped-def]
    return await _report_nudge(session, nudge, now, reminder=False)


@nudges.kind("report_reminder")
async def reminder(session: AsyncSession, nudge, now: datetime) -> list[Reply]:  # type: ignore[no-untyped-def]
    return await _report_nudge(session, nudge, now, reminder=True)


# The report she is filing lives in the frame: {"m", "meeting", "held_on", "met", "topics", ...}.
REPORT = flow("report", "report_met", "report_when", "report_topics", "report_note", holds_answers=bool)


@action("rep")
async def met_answer(ctx: Context, value: str) -> None:
    """The first tap, on the "How did it go?" message."""
    parts = value.split(":")
    meeting = await ctx.session.get(Meeting, int(parts[0])) if parts[0].isdigit() else None
    m = await ctx.session.get(Mentorship, meeting.mentorship_id) if meeting else None
    if meeting is None or m is None or ctx.user.id not in (m.mentee_id, m.mentor_id) or len(parts) != 2:
        ctx.say(ctx._("This button is not for you."))
        return
    if parts[1] not in {o.code for o in MET}:
        await stale(ctx)
        return
    existing = await report_of(ctx.session, meeting.id, ctx.user.id)
    if existing is not None:
        ctx.say(
            ctx._("You have already reported this meeting."), [[Button(ctx._("✏️ Correct it"), f"rc:{existing.id}")]]
        )
        return
    ctx.close_question(await ask_text(ctx.session, ctx, meeting, await _other(ctx, m)), label(ctx, MET, parts[1]))
    draft = {
        "m": m.id,
        "meeting": meeting.id,
        "held_on": meeting.starts_at.astimezone(COPENHAGEN).date().isoformat(),
        "met": parts[1],
        "topics": [],
    }
    if parts[1] == "yes":
        await ctx.begin("report", "report_topics", data=draft)
    else:
        await ctx.begin("report", "report_met", data=draft, prompt=False)
        await save(ctx)


async def after_met(ctx: Context) -> None:
    if ctx.state["met"] == "yes":
        ctx.goto("report_topics")
        await ctx.prompt()
    else:
        await save(ctx)


async def _other(ctx: Context, m: Mentorship) -> User:
    return await ctx.session.get(User, m.other(ctx.user.id))


@step
class Topics(Step):
    name = "report_topics"

    def render(self, ctx: Context, hint: str = "") -> tuple[str, list]:
        picked = ctx.state["topics"]
        chips = [ctx.button(ticked(ctx._(o.label), o.code in picked), o.code) for o in TOPICS]
        lengths = [ctx.button(ctx._(o.label), f"len:{o.code}") for o in LENGTHS]
        text = ctx._("What did you talk about? Tap the topics, then how long you met.")
        if hint:
            text += f"\n\n⚠️ {hint}"
        return text, [*rows(chips, 2, tick=True), *rows(lengths, 4)]

    async def prompt(self, ctx: Context) -> None:
        ctx.say(*self.render(ctx))

    async def on_button(self, ctx: Context, value: str) -> None:
        draft = ctx.state
        if value in {o.code for o in TOPICS}:
            toggle(draft["topics"], value)
            ctx.edit(*self.render(ctx))
        elif value.startswith("len:") and value[4:] in {o.code for o in LENGTHS}:
            if not draft["topics"]:
                ctx.edit(*self.render(ctx, ctx._("Please choose at least one topic.")))
                return
            draft["minutes"] = int(value[4:])
            topics = ctx.t.join(label(ctx, TOPICS, t) for t in draft["topics"])
            ctx.close_question(
                ctx._("What did you talk about? Tap the topics, then how long you met."),
                f"{topics} · {label(ctx, LENGTHS, value[4:])}",
            )
            ctx.goto("report_note")
            await ctx.prompt()
        else:
            await stale(ctx)

    async def on_text(self, ctx: Context, text: str) -> None:
        ctx.say(*self.render(ctx, ctx._("Please use the buttons below.")))


@step
class Note(Step):
    name = "report_note"

    async def prompt(self, ctx: Context) -> None:
        ctx.say(
            ctx._("Anything you would like to add? Write a short note, or tap Skip."),
            # NOTE: button, ≤ 30 characters
            [[ctx.button(ctx._("Skip"), "skip")]],
        )

    async def on_button(self, ctx: Context, value: str) -> None:
        if value != "skip":
            await stale(ctx)
            return
        ctx.edit(ctx._("Anything you would like to add? Write a short note, or tap Skip."))
        await save(ctx)

    async def on_text(self, ctx: Context, text: str) -> None:
        text = text.strip()
        if too_long(ctx, text, NOTE_LIMIT):
            return
        ctx.state["note"] = text or None
        await save(ctx)


async def save(ctx: Context) -> None:
    draft = ctx.state
    m = await ctx.session.get(Mentorship, draft["m"])
    if m is None or ctx.user.id not in (m.mentee_id, m.mentor_id):
        ctx.say(ctx._("This button is not for you."))
        await ctx.cancel()
        return
    values = {
        "met": draft["met"],
        "topics": draft.get("topics") or [],
        "minutes": draft.get("minutes") if draft["met"] == "yes" else None,
        "note": draft.get("note"),
        "held_on": datetime.combine(date.fromisoformat(draft["held_on"]), datetime.min.time(), tzinfo=COPENHAGEN),
    }
    report = await ctx.session.get(MeetingReport, draft["edit"]) if draft.get("edit") else None
    # Only a meeting not planned here counts: a planned one is reported once per woman, a correction is no new one.
    if report is None and not draft.get("meeting") and await limits.refused(ctx, "report"):
        await ctx.end()
        return
    if report is None:
        report = MeetingReport(
            mentorship_id=m.id, meeting_id=draft.get("meeting"), reporter_id=ctx.user.id, created_at=ctx.now, **values
        )
        ctx.session.add(report)
    else:
        for key, value in values.items():
            setattr(report, key, value)
    await ctx.session.flush()
    if draft.get("meeting"):
        await nudges.cancel(ctx.session, ctx.now, "report_reminder", meeting_id=draft["meeting"], user_id=ctx.user.id)
    if draft["met"] == "yes":
        await watch.contact(ctx.session, m, ctx.now)
    # NOTE: button, ≤ 30 characters
    buttons = [[Button(ctx._("✏️ Correct it"), f"rc:{report.id}")]]
    if draft["met"] != "yes" and m.status in matching.LIVE:
        # NOTE: button, ≤ 30 characters
        buttons.insert(0, [Button(ctx._("📅 Plan a meeting"), f"mt:plan:{m.id}")])
    ctx.say(ctx._("✓ Thank you! Your report is saved. You can correct it for 7 days."), buttons)
    await mismatch(ctx, m, report)
    await ctx.end()


async def mismatch(ctx: Context, m: Mentorship, mine: MeetingReport) -> None:
    if mine.meeting_id is None:
        return
    theirs = await other_report(ctx.session, mine.meeting_id, ctx.user.id)
    if theirs is None or (theirs.met == "yes") == (mine.met == "yes"):
        return
    mentee, mentor = await ctx.session.get(User, m.mentee_id), await ctx.session.get(User, m.mentor_id)
    meeting = await ctx.session.get(Meeting, mine.meeting_id)
    for coordinator in await coordinators(ctx):
        view = voice(coordinator)
        said_met = mentee if (mine.met == "yes") == (ctx.user.id == mentee.id) else mentor
        ctx.tell(
            coordinator,
            view._(
                "⚠️ The reports on the meeting of {mentee} and {mentor} on {when} disagree: {who} says they met, the other says they did not."
            ).format(
                mentee=view.v(mentee.first_name),
                mentor=view.v(mentor.first_name),
                when=view.t.when(meeting.starts_at),
                who=view.v(said_met.first_name),
            ),
        )


@action("rc")
async def correct(ctx: Context, value: str) -> None:
    report = await ctx.session.get(MeetingReport, int(value)) if value.isdigit() else None
    if report is None or report.reporter_id != ctx.user.id:
        ctx.say(ctx._("This button is not for you."))
        return
    if ctx.now - report.created_at > CORRECTABLE:
        ctx.say(ctx._("A report can be corrected for 7 days; this one is older."))
        return
    draft = {
        "m": report.mentorship_id, "meeting": report.meeting_id, "held_on": report.held_on.astimezone(COPENHAGEN).date().isoformat(),
        "met": report.met, "topics": list(report.topics), "edit": report.id,
    }  # fmt: skip
    await ctx.begin("report", "report_met", data=draft)


@step
class Met(Step):
    name = "report_met"

    async def prompt(self, ctx: Context) -> None:
        ctx.say(ctx._("Did you meet?"), [[ctx.button(ctx._(o.label), o.code)] for o in MET])

    async def on_button(self, ctx: Context, value: str) -> None:
        if value not in {o.code for o in MET}:
            await stale(ctx)
            return
        ctx.state["met"] = value
        ctx.close_question(ctx._("Did you meet?"), label(ctx, MET, value))
        await after_met(ctx)


# -- /report: a meeting that was not planned here ----------------------------------------------------------


async def report_command(ctx: Context) -> None:
    await which_mentorship(ctx, N_("Which mentorship is the report about?"), "report_on")


@on_result("report_on")
async def report_on(ctx: Context, mentorship_id: int, args: dict) -> None:
    m = await ctx.session.get(Mentorship, mentorship_id)
    if m is not None:
        await ask_when(ctx, m)


@action("rw")
async def report_for(ctx: Context, value: str) -> None:
    m = await ctx.session.get(Mentorship, int(value)) if value.isdigit() else None
    if m is None or ctx.user.id not in (m.mentee_id, m.mentor_id) or m.status not in matching.LIVE:
        ctx.say(ctx._("This button is not for you."))
        return
    await ask_when(ctx, m)


async def ask_when(ctx: Context, m: Mentorship) -> None:
    if await limits.refused(ctx, "report", spend=False):  # before she answers for nothing
        return
    await ctx.begin("report", "report_when", data={"m": m.id, "meeting": None, "met": "yes", "topics": []})


@step
class When(Step):
    name = "report_when"

    async def earliest(self, ctx: Context) -> date:
        """Up to 15 days back, and never before the mentorship began."""
        today = ctx.now.astimezone(COPENHAGEN).date()
        m = await ctx.session.get(Mentorship, ctx.state["m"])
        began = m.started_at.astimezone(COPENHAGEN).date() if m is not None else today
        return max(today - timedelta(days=15), began)

    async def prompt(self, ctx: Context) -> None:
        today = ctx.now.astimezone(COPENHAGEN).date()
        earliest = await self.earliest(ctx)
        if ctx.state.get("pick"):
            days = [today - timedelta(days=i) for i in range(2, 16) if today - timedelta(days=i) >= earliest]
            buttons = [ctx.button(ctx.t.day(d), d.isoformat()) for d in days]
            ctx.say(ctx._("When did you meet?"), rows(buttons, 2))
            return
        # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
        first = [ctx.button(ctx._("Today"), today.isoformat())]
        if today - timedelta(days=1) >= earliest:
            # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
            first.append(ctx.button(ctx._("Yesterday"), (today - timedelta(days=1)).isoformat()))
        buttons = [first]
        if today - timedelta(days=2) >= earliest:
            # NOTE: button, ≤ 30 characters
            buttons.append([ctx.button(ctx._("Another day"), "pick")])
        ctx.say(ctx._("When did you meet?"), buttons)

    async def on_button(self, ctx: Context, value: str) -> None:
        today = ctx.now.astimezone(COPENHAGEN).date()
        if value == "pick":
            ctx.state["pick"] = True
            await self.prompt(ctx)
            return
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
        if day is None or not await self.earliest(ctx) <= day <= today:
            await stale(ctx)
            return
        ctx.state["held_on"] = day.isoformat()
        ctx.close_question(ctx._("When did you meet?"), ctx.t.day(day))
        ctx.goto("report_topics")
        await ctx.prompt()
