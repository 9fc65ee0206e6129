"""Every language complete: no untranslated or fuzzy entry, placeholders, markup and commands intact."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from conversations.kernel.i18n import LANGUAGES, LOCALES_DIR

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
TAG = re.compile(r"</?[a-z]+>")
COMMAND = re.compile(r"/[a-z]+\b")


def _catalog(locale: str):  # type: ignore[no-untyped-def]
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=locale)


def _template_ids() -> set[str]:
    with (LOCALES_DIR / "messages.pot").open("rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


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
                if name in ("_", "N_") and isinstance(node.args[0].value, str):
                    found.add(node.args[0].value)
    return found


def test_template_matches_the_code() -> None:
    """A string added in code but not extracted would silently stay English."""
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    extracted = set()
    for package in ("conversations", "bot"):
        for _file, _line, message, _comments, _context in extract_from_dir(ROOT / package, keywords=keywords):
            extracted.add(message if isinstance(message, str) else message[0])
    assert extracted == _template_ids(), "run `make catalogs` and translate the new strings"
    missing = _marked_in_code() - extracted
    assert not missing, f"marked for translation but invisible to the extractor (inside an f-string?): {missing}"


@pytest.mark.parametrize("locale", LANGUAGES)
def test_catalog_is_complete_and_well_formed(locale: str) -> None:
    catalog = _catalog(locale)
    expected = _template_ids()
    present = {m.id for m in catalog if m.id}
    assert expected <= present, f"missing in {locale}: {sorted(expected - present)[:5]}"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if not message.string:
            problems.append(f"untranslated: {message.id!r}")
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        for what, pattern in (("placeholders", PLACEHOLDER), ("markup", TAG), ("commands", COMMAND)):
            if sorted(pattern.findall(message.id)) != sorted(pattern.findall(message.string)):
                problems.append(f"{what} differ: {message.id!r} -> {message.string!r}")
        problems += [f"{message.id!r}: {error}" for error in _babel_errors(catalog, message)]
    assert not problems, f"{locale}:\n" + "\n".join(problems)


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
