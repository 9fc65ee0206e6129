"""Translations chosen explicitly per user: scheduled sends have no incoming update to take a locale from."""

from __future__ import annotations

import gettext
import html
import io
import math
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.units import format_unit

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
DOMAIN = "messages"

# The order users see on the language picker; each name is written in its own script.
LANGUAGES: dict[str, str] = {
    "da": "Dansk",
    "en": "English",
    "uk": "Українська",
    "ar": "العربية",
    "fa": "فارسی",
    "ti": "ትግርኛ",
    "so": "Soomaali",
    "tr": "Türkçe",
}
DEFAULT_LOCALE = "en"
RTL = frozenset({"ar", "fa"})
# Dates, times and lists follow these locales: English speakers in Denmark get day-before-month and 24 hours.
FORMATS = {"en": "en_DK"}
LRM, RLM = "\u200e", "\u200f"
LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"
COPENHAGEN = ZoneInfo("Europe/Copenhagen")

# What an Arabic or Persian template must keep left to right: a command with its Latin arguments, a placeholder
# (its value's direction is unknown), a run of Latin words, a number. Tags are matched first and left alone.
_LTR_PARTS = re.compile(
    r"(?P<tag><[^<>]+>)"
    r"|(?P<command>/[a-z_]+(?:[ \u00a0](?:[A-Za-z0-9][\w.&'’-]*|\{[a-z_]+\}))*)"
    r"|(?P<placeholder>\{[a-z_]*\})"
    r"|(?P<latin>[A-Za-z\u00c0-\u024f][\w.&'’-]*(?:[ \u00a0]+[A-Za-z0-9\u00c0-\u024f][\w.&'’-]*)*)"
    r"|(?P<number>[0-9]+(?:[.,:/–-][0-9]+)*)"
)


class Contextual(str):
    """A label whose msgid alone is ambiguous ("Education": her schooling, or a professional field)."""

    context: str

    def __new__(cls, context: str, message: str) -> Contextual:
        label = super().__new__(cls, message)
        label.context = context
        return label


def N_(message: str) -> str:
    """Marks a string for extraction; it is translated later, when a user's locale is known."""
    return message


def NC_(context: str, message: str) -> Contextual:
    """N_ with a context (msgctxt), for short labels that mean different things in different places."""
    return Contextual(context, message)


def _strong(char: str) -> str | None:
    kind = unicodedata.bidirectional(char)
    return "rtl" if kind in ("R", "AL") else "ltr" if kind == "L" else None


def plain(text: str) -> str:
    """Text without the direction marks and isolates the translator adds, for comparing with what she typed."""
    return text.translate(_MARKS)


_MARKS = dict.fromkeys(map(ord, LRM + RLM + LRI + FSI + PDI + "\u2067"))


def width(text: str) -> float:
    """How wide a label is on a phone, in Latin letters: Ge'ez letters are about 1.4 wide, an emoji about 2."""
    total = 0.0
    for char in plain(text):
        code = ord(char)
        if 0x1200 <= code <= 0x139F or 0x2D80 <= code <= 0x2DDF:
            total += 1.4
        elif unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        elif unicodedata.category(char) == "So" or code >= 0x1F000:
            total += 2
        else:
            total += 1
    return total


def directed(text: str) -> str:
    """Every line of a message laid out in the message's direction, also by clients that take a line's direction
    from its first letter and know nothing of isolates: a line of a right-to-left message that would start left to
    right (a command, a Latin name, a date in code-composed text) gets a right-to-left mark, and the other way
    round. The message's direction is that of most of its letters outside isolated values."""
    letters = [_strong(c) for c in _ISOLATED.sub("", text)]
    return _marked(text, "rtl" if letters.count("rtl") > letters.count("ltr") else "ltr")


def _marked(text: str, own: str) -> str:
    """Each line whose first strong letter (or isolate) is not of direction `own` gets `own`'s mark in front."""
    mark = RLM if own == "rtl" else LRM
    lines = []
    for line in text.split("\n"):
        first = next((c for c in _TAGS.sub("", line) if c in (LRI, FSI) or _strong(c)), None)
        lines.append(line if first is None or _strong(first) == own else mark + line)
    return "\n".join(lines)


_TAGS = re.compile(r"<[^<>]+>")


_ISOLATED = re.compile("[\u2066\u2067\u2068][^\u2069]*\u2069")


def has_rtl(text: str) -> bool:
    return any(_strong(c) == "rtl" for c in text)


def right_to_left(template: str) -> str:
    """Isolate what reads left to right inside an Arabic or Persian template, and give every line that would not
    start with a right-to-left letter a right-to-left mark, so that clients without isolate support agree."""

    def isolate(match: re.Match[str]) -> str:
        if match.lastgroup == "tag":
            return match.group()
        opener = FSI if match.lastgroup == "placeholder" else LRI
        return f"{opener}{match.group()}{PDI}"

    return _marked(_LTR_PARTS.sub(isolate, template), "rtl")


def pick_locale(hint: str | None) -> str:
    """`uk-UA` -> `uk`; anything we do not speak -> English."""
    if hint:
        code = hint.replace("_", "-").split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return DEFAULT_LOCALE


@cache
def _translations(locale: str) -> gettext.NullTranslations:
    # Compiled from the .po in memory: the catalogs are the single source, there is no build step to forget.
    po = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


@cache
def _shaped(locale: str, text: str) -> str:
    return right_to_left(text) if locale in RTL else text


class Translator:
    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in LANGUAGES else DEFAULT_LOCALE
        self._t = _translations(self.locale)
        self.babel = Locale.parse(FORMATS.get(self.locale, self.locale))

    @property
    def rtl(self) -> bool:
        return self.locale in RTL

    def _(self, message: str) -> str:
        context = getattr(message, "context", None)
        if context is not None:
            return self.pgettext(context, message)
        return _shaped(self.locale, self._t.gettext(message))

    def pgettext(self, context: str, message: str) -> str:
        return _shaped(self.locale, self._t.pgettext(context, message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form of `plural` her language uses for `n`; placeholders are filled by the caller."""
        return _shaped(self.locale, self._t.ngettext(singular, plural, n))

    def value(self, value: object) -> str:
        """A user-supplied or computed value, safe inside HTML and isolated from the text's direction: always in
        right-to-left text, and in left-to-right text when it holds right-to-left letters (an Arabic name at the
        start of an English line would otherwise turn the whole line around)."""
        text = html.escape(str(value), quote=False)
        if self.rtl:
            return f"{FSI}{text}{PDI}"
        return f"{LRM}{FSI}{text}{PDI}" if has_rtl(text) else text

    def join(self, items: Iterable[str]) -> str:
        """ "a, b and c" in her language's words and punctuation."""
        items = list(items)
        return format_list(items, locale=self.babel) if items else "—"

    def label(self, label: str, value: str) -> str:
        """ "Label: value", with her language's colon."""
        return self._("{label}: {value}").format(label=label, value=value)

    def quote(self, text: str) -> str:
        """Her words quoted with her language's quotation marks."""
        return self._("“{text}”").format(text=text)

    def hours(self, value: float) -> str:
        """ "1.5 hours", "1,5 timer": the number and the word in her language."""
        numbers = Locale.parse(self.locale)  # "1.5 hours" in English, not the Danish "1,5"
        shown = format_unit(round(value, 1), "duration-hour", length="long", locale=numbers)
        if "duration-hour" not in shown:
            return shown
        # Babel's data for Persian lacks this unit; the catalog has it.
        number = format_decimal(round(value, 1), locale=numbers)
        return self.ngettext("{count} hour", "{count} hours", math.ceil(value)).format(count=number)

    def date(self, value: date | datetime) -> str:
        return format_date(value, format="long", locale=self.babel)

    def day(self, value: date) -> str:
        """A short day for a button: "Tue 3 Mar", "tir. 3. mar.", in her locale's order and script."""
        return format_skeleton("MMMEd", datetime.combine(value, time(12)), locale=self.babel)

    def clock(self, value: datetime) -> str:
        return format_time(value, format="short", tzinfo=COPENHAGEN, locale=self.babel)

    def when(self, value: datetime) -> str:
        """A meeting's day and time in Copenhagen: "Tuesday, 3 March 14:00"."""
        day = format_skeleton("MMMMEEEEd", value, tzinfo=COPENHAGEN, locale=self.babel)
        # The locale's own glue between a date and a time ("{1}, {0}", "{1} {0}", "{1}، {0}").
        return str(self.babel.datetime_formats["medium"]).replace("{1}", day).replace("{0}", self.clock(value))

    def language_name(self, code: str) -> str:
        """A language's name as written inside a sentence ("taler arabisk")."""
        label = LANGUAGE_NAMES.get(code)
        return self._(label) if label is not None else code

    def languages(self, codes: Iterable[str]) -> str:
        """A list of languages at the start of a line: "Arabisk, dansk og engelsk"."""
        listed = self.join(self.language_name(code) for code in codes)
        return listed[:1].upper() + listed[1:]

    def language_label(self, code: str) -> str:
        """A language's name standing alone, on a button or at the start of a list."""
        name = self.language_name(code)
        return name[:1].upper() + name[1:]


# Names of the languages a woman can say she speaks, as her own catalog spells them.
LANGUAGE_NAMES: dict[str, str] = {
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    "da": NC_("language", "Danish"),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    "en": NC_("language", "English"),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    "ar": NC_("language", "Arabic"),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    "fa": NC_("language", "Persian (Dari)"),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    "uk": NC_("language", "Ukrainian"),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    "ru": NC_("language", "Russian"),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    "ti": NC_("language", "Tigrinya"),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    "am": NC_("language", "Amharic"),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    "so": NC_("language", "Somali"),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    "tr": NC_("language", "Turkish"),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    "ku": NC_("language", "Kurdish"),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    "ps": NC_("language", "Pashto"),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    "ur": NC_("language", "Urdu"),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    "fr": NC_("language", "French"),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    "de": NC_("language", "German"),
    # NOTE: button, ≤ 27 characters (✓ when chosen)
    "es": NC_("language", "Spanish"),
}


def preload() -> None:
    """Parse every catalog once at start-up instead of on the first message in each language."""
    for code in LANGUAGES:
        _translations(code)
