"""Every language complete: no untranslated or fuzzy entry, placeholders, markup and commands intact."""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from conversations.kernel.i18n import LANGUAGES, LOCALES_DIR

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
TAG = re.compile(r"</?[a-z]+>")
COMMAND = re.compile(r"/[a-z]+\b")
EASTERN_DIGITS = re.compile("[\u0660-\u0669\u06f0-\u06f9]")


def _catalog(locale: str):  # type: ignore[no-untyped-def]
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=locale)


def _key(message) -> tuple[str | None, str]:  # type: ignore[no-untyped-def]
    return message.context, message.id if isinstance(message.id, str) else message.id[0]


def _template_ids() -> set[tuple[str | None, str]]:
    with (LOCALES_DIR / "messages.pot").open("rb") as fh:
        return {_key(m) for m in read_po(fh) if m.id}


def _marked_in_code() -> set[str]:
    """Every literal passed to `_()` or `N_()`, found with Python's own parser: unlike gettext extractors it
    also sees calls inside f-strings, which would otherwise stay English without anyone noticing."""
    found = set()
    for package in ("conversations", "bot"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
                    continue
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in ("_", "N_", "ngettext") and isinstance(node.args[0].value, str):
                    found.add((None, node.args[0].value))
                if name in ("NC_", "pgettext") and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                    found.add((node.args[0].value, node.args[1].value))
    return found


def test_template_matches_the_code() -> None:
    """A string added in code but not extracted would silently stay English."""
    keywords = {**DEFAULT_KEYWORDS, "N_": None, "NC_": ((1, "c"), 2)}
    extracted = set()
    for package in ("conversations", "bot"):
        for _file, _line, message, _comments, context in extract_from_dir(ROOT / package, keywords=keywords):
            extracted.add((context, message if isinstance(message, str) else message[0]))
    assert extracted == _template_ids(), "run `make catalogs` and translate the new strings"
    missing = _marked_in_code() - extracted
    assert not missing, f"marked for translation but invisible to the extractor (inside an f-string?): {missing}"


@pytest.mark.parametrize("locale", LANGUAGES)
def test_catalog_is_complete_and_well_formed(locale: str) -> None:
    catalog = _catalog(locale)
    expected = _template_ids()
    present = {_key(m) for m in catalog if m.id}
    assert expected <= present, f"missing in {locale}: {sorted(expected - present)[:5]}"
    problems = []
    singles = _single_number_forms(catalog)
    for message in catalog:
        if not message.id:
            continue
        plural = isinstance(message.id, tuple)
        source = message.id[1] if plural else message.id
        forms = message.string if plural else (message.string,)
        if not all(forms):
            problems.append(f"untranslated: {message.id!r}")
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if plural and len(forms) != catalog.num_plurals:
            problems.append(f"{len(forms)} plural forms instead of {catalog.num_plurals}: {message.id!r}")
        for index, form in enumerate(forms):
            for what, pattern in (("placeholders", PLACEHOLDER), ("markup", TAG), ("commands", COMMAND)):
                expected, found = sorted(pattern.findall(source)), sorted(pattern.findall(form))
                # A form used for one number only ("one", "two") may spell the number out instead.
                if plural and what == "placeholders" and index in singles and "{count}" not in found:
                    expected = [p for p in expected if p != "{count}"]
                if expected != found:
                    problems.append(f"{what} differ: {message.id!r} -> {form!r}")
        problems += [f"{message.id!r}: {error}" for error in _babel_errors(catalog, message)]
    assert not problems, f"{locale}:\n" + "\n".join(problems)


def _single_number_forms(catalog) -> set[int]:  # type: ignore[no-untyped-def]
    """Plural forms the catalog's rule picks for exactly one number."""
    rule = gettext.c2py(catalog.plural_expr)
    numbers: dict[int, set[int]] = {}
    for n in range(1000):
        numbers.setdefault(rule(n), set()).add(n)
    return {index for index, ns in numbers.items() if len(ns) == 1}


@pytest.mark.parametrize("locale", LANGUAGES)
def test_plural_forms_follow_the_languages_rules(locale: str) -> None:
    """Each plural form stands for one CLDR category (one, two, few, many...), or the language has a single form.
    Babel writes Arabic's "other" before "many", GNU gettext the other way round: either is fine as long as the
    catalog's own rule and its translations agree, which the category map in the README tells translators."""
    catalog = _catalog(locale)
    rule, cldr = gettext.c2py(catalog.plural_expr), Locale.parse(locale).plural_form
    categories: dict[int, str] = {}
    for n in range(1000):
        assert categories.setdefault(rule(n), cldr(n)) == cldr(n) or catalog.num_plurals == 1, (locale, n)
    assert catalog.num_plurals in (1, len({cldr(n) for n in range(1000)}))


@pytest.mark.parametrize("locale", LANGUAGES)
def test_one_digit_convention(locale: str) -> None:
    """Dates, times and numbers come from code in Western digits, so the catalogs use them too."""
    catalog = _catalog(locale)
    for message in catalog:
        for form in message.string if isinstance(message.string, tuple) else (message.string,):
            assert not EASTERN_DIGITS.search(form or ""), (locale, form)


def _babel_errors(catalog, message) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(error) for error in message.check(catalog)]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
@pytest.mark.parametrize("locale", LANGUAGES)
def test_msgfmt_accepts_catalog(locale: str, tmp_path: Path) -> None:
    po = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "out.mo"), str(po)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
