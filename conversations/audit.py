"""/audit: the coordinators' recent actions, newest first, for the coordinators themselves to check."""

from __future__ import annotations

from conversations.kernel.audit import ACTIONS
from conversations.kernel.flow import Context
from conversations.vetting import is_coordinator
from storage import audit
from storage.models import Company, Event, User


async def subject_name(ctx: Context, subject: str | None) -> str:
    kind, _, raw = (subject or "").partition(":")
    if kind in ("user", "mentor", "mentee") and raw.isdigit():
        user = await ctx.session.get(User, int(raw))
        return ctx.v(user.first_name) if user and user.first_name else ctx._("a deleted account")
    if kind == "event" and raw.isdigit():
        event = await ctx.session.get(Event, int(raw))
        return ctx.v(event.title) if event else ""
    if kind == "company" and raw.isdigit():
        company = await ctx.session.get(Company, int(raw))
        return ctx.v(company.name) if company else ""
    return f"#{raw}" if raw else ""


async def audit_command(ctx: Context) -> None:
    if not await is_coordinator(ctx):
        return
    entries = await audit.recent(ctx.session)
    if not entries:
        ctx.say(ctx._("No coordinator actions are recorded yet."))
        return
    lines = ["<b>" + ctx._("Coordinator actions, newest first") + "</b>", ""]
    for entry in entries:
        who = await ctx.session.get(User, entry.coordinator_id) if entry.coordinator_id else None
        name = ctx.v(who.first_name) if who and who.first_name else ctx._("a former coordinator")
        what = ctx._(ACTIONS.get(entry.action, entry.action))
        target = await subject_name(ctx, entry.subject)
        lines.append(f"{ctx.t.when(entry.at)} · {name} {what}" + (f": {target}" if target else ""))
    ctx.say("\n".join(lines))
