"""Partner companies: coordinators register one and get a join link; mentors who join through it are tagged."""

from __future__ import annotations

import secrets

from conversations.kernel.flow import Context
from conversations.vetting import is_coordinator
from storage.companies import companies_with_mentor_counts, company_by_code
from storage.models import Company, MentorProfile

NAME_LIMIT = 80


async def company_command(ctx: Context) -> None:
    """/company add <name> registers one; /company lists them with their links."""
    if not await is_coordinator(ctx):
        return
    verb, _, name = ctx.inbound.command_args.partition(" ")
    if verb == "add":
        name = " ".join(name.split())
        if not name or len(name) > NAME_LIMIT:
            ctx.say(
                ctx.t.ngettext(
                    "Write the company's name after the command, up to {count} character: /company add Novo Nordisk",
                    "Write the company's name after the command, up to {count} characters: /company add Novo Nordisk",
                    NAME_LIMIT,
                ).format(count=NAME_LIMIT)
            )
            return
        company = Company(name=name, code=secrets.token_hex(4), created_at=ctx.now)
        ctx.session.add(company)
        await ctx.session.flush()
        ctx.say(
            ctx._("{company} is registered. Mentors who join through this link are tagged with it:").format(
                company=ctx.v(name)
            )
            + f"\n{ctx.v(ctx.join_link(company.code))}"
        )
        return
    rows = await companies_with_mentor_counts(ctx.session)
    if not rows:
        ctx.say(ctx._("No partner companies yet. Add one with /company add followed by its name."))
        return
    lines = ["<b>" + ctx._("Partner companies") + "</b>"]
    for company, count in rows:
        lines.append(
            ctx.t.ngettext("{company}: {count} mentor", "{company}: {count} mentors", count).format(
                company=ctx.v(company.name), count=count
            )
            + f"\n{ctx.v(ctx.join_link(company.code))}"
        )
    ctx.say("\n\n".join(lines))


async def joined_through(ctx: Context, code: str) -> None:
    """`/start <code>`: remember the company until her mentor profile is saved."""
    company = await company_by_code(ctx.session, code)
    if company is None:
        return
    ctx.data["company"] = company.id
    profile = await ctx.session.get(MentorProfile, ctx.user.id)
    if profile is not None:  # already a mentor: tag her now
        profile.company_id = company.id
