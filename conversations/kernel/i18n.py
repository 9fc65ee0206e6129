"""Translations chosen explicitly per user: scheduled sends have no incoming update to take a locale from."""

from __future__ import annotations

import gettext
import html
import io
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

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
FSI, PDI = "\u2068", "\u2069"
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def N_(message: str) -> str:
    """Marks a string for extraction; it is translated later, when a user's locale is known."""
    return message


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


class Translator:
    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in LANGUAGES else DEFAULT_LOCALE
        self._t = _translations(self.locale)
        self.babel = Locale.parse(self.locale)

    @property
    def rtl(self) -> bool:
        return self.locale in RTL

    def _(self, message: str) -> str:
        return self._t.gettext(message)

    def value(self, value: object) -> str:
        """A user-supplied or computed value, safe inside HTML and isolated from the text's direction."""
        text = html.escape(str(value), quote=False)
        return f"{FSI}{text}{PDI}" if self.rtl else text

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
        name = self.babel.languages.get(code) or Locale.parse(DEFAULT_LOCALE).languages.get(code, code)
        return name[:1].upper() + name[1:]


def preload() -> None:
    """Parse every catalog once at start-up instead of on the first message in each language."""
    for code in LANGUAGES:
        _translations(code)
