"""What every part of events shares: the kinds, the invitation card and its buttons, guest link codes."""

from __future__ import annotations

import secrets
from datetime import timedelta

from conversations.kernel.flow import (
    Context,
    Voice,
)
from conversations.kernel.i18n import N_
from conversations.kernel.messages import Button
from conversations.kernel.options import Option
from storage.models import Event

KINDS = (
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("intro", N_("Intro course")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("collective", N_("Collective mentoring")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("workshop", N_("Workshop")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("other", N_("Other event")),
)
# NOTE: button, ≤ 30 characters (≤ 15 to share its row)
AUDIENCES = (Option("mentee", N_("Mentees")), Option("mentor", N_("Mentors")), Option("all", N_("Everyone")))
NEEDS = (
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("childcare", N_("Childcare")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("interpreter", N_("An interpreter")),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    Option("access", N_("Accessibility")),
)
CAPACITIES = ("10", "20", "30", "50", "100", "150")
EVERYWHERE = Option("any", N_("Everywhere"))
TITLE_LIMIT, PLACE_LIMIT, TEXT_LIMIT = 120, 200, 800
INVITE_PREFIX = "ev"  # a guest link's start code begins with it; partner companies' codes are hex and never do
REMINDERS = (timedelta(hours=24), timedelta(hours=2))


def label(view: Context | Voice, options: tuple[Option, ...], code: str | None) -> str:
    return next((view._(o.label) for o in options if o.code == code), "")


def card(view: Context | Voice, event: Event) -> str:
    """The invitation: the frame in her language, the coordinator's title and description as written."""
    lines = [
        f"📅 <b>{view.v(event.title)}</b> · {label(view, KINDS, event.kind)}",
        f"🕒 {view.t.when(event.starts_at)}" + (f"–{view.t.clock(event.ends_at)}" if event.ends_at else ""),
        f"📍 {view.v(event.place)}",
    ]
    if event.languages:
        lines.append("🗣 " + view.t.languages(event.languages))
    if event.description:
        lines += ["", view.v(event.description)]
    if event.status == "cancelled":
        lines += ["", "❌ " + view._("This event is cancelled.")]
    return "\n".join(lines)


def rsvp_buttons(view: Voice | Context, event_id: int) -> list[list[Button]]:
    return [
        # NOTE: button, ≤ 30 characters (≤ 15 to share its row)
        [Button(view._("✅ Going"), f"e:go:{event_id}"), Button(view._("Maybe"), f"e:maybe:{event_id}")],
        # NOTE: button, ≤ 30 characters
        [Button(view._("Can't come"), f"e:no:{event_id}")],
    ]


def invite_code() -> str:
    return INVITE_PREFIX + secrets.token_hex(5)
