"""English is the source language: its catalog repeats each msgid, so English is complete by construction."""

from pathlib import Path

from babel.messages.pofile import read_po, write_po

path = Path(__file__).parent / "en" / "LC_MESSAGES" / "messages.po"
with path.open("rb") as fh:
    catalog = read_po(fh, locale="en")
for message in catalog:
    if message.id:
        message.string = message.id
        message.flags.discard("fuzzy")
with path.open("wb") as fh:
    write_po(fh, catalog, omit_header=False)
