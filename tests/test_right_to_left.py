"""Arabic and Persian read right to left, and what is written left to right inside them still reads in order.

Every message of both catalogs goes through the translator and is filled with Latin values, then laid out by the
Unicode bidirectional algorithm (python-bidi) as a phone would show it. Commands such as `/company add Novo
Nordisk` must come out as written, not as `company add Novo Nordisk/`; every placeholder's value must appear
whole; several values on one line must read from right to left in the order of the sentence; and every line must
be laid out right to left.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from babel.messages.pofile import read_po
from bidi import get_display
from sqlalchemy import update

from conversations.kernel.i18n import LOCALES_DIR, RTL, Translator, right_to_left
from storage.models import User
from tests.people import mentee

PLACEHOLDER = re.compile(r"\{([a-z_]*)\}")
COMMAND = re.compile(r"/[a-z_]+(?: [A-Z][A-Za-z]+)*")
TAG = re.compile(r"<[^<>]+>")


def _templates(locale: str) -> list[tuple[str, str]]:
    """(msgid, the template the translator hands out), one per message and plural form."""
    t = Translator(locale)
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    found = []
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            found += [(message.id[1], t.ngettext(*message.id, n)) for n in (1, 2, 3, 11, 100)]
        elif message.context:
            found.append((message.id, t.pgettext(message.context, message.id)))
        else:
            found.append((message.id, t._(message.id)))
    return found


def _fill(t: Translator, template: str) -> tuple[str, list[str]]:
    """The template with a distinct Latin value per placeholder, and the values in the order she reads them."""
    order = PLACEHOLDER.findall(template)
    values = {name: f"Val{chr(65 + i)}x{i}" for i, name in enumerate(dict.fromkeys(order))}
    return template.format(**{k: t.value(v) for k, v in values.items()}), [values[n] for n in order]


@pytest.mark.parametrize("locale", sorted(RTL))
def test_commands_and_values_read_in_order(locale: str) -> None:
    t = Translator(locale)
    problems = []
    for msgid, template in _templates(locale):
        text, values = _fill(t, template)
        for line in TAG.sub("", text).split("\n"):
            if not line.strip():
                continue
            shown = get_display(line)
            logical = [v for v in values if v in line]
            for word in [*COMMAND.findall(line), *logical]:
                if word not in shown:
                    problems.append(f"{word!r} reads as {shown!r} ({msgid!r})")
            positions = [shown.find(v) for v in dict.fromkeys(logical)]
            if positions != sorted(positions, reverse=True):
                problems.append(f"values out of order in {shown!r} ({msgid!r})")
            # Laid out right to left even by a client that finds a line's direction from its first letter and
            # knows nothing of isolates: the line opens with a right-to-left letter or mark.
            if shown != get_display(line, base_dir="R") or _naive_direction(line) != "R":
                problems.append(f"a left-to-right line {shown!r} ({msgid!r})")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


def _naive_direction(line: str) -> str | None:
    """The direction a client without isolate support gives a line: that of its first strong character."""
    for char in line:
        kind = unicodedata.bidirectional(char)
        if kind in ("L", "R", "AL"):
            return "L" if kind == "L" else "R"
    return None


def test_without_isolation_a_command_reads_backwards() -> None:
    """The check above can fail: unshaped text shows the reversed command it looks for."""
    assert "/start" not in get_display("أرسلي /start")
    assert "/start" in get_display(right_to_left("أرسلي /start"))


def test_an_arabic_name_does_not_turn_an_english_line_around() -> None:
    en = Translator("en")
    line = en._("{name} would like you to be her mentor").format(name=en.value("فاطمة"))
    shown = get_display(line)
    assert shown.index("would like") > shown.index("ةمطاف")  # her name on the left, the sentence after it
    assert shown.endswith("mentor")


def test_numbers_and_latin_words_are_isolated_but_tags_are_not() -> None:
    shaped = right_to_left("<b>مرحبا</b> Novo Nordisk: 12:30 {name}")
    assert "<b>" in shaped and "\u2066Novo Nordisk\u2069" in shaped and "\u206612:30\u2069" in shaped
    assert "\u2068{name}\u2069" in shaped


async def test_an_arabic_help_list_reads_right_to_left_with_commands_in_order(engine, people, sessions) -> None:
    amina = await mentee(engine, people)
    async with sessions() as session, session.begin():
        await session.execute(update(User).where(User.external_id == amina.ref.user_id).values(locale="ar"))
    await amina.send("/help")
    lines = [line for line in TAG.sub("", amina.last.text).split("\n") if line.strip()]
    commands = [line for line in lines if "/" in line]
    assert len(commands) >= 5
    for line in lines:
        assert _naive_direction(line) == "R", line
        assert get_display(line) == get_display(line, base_dir="R"), line
    for line in commands:
        assert re.search(r"/[a-z]+", get_display(line)), get_display(line)  # "/profile", never "profile/"
