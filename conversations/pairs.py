"""Coordinators' view of the pairs: /pairs lists running mentorships, the longest silent first, a page at a time;
one pair's page shows both women, meetings, reports, surveys and problem reports, and what can be done."""

from __future__ import annotations

from conversations.coordinator_messages import write_button
from conversations.kernel.flow import Context, action, flow, stale, step, too_long
from conversations.kernel.i18n import COPENHAGEN, N_
from conversations.kernel.messages import Button
from conversations.kernel.options import FIELDS, REGIONS, TOPICS
from conversations.kernel.subflows import Written
from conversations.mentorship.problems import KINDS
from conversations.vetting import is_coordinator
from conversations.watch import QUIET_NUDGE, STATES, shown_name
from storage import matching, pairs
from storage.demo import can_see
from storage.models import (
    MenteeProfile,
    MentorProfile,
    Mentorship,
    PairNote,
    User,
)
from storage.reports import latest_reports

PAGE = 8


async def pairs_command(ctx: Context) -> None:
    if await is_coordinator(ctx):
        await show_page(ctx, 0)


@action("pp")
async def turn_page(ctx: Context, value: str) -> None:
    if await is_coordinator(ctx):
        await show_page(ctx, int(value) if value.isdigit() and len(value) < 6 else 0, edit=True)


async def show_page(ctx: Context, page: int, *, edit: bool = False) -> None:
    live = await pairs.running(ctx.session, ctx.user)
    if not live:
        ctx.say(ctx._("No mentorship is running right now."))
        return
    pages = (len(live) + PAGE - 1) // PAGE
    page = min(page, pages - 1)
    lines = [
        "<b>" + ctx._("Running mentorships: {count}").format(count=len(live)) + "</b>"
        + (f" · {page + 1}/{pages}" if pages > 1 else ""),
        "",
    ]  # fmt: skip
    buttons = []
    for m in live[page * PAGE : (page + 1) * PAGE]:
        mentee_user, mentor_user = await ctx.session.get(User, m.mentee_id), await ctx.session.get(User, m.mentor_id)
        since = m.last_contact_at or m.started_at
        quiet = "⚠️ " if ctx.now - since >= QUIET_NUDGE else ""
        names = f"{shown_name(ctx, mentee_user)} &amp; {shown_name(ctx, mentor_user)}"
        lines.append(quiet + ctx._("{names}: last contact {date}").format(names=names, date=ctx.t.date(since)))
        buttons.append([Button(f"{mentee_user.first_name or '—'} & {mentor_user.first_name or '—'}", f"ms:{m.id}")])
    nav = []
    if page > 0:
        nav.append(Button("◀", f"pp:{page - 1}"))
    if page < pages - 1:
        nav.append(Button("▶", f"pp:{page + 1}"))
    (ctx.edit if edit else ctx.say)("\n".join(lines), [*buttons, nav])


@action("ms")
async def pair_page(ctx: Context, value: str) -> None:
    if not await is_coordinator(ctx):
        return
    m = await ctx.session.get(Mentorship, int(value)) if value.isdigit() and len(value) < 10 else None
    mentee = await ctx.session.get(User, m.mentee_id) if m else None
    mentor = await ctx.session.get(User, m.mentor_id) if m else None
    if m is None or mentee is None or mentor is None or not can_see(ctx.user, mentee):
        await stale(ctx)
        return
    lines = [
        f"<b>{shown_name(ctx, mentee)} &amp; {shown_name(ctx, mentor)}</b> · {ctx._(STATES[m.status])}",
        ctx._("Started {date}").format(date=ctx.t.date(m.started_at)),
        "",
        *await _women(ctx, m, mentee, mentor),
        "",
        *await _meetings(ctx, m),
        "",
        "<b>" + ctx._("Last reports") + "</b>",
        *await _reports(ctx, m, mentee, mentor),
        "",
        *await _surveys(ctx, m, mentee, mentor),
        *await _problems(ctx, m, mentee, mentor),
        *await _notes(ctx, m),
    ]
    buttons = [[write_button(ctx, woman)] for woman in (mentee, mentor) if woman.erased_at is None]
    # NOTE: button, ≤ 30 characters
    buttons.append([Button(ctx._("📝 Add a note"), f"pn:{m.id}")])
    if m.status in matching.LIVE:
        # NOTE: button, ≤ 30 characters
        buttons.append([Button(ctx._("✉️ Write to both"), f"mw:{m.id}")])
        # NOTE: button, ≤ 30 characters
        buttons.append([Button(ctx._("Cancel this mentorship"), f"m:cancel:{m.id}")])
    ctx.say("\n".join(lines), buttons)


SURVEYS = {"start": N_("start survey"), "end": N_("end survey")}


async def _women(ctx: Context, m: Mentorship, mentee: User, mentor: User) -> list[str]:
    lines = []
    if (profile := await ctx.session.get(MenteeProfile, mentee.id)) is not None:
        place = next((ctx._(o.label) for o in REGIONS if o.code == profile.region), "—")
        fields = ctx.t.join(next((ctx._(o.label) for o in FIELDS if o.code == f), f) for f in profile.fields)
        lines.append(
            ctx.t.label(ctx._("Mentee"), f"{shown_name(ctx, mentee)} · 📍 {place} · 💼 {fields}")
            + " · 🗣 " + ctx.t.languages(profile.languages)
        )  # fmt: skip
    if (mentor_profile := await ctx.session.get(MentorProfile, mentor.id)) is not None:
        work = f"{ctx.v(mentor_profile.job_title)}, {ctx.v(mentor_profile.employer)}"
        lines.append(ctx.t.label(ctx._("Mentor"), f"{shown_name(ctx, mentor)} · {work}"))
    return lines


async def _meetings(ctx: Context, m: Mentorship) -> list[str]:
    held, coming = await pairs.meetings(ctx.session, m.id, ctx.now)
    lines = [ctx.t.label(ctx._("Meetings held"), str(held))]
    if coming is not None:
        lines.append(ctx.t.label(ctx._("Next meeting"), ctx.t.when(coming.starts_at)))
    return lines


async def _reports(ctx: Context, m: Mentorship, mentee: User, mentor: User) -> list[str]:
    reports = await latest_reports(ctx.session, m.id)
    if not reports:
        return [ctx._("No reports yet.")]
    lines = []
    for r in reports:
        reporter = mentee if r.reporter_id == mentee.id else mentor
        topics = ctx.t.join(next((ctx._(o.label) for o in TOPICS if o.code == t), t) for t in r.topics)
        line = ctx.t.label(
            f"{ctx.t.day(r.held_on.astimezone(COPENHAGEN).date())} · {shown_name(ctx, reporter)}", topics
        )
        if r.note:
            line += " " + ctx.t.quote(ctx.v(r.note))
        lines.append(line)
    return lines


async def _surveys(ctx: Context, m: Mentorship, mentee: User, mentor: User) -> list[str]:
    answered = await pairs.finished_surveys(ctx.session, m.id)
    done = [
        f"{shown_name(ctx, mentee if user_id == mentee.id else mentor)} ({ctx._(SURVEYS.get(survey.rsplit('_', 1)[-1], survey))})"
        for user_id, survey in answered
    ]
    return [ctx.t.label(ctx._("Surveys answered"), ctx.t.join(done))]


async def _problems(ctx: Context, m: Mentorship, mentee: User, mentor: User) -> list[str]:
    found = await pairs.problem_reports(ctx.session, m.id)
    if not found:
        return []
    lines = ["", "<b>" + ctx._("Problem reports") + "</b>"]
    for p in found:
        reporter = mentee if p.reporter_id == mentee.id else mentor
        line = ctx.t.label(
            f"⚠️ {ctx.t.day(p.created_at.astimezone(COPENHAGEN).date())} · {shown_name(ctx, reporter)}",
            ctx._(KINDS.get(p.kind, KINDS["other"])),
        )
        if p.note:
            line += " " + ctx.t.quote(ctx.v(p.note))
        lines.append(line)
    return lines


async def _notes(ctx: Context, m: Mentorship) -> list[str]:
    found = await pairs.notes(ctx.session, m.id)
    if not found:
        return []
    lines = ["", "<b>" + ctx._("Coordinators' notes") + "</b>"]
    for note in found:
        author = await ctx.session.get(User, note.author_id) if note.author_id else None
        when = ctx.t.day(note.created_at.astimezone(COPENHAGEN).date())
        lines.append(ctx.t.label(f"{when} · {shown_name(ctx, author)}", ctx.t.quote(ctx.v(note.text))))
    return lines


NOTE_LIMIT = 1000
PAIR_NOTE = flow("pair_note", "pair_note")


@action("pn")
async def add_note(ctx: Context, value: str) -> None:
    if not await is_coordinator(ctx):
        return
    m = await ctx.session.get(Mentorship, int(value)) if value.isdigit() and len(value) < 10 else None
    mentee = await ctx.session.get(User, m.mentee_id) if m else None
    if m is None or mentee is None or not can_see(ctx.user, mentee):
        await stale(ctx)
        return
    await ctx.begin("pair_note", m=m.id)


@step
class PairNoteText(Written):
    """A note for the other coordinators; both women can read it in /mydata."""

    name = "pair_note"

    async def question(self, ctx: Context) -> str:
        return ctx._("Write your note. The other coordinators see it; both women can read it in their /mydata.")

    async def on_text(self, ctx: Context, text: str) -> None:
        text = text.strip()
        if not text or too_long(ctx, text, NOTE_LIMIT):
            return
        ctx.session.add(PairNote(mentorship_id=ctx.args["m"], author_id=ctx.user.id, text=text, created_at=ctx.now))
        ctx.say(ctx._("The note is saved."))
        await ctx.end()
