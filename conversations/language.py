"""First contact: greet in the language the platform reports and let her pick one of ours.

The picker's buttons (`lang:<code>`) are valid at any moment, so `/language` never loses her place.
"""

from __future__ import annotations

from conversations.kernel.flow import Context, Step, rows, stale, step
from conversations.kernel.i18n import LANGUAGES
from conversations.kernel.messages import Button


def language_keyboard() -> list[list[Button]]:
    return rows([Button(name, f"lang:{code}") for code, name in LANGUAGES.items()], 2)


@step
class ChooseLanguage(Step):
    name = "language"

    async def prompt(self, ctx: Context) -> None:
        ctx.say(
            ctx._(
                "Welcome to Mentornet! 🌱 We bring together women who are new in Denmark and women who know "
                "Danish working life.\n\nWhich language would you like to use?"
            ),
            language_keyboard(),
        )

    async def on_text(self, ctx: Context, text: str) -> None:
        await self.prompt(ctx)  # her first "hello" deserves a greeting, not a correction


async def offer_languages(ctx: Context) -> None:
    ctx.say(ctx._("Which language would you like to use?"), language_keyboard())


async def choose_language(ctx: Context, code: str) -> None:
    if code not in LANGUAGES:
        await stale(ctx)
        return
    ctx.set_locale(code)
    ctx.edit(f"✓ {LANGUAGES[code]}")
    if ctx.step == "language":  # her first choice: on to the privacy notice, or a guest's invitation
        ctx.goto("guest_name" if ctx.flow == "guest" else "privacy")
    else:
        # NOTE: name the language of this catalog, not English.
        ctx.say(ctx._("From now on I will write to you in English."))
    await ctx.prompt()
