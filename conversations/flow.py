"""What a step is, and the context it runs in.

A step asks one thing (`prompt`) and reacts to a text or a button press. The engine loads the user and her
conversation row, runs one step, saves, and sends what the step said; a step never touches a platform.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.i18n import Translator
from conversations.messages import Button, Inbound, Kind, Reply, UserRef
from storage.models import Conversation, User

Keyboard = list[list[Button]]


@dataclass
class Context:
    session: AsyncSession
    user: User
    conv: Conversation
    inbound: Inbound
    now: datetime
    t: Translator
    data: dict[str, Any]
    replies: list[Reply] = field(default_factory=list)
    deleted: bool = False  # she deleted her data: nothing is saved after this step
    join_link: Callable[[str], str] = lambda code: f"/start {code}"

    # -- language ------------------------------------------------------------------------------------------
    def _(self, message: str) -> str:
        return self.t._(message)

    def v(self, value: object) -> str:
        return self.t.value(value)

    def set_locale(self, locale: str) -> None:
        self.user.locale = locale
        self.t = Translator(locale)

    # -- where she is --------------------------------------------------------------------------------------
    @property
    def step(self) -> str:
        return self.conv.step

    def goto(self, step: str) -> None:
        """Enter a step: buttons of every earlier message become stale."""
        self.conv.step = step
        self.conv.seq += 1

    def button(self, title: str, value: str) -> Button:
        return Button(title, f"{self.conv.seq}:{value}")

    # -- what she sees -------------------------------------------------------------------------------------
    def say(self, text: str, buttons: Keyboard | None = None) -> None:
        self.replies.append(Reply(text, freeze(buttons)))

    def edit(self, text: str, buttons: Keyboard | None = None) -> None:
        """Replace the message whose button she pressed; a new message when she typed instead."""
        self.replies.append(Reply(text, freeze(buttons), edit=self.inbound.kind is Kind.BUTTON))

    def tell(self, user: User, text: str, buttons: Keyboard | None = None) -> None:
        """A message to someone else: build `text` with `voice(user)` so it is in her language."""
        self.replies.append(Reply(text, freeze(buttons), to=ref_of(user)))

    async def prompt(self) -> None:
        await step_for(self).prompt(self)


class Voice:
    """Just enough of a Context to render text for another user, in her language."""

    def __init__(self, locale: str | None) -> None:
        self.t = Translator(locale or "en")

    def _(self, message: str) -> str:
        return self.t._(message)

    def v(self, value: object) -> str:
        return self.t.value(value)


def voice(user: User) -> Voice:
    return Voice(user.locale)


def ref_of(user: User) -> UserRef:
    return UserRef(user.platform, user.external_id, user.chat_id)


def freeze(buttons: Keyboard | None) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(row) for row in buttons or () if row)


def rows(buttons: list[Button], columns: int) -> Keyboard:
    return [buttons[i : i + columns] for i in range(0, len(buttons), columns)]


class Step:
    """One question of a conversation. Subclasses override what they need."""

    name: ClassVar[str] = ""

    async def prompt(self, ctx: Context) -> None:
        raise NotImplementedError

    async def on_text(self, ctx: Context, text: str) -> None:
        ctx.say(ctx._("Please choose one of the buttons."))
        await self.prompt(ctx)

    async def on_button(self, ctx: Context, value: str) -> None:
        await stale(ctx)


STEPS: dict[str, Step] = {}
# Buttons on messages sent out of a conversation (a request card, a coordinator's card): `<prefix>:<args>`.
# Valid whenever pressed; each handler checks that this user may do this to that object, every time.
ACTIONS: dict[str, Callable[[Context, str], Awaitable[None]]] = {}
_resolvers: dict[str, Any] = {}


def step(cls: type[Step]) -> type[Step]:
    """Register a step class under its name."""
    STEPS[cls.name] = cls()
    return cls


def resolver(prefix: str):  # type: ignore[no-untyped-def]
    """Register a factory for parametrised steps such as `ask:<question>`."""

    def register(fn):  # type: ignore[no-untyped-def]
        _resolvers[prefix] = fn
        return fn

    return register


def action(prefix: str):  # type: ignore[no-untyped-def]
    def register(fn):  # type: ignore[no-untyped-def]
        ACTIONS[prefix] = fn
        return fn

    return register


def step_for(ctx: Context) -> Step:
    name = ctx.conv.step
    if name in STEPS:
        return STEPS[name]
    prefix, _, arg = name.partition(":")
    if prefix in _resolvers:
        found = _resolvers[prefix](ctx, arg)
        if found is not None:
            return found
    # A step that no longer exists (renamed in a release) must not strand anyone: fall back to the menu.
    ctx.conv.step = "idle" if ctx.user.onboarded_at else "language"
    return STEPS[ctx.conv.step]


def open_form(ctx: Context, key: str, prefix: str, draft: dict[str, Any] | None = None) -> dict[str, Any]:
    """Begin a coordinator's form: its answers live in `ctx.data[key]`, its steps are named `prefix...`.

    One form at a time: a form she is in gives way, and its way back becomes this one's, so closing never lands
    on a step whose answers are gone.
    """
    form = ctx.data.get("form")
    if form and ctx.step.startswith(form["prefix"]):
        ctx.data.pop(form["key"], None)
        back = form["back"]
    else:
        back = ctx.step
    ctx.data["form"] = {"key": key, "prefix": prefix, "back": back}
    ctx.data[key] = draft if draft is not None else {}
    return ctx.data[key]


async def close_form(ctx: Context) -> None:
    """Drop the form's answers and go back to where she opened it."""
    form = ctx.data.pop("form", None) or {"key": "", "back": "idle"}
    ctx.data.pop(form["key"], None)
    ctx.goto(form["back"])
    await ctx.prompt()


def too_long(ctx: Context, text: str, limit: int) -> bool:
    """True, after telling her the limit, when her text does not fit; what she answered before stays."""
    if len(text) <= limit:
        return False
    ctx.say(
        ctx._("That is {count} characters; the limit here is {limit}. Please write a shorter version.").format(
            count=len(text), limit=limit
        )
    )
    return True


async def stale(ctx: Context) -> None:
    ctx.say(ctx._("That question is closed. Here is where we are now:"))
    await ctx.prompt()
