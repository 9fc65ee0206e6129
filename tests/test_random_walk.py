"""A seeded random walk: 20 women do 5,000 random things (commands, taps on the newest and on older messages,
text, media), and no state they reach is a dead end.

After every event: no apology (no step failed), every frame on her stack names a flow that owns its step and a
result handler that exists, and the step on top can ask its question. At the end, from wherever each one is,
/cancel at most three times reaches the main flow.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select

from conversations.commands import COMMANDS
from conversations.kernel.flow import ACTIONS, FLOWS, RESULTS
from conversations.kernel.i18n import Translator
from storage.models import Conversation, Event, MentorProfile, Mentorship, User
from tests.fakechat import FakeChat
from tests.flows import due
from tests.people import add_mentor, ask_first, coordinator, matched, mentee

EVENTS = 5000
APOLOGY = Translator("en")._("Sorry, something went wrong on my side. Please try again in a moment.")
TEXTS = (
    "hello", "Aarhus", "2", "<b>Fatima</b>", "x" * 3000, "24.12.2026 17:00", "12", "Yes", "", "/", "فاطمة",
    "nul\x00byte", "Tom & Jerry",
)  # fmt: skip
# Arguments a forged button may carry after an action's prefix: real-looking ids, ids past any column, nonsense.
FORGED_ARGS = ("1", "2", "7", "0", "-1", "99999999999999999999", "2147483648", "²", "x", "", "1:2", "y:99999", "\x00")
COMMAND_ARGS = {"checkin": ("", "C0DE", "NOPE"), "company": ("", "add Acme"), "start": ("", "evwalk", "bogus")}


async def one_event(rng: random.Random, chat: FakeChat, commands: list[str]) -> None:
    roll = rng.random()
    if roll < 0.5:  # a tap: mostly on the newest message with buttons, sometimes on an older one
        shown = [s for s in chat.messages.values() if s.reply.buttons]
        if shown:
            message = shown[-1] if rng.random() < 0.5 else rng.choice(shown)
            button = rng.choice([b for row in message.reply.buttons for b in row])
            await chat.press(button.payload, message=message)
            return
    if roll < 0.7:
        name = rng.choice(commands)
        args = rng.choice(COMMAND_ARGS.get(name, ("",)))
        await chat.send(f"/{name} {args}".strip())
    elif roll < 0.9:
        await chat.send(rng.choice(TEXTS) or " ")
    elif roll < 0.95:  # a forged button: any action's prefix with any argument
        prefix = rng.choice(sorted(ACTIONS))
        verb = rng.choice(("", "ok", "no", "acc", "dec", "go", "cancel", "write", "end", "y", "k", "r"))
        args = ":".join(rng.choice(FORGED_ARGS) for _ in range(rng.randint(1, 2)))
        await chat.press(f"{prefix}:{verb}:{args}" if verb else f"{prefix}:{args}")
    elif roll < 0.975:  # a file or a voice note: passed on in the relay, refused kindly elsewhere
        await chat.send_media(*rng.choice((("document", "f-1", "CV.pdf", "my CV"), ("voice", "v-1", "", ""))))
    else:
        await chat.send_unsupported(rng.choice(("sticker", "location")))


async def phantom_places(session) -> list[tuple[int, int, int]]:  # type: ignore[no-untyped-def]
    """Mentors whose counted places differ from their running mentorships: (mentor, counted, running)."""
    live = func.count(Mentorship.id).filter(Mentorship.status.in_(("active", "paused")))
    query = (
        select(MentorProfile.user_id, MentorProfile.active_count, live)
        .outerjoin(Mentorship, Mentorship.mentor_id == MentorProfile.user_id)
        .group_by(MentorProfile.user_id, MentorProfile.active_count)
    )
    return [(m, counted, running) for m, counted, running in (await session.execute(query)).all() if counted != running]


def check_stack(data: dict) -> None:
    stack = data["stack"]
    assert stack and stack[0]["flow"] == "main", stack
    for frame in stack:
        assert FLOWS[frame["flow"]].owns(frame["step"]), frame
        assert frame["then"] is None or frame["then"] in RESULTS, frame
    flows = [f["flow"] for f in stack]
    assert len(flows) == len(set(flows)), flows


async def test_five_thousand_random_events_leave_nobody_stranded(engine, people, sessions, clock) -> None:
    rng = random.Random(20261201)
    await coordinator(engine, people)
    await matched(engine, people, sessions)
    for i in range(4):
        await add_mentor(sessions, f"m-{i + 2}", f"Mentor{i}", languages=("en", "ar"))
    chats = list(people.values())
    for i in range(3):
        chats.append(await mentee(engine, people, user_id=f"2{i:03d}", name=f"Mentee{i}"))
    for i in range(4):  # the mentors added by hand have no chat yet
        chats.append(FakeChat(engine, user_id=f"m-{i + 2}", name=f"Mentor{i}", network=people))
    # A second pair, so that the walk meets mentorships even after one of them has ended early.
    await ask_first(chats[-7])
    await chats[-4].tap("✅ Accept")
    for i in range(len(chats), 20):
        chats.append(FakeChat(engine, user_id=f"3{i:03d}", name=f"New{i}", network=people))
    assert len(chats) == 20
    async with sessions() as session, session.begin():
        session.add(
            Event(
                kind="intro", title="Walk", starts_at=clock.now + timedelta(days=3), place="Library", capacity=3,
                audience="all", checkin_code="C0DE", invite_code="evwalk", created_at=clock.now,
            )
        )  # fmt: skip
    commands = [*sorted(COMMANDS), "nonsense"]
    reached: set[str] = set()
    deepest = 0

    for n in range(EVENTS):
        chat = rng.choice(chats)
        before = len(chat.history)
        await one_event(rng, chat, commands)
        assert APOLOGY not in chat.texts_since(before), f"event {n} of {chat.ref.user_id}"
        async with sessions() as session:
            assert await phantom_places(session) == [], f"event {n} of {chat.ref.user_id}"
            user = (
                await session.execute(select(User).where(User.external_id == chat.ref.user_id))
            ).scalar_one_or_none()
            if user is not None:
                stack = (await session.get(Conversation, user.id)).data["stack"]
                check_stack({"stack": stack})
                reached.update(f"{f['flow']}:{f['step']}" for f in stack)
                deepest = max(deepest, len(stack))
        if n % 500 == 499:  # the clock moves on, and due reminders arrive
            clock.advance(hours=7)
            for reply in await due(engine):
                if reply.to.user_id in people:
                    people[reply.to.user_id].receive(reply)
    # The walk went somewhere: most flows, detours inside detours.
    assert len({r.split(":")[0] for r in reached}) >= 12 and deepest >= 4, (sorted({r.split(":")[0] for r in reached}), deepest)

    async with sessions() as session:
        for conv in (await session.execute(select(Conversation))).scalars():
            check_stack(conv.data)

    for chat in chats:
        async with sessions() as session:
            user = (
                await session.execute(select(User).where(User.external_id == chat.ref.user_id))
            ).scalar_one_or_none()
        if user is None:  # she deleted her data along the way
            continue
        for _ in range(3):
            async with sessions() as session:
                conv = await session.get(Conversation, user.id)
                check_stack(conv.data)
                if len(conv.data["stack"]) == 1:
                    break
            await chat.send("/cancel")

        async with sessions() as session:
            conv = await session.get(Conversation, user.id)
            assert len(conv.data["stack"]) == 1, (chat.ref.user_id, conv.data["stack"])
    assert all(APOLOGY not in c.texts_since(0) for c in chats)
