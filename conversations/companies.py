"""Partner companies: coordinators register one and get a join link; mentors who join through it are tagged.

One company per name, whatever the case and spacing. Each company in `/company` can be renamed, merged into
another (its mentors move, its link leads to the other) or retired (out of the count; its mentors keep the tag).
"""

from __future__ import annotations

import secrets

from conversations.kernel import audit
from conversations.kernel.flow import Context, action, flow, on_result, stale, step, too_long
from conversations.kernel.i18n import N_
from conversations.kernel.messages import Button
from conversations.kernel.subflows import Written
from conversations.vetting import is_coordinator
from storage.companies import companies_with_mentor_counts, company_by_code, company_by_key, merge
from storage.models import Company, MentorProfile

NAME_LIMIT = 80


async def company_command(ctx: Context) -> None:
    """/company add <name> registers one; /company lists them with their links and what can be done."""
    if not await is_coordinator(ctx):
        return
    verb, _, name = ctx.inbound.command_args.partition(" ")
    if verb == "add":
        await add(ctx, " ".join(name.split()))
        return
    rows = await companies_with_mentor_counts(ctx.session)
    if not rows:
        ctx.say(ctx._("No partner companies yet. Add one with /company add followed by its name."))
        return
    ctx.say("<b>" + ctx._("Partner companies") + "</b>")
    for company, count in rows:
        ctx.say(
            ctx.t.ngettext("{company}: {count} mentor", "{company}: {count} mentors", count).format(
                company=ctx.v(company.name), count=count
            )
            + f"\n{ctx.v(ctx.join_link(company.code))}",
            [
                [
                    # NOTE: button, ≤ 30 characters (≤ 10 to share its row)
                    Button(ctx._("✏️ Rename"), f"co:rn:{company.id}"),
                    # NOTE: button, ≤ 30 characters (≤ 10 to share its row)
                    Button(ctx._("🔀 Merge"), f"co:mg:{company.id}"),
                    # NOTE: button, ≤ 30 characters (≤ 10 to share its row)
                    Button(ctx._("🗄 Retire"), f"co:rt:{company.id}"),
                ]
            ],
        )


def too_long_name(ctx: Context, name: str) -> bool:
    if name and len(name) <= NAME_LIMIT:
        return False
    ctx.say(
        ctx.t.ngettext(
            "Write the company's name after the command, up to {count} character: /company add Novo Nordisk",
            "Write the company's name after the command, up to {count} characters: /company add Novo Nordisk",
            NAME_LIMIT,
        ).format(count=NAME_LIMIT)
    )
    return True


async def add(ctx: Context, name: str) -> None:
    if too_long_name(ctx, name):
        return
    if (same := await company_by_key(ctx.session, name)) is not None and same.retired_at is None:
        ctx.say(
            ctx._("{company} is registered already. Its join link:").format(company=ctx.v(same.name))
            + f"\n{ctx.v(ctx.join_link(same.code))}"
        )
        return
    if same is not None:  # retired once: back in the programme, with its old link and tags
        same.retired_at = same.merged_into = None
        same.name = name
        company = same
    else:
        company = Company(name=name, code=secrets.token_hex(4), created_at=ctx.now)
        ctx.session.add(company)
        await ctx.session.flush()
    ctx.say(
        ctx._("{company} is registered. Mentors who join through this link are tagged with it:").format(
            company=ctx.v(name)
        )
        + f"\n{ctx.v(ctx.join_link(company.code))}"
    )


@action("co")
async def change(ctx: Context, value: str) -> None:
    if not await is_coordinator(ctx):
        return
    parts = value.split(":")
    company = await active(ctx, parts[1] if len(parts) > 1 else "")
    if company is None or parts[0] not in ("rn", "mg", "rt", "mi") or len(parts) > 3:
        await stale(ctx)
        return
    verb = parts[0]
    if verb == "rn":
        await ctx.begin("company_name", company=company.id)
    elif verb == "rt":
        await ctx.begin(
            "confirm", then="company_retire", company=company.id, fmt={"company": company.name},
            q=N_("Retire {company}? It leaves the count of partner companies; its mentors keep the tag."),
            # NOTE: button, ≤ 30 characters
            yes=N_("Yes, retire it"),
        )  # fmt: skip
    elif verb == "mg":
        others = [c for c, _ in await companies_with_mentor_counts(ctx.session) if c.id != company.id]
        if not others:
            ctx.say(ctx._("There is no other company to merge it into."))
            return
        ctx.say(
            ctx._("Merge {company} into which company? Its mentors move there and its link leads there.").format(
                company=ctx.v(company.name)
            ),
            [[Button(c.name, f"co:mi:{company.id}:{c.id}")] for c in others],
        )
    else:
        target = await active(ctx, parts[2] if len(parts) > 2 else "")
        if target is None or target.id == company.id:
            await stale(ctx)
            return
        await merge(ctx.session, company, target, ctx.now)
        audit.log(ctx, "merge_company", f"company:{company.id}")
        ctx.edit(
            ctx._("{company} is merged into {target}.").format(company=ctx.v(company.name), target=ctx.v(target.name))
        )


async def active(ctx: Context, raw_id: str) -> Company | None:
    company = await ctx.session.get(Company, int(raw_id)) if raw_id.isdigit() and len(raw_id) < 10 else None
    return company if company is not None and company.retired_at is None else None


@on_result("company_retire")
async def retire(ctx: Context, sure: bool, args: dict) -> None:
    company = await active(ctx, str(args["company"]))
    if not sure or company is None:
        return
    company.retired_at = ctx.now
    audit.log(ctx, "retire_company", f"company:{company.id}")
    ctx.say(ctx._("{company} is retired.").format(company=ctx.v(company.name)))


COMPANY_NAME = flow("company_name", "company_name")


@step
class NewName(Written):
    name = "company_name"

    async def question(self, ctx: Context) -> str:
        company = await ctx.session.get(Company, ctx.args["company"])
        return ctx._("The new name for {company}?").format(company=ctx.v(company.name if company else ""))

    async def on_text(self, ctx: Context, text: str) -> None:
        name = " ".join(text.split())
        if too_long(ctx, name, NAME_LIMIT) or not name:
            return
        company = await active(ctx, str(ctx.args["company"]))
        if company is None:
            ctx.say(ctx._("This company is retired."))
            await ctx.end()
            return
        if (same := await company_by_key(ctx.session, name)) is not None and same.id != company.id:
            ctx.say(ctx._("{company} is registered already. Merge the two instead.").format(company=ctx.v(same.name)))
            return
        old, company.name = company.name, name
        audit.log(ctx, "rename_company", f"company:{company.id}")
        ctx.say(ctx._("{old} is now called {new}.").format(old=ctx.v(old), new=ctx.v(name)))
        await ctx.end()


async def joined_through(ctx: Context, code: str) -> None:
    """`/start <code>`: remember the company until her mentor profile is saved."""
    company = await company_by_code(ctx.session, code)
    if company is None:
        return
    ctx.data["company"] = company.id
    profile = await ctx.session.get(MentorProfile, ctx.user.id)
    if profile is not None:  # already a mentor: tag her now
        profile.company_id = company.id
