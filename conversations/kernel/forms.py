"""The form kit: a flow asks its questions one at a time, Back goes one up, and a card at the end shows every
answer with an edit button per field.

A form is registered for a flow with its questions (see questions.py for the kinds: text, one choice, several
choices, a number) and the step that comes after the last one, a summary or a preview:

    form("event_form", QUESTIONS, done="ev_preview", back_out=True)

Its steps are `ask:<key>`; the answers are the frame's `draft`. Tapping a field on the card sets `return_to`,
so that one answer goes straight back to the card.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from conversations.kernel.flow import Context, Keyboard, Step, resolver, rows, stale
from conversations.kernel.questions import INVALID, NO_ANSWER, Question
from conversations.kernel.subflows import stop


@dataclass(frozen=True)
class Form:
    flow: str
    questions: Callable[[Context], tuple[Question, ...]]
    done: str  # the step after the last question
    back_out: bool = False  # Back on the first question leaves the form (asking first if it holds answers)
    on_answer: Callable[[Context], Awaitable[None]] | None = None  # e.g. /profile saves every answer at once


FORMS: dict[str, Form] = {}


def form(flow_name: str, questions: Any, done: str, *, back_out: bool = False,
         on_answer: Callable[[Context], Awaitable[None]] | None = None) -> Form:  # fmt: skip
    """Register the form of `flow_name`; `questions` is a tuple, or a function of the context (by role)."""
    asked = questions if callable(questions) else (lambda ctx, fixed=tuple(questions): fixed)
    found = Form(flow_name, asked, done, back_out, on_answer)
    FORMS[flow_name] = found
    return found


def draft(ctx: Context) -> dict[str, Any]:
    """The answers of the form she is in."""
    return ctx.state.setdefault("draft", {})


def first_step(ctx: Context) -> str:
    return f"ask:{FORMS[ctx.flow].questions(ctx)[0].key}"


def edit_buttons(ctx: Context, columns: int = 2) -> Keyboard:
    """One ✏️ button per field, for a summary card; the value is `e:<key>`."""
    questions = FORMS[ctx.flow].questions(ctx)
    return rows([ctx.button(f"✏️ {ctx._(q.label)}", f"e:{q.key}") for q in questions], columns)


async def edit_field(ctx: Context, value: str, card: str) -> bool:
    """A ✏️ tap on the card `card`: ask that one question, then come back. False when it is no field of hers."""
    key = value.removeprefix("e:")
    if not value.startswith("e:") or _ask(ctx, key) is None:
        return False
    ctx.state["return_to"] = card
    ctx.goto(f"ask:{key}")
    await ctx.prompt()
    return True


class Ask(Step):
    """One question of a form."""

    def __init__(self, question: Question) -> None:
        self.q = question

    def back_to(self, ctx: Context) -> str | None:
        """Where Back goes: the card she came from, or the question before; from the first, out or nowhere."""
        if ctx.state.get("return_to"):
            return ctx.state["return_to"]
        keys = [q.key for q in FORMS[ctx.flow].questions(ctx)]
        position = keys.index(self.q.key)
        if position > 0:
            return f"ask:{keys[position - 1]}"
        return "" if FORMS[ctx.flow].back_out else None  # "": out of the form

    async def prompt(self, ctx: Context) -> None:
        ctx.offer_back = self.back_to(ctx) is not None
        self.q.ask(ctx, draft(ctx).get(self.q.key))

    async def on_text(self, ctx: Context, text: str) -> None:
        ctx.offer_back = self.back_to(ctx) is not None
        await self._settle(ctx, self.q.on_text(ctx, text, draft(ctx).get(self.q.key)))

    async def on_button(self, ctx: Context, value: str) -> None:
        back = self.back_to(ctx)
        if value == "back" and back is not None:
            ctx.state.get("picking", {}).pop(self.q.key, None)  # ticks not confirmed with Done are dropped
            if back:
                ctx.goto(back)
                await ctx.prompt()
            else:
                await stop(ctx)
            return
        ctx.offer_back = back is not None
        await self._settle(ctx, self.q.on_button(ctx, value, draft(ctx).get(self.q.key)))

    async def _settle(self, ctx: Context, answer: Any) -> None:
        if answer is INVALID:
            await stale(ctx)
        elif answer is not NO_ANSWER:
            draft(ctx)[self.q.key] = answer
            await answered(ctx, self.q)


async def answered(ctx: Context, question: Question) -> None:
    found = FORMS[ctx.flow]
    if found.on_answer is not None:
        await found.on_answer(ctx)
    keys = [q.key for q in found.questions(ctx)]
    position = keys.index(question.key)
    if ctx.state.get("return_to"):
        ctx.goto(ctx.state["return_to"])
    else:
        ctx.goto(f"ask:{keys[position + 1]}" if position + 1 < len(keys) else found.done)
    await ctx.prompt()


@resolver("ask")
def _ask(ctx: Context, key: str) -> Ask | None:
    found = FORMS.get(ctx.flow)
    question = next((q for q in found.questions(ctx) if q.key == key), None) if found else None
    return Ask(question) if question else None
