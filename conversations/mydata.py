"""/mydata: everything stored about her, as messages in her language and as a JSON file to keep or take along.

The messages show what a person reads (option labels, dates, first names); the file has every column of every
row about her (storage/mydata.py decides what that is).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from conversations.kernel.flow import Context
from conversations.kernel.i18n import COPENHAGEN, LANGUAGES, N_
from conversations.kernel.messages import Attachment, Reply
from conversations.kernel.options import LENGTHS, MEETING_MODES, MET, TOPICS, Option
from conversations.onboarding import profile_card
from storage import mydata, repo

FILENAME = "mentornet-my-data.json"
MESSAGE_LIMIT = 4000  # Telegram takes 4096 characters; the rest is room for the direction marks of RTL values
SHOWN = 20  # the latest items of a list in the messages; the file has them all
NOTE_SHOWN = 300  # characters of a note in the messages

ROLES = {"mentee": N_("Mentee"), "mentor": N_("Mentor"), "coordinator": N_("Coordinator")}
REQUEST_STATES = {
    "open": N_("open"),
    "accepted": N_("accepted"),
    "declined": N_("declined"),
    "withdrawn": N_("withdrawn"),
    "expired": N_("expired"),
}
MENTORSHIP_STATES = {
    "active": N_("active"),
    "paused": N_("paused"),
    "completed": N_("completed"),
    "ended_early": N_("ended early"),
    "cancelled": N_("cancelled"),
}
ANSWERS = {"going": N_("✅ Going"), "maybe": N_("Maybe"), "no": N_("Can't come"), "waitlist": N_("On the waitlist")}
MEETING_MARKS = {"confirmed": "✅", "proposed": "⏳"}  # a replaced proposal is only in the file


async def mydata_command(ctx: Context) -> None:
    data = await mydata.collect(ctx.session, ctx.user, ctx.now)
    sections = [account(ctx, data), await profile(ctx), *activity(ctx, data)]
    for text in pack([s for s in sections if s]):
        ctx.say(text)
    ctx.replies.append(
        Reply(
            ctx._("All of it as a file, to keep or to take elsewhere:"),
            attachment=Attachment(FILENAME, as_json(data), "application/json"),
        )
    )
    if ctx.step != "idle":  # asked mid-question: put the question back under her data
        await ctx.prompt()


def as_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_plain).encode()


def _plain(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _label(ctx: Context, options: tuple[Option, ...], code: object) -> str:
    return next((ctx._(o.label) for o in options if o.code == code), str(code))


def _at(ctx: Context, moment: datetime) -> str:
    """A day with its year and a time, in Copenhagen: these may lie in years past."""
    day = ctx.t.date(moment.astimezone(COPENHAGEN))
    return str(ctx.t.babel.datetime_formats["medium"]).replace("{1}", day).replace("{0}", ctx.t.clock(moment))


def _name(ctx: Context, name: str | None) -> str:
    return f"<b>{ctx.v(name)}</b>" if name else "—"


def account(ctx: Context, data: dict[str, Any]) -> list[str]:
    user = data["account"]
    lines = ["<b>" + ctx._("What we store about you") + "</b>", ""]
    if user["first_name"] and not ctx.user.onboarded_at:  # otherwise her profile below shows it
        # NOTE: button, ≤ 30 characters
        lines.append(ctx.t.label("<b>" + ctx._("First name") + "</b>", ctx.v(user["first_name"])))
    # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
    lines.append(ctx.t.label("<b>" + ctx._("Language") + "</b>", LANGUAGES.get(user["locale"] or "", "—")))
    if (role := user["role"]) in ROLES:
        # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
        lines.append(ctx.t.label("<b>" + ctx._("Role") + "</b>", ctx._(ROLES[role])))
    if user["created_at"]:
        lines.append(ctx._("Joined {date}").format(date=ctx.t.date(user["created_at"])))
    if user["consent_at"]:
        lines.append(
            ctx._("Privacy notice accepted on {date} (version {version})").format(
                date=ctx.t.date(user["consent_at"]), version=user["consent_version"] or "—"
            )
        )
    lines.append(
        ctx._("Reminders: {reminders}, announcements: {announcements}").format(
            reminders=ctx._("off") if user["muted"] else ctx._("on"),
            announcements=ctx._("off") if user["no_announcements"] else ctx._("on"),
        )
    )
    messages = data["messages"]["last_30_days"]
    lines.append(ctx._("Messages we sent you in the last 30 days: {count}").format(count=messages))
    return lines


async def profile(ctx: Context) -> list[str]:
    """Her profile exactly as /profile shows it."""
    if not ctx.user.onboarded_at:
        return [ctx._("You do not have a profile yet. Let us finish it first.")]
    status = await repo.mentor_status(ctx.session, ctx.user) if ctx.user.role == "mentor" else None
    return [profile_card(ctx, await repo.load_profile(ctx.session, ctx.user), status)]


def activity(ctx: Context, data: dict[str, Any]) -> list[list[str]]:
    sections = [
        _section(ctx, ctx._("Requests"), [_request(ctx, r) for r in data["requests"]]),
        _section(ctx, ctx._("Mentorships"), [_mentorship(ctx, m) for m in data["mentorships"]]),
        _section(
            ctx,
            ctx._("Meetings"),
            [
                f"{MEETING_MARKS[m['status']]} {_at(ctx, m['starts_at'])}, {_label(ctx, MEETING_MODES, m['mode']).lower()}"
                for m in data["meetings"]
                if m["status"] in MEETING_MARKS
            ],
        ),
        _section(ctx, ctx._("Your meeting reports"), [_report(ctx, r) for r in data["meeting_reports"]]),
        _section(ctx, ctx._("Your event answers"), [_answer(ctx, a) for a in data["event_answers"]]),
    ]
    if surveys := data["survey_responses"]:
        answered = sum(len(s["answers"]) for s in surveys)
        sections.append([ctx._("Surveys: {count}, answers: {answers}").format(count=len(surveys), answers=answered)])
    if waiting := data["waiting_list"]:
        sections.append([ctx._("On the waiting list since {date}").format(date=ctx.t.date(waiting["since"]))])
    return [s for s in sections if s]


def _section(ctx: Context, title: str, items: list[str]) -> list[str]:
    """A heading and the latest items; what is older is counted, and it is all in the file."""
    if not items:
        return []
    lines = [f"<b>{title}</b>"]
    if len(items) > SHOWN:
        lines.append(
            ctx.t.ngettext(
                "… and {count} more in the file", "… and {count} more in the file", len(items) - SHOWN
            ).format(count=len(items) - SHOWN)
        )
    return lines + items[-SHOWN:]


def _request(ctx: Context, r: dict[str, Any]) -> str:
    text = ctx._("To {name}: {state}, {date}") if r["direction"] == "sent" else ctx._("From {name}: {state}, {date}")
    status = r["status"]  # a variable: a literal inside `_()` would be taken for a text to translate
    state = ctx._(REQUEST_STATES[status]) if status in REQUEST_STATES else status
    return text.format(name=_name(ctx, r["other_first_name"]), state=state, date=ctx.t.date(r["created_at"]))


def _mentorship(ctx: Context, m: dict[str, Any]) -> str:
    role = ctx._("your mentor") if m["my_role"] == "mentee" else ctx._("your mentee")
    status = m["status"]
    state = ctx._(MENTORSHIP_STATES[status]) if status in MENTORSHIP_STATES else status
    line = ctx._("{name}, {role} since {date} ({state})").format(
        name=_name(ctx, m["other_first_name"]), role=role, date=ctx.t.date(m["started_at"]), state=state
    )
    return line + (f" – {ctx.t.date(m['ended_at'])}" if m["ended_at"] else "")


def _report(ctx: Context, r: dict[str, Any]) -> str:
    parts = [ctx.t.date(r["held_on"].astimezone(COPENHAGEN)), _label(ctx, MET, r["met"])]
    if r["topics"]:
        parts.append(ctx.t.join(_label(ctx, TOPICS, t) for t in r["topics"]))
    if r["minutes"]:
        parts.append(_label(ctx, LENGTHS, str(r["minutes"])))
    line = " · ".join(parts)
    if note := r["note"]:
        shown = note if len(note) <= NOTE_SHOWN else note[: NOTE_SHOWN - 1] + "…"
        line += f"\n<i>{ctx.v(shown)}</i>"
    return line


def _answer(ctx: Context, a: dict[str, Any]) -> str:
    status = a["status"]
    answer = ctx._(ANSWERS[status]) if status in ANSWERS else status
    return ctx.t.label(f"{ctx.v(a['event_title'])}, {_at(ctx, a['event_starts_at'])}", answer)


def pack(sections: list[list[str]], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Sections into as few messages as fit, breaking only between lines so no tag is cut in two."""
    messages: list[str] = []
    current = ""
    for section in sections:
        for i, line in enumerate(section):
            glue = "\n\n" if i == 0 and current else "\n" if current else ""
            if current and len(current) + len(glue) + len(line) > limit:
                messages.append(current)
                current, glue = "", ""
            current += glue + line
    if current:
        messages.append(current)
    return messages
