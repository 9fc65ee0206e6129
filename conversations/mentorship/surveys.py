"""Start and end surveys in chat: one question per message, edited in place, with a progress mark.

Every answer is saved as it is given, so a survey can be paused ("Later") and resumed (/survey or its message),
and a skipped question ("Prefer not to say") is recorded as skipped, not lost.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from conversations.kernel import nudges
from conversations.kernel.flow import Context, Step, action, flow, freeze, ref_of, rows, stale, step, voice
from conversations.kernel.i18n import N_
from conversations.kernel.messages import Button, Reply
from conversations.kernel.questions import ticked, toggle
from conversations.mentorship.survey_defs import SURVEYS, SurveyQuestion
from storage.models import Mentorship, SurveyResponse, User
from storage.surveys import has_response, oldest_unfinished, unfinished_responses

REMIND_AFTER = timedelta(days=3)
INTRO = {
    "mentee_start": N_(
        "Welcome to your mentorship! 🌱 A short survey of {count} questions helps us show that mentoring works. "
        "Your name is never shown with your answers."
    ),
    "mentor_start": N_("Thank you for being a mentor! 🌱 Two short questions about what you hope for."),
    "mentee_end": N_(
        "Your mentorship has ended. A last short survey of {count} questions: how are things now? "
        "Your name is never shown with your answers."
    ),
    "mentor_end": N_("Your mentorship has ended. Two short questions about how it went."),
}


async def invite(session: AsyncSession, m: Mentorship, user: User, survey: str, now: datetime) -> Reply | None:
    """Create her response row (once per mentorship and survey) and the message that invites her."""
    if await has_response(session, m.id, user.id, survey):
        return None
    response = SurveyResponse(mentorship_id=m.id, user_id=user.id, survey=survey, answers={}, created_at=now)
    session.add(response)
    await session.flush()
    nudges.schedule(session, "survey_reminder", now + REMIND_AFTER, user_id=user.id, mentorship_id=m.id)
    view = voice(user)
    text = view._(INTRO[survey]).format(count=len(SURVEYS[survey]))
    # NOTE: button, ≤ 30 characters
    return Reply(text, freeze([[Button(view._("Start the survey"), f"sv:{response.id}")]]), to=ref_of(user))


async def invite_both(session: AsyncSession, m: Mentorship, when: str, now: datetime) -> list[Reply]:
    """`when` is "start" or "end"."""
    out = []
    for user_id, role in ((m.mentee_id, "mentee"), (m.mentor_id, "mentor")):
        user = await session.get(User, user_id)
        if user is not None and (reply := await invite(session, m, user, f"{role}_{when}", now)):
            out.append(reply)
    return out


@nudges.kind("survey_reminder")
async def remind(session: AsyncSession, nudge, now: datetime) -> list[Reply]:  # type: ignore[no-untyped-def]
    out = []
    for response in await unfinished_responses(session, nudge.mentorship_id, nudge.user_id):
        user = await session.get(User, response.user_id)
        view = voice(user)
        left = len(SURVEYS[response.survey]) - len(response.answers)
        out.append(
            Reply(
                view._("A reminder: your short survey has {count} questions left. It takes a minute.").format(
                    count=left
                ),
                # NOTE: button, ≤ 30 characters
                freeze([[Button(view._("Go on with the survey"), f"sv:{response.id}")]]),
                to=ref_of(user),
            )
        )
    return out


def next_question(response: SurveyResponse) -> tuple[int, SurveyQuestion] | None:
    for i, question in enumerate(SURVEYS[response.survey]):
        if question.id not in response.answers:
            return i, question
    return None


async def resume_command(ctx: Context) -> None:
    """/survey: the oldest survey she has not finished."""
    response = await oldest_unfinished(ctx.session, ctx.user.id)
    if response is None:
        ctx.say(ctx._("You have no survey to answer right now. Thank you!"))
        return
    await open_survey(ctx, response, edit=False)


@action("sv")
async def start(ctx: Context, value: str) -> None:
    response = await ctx.session.get(SurveyResponse, int(value)) if value.isdigit() else None
    if response is None or response.user_id != ctx.user.id:
        ctx.say(ctx._("This button is not for you."))
        return
    if response.finished_at is not None:
        ctx.say(ctx._("You have answered this survey. Thank you!"))
        return
    await open_survey(ctx, response, edit=False)


# One survey at a time, one question per message; the frame holds the ticks of a several-answer question.
SURVEY = flow("survey", "survey")


async def open_survey(ctx: Context, response: SurveyResponse, *, edit: bool) -> None:
    await ctx.begin("survey", response=response.id, prompt=False)
    await show(ctx, response, edit=edit)


async def show(ctx: Context, response: SurveyResponse, *, edit: bool, hint: str = "") -> None:
    found = next_question(response)
    if found is None:
        return
    i, question = found
    total = len(SURVEYS[response.survey])
    picked = ctx.state.get("pick") or []
    if question.scale:
        buttons = [[ctx.button(o.code, o.code) for o in question.options]]
        low, high = question.options[0], question.options[-1]
        legend = f"\n<i>1 = {ctx._(low.label)} · 5 = {ctx._(high.label)}</i>"
    else:
        titles = [(ticked(ctx._(o.label), o.code in picked), o.code) for o in question.options]
        buttons = rows([ctx.button(title, code) for title, code in titles], 2 if len(titles) > 4 else 1)
        legend = ""
    if question.multi:
        # NOTE: button, ≤ 30 characters
        buttons.append([ctx.button(ctx._("Done"), "done")])
    buttons.append(
        [
            # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
            ctx.button(ctx._("Prefer not to say"), "skip"),
            # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
            ctx.button(ctx._("Later"), "later"),
        ]
    )
    text = f"<b>{i + 1}/{total}</b>\n\n{ctx._(question.text)}{legend}"
    if hint:
        text += f"\n\n⚠️ {hint}"
    (ctx.edit if edit else ctx.say)(text, buttons)


@step
class Survey(Step):
    name = "survey"

    async def response(self, ctx: Context) -> SurveyResponse | None:
        response = await ctx.session.get(SurveyResponse, ctx.args["response"])
        return response if response is not None and response.user_id == ctx.user.id else None

    async def prompt(self, ctx: Context) -> None:
        response = await self.response(ctx)
        if response is None or response.finished_at is not None:
            await ctx.end()
            return
        await show(ctx, response, edit=False)

    async def on_button(self, ctx: Context, value: str) -> None:
        response = await self.response(ctx)
        found = next_question(response) if response else None
        if response is None or found is None:
            await stale(ctx)
            return
        _, question = found
        codes = [o.code for o in question.options]
        if value == "later":
            ctx.edit(ctx._("Paused. Send /survey or tap the survey message when you want to go on."))
            await ctx.end()
            return
        if value == "skip":
            await answer(ctx, response, question, None)
        elif question.multi and value in codes:
            picked = ctx.state.setdefault("pick", [])
            toggle(picked, value)
            await show(ctx, response, edit=True)
        elif question.multi and value == "done":
            picked = ctx.state.get("pick") or []
            if not picked:
                await show(
                    ctx, response, edit=True, hint=ctx._("Please choose at least one, or tap “Prefer not to say”.")
                )
                return
            await answer(ctx, response, question, [c for c in codes if c in picked])
        elif not question.multi and value in codes:
            await answer(ctx, response, question, value)
        else:
            await stale(ctx)

    async def on_text(self, ctx: Context, text: str) -> None:
        response = await self.response(ctx)
        if response is None:
            await ctx.end()
            return
        await show(ctx, response, edit=False, hint=ctx._("Please use the buttons below."))


async def answer(ctx: Context, response: SurveyResponse, question: SurveyQuestion, value: Any) -> None:
    response.answers[question.id] = {"v": question.version, "a": value}
    flag_modified(response, "answers")
    ctx.state.pop("pick", None)
    if next_question(response) is not None:
        await show(ctx, response, edit=True)
        return
    response.finished_at = ctx.now
    ctx.edit(ctx._("Thank you! 🌱 Your answers are saved."))
    await ctx.end()
