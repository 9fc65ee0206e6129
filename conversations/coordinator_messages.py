"""A coordinator writes to one woman, and she can answer: one message each way, through the bot.

The coordinator's card buttons (`cw:<woman>`) open the message; the woman's "Answer" (`ca:<coordinator>`) goes
back to that coordinator, who can reply in turn. Nobody needs the other's phone number or username.
"""

from __future__ import annotations

from conversations.kernel import limits
from conversations.kernel.flow import Context, Voice, action, flow, stale, step, too_long, voice
from conversations.kernel.messages import Button
from conversations.kernel.subflows import Written
from conversations.vetting import is_coordinator
from storage import demo
from storage.models import User

MESSAGE_LIMIT = 2000

# A coordinator's message to one woman; her answer to the coordinator who wrote.
COORD_TO_ONE = flow("coord_to_one", "coord_to_one")
ANSWER_COORD = flow("answer_coord", "answer_coord")


def write_button(view: Voice | Context, woman: User) -> Button:
    # NOTE: button, ≤ 30 characters; {name} is her first name
    return Button(view._("✉️ Write to {name}").format(name=woman.first_name or "—"), f"cw:{woman.id}")


def answer_button(view: Voice | Context, coordinator_id: int) -> Button:
    # NOTE: button, ≤ 30 characters
    return Button(view._("↩️ Answer"), f"ca:{coordinator_id}")


async def reachable(ctx: Context, user_id: str) -> User | None:
    """Someone this user may write to: not deleted, and never a real woman from a demo or the other way round."""
    user = await ctx.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or user.erased_at is not None or demo.is_real(user) != demo.is_real(ctx.user):
        return None
    return user


@action("cw")
async def write_to_her(ctx: Context, value: str) -> None:
    if not await is_coordinator(ctx):
        return
    woman = await reachable(ctx, value)
    if woman is None:
        await stale(ctx)
        return
    await ctx.begin("coord_to_one", to=woman.id)


@action("ca")
async def answer_coordinator(ctx: Context, value: str) -> None:
    coordinator = await reachable(ctx, value)
    if coordinator is None or coordinator.role != "coordinator":
        await stale(ctx)
        return
    await ctx.begin("answer_coord", to=coordinator.id)


class OneMessage(Written):
    """Her message to one person, then back to where she was; Back leaves without sending."""

    async def question(self, ctx: Context) -> str:
        return self.asking(ctx, await ctx.session.get(User, ctx.args["to"]))

    async def on_text(self, ctx: Context, text: str) -> None:
        other = await ctx.session.get(User, ctx.args["to"])
        if other is None or other.erased_at is not None:
            ctx.say(ctx._("She has left Mentornet, so the message cannot reach her."))
            await ctx.end()
            return
        if too_long(ctx, text, MESSAGE_LIMIT) or await limits.refused(ctx, "relay"):
            return
        self.deliver(ctx, other, text)
        await ctx.end()

    def asking(self, ctx: Context, other: User | None) -> str:
        raise NotImplementedError

    def deliver(self, ctx: Context, other: User, text: str) -> None:
        raise NotImplementedError


@step
class CoordinatorToOne(OneMessage):
    name = "coord_to_one"

    def asking(self, ctx: Context, other: User | None) -> str:
        name = other.first_name if other else ""
        return ctx._("Write your message to {name}. She can answer you here.").format(name=ctx.v(name))

    def deliver(self, ctx: Context, other: User, text: str) -> None:
        her = voice(other)
        ctx.tell(
            other,
            her._("A message from the coordinator {name}:").format(name=her.v(ctx.user.first_name))
            + "\n\n"
            + her.v(text),
            [[answer_button(her, ctx.user.id)]],
        )
        ctx.say(ctx._("Sent to {name}.").format(name=ctx.v(other.first_name)))


@step
class AnswerCoordinator(OneMessage):
    name = "answer_coord"

    def asking(self, ctx: Context, other: User | None) -> str:
        return ctx._("Write your answer. It goes to the coordinator {name}.").format(
            name=ctx.v(other.first_name if other else "")
        )

    def deliver(self, ctx: Context, other: User, text: str) -> None:
        view = voice(other)
        ctx.tell(
            other,
            view._("{name} answers you:").format(name=view.v(ctx.user.first_name)) + "\n\n" + view.v(text),
            [[write_button(view, ctx.user)]],
        )
        ctx.say(ctx._("Sent. The coordinator will answer you here."))
