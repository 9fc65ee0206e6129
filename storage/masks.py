"""Lists of option codes as integer bit masks, so matching can score overlaps in SQL on any database.

A code's bit is its position in the option list: new options are appended, never inserted, or stored masks
would change meaning.
"""

from __future__ import annotations

from collections.abc import Iterable

from conversations.kernel.options import FIELDS, GOALS, SPOKEN_LANGUAGES


def _positions(codes: Iterable[str]) -> dict[str, int]:
    return {code: i for i, code in enumerate(codes)}


FIELD_BITS = _positions(o.code for o in FIELDS)
GOAL_BITS = _positions(o.code for o in GOALS)
# "Another language" has no bit: two women who both speak some other language may not share one.
LANGUAGE_BITS = _positions(SPOKEN_LANGUAGES)


def bits(codes: Iterable[str] | None, positions: dict[str, int]) -> list[int]:
    return [positions[c] for c in codes or () if c in positions]


def mask(codes: Iterable[str] | None, positions: dict[str, int]) -> int:
    value = 0
    for bit in bits(codes, positions):
        value |= 1 << bit
    return value
