"""The question kinds of the form kit: free text with a limit and a check, one choice, several choices, a number.

A question renders itself and turns a press or a text into an answer. Where the answer goes and what comes next
is the form's business (see forms.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from conversations.kernel import door
from conversations.kernel.flow import CHECK, Context, rows
from conversations.kernel.i18n import N_, plain, width
from conversations.kernel.messages import ROW_WIDTH
from conversations.kernel.options import OTHER_LANGUAGE, SPOKEN_LANGUAGES, Option

NO_ANSWER = object()  # handled (a toggle, a hint); the question stays open
INVALID = object()  # a value this question never offered: a forged or outdated button


@dataclass(frozen=True)
class Question:
    key: str
    label: str  # msgid: the field's name on the summary card
    prompt: str  # msgid

    def ask(self, ctx: Context, current: Any, *, hint: str = "", edit: bool = False) -> None:
        raise NotImplementedError

    @staticmethod
    def back_row(ctx: Context) -> list:
        """Back to the question before, when the step asking has one (`ctx.offer_back`)."""
        # NOTE: button, ≤ 30 characters
        return [ctx.button(ctx._("Back"), "back")] if ctx.offer_back else []

    def on_button(self, ctx: Context, value: str, current: Any) -> Any:
        return INVALID

    def on_text(self, ctx: Context, text: str, current: Any) -> Any:
        self.ask(ctx, current, hint=ctx._("Please use the buttons below."))
        return NO_ANSWER

    def show(self, ctx: Context, value: Any) -> str:
        raise NotImplementedError

    def _text(self, ctx: Context, hint: str, extra: str = "") -> str:
        text = ctx._(self.prompt)
        if extra:
            text += f"\n<i>{extra}</i>"
        if hint:
            text += f"\n\n⚠️ {hint}"
        return text


@dataclass(frozen=True)
class TextQuestion(Question):
    limit: int = 80
    optional: bool = False
    single_line: bool = True
    offer_platform_name: bool = False
    show_limit: bool = True  # "Up to N characters." under the question

    def ask(self, ctx: Context, current: Any, *, hint: str = "", edit: bool = False) -> None:
        buttons = []
        name = self._platform_name(ctx)
        if self.offer_platform_name and name:
            # NOTE: button, ≤ 30 characters
            buttons.append(ctx.button(fitted(ctx._("Use “{name}”"), "name", name), "tg"))
        if current:
            # NOTE: button, ≤ 30 characters
            buttons.append(ctx.button(fitted(ctx._("Keep “{value}”"), "value", self.typed(current)), "keep"))
        if self.optional:
            # NOTE: button, ≤ 30 characters
            buttons.append(ctx.button(ctx._("Skip"), "skip"))
        extra = (
            ctx.t.ngettext("Up to {count} character.", "Up to {count} characters.", self.limit).format(count=self.limit)
            if self.show_limit
            else ""
        )
        say = ctx.edit if edit else ctx.say
        say(self._text(ctx, hint, extra), [*rows(buttons, 1), self.back_row(ctx)])

    def _platform_name(self, ctx: Context) -> str:
        return _clean(ctx.inbound.display_name)[: self.limit]

    def on_button(self, ctx: Context, value: str, current: Any) -> Any:
        if value == "tg" and self.offer_platform_name and self._platform_name(ctx):
            return self._platform_name(ctx)
        if value == "keep" and current:
            return current
        if value == "skip" and self.optional:
            return None
        return INVALID

    def on_text(self, ctx: Context, text: str, current: Any) -> Any:
        text = _clean(text) if self.single_line else text.strip()
        if not text:
            self.ask(ctx, current, hint=ctx._("Please write a few words."))
            return NO_ANSWER
        if len(text) > self.limit:
            hint = ctx._(
                "That is {count} characters; the limit here is {limit}. Please write a shorter version. "
                "Your other answers are saved."
            ).format(count=len(text), limit=self.limit)
            self.ask(ctx, current, hint=hint)
            return NO_ANSWER
        value, problem = self.check(ctx, text)
        if problem:
            self.ask(ctx, current, hint=problem)
            return NO_ANSWER
        return value

    def typed(self, value: Any) -> str:
        """An answer as she would type it (for "Keep …")."""
        return str(value)

    def check(self, ctx: Context, text: str) -> tuple[Any, str]:
        """The answer a valid text stands for, or what is wrong with it (in her language)."""
        return text, ""

    def show(self, ctx: Context, value: Any) -> str:
        return ctx.v(value) if value else "—"


@dataclass(frozen=True)
class ChoiceQuestion(Question):
    options: tuple[Option, ...] = ()
    columns: int = 1

    def choices(self, ctx: Context) -> list[tuple[str, str]]:
        return [(o.code, ctx._(o.label)) for o in self.options]

    def ask(self, ctx: Context, current: Any, *, hint: str = "", edit: bool = False) -> None:
        buttons = [ctx.button(ticked(title, code == current), code) for code, title in self.choices(ctx)]
        say = ctx.edit if edit else ctx.say
        say(self._text(ctx, hint), [*rows(buttons, self.columns, tick=True), self.back_row(ctx)])

    def on_button(self, ctx: Context, value: str, current: Any) -> Any:
        if value not in dict(self.choices(ctx)):
            return INVALID
        # Close the question in place, showing what she chose; the next question arrives as a new message.
        ctx.close_question(ctx._(self.prompt), self.show(ctx, value))
        return value

    def on_text(self, ctx: Context, text: str, current: Any) -> Any:
        # Typing an option's exact label ("Aarhus", "2") is as good as tapping it.
        typed = text.strip().casefold()
        for code, title in self.choices(ctx):
            if plain(title).casefold() == typed:
                return code
        return super().on_text(ctx, text, current)

    def show(self, ctx: Context, value: Any) -> str:
        return dict(self.choices(ctx)).get(value, "—")


@dataclass(frozen=True)
class NumberQuestion(ChoiceQuestion):
    """A whole number: a tap on one of the usual ones (`options`), or typed within `low`..`high`."""

    low: int = 1
    high: int = 100
    range_hint: str = ""  # msgid: what she is told when a typed number is no good

    def ask(self, ctx: Context, current: Any, *, hint: str = "", edit: bool = False) -> None:
        buttons = [ctx.button(ticked(o.code, o.code == str(current)), o.code) for o in self.options]
        say = ctx.edit if edit else ctx.say
        say(self._text(ctx, hint), [*rows(buttons, self.columns), self.back_row(ctx)])

    def on_button(self, ctx: Context, value: str, current: Any) -> Any:
        if value not in {o.code for o in self.options}:
            return INVALID
        ctx.close_question(ctx._(self.prompt), value)
        return int(value)

    def on_text(self, ctx: Context, text: str, current: Any) -> Any:
        typed = text.strip()
        if typed.isdigit() and self.low <= int(typed) <= self.high:
            return int(typed)
        hint = ctx._(self.range_hint)
        self.ask(ctx, current, hint=hint)
        return NO_ANSWER

    def show(self, ctx: Context, value: Any) -> str:
        return str(value) if value is not None else "—"


@dataclass(frozen=True)
class MultiQuestion(ChoiceQuestion):
    """Toggle buttons marked with ✓ and a Done button, all in one message edited in place."""

    required: bool = True  # Done needs at least one

    def _picked(self, ctx: Context, current: Any) -> list[str]:
        picking = ctx.state.setdefault("picking", {})
        if self.key not in picking:
            picking[self.key] = list(current or [])
        return picking[self.key]

    def ask(self, ctx: Context, current: Any, *, hint: str = "", edit: bool = False) -> None:
        picked = self._picked(ctx, current)
        buttons = [ctx.button(ticked(title, code in picked), code) for code, title in self.choices(ctx)]
        # NOTE: button, ≤ 30 characters
        keyboard = [*rows(buttons, self.columns, tick=True), [ctx.button(ctx._("Done"), "done")], self.back_row(ctx)]
        extra = ctx._("Tap all that fit, then tap Done.")
        say = ctx.edit if edit else ctx.say
        say(self._text(ctx, hint, extra), keyboard)

    def on_text(self, ctx: Context, text: str, current: Any) -> Any:
        return Question.on_text(self, ctx, text, current)  # several answers need the buttons

    def on_button(self, ctx: Context, value: str, current: Any) -> Any:
        picked = self._picked(ctx, current)
        codes = [code for code, _ in self.choices(ctx)]
        if value == "done":
            if not picked and self.required:
                self.ask(ctx, current, hint=ctx._("Please choose at least one."), edit=True)
                return NO_ANSWER
            answer = [code for code in codes if code in picked]  # stable order, whatever the tapping order
            ctx.state["picking"].pop(self.key, None)
            ctx.close_question(ctx._(self.prompt), self.show(ctx, answer))
            return answer
        if value not in codes:
            return INVALID
        toggle(picked, value)
        self.ask(ctx, current, edit=True)
        return NO_ANSWER

    def show(self, ctx: Context, value: Any) -> str:
        names = dict(self.choices(ctx))
        return ctx.t.join(names[code] for code in value or () if code in names)


@dataclass(frozen=True)
class LanguagesQuestion(MultiQuestion):
    """Spoken languages, named by Babel in her own language."""

    others: bool = True  # offer "Other language" too

    def choices(self, ctx: Context) -> list[tuple[str, str]]:
        spoken = [(code, ctx.t.language_label(code)) for code in SPOKEN_LANGUAGES]
        return [*spoken, (OTHER_LANGUAGE.code, ctx._(OTHER_LANGUAGE.label))] if self.others else spoken


def ticked(title: str, on: bool) -> str:
    """A button title, marked when chosen."""
    return (CHECK if on else "") + title


def toggle(picked: list[str], code: str) -> None:
    """Tick `code` if it was not, untick it if it was: the one way every several-answer question toggles."""
    if code in picked:
        picked.remove(code)
    else:
        picked.append(code)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", door.UNSTORABLE.sub("", text or "")).strip()


def short(text: str, width: int = 24) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def fitted(template: str, key: str, value: str) -> str:
    """A button that quotes her words, cut so that the whole label fits one row in her language."""
    room = int(ROW_WIDTH - width(template.replace("{" + key + "}", "")))
    return template.format(**{key: short(value, max(room, 8))})


# Shared with several flows.
# NOTE: button, ≤ 30 characters
NAME = TextQuestion("name", N_("First name"), N_("What is your first name?"), limit=40, offer_platform_name=True)
