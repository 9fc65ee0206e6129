"""What is refused before a step runs: text no database can store and buttons no flow could have made.

Refusing here, with a kind word, beats letting the step's query fail: a failed query rolls the step back and she
only hears an apology, while this tells her what to do and keeps everything she had entered.
"""

from __future__ import annotations

import re

MAX_ID = 2**31 - 1  # ids and counts are 32-bit integers in PostgreSQL
# NUL cannot be stored in a PostgreSQL text; a lone surrogate cannot be encoded at all.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
PAYLOAD = re.compile(r"[\x21-\x7e]*")  # our buttons carry printable ASCII only


def unstorable(text: str) -> bool:
    return UNSTORABLE.search(text) is not None


def forged(payload: str) -> bool:
    """A button payload none of our keyboards makes: characters we never use, or a number past any id."""
    if not PAYLOAD.fullmatch(payload):
        return True
    return any(part.isdigit() and int(part) > MAX_ID for part in payload.split(":"))
