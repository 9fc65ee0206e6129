"""One word for one thing: each catalog uses its glossary's approved term and none of the banned variants.

`locales/<code>/glossary.tsv` has four columns: `source` (a regular expression for the English term, matched as
whole words in the msgid, commands and placeholders left out), `approved` (the forms a translation must contain
at least one of, ` | `-separated, matched anywhere so that a stem covers its endings), `banned` (` | `-separated
variants that must not appear; a variant matches whole words, and a `*` at either end opens that end) and `note`.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

import pytest
from babel.messages.pofile import read_po

from conversations.kernel.i18n import LANGUAGES, LOCALES_DIR

IGNORED = re.compile(r"/[a-z_]+|\{[^{}]*\}|<[^>]+>")


@dataclass(frozen=True)
class Term:
    source: re.Pattern[str]
    approved: tuple[str, ...]
    banned: tuple[re.Pattern[str], ...]


def _variant(form: str) -> re.Pattern[str]:
    start = "" if form.startswith("*") else r"(?<!\w)"
    end = "" if form.endswith("*") else r"(?!\w)"
    return re.compile(start + re.escape(form.strip("*")) + end, re.IGNORECASE)


def _split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split("|") if part.strip()]


def glossary(locale: str) -> list[Term]:
    with (LOCALES_DIR / locale / "glossary.tsv").open(newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [
        Term(
            re.compile(rf"(?<!\w)(?:{row['source']})(?!\w)", re.IGNORECASE),
            tuple(form.lower() for form in _split(row["approved"])),
            tuple(_variant(form) for form in _split(row["banned"])),
        )
        for row in rows
    ]


def _translations(locale: str) -> list[tuple[str, str]]:
    """(source, translation) pairs, one per plural form."""
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    pairs = []
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            pairs += [(message.id[1], form) for form in message.string if form]
        elif message.string:
            pairs.append((message.id, message.string))
    return pairs


@pytest.mark.parametrize("locale", LANGUAGES)
def test_glossary_covers_every_term(locale: str) -> None:
    terms = glossary(locale)
    assert len(terms) >= 12
    assert all(term.approved for term in terms), f"{locale}: a term without an approved translation"


@pytest.mark.parametrize("locale", LANGUAGES)
def test_catalog_follows_its_glossary(locale: str) -> None:
    problems = []
    for term in glossary(locale):
        for source, translation in _translations(locale):
            text = IGNORED.sub(" ", translation)
            for banned in term.banned:
                if found := banned.search(text):
                    problems.append(f"banned {found.group()!r} in {translation!r}")
            if term.source.search(IGNORED.sub(" ", source)) and not any(f in text.lower() for f in term.approved):
                problems.append(f"{term.source.pattern}: none of {term.approved} in {translation!r}")
    assert not problems, f"{locale}: {len(problems)} problems\n" + "\n".join(sorted(set(problems)))


def test_glossary_regexes_find_their_terms() -> None:
    """The source column must match the English it describes, or the check above would pass vacuously."""
    sources = [source for source, _ in _translations("en")]
    for term in glossary("en"):
        assert any(term.source.search(IGNORED.sub(" ", s)) for s in sources), term.source.pattern


def test_a_banned_variant_is_found() -> None:
    assert _variant("ven").search("min ven Amina") and not _variant("ven").search("veninde")
    assert _variant("*تعاون*").search("والتعاون") and not _variant("تعاون").search("والتعاون")
