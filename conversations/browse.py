"""A mentee browses mentors ranked for her, one card at a time, edited in place, and asks one of them.

Each card says in her language why this mentor fits. Nobody fits: she joins the waiting list and sees her place.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from conversations import my_requests, requests
from conversations.kernel import limits
from conversations.kernel.flow import Context, Step, Voice, action, flow, resolver, rows, stale, step, too_long
from conversations.kernel.i18n import COPENHAGEN, N_
from conversations.kernel.options import EXPERIENCE, FIELDS, GOALS, REGIONS, SPOKEN_LANGUAGES, Option
from storage import matching
from storage.matching import Filters
from storage.models import Company, MenteeProfile, MentorProfile, User

NOTE_LIMIT = 500


def label(options: tuple[Option, ...], code: str, view: Context | Voice) -> str:
    return next((view._(o.label) for o in options if o.code == code), code)


def reasons(view: Context | Voice, mentee: MenteeProfile, mentor: MentorProfile) -> list[str]:
    """Two or three reasons, strongest first, why this mentor fits her."""
    found: list[str] = []
    shared_fields = [f for f in mentee.fields if f in mentor.fields and f != "other"]
    if shared_fields:
        found.append(view._("Works in {field}, like you").format(field=label(FIELDS, shared_fields[0], view)))
    if mentee.region != "online" and mentor.region == mentee.region and mentor.meets_in_person:
        found.append(view._("Lives in {place}, like you").format(place=label(REGIONS, mentor.region, view)))
    elif mentor.meets_online:
        found.append(view._("Happy to meet online"))
    shared_goals = [g for g in mentee.goals if g in (mentor.helps_with or [])]
    if shared_goals:
        found.append(view._("Can help with: {goal}").format(goal=label(GOALS, shared_goals[0], view)))
    # Her own language first: Danish and English are shared by most and say less.
    shared_languages = sorted(
        (lang for lang in mentee.languages if lang in mentor.languages), key=lambda c: c in ("da", "en")
    )
    if shared_languages:
        found.append(view._("Speaks {language}").format(language=view.t.language_name(shared_languages[0])))
    return found[:3]


async def mentor_card(
    ctx: Context | Voice, session: AsyncSession, mentor: MentorProfile, user: User, mentee: MenteeProfile | None
) -> str:
    """Her card as the mentee sees it; `ctx` is the mentee's context, or her Voice when sent from elsewhere."""
    place = label(REGIONS, mentor.region, ctx)
    modes = [ctx._("in person")] * mentor.meets_in_person + [ctx._("online")] * mentor.meets_online
    lines = [
        f"<b>{ctx.v(user.first_name)}</b> · {ctx.v(mentor.job_title)}",
        f"🏢 {ctx.v(mentor.employer)}",
        "💼 " + ctx.t.join(label(FIELDS, f, ctx) for f in mentor.fields),
        f"📍 {place} ({ctx.t.join(modes)})",
        "🗣 " + ctx.t.languages(c for c in mentor.languages if c in SPOKEN_LANGUAGES),
        f"⏳ {label(EXPERIENCE, mentor.experience, ctx)}",
    ]
    if mentor.company_id is not None:
        company = await session.get(Company, mentor.company_id)
        if company is not None:
            lines.append("🤝 " + ctx._("From our partner company {company}").format(company=ctx.v(company.name)))
    if mentor.about:
        lines += ["", ctx.v(mentor.about)]
    if mentee is not None:
        found = reasons(ctx, mentee, mentor)
        if found:
            lines += ["", "<b>" + ctx._("Why she may fit you") + "</b>", *(f"✓ {r}" for r in found)]
    return "\n".join(lines)


async def my_profile(ctx: Context) -> MenteeProfile | None:
    return await ctx.session.get(MenteeProfile, ctx.user.id)


async def refusal(ctx: Context) -> str | None:
    """Why she may not look for a mentor now, in her language; None when she may. Checked by "Find a mentor" and
    again on every way to a request, so an old suggestion or a card left in the chat follows the same rules."""
    if ctx.user.role != "mentee" or await my_profile(ctx) is None or not ctx.user.onboarded_at:
        return ctx._("Finding a mentor is for mentees who have finished their profile.")
    if any(m.mentee_id == ctx.user.id for m in await matching.live_mentorships(ctx.session, ctx.user.id)):
        return ctx._("You already have a mentor. /mentorship shows your mentorship.")
    return None


async def find(ctx: Context) -> None:
    """'Find a mentor' and /mentors."""
    if (why := await refusal(ctx)) is not None:
        ctx.say(why)
        if ctx.user.role != "mentee" or not ctx.user.onboarded_at:
            await ctx.prompt()  # she is still on her way in: her question again
        return
    mentee = await my_profile(ctx)
    assert mentee is not None  # checked by refusal()
    filters = Filters.from_data(ctx.data.get("filters"))
    ids = await matching.rank(ctx.session, mentee, ctx.now, filters)
    # The mentors she has asked come last, saying so, instead of vanishing from her list.
    asked = {
        str(r.mentor_id): r.created_at.isoformat()
        for r in await matching.open_requests_of(ctx.session, ctx.user.id)
        if r.mentee_id == ctx.user.id and r.mentor_id not in ids
    }
    if not ids:
        await nobody_fits(ctx, filters)
        if asked and ctx.flow != "browse" and not filters.as_data():
            await ctx.begin("browse", data={"ids": [int(k) for k in asked], "i": 0, "asked": asked})
        return
    await matching.leave_waiting_list(ctx.session, ctx.user.id)
    await ctx.begin("browse", data={"ids": ids + [int(k) for k in asked], "i": 0, "asked": asked})


async def nobody_fits(ctx: Context, filters: Filters) -> None:
    if filters.as_data():
        await ctx.begin("browse", "no_match")
        return
    if ctx.flow == "browse":  # the list ran out while she browsed
        await ctx.end(prompt=False)
    position = await matching.join_waiting_list(ctx.session, ctx.user.id, ctx.now)
    text = ctx._(
        "Right now no mentor with a free place fits you. You are number {position} on the waiting list. "
        "I will write to you as soon as a mentor who fits you is free. A coordinator can also suggest one."
    ).format(position=position)
    ctx.say("\n\n".join(filter(None, [text, await my_requests.waiting_for_answers(ctx)])))


@step
class NoMatch(Step):
    name = "no_match"

    async def prompt(self, ctx: Context) -> None:
        asked = await my_requests.waiting_for_answers(ctx)
        ctx.say(
            "\n\n".join(filter(None, [ctx._("No mentor fits these filters right now."), asked])),
            [
                # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
                [ctx.button(ctx._("Clear filters"), "clear")],
                # NOTE: button, ≤ 30 characters
                [ctx.button(ctx._("Change filters"), "filters")],
            ],
        )

    async def on_button(self, ctx: Context, value: str) -> None:
        if value == "clear":
            ctx.data.pop("filters", None)
            await find(ctx)
        elif value == "filters":
            ctx.goto("filters")
            await ctx.prompt()
        else:
            await stale(ctx)


@action("find")
async def find_button(ctx: Context, _value: str) -> None:
    await find(ctx)


@step
class Browse(Step):
    name = "browse"

    async def prompt(self, ctx: Context) -> None:
        await self.show(ctx, edit=False)

    async def show(self, ctx: Context, *, edit: bool) -> None:
        state = ctx.state
        ids: list[int] = state.setdefault("ids", [])
        state.setdefault("i", 0)
        asked: dict[str, str] = state.setdefault("asked", {})
        # Skip mentors who filled up, paused or were asked meanwhile (those she asked are shown as asked).
        while ids and not await self.showable(ctx, ids[state["i"]], asked):
            ids.pop(state["i"])
            state["i"] = min(state["i"], max(len(ids) - 1, 0))
        if not ids:
            await find(ctx)
            return
        mentor = await ctx.session.get(MentorProfile, ids[state["i"]])
        user = await ctx.session.get(User, mentor.user_id)
        text = f"{state['i'] + 1}/{len(ids)}\n\n" + await mentor_card(
            ctx, ctx.session, mentor, user, await my_profile(ctx)
        )
        when = asked.get(str(mentor.user_id))
        if when is not None:
            text += "\n\n⏳ " + ctx._("You asked her on {date}. /requests shows your requests.").format(
                date=ctx.t.date(datetime.fromisoformat(when).astimezone(COPENHAGEN))
            )
        nav = []
        if state["i"] > 0:
            # NOTE: button, ≤ 30 characters
            nav.append(ctx.button("◀ " + ctx._("Back"), "back"))
        if state["i"] + 1 < len(ids):
            # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
            nav.append(ctx.button(ctx._("Next") + " ▶", "next"))
        buttons = [
            # NOTE: button, ≤ 30 characters
            [ctx.button(ctx._("Ask her to be my mentor"), "ask")] if when is None else [],
            nav,
            # NOTE: button, ≤ 30 characters
            [ctx.button(ctx._("Filters"), "filters")],
        ]
        (ctx.edit if edit else ctx.say)(text, buttons)

    async def showable(self, ctx: Context, mentor_id: int, asked: dict[str, str]) -> bool:
        if str(mentor_id) in asked:  # still waiting for her answer?
            sent = await matching.open_requests_of(ctx.session, ctx.user.id)
            if any(r.mentor_id == mentor_id and r.mentee_id == ctx.user.id for r in sent):
                return True
            asked.pop(str(mentor_id))
        return await matching.is_available(ctx.session, ctx.user.id, mentor_id)

    async def on_button(self, ctx: Context, value: str) -> None:
        state = ctx.state
        if value in ("next", "back") and state.get("ids"):
            step_by = 1 if value == "next" else -1
            state["i"] = max(0, min(len(state["ids"]) - 1, state["i"] + step_by))
            await self.show(ctx, edit=True)
        elif value == "filters":
            ctx.goto("filters")
            await ctx.prompt()
        elif value == "ask" and state.get("ids") and str(state["ids"][state["i"]]) not in state.get("asked", {}):
            await ask(ctx, state["ids"][state["i"]])
        else:
            await stale(ctx)


async def ask(ctx: Context, mentor_id: int) -> None:
    if (why := await refusal(ctx)) is not None:
        ctx.say(why)
        await ctx.prompt()  # the question she is at, so an old button leaves her where she was
        return
    if await matching.open_request_count(ctx.session, ctx.user.id) >= matching.OPEN_REQUESTS_MAX:
        ctx.say(
            ctx._(
                "You already have {count} open requests, the most at one time. Wait for an answer, or for a request to expire."
            ).format(count=matching.OPEN_REQUESTS_MAX)
        )
        return
    if not await matching.is_available(ctx.session, ctx.user.id, mentor_id):
        await stale(ctx)
        return
    if await limits.refused(ctx, "request", spend=False):  # before her note, which could not go
        return
    if ctx.flow == "browse":
        ctx.state["asking"] = mentor_id
        ctx.goto("request_note")
        await ctx.prompt()
    else:  # a coordinator's suggestion, outside the list
        await ctx.begin("browse", "request_note", data={"asking": mentor_id})


@step
class RequestNote(Step):
    name = "request_note"

    async def prompt(self, ctx: Context) -> None:
        mentor = await ctx.session.get(User, ctx.state.get("asking", 0))
        ctx.say(
            ctx.t.ngettext(
                "Would you like to write a few words to {name}? Why would you like her as your mentor? "
                "(Up to {count} character.)",
                "Would you like to write a few words to {name}? Why would you like her as your mentor? "
                "(Up to {count} characters.)",
                NOTE_LIMIT,
            ).format(name=ctx.v(mentor.first_name if mentor else ""), count=NOTE_LIMIT),
            # NOTE: button, ≤ 30 characters
            [[ctx.button(ctx._("Send without a message"), "skip")], [ctx.button(ctx._("Back"), "back")]],
        )

    async def on_text(self, ctx: Context, text: str) -> None:
        text = text.strip()
        if too_long(ctx, text, NOTE_LIMIT):
            return
        await send_request(ctx, text or None)

    async def on_button(self, ctx: Context, value: str) -> None:
        if value == "skip":
            await send_request(ctx, None)
        elif value == "back":
            ctx.state.pop("asking", None)
            ctx.goto("browse")
            await ctx.prompt()
        else:
            await stale(ctx)


async def send_request(ctx: Context, note: str | None) -> None:
    mentor_id = ctx.state.pop("asking", None)
    if (why := await refusal(ctx)) is not None:  # a mentor may have accepted another of her requests meanwhile
        ctx.say(why)
        await ctx.end()
        return
    mentor = await ctx.session.get(User, mentor_id or 0)
    if mentor is None or not await matching.is_available(ctx.session, ctx.user.id, mentor.id):
        ctx.say(ctx._("Sorry, she cannot take new requests right now. Please choose someone else."))
        await find(ctx)
        return
    if await limits.refused(ctx, "request"):
        await ctx.end()
        return
    request = await matching.create_request(ctx.session, ctx.user.id, mentor.id, note, ctx.now)
    await requests.send_card(ctx, request, mentor)
    ctx.say(
        ctx._(
            "Your request has gone to {name}. She has 14 days to answer, and I will tell you her answer here. "
            "You can ask up to 3 mentors at the same time."
        ).format(name=ctx.v(mentor.first_name))
    )
    await ctx.end()


# -- filters -----------------------------------------------------------------------------------------------

# NOTE: button, ≤ 30 characters (≤ 15 to share its row)
FILTER_KINDS = {"field": N_("Field"), "place": N_("Area"), "language": N_("Language")}
FILTER_ICONS = {"field": "💼", "place": "📍", "language": "🗣"}


def filter_choices(ctx: Context, kind: str) -> list[tuple[str, str]]:
    if kind == "field":
        return [(o.code, ctx._(o.label)) for o in FIELDS if o.code != "other"]
    if kind == "place":
        return [(o.code, ctx._(o.label)) for o in REGIONS]
    return [(code, ctx.t.language_label(code)) for code in SPOKEN_LANGUAGES]


@step
class ChooseFilters(Step):
    name = "filters"

    async def prompt(self, ctx: Context) -> None:
        filters = ctx.data.get("filters") or {}
        buttons = []
        for kind, name in FILTER_KINDS.items():
            # The chosen value, or the filter's name while any will do: "📍 Aarhus", "💼 Field".
            current = dict(filter_choices(ctx, kind)).get(filters.get(kind, ""), ctx._(name))
            buttons.append([ctx.button(f"{FILTER_ICONS[kind]} {current}", f"k:{kind}")])
        # NOTE: button, ≤ 27 characters (✓ when chosen)
        partners = ("✓ " if filters.get("partners") else "") + ctx._("Partner companies only")
        buttons.append([ctx.button(partners, "partners")])
        buttons.append(
            [
                # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
                ctx.button(ctx._("Clear filters"), "clear"),
                # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
                ctx.button(ctx._("Show mentors"), "show"),
            ]
        )
        (ctx.edit if ctx.state.pop("filters_edit", False) else ctx.say)(
            ctx._("Which mentors would you like to see?"), buttons
        )

    async def on_button(self, ctx: Context, value: str) -> None:
        filters = ctx.data.setdefault("filters", {})
        if value.startswith("k:") and value[2:] in FILTER_KINDS:
            ctx.goto(f"filter:{value[2:]}")
            await ctx.prompt()
        elif value == "partners":
            filters["partners"] = not filters.get("partners")
            ctx.state["filters_edit"] = True
            await self.prompt(ctx)
        elif value == "clear":
            ctx.data.pop("filters", None)
            ctx.state["filters_edit"] = True
            await self.prompt(ctx)
        elif value == "show":
            await find(ctx)
        else:
            await stale(ctx)


class FilterValue(Step):
    def __init__(self, kind: str) -> None:
        self.kind = kind

    async def prompt(self, ctx: Context) -> None:
        buttons = [ctx.button(title, code) for code, title in filter_choices(ctx, self.kind)]
        # NOTE: button, ≤ 30 characters
        keyboard = [*rows(buttons, 2), [ctx.button(ctx._("any"), "any")]]
        ctx.say(ctx._(FILTER_KINDS[self.kind]), keyboard)

    async def on_button(self, ctx: Context, value: str) -> None:
        filters = ctx.data.setdefault("filters", {})
        if value == "any":
            filters.pop(self.kind, None)
        elif value in dict(filter_choices(ctx, self.kind)):
            filters[self.kind] = value
        else:
            await stale(ctx)
            return
        ctx.goto("filters")
        ctx.state["filters_edit"] = True
        await ctx.prompt()


# Her filters outlive the flow (`ctx.data["filters"]`): the next "Find a mentor" uses them again.
BROWSE = flow("browse", "browse", "no_match", "filters", "filter:", "request_note")


@resolver("filter")
def _filter(ctx: Context, kind: str) -> FilterValue | None:
    return FilterValue(kind) if kind in FILTER_KINDS else None
