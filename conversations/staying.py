"""After long silence: "do you want to stay?", asked once by the daily retention job (storage/retention.py)."""

from __future__ import annotations

from datetime import datetime

from conversations.kernel.flow import Context, action, ref_of, voice
from conversations.kernel.messages import Button, Reply
from storage.models import User


def question(user: User, now: datetime) -> Reply:
    user.retention_asked_at = now
    view = voice(user)
    text = view._(
        "Hello {name}, we have not heard from you for a long time. Do you want to stay in Mentornet? "
        "If we do not hear from you, we will delete your data in a few months. Any message from you keeps it."
    ).format(name=view.v(user.first_name or ""))
    # NOTE: button, ≤ 30 characters
    return Reply(text, ((Button(view._("Yes, I want to stay"), "stay:"),),), to=ref_of(user))


@action("stay")
async def stay(ctx: Context, value: str) -> None:
    # Any message already clears the question (see the engine's step); this just says so.
    ctx.say(ctx._("Thank you! Your account stays. Send /start whenever you need me."))
