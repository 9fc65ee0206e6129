"""What a step is, the frame stack it runs on, and the context it runs in.

A step asks one thing (`prompt`) and reacts to a text or a button press. The engine loads the user and her
conversation row, runs one step, saves, and sends what the step said; a step never touches a platform.

Where she is lives in `conversations.data["stack"]`, plain JSON: a list of frames, the bottom one the `main` flow
(onboarding and the menu), each one above a detour she opened from the one below. A frame holds its flow, its
step, its own data and the arguments it was begun with. Four verbs move her:

- `await ctx.begin(flow, then=..., **args)`: a flow on top; the one below waits. A flow is on the stack at most
  once: beginning it again drops the old frame and brings a fresh one to the top.
- `await ctx.end(result)`: leave the top flow; the handler named by `then` (registered with `@on_result`) gets
  the result with the frame below on top, and unless it moves her on, the question below is asked again.
- `await ctx.replace(flow, **args)`: the top frame gives way to another flow.
- `await ctx.cancel()`: leave the top flow without a result (`/cancel`, Back on a flow's first question).

`ctx.state` is the top frame's own data and `ctx.args` its arguments; `ctx.goto(step)` moves within the top flow
and refuses a step that is not the flow's own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.kernel.i18n import Translator, width
from conversations.kernel.messages import ROW_WIDTH, Button, Inbound, Kind, Media, Reply, UserRef
from storage.models import Conversation, User
from storage.retention import Retention

Keyboard = list[list[Button]]
CHECK = "✓ "  # marks a chosen answer, on a button or under a closed question
ROOT = "main"
MAX_DEPTH = 6  # the root and five detours; the oldest detour gives way to a sixth


class FlowError(LookupError):
    """A flow or step that does not exist, or a step outside its flow: a mistake in the code, never her input."""


@dataclass(frozen=True)
class Flow:
    """A conversation with a beginning and an end, made of steps. A step name ending in ":" stands for a family
    of parametrised steps (`ask:` covers `ask:name`)."""

    name: str
    first: str
    steps: frozenset[str]
    # True when the frame holds answers that `/cancel` would throw away: she is asked before they go.
    holds_answers: Callable[[dict[str, Any]], bool] = lambda state: False
    # What `/cancel` on this flow means; by default leave it without a result.
    on_cancel: Callable[[Context], Awaitable[None]] | None = None

    def owns(self, step: str) -> bool:
        return step in self.steps or any(s.endswith(":") and step.startswith(s) for s in self.steps)


FLOWS: dict[str, Flow] = {}
# What a caller does with a sub-flow's result: `(ctx, result, args of the finished frame)`, named so a frame
# stored as JSON can say which one it waits for.
ResultHandler = Callable[["Context", Any, dict[str, Any]], Awaitable[None]]
RESULTS: dict[str, ResultHandler] = {}


def flow(
    name: str,
    *steps: str,
    holds_answers: Callable[[dict[str, Any]], bool] | None = None,
    on_cancel: Callable[[Context], Awaitable[None]] | None = None,
) -> Flow:
    """Register a flow; its first step is where `begin` starts unless told otherwise."""
    if name in FLOWS:
        raise FlowError(f"flow {name!r} registered twice")
    found = Flow(name, steps[0], frozenset(steps), holds_answers or (lambda state: False), on_cancel)
    FLOWS[name] = found
    return found


def on_result(name: str):  # type: ignore[no-untyped-def]
    """Register what a caller does when a sub-flow it began ends: `then=name` in `begin`."""

    def register(fn: ResultHandler) -> ResultHandler:
        if name in RESULTS:
            raise FlowError(f"result handler {name!r} registered twice")
        RESULTS[name] = fn
        return fn

    return register


def frame(flow_name: str, step: str, data: dict[str, Any] | None = None, args: dict[str, Any] | None = None,
          then: str | None = None) -> dict[str, Any]:  # fmt: skip
    return {"flow": flow_name, "step": step, "data": data or {}, "args": args or {}, "then": then}


@dataclass(frozen=True)
class Privacy:
    """What the privacy notice names, from the settings: who is responsible, whom to ask, how long data stays."""

    controller: str = "Mentornet"
    contact: str = ""
    retention: Retention = field(default_factory=Retention)


@dataclass
class Context:
    session: AsyncSession
    user: User
    conv: Conversation
    inbound: Inbound
    now: datetime
    t: Translator
    data: dict[str, Any]  # the whole row: `stack` and a few keys that outlive any flow (`filters`, `stats`)
    replies: list[Reply] = field(default_factory=list)
    deleted: bool = False  # she deleted her data: nothing is saved after this step
    join_link: Callable[[str], str] = lambda code: f"/start {code}"
    # (capacity, seconds per token) by kind, as configured; a kind not here keeps its default (kernel/limits.py)
    limits: Mapping[str, tuple[int, float]] = field(default_factory=dict)
    privacy: Privacy = field(default_factory=lambda: Privacy())
    moves: int = 0  # counts goto/begin/end, so `end` knows whether a result handler moved her on
    offer_back: bool = False  # the question being asked has a Back button (set by the step asking it)

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
    def stack(self) -> list[dict[str, Any]]:
        return self.data["stack"]

    @property
    def frame(self) -> dict[str, Any]:
        return self.stack[-1]

    @property
    def flow(self) -> str:
        return self.frame["flow"]

    @property
    def state(self) -> dict[str, Any]:
        """The top frame's own data: a flow's draft, gone when the flow ends."""
        return self.frame["data"]

    @property
    def args(self) -> dict[str, Any]:
        return self.frame["args"]

    @property
    def step(self) -> str:
        return self.frame["step"]

    def goto(self, step: str) -> None:
        """Enter a step of the top flow: buttons of every earlier message become stale."""
        if not FLOWS[self.flow].owns(step):
            raise FlowError(f"step {step!r} is not part of flow {self.flow!r}")
        self.frame["step"] = step
        self._entered()

    def _entered(self) -> None:
        self.conv.step = self.step
        self.conv.seq += 1
        self.moves += 1

    async def begin(self, flow_name: str, step: str | None = None, *, data: dict[str, Any] | None = None,
                    then: str | None = None, prompt: bool = True, **args: Any) -> None:  # fmt: skip
        """Open `flow_name` on top and ask its first question (or `step`); the flow below waits for it to end."""
        found = FLOWS.get(flow_name)
        if found is None or flow_name == ROOT:
            raise FlowError(f"cannot begin flow {flow_name!r}")
        if then is not None and then not in RESULTS:
            raise FlowError(f"no result handler {then!r}")
        above = [f for f in self.stack[1:] if f["flow"] != flow_name]  # at most once: the old frame goes
        stack = [self.stack[0], *above, frame(flow_name, found.first, data, args, then)]
        del stack[1 : max(1, len(stack) - MAX_DEPTH + 1)]  # too deep: the oldest detour gives way
        self.data["stack"] = stack
        self.goto(step or found.first)
        if prompt:
            await self.prompt()

    async def end(self, result: Any = None, *, prompt: bool = True) -> None:
        """Leave the top flow. Its caller's handler gets `result`; then, unless it moved her on, the question
        below is asked again (`prompt=False` when what was just said already tells her what comes next)."""
        done = self._pop()
        self._entered()
        mark = self.moves
        handler = RESULTS.get(done.get("then") or "")
        if handler is not None:
            await handler(self, result, done["args"])
        # After a handler's own words, the main menu would only repeat itself; a question she was in comes back.
        at_menu = handler is not None and self.flow == ROOT and self.step == "idle"
        if self.moves == mark and prompt and not at_menu:
            await self.prompt()

    async def cancel(self, *, prompt: bool = True) -> None:
        """Leave the top flow without a result and ask the question below again."""
        self._pop()
        self._entered()
        if prompt:
            await self.prompt()

    async def replace(self, flow_name: str, step: str | None = None, **kwargs: Any) -> None:
        """The top flow gives way to another, which ends into the same caller's handler unless told otherwise."""
        old = self._pop()
        kwargs.setdefault("then", old.get("then"))
        await self.begin(flow_name, step, **kwargs)

    def restart(self, step: str, data: dict[str, Any] | None = None) -> None:
        """Drop every detour and put her at `step` of the main flow (a finished onboarding, a new role)."""
        self.data["stack"] = [frame(ROOT, step, data)]
        self.goto(step)

    def _pop(self) -> dict[str, Any]:
        if len(self.stack) < 2:
            raise FlowError("the main flow never ends")
        return self.stack.pop()

    def button(self, title: str, value: str) -> Button:
        return Button(title, f"{self.conv.seq}:{value}")

    # -- what she sees -------------------------------------------------------------------------------------
    def say(self, text: str, buttons: Keyboard | None = None) -> None:
        self.replies.append(Reply(text, freeze(buttons)))

    def edit(self, text: str, buttons: Keyboard | None = None) -> None:
        """Replace the message whose button she pressed; a new message when she typed instead."""
        pressed = self.inbound.kind is Kind.BUTTON and self.inbound.message_id is not None
        self.replies.append(Reply(text, freeze(buttons), edit=pressed))

    def close_question(self, question: str, answer: str) -> None:
        """Close a question in place with her answer under it; what comes next arrives as a new message."""
        self.edit(f"{question}\n{CHECK}<b>{answer}</b>")

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


def rows(buttons: list[Button], columns: int, *, tick: bool = False) -> Keyboard:
    """At most `columns` buttons a row, fewer when a label in her language would not fit its share of the row.
    `tick`: the labels may gain a "✓ " when chosen, so room is kept for it and the layout never jumps."""
    extra = width(CHECK) if tick else 0
    widest = max((width(b.title.removeprefix(CHECK)) + extra for b in buttons), default=0)
    while columns > 1 and widest > ROW_WIDTH / columns:
        columns -= 1
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

    async def on_media(self, ctx: Context, media: Media, caption: str) -> None:
        """A file where none is asked for: said kindly, and the question again (the relay passes files on)."""
        ctx.say(ctx._("Sorry, I can only read text and buttons here."))
        await self.prompt(ctx)


STEPS: dict[str, Step] = {}
# Buttons on messages sent out of a conversation (a request card, a coordinator's card): `<prefix>:<args>`.
# Valid whenever pressed; each handler checks that this user may do this to that object, every time.
ACTIONS: dict[str, Callable[[Context, str], Awaitable[None]]] = {}
_resolvers: dict[str, Any] = {}


def step(cls: type[Step]) -> type[Step]:
    """Register a step class under its name."""
    if not cls.name or cls.name in STEPS or cls.name in _resolvers:
        raise FlowError(f"step {cls.name!r} registered twice or without a name")
    STEPS[cls.name] = cls()
    return cls


def resolver(prefix: str):  # type: ignore[no-untyped-def]
    """Register a factory for parametrised steps such as `ask:<question>`."""

    def register(fn):  # type: ignore[no-untyped-def]
        if prefix in _resolvers or prefix in STEPS:
            raise FlowError(f"step family {prefix!r} registered twice")
        _resolvers[prefix] = fn
        return fn

    return register


def action(prefix: str):  # type: ignore[no-untyped-def]
    def register(fn):  # type: ignore[no-untyped-def]
        if prefix in ACTIONS:
            raise FlowError(f"action {prefix!r} registered twice")
        ACTIONS[prefix] = fn
        return fn

    return register


def find_step(name: str, ctx: Context) -> Step | None:
    if name in STEPS:
        return STEPS[name]
    prefix, _, arg = name.partition(":")
    if prefix in _resolvers:
        return _resolvers[prefix](ctx, arg)
    return None


def step_for(ctx: Context) -> Step:
    found = find_step(ctx.step, ctx)
    if found is not None and ctx.flow in FLOWS and FLOWS[ctx.flow].owns(ctx.step):
        return found
    # Only a stored row can get here: a step or flow renamed in a release must not strand anyone.
    ctx.restart("idle" if ctx.user.onboarded_at else "language")
    return STEPS[ctx.step]


# The bottom of every stack: first contact, the privacy notice, onboarding, and the menu once she is in.
MAIN = flow(ROOT, "language", "privacy", "declined", "role", "ask:", "summary", "idle")


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
