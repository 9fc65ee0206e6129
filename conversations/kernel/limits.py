"""Limits per woman: a token bucket for each kind of act that reaches other people.

A bucket holds up to `capacity` tokens and earns one back every `every` seconds; each act spends one. A burst of
`capacity` goes through at once, then one every `every` seconds: more than anyone needs in normal use, and a
flood stops. Past the limit she is told kindly when she can go on, and the act is not carried out.

The buckets live in `users.limits` as `{kind: [tokens, refilled_at]}` (epoch seconds), written in the step's
transaction and measured on `ctx.now`, so tests move the clock instead of sleeping. While a flood goes on its
bucket carries a third element, 1: the coordinators have heard of this flood. They hear of the next one only after
the bucket has filled up again, so a flood of fifty brings one alert, not fifty.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import NamedTuple

from babel.dates import format_timedelta

from conversations.kernel.flow import Context, voice
from conversations.kernel.i18n import N_
from storage import repo

HOUR = 3600


class Rule(NamedTuple):
    capacity: int  # how many at once
    every: float  # seconds to earn one more


DEFAULTS: dict[str, Rule] = {
    "relay": Rule(30, 10),  # messages through the relay
    "request": Rule(6, 4 * HOUR),  # requests to mentors (besides the 3 open at most)
    "problem": Rule(3, HOUR),  # "Report a problem"
    "meeting": Rule(10, HOUR),  # meeting proposals, first or "another time"
    "report": Rule(8, 3 * HOUR),  # reports of meetings not planned here (/report)
    "answer": Rule(5, HOUR),  # a waiting mentor's answers, passed on to every coordinator
}

# What she reads past the limit.
REFUSALS = {
    # NOTE: {wait} is a length of time in her language, such as “2 minutes”.
    "relay": N_(
        "You have sent many messages in a short time, so I have not passed this one on. "
        "You can write again in about {wait}."
    ),
    # NOTE: {wait} is a length of time in her language, such as “2 minutes”.
    "request": N_("You have sent many requests in a short time. You can ask a mentor again in about {wait}."),
    # NOTE: {wait} is a length of time in her language, such as “2 minutes”.
    "problem": N_(
        "You have reported a problem several times in a short time. The coordinators have your reports and will "
        "contact you. You can report again in about {wait}."
    ),
    # NOTE: {wait} is a length of time in her language, such as “2 minutes”.
    "meeting": N_("You have proposed many meetings in a short time. You can propose another in about {wait}."),
    # NOTE: {wait} is a length of time in her language, such as “2 minutes”.
    "report": N_("You have reported many meetings in a short time. You can report another in about {wait}."),
    # NOTE: {wait} is a length of time in her language, such as “2 minutes”.
    "answer": N_("You have sent the coordinators many answers in a short time. You can answer again in about {wait}."),
}
# Once per flood, where a flood may mean trouble for someone. Requests need none (at most 3 are open at a time),
# nor reports of her own meetings.
ALERTS = {
    "relay": N_(
        "⚠️ {name} has sent very many messages in a short time. I am holding back more for a while; she has been told."
    ),
    "problem": N_("⚠️ {name} keeps reporting a problem in her mentorship. Please contact her soon."),
    "meeting": N_(
        "⚠️ {name} has proposed very many meetings in a short time. I am holding back more for a while; she has "
        "been told."
    ),
    "answer": N_(
        "⚠️ {name} has sent very many answers in a short time. I am holding back more for a while; she has been told."
    ),
}


def rules(overrides: Mapping[str, tuple[int | None, float | None]] | None = None) -> dict[str, Rule]:
    """The defaults, with each value given in `overrides` in place of its default (None keeps it)."""
    out = dict(DEFAULTS)
    for kind, (capacity, every) in (overrides or {}).items():
        default = DEFAULTS[kind]
        out[kind] = Rule(capacity or default.capacity, every or default.every)
    return out


class Outcome(NamedTuple):
    bucket: list[float]  # to store
    wait: float  # 0 when allowed; otherwise the seconds until she may go on
    alert: bool  # the first refusal of this flood


def take(bucket: Sequence[float] | None, rule: Rule, now: float, *, spend: bool = True) -> Outcome:
    """One attempt at `now` (epoch seconds). `spend=False` only looks, for a flow that spends at its end: she is
    not asked questions whose answers could not be used."""
    if bucket:
        tokens, at = float(bucket[0]), float(bucket[1])
        told = len(bucket) > 2 and bool(bucket[2])
        tokens = min(float(rule.capacity), tokens + max(0.0, now - at) / rule.every)
        at = max(at, now)  # a clock set back earns nothing
    else:
        tokens, at, told = float(rule.capacity), now, False
    if tokens >= rule.capacity:
        told = False  # full again: the flood is over
    if tokens >= 1:
        return Outcome([tokens - 1 if spend else tokens, at, *([1] if told else [])], 0.0, False)
    return Outcome([tokens, at, 1], (1 - tokens) * rule.every, not told)


async def refused(ctx: Context, kind: str, *, spend: bool = True) -> bool:
    """False, having counted the act (unless `spend` is False), while she is within the limit for `kind`.
    Past it True: she has been told when she can go on, the coordinators once per flood, and the caller leaves
    the act undone."""
    rule = Rule(*ctx.limits[kind]) if kind in ctx.limits else DEFAULTS[kind]
    buckets = dict(ctx.user.limits or {})
    outcome = take(buckets.get(kind), rule, ctx.now.timestamp(), spend=spend)
    buckets[kind] = outcome.bucket
    ctx.user.limits = buckets  # a new dict, so the JSON column is seen as changed
    if not outcome.wait:
        return False
    wait = format_timedelta(timedelta(seconds=math.ceil(outcome.wait)), locale=ctx.t.babel)
    ctx.say(ctx._(REFUSALS[kind]).format(wait=ctx.v(wait)))
    if outcome.alert and kind in ALERTS:
        for coordinator in await repo.coordinators(ctx.session):
            view = voice(coordinator)
            ctx.tell(coordinator, view._(ALERTS[kind]).format(name=view.v(ctx.user.first_name)))
    return True
