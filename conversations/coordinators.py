"""Coordinators bring in coordinators: /invite makes a one-time link, valid for a week; whoever opens it first
becomes a coordinator, beside those in COORDINATOR_IDS. A coordinator can take the role away again from her page
(/find). Anyone can see her own platform id with /myid, which is what COORDINATOR_IDS lists."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from conversations.kernel import audit
from conversations.kernel.flow import Context, action, on_result, stale, voice
from conversations.kernel.i18n import N_
from conversations.profile_questions import questions
from conversations.vetting import is_coordinator
from storage import invitations, repo
from storage.demo import can_see
from storage.models import CoordinatorInvite, User

PREFIX = "co"  # a coordinator invitation's start code: "co" and 16 hex digits
VALID_FOR = timedelta(days=7)
CODE = re.compile(rf"{PREFIX}[0-9a-f]{{16}}")


async def invite_command(ctx: Context) -> None:
    if not await is_coordinator(ctx):
        return
    code = PREFIX + secrets.token_hex(8)
    ctx.session.add(
        CoordinatorInvite(code=code, created_by=ctx.user.id, created_at=ctx.now, expires_at=ctx.now + VALID_FOR)
    )
    audit.log(ctx, "invite_coordinator", None)
    ctx.say(
        ctx._(
            "A link for one new coordinator. It works once, for 7 days. Send it only to her: whoever opens it "
            "first becomes a coordinator."
        )
        + f"\n{ctx.v(ctx.join_link(code))}"
    )


def is_invitation(code: str) -> bool:
    return bool(CODE.fullmatch(code))


async def arrive(ctx: Context, code: str) -> None:
    """`/start co…`: she becomes a coordinator if the link is still good and she takes part in no other role."""
    invite = await invitations.by_code(ctx.session, code)
    if invite is None or invite.used_at is not None or invite.expires_at <= ctx.now:
        ctx.say(ctx._("This invitation link does not work any more. Please ask a coordinator for a new one."))
        return
    if ctx.user.role == "coordinator":
        ctx.say(ctx._("You are a coordinator already."))
        return
    if ctx.user.role is not None and ctx.user.onboarded_at is not None:
        ctx.say(
            ctx._(
                "This link makes a new coordinator, and you take part as a mentee or a mentor already. Please talk "
                "to the coordinator who sent it."
            )
        )
        return
    if not await invitations.claim(ctx.session, invite.id, ctx.user.id, ctx.now):  # someone else was first
        ctx.say(ctx._("This invitation link does not work any more. Please ask a coordinator for a new one."))
        return
    ctx.user.role, ctx.user.invited_coordinator = "coordinator", True
    audit.log(ctx, "join_coordinator", f"user:{invite.created_by}" if invite.created_by else None)
    ctx.say(ctx._("Welcome! You are a coordinator now. 🌱"))
    if ctx.user.consent_at is not None:  # past the notice already: a coordinator's questions instead of a role
        ctx.restart(f"ask:{questions('coordinator')[0].key}", {"draft": {}})


async def my_id(ctx: Context) -> None:
    ctx.say(ctx._("Your id here: {id}").format(id=ctx.v(ctx.user.external_id)))
    if ctx.step != "idle":
        await ctx.prompt()


@action("wc")
async def remove(ctx: Context, value: str) -> None:
    """`wc:<id>` on her page: take away a coordinator's role that an invitation gave her."""
    if not await is_coordinator(ctx):
        return
    her = await ctx.session.get(User, int(value)) if value.isdigit() and len(value) < 10 else None
    if her is None or her.id == ctx.user.id or not removable(her) or not can_see(ctx.user, her):
        await stale(ctx)
        return
    await ctx.begin(
        "confirm",
        then="remove_coordinator",
        who=her.id,
        q=N_("Take the coordinator role away from {name}? She can still take part as anyone else."),
        # NOTE: button, ≤ 30 characters
        yes=N_("Yes, remove the role"),
        fmt={"name": her.first_name},
    )


def removable(user: User) -> bool:
    return user.role == "coordinator" and user.invited_coordinator and user.erased_at is None


@on_result("remove_coordinator")
async def removed(ctx: Context, sure: bool, args: dict) -> None:
    her = await ctx.session.get(User, args["who"])
    if not sure or her is None or not removable(her) or ctx.user.role != "coordinator":
        return
    her.role, her.onboarded_at, her.invited_coordinator = None, None, False
    # Her coordinator forms close, and her old buttons go stale, as when COORDINATOR_IDS drops someone.
    await repo.start_over(ctx.session, [her.id])
    audit.log(ctx, "remove_coordinator", f"user:{her.id}")
    view = voice(her)
    ctx.tell(her, view._("Your coordinator role has been removed. You can still take part: send /start."))
    ctx.say(ctx._("Done. {name} has been told.").format(name=ctx.v(her.first_name)))
