"""Buttons that fit a phone: every keyboard the bot shows, in every language, stays within its row's budget.

A row is about 30 characters wide on a small phone; a button that shares it with one other gets 15, with two
others 10. Ge'ez letters are about 1.4 times as wide as Latin ones and an emoji about two. The budgets are also
written for translators as `NOTE:` comments next to each label, and checked against the catalogs below.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import update

from conversations.commands import COMMANDS
from conversations.kernel.i18n import LANGUAGES, LOCALES_DIR, plain, width
from conversations.kernel.messages import ROW_WIDTH
from storage.models import User
from tests.fakechat import FakeChat
from tests.people import add_mentor, coordinator, matched, mentee
from tests.test_random_walk import one_event

ROW = ROW_WIDTH
BUDGET = re.compile(r"≤ (\d+) characters")


def budget(buttons_in_row: int) -> float:
    return ROW / buttons_in_row


def test_width_counts_what_a_phone_shows() -> None:
    assert width("Back") == 4 and width("✏️ Name") == 7 and width("\u2068Noor\u2069") == 4
    assert width("ተመለስ") == pytest.approx(5.6)


@pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
async def test_every_keyboard_fits_in_every_language(engine, people, sessions, clock) -> None:
    """Twenty-four women, three in each language, walk at random through every role and flow; every keyboard
    anyone is shown is measured."""
    rng = random.Random(20261202)
    await coordinator(engine, people)
    await matched(engine, people, sessions)
    for i in range(3):
        await add_mentor(sessions, f"m-{i + 2}", f"Mentor{i}", languages=("en", "ar"))
    chats = list(people.values())
    chats.append(await mentee(engine, people, user_id="2000", name="Mentee"))
    for i in range(3):
        chats.append(FakeChat(engine, user_id=f"m-{i + 2}", name=f"Mentor{i}", network=people))
    codes = list(LANGUAGES)
    while len(chats) < 3 * len(codes):
        chats.append(
            FakeChat(engine, user_id=f"3{len(chats):03d}", name="Ny", locale=codes[len(chats) % 8], network=people)
        )
    async with sessions() as session, session.begin():
        for i, chat in enumerate(chats):  # the ones made above onboarded in English
            await session.execute(update(User).where(User.external_id == chat.ref.user_id).values(locale=codes[i % 8]))
            chat.locale = codes[i % 8]
    commands = [*sorted(COMMANDS), "nonsense"]
    for _ in range(4000):
        await one_event(rng, rng.choice(chats), commands)

    too_wide: dict[str, set[str]] = defaultdict(set)
    seen: set[str] = set()
    for chat in chats:
        for shown in chat.history:
            for row in shown.reply.buttons:
                for button in row:
                    seen.add(button.title)
                    if width(button.title) > budget(len(row)):
                        too_wide[f"{len(row)} in a row (≤ {budget(len(row)):g})"].add(button.title)
    assert len(seen) > 400, len(seen)  # the walk reached most keyboards in most languages
    assert not too_wide, "\n".join(f"{where}: {sorted(titles)}" for where, titles in too_wide.items())
    # Every label met in English tells translators its budget.
    with (LOCALES_DIR / "messages.pot").open("rb") as fh:
        template = {m.id: m for m in read_po(fh) if isinstance(m.id, str)}
    labels = {plain(t).removeprefix("✓ ").removeprefix("✏️ ") for t in seen}
    unbudgeted = {t for t in labels if t in template and not BUDGET.search(" ".join(template[t].auto_comments))}
    assert not unbudgeted, sorted(unbudgeted)


@pytest.mark.parametrize("locale", LANGUAGES)
def test_labels_keep_the_budget_their_note_gives(locale: str) -> None:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    problems = []
    for message in catalog:
        found = BUDGET.search(" ".join(message.auto_comments))
        if not found or not message.string:
            continue
        for form in message.string if isinstance(message.string, tuple) else (message.string,):
            if width(form) > int(found.group(1)):
                problems.append(f"{width(form):g} > {found.group(1)}: {form!r} ({message.id!r})")
    assert not problems, "\n".join(problems)


def test_labels_have_budgets() -> None:
    """The template tells translators the budget of the labels this test measures."""
    with (LOCALES_DIR / "messages.pot").open("rb") as fh:
        budgets = sum(1 for m in read_po(fh) if BUDGET.search(" ".join(m.auto_comments)))
    assert budgets >= 60, budgets
