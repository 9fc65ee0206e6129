"""The neutral message model every platform adapter speaks.

Adapters turn their updates into `Inbound` and render `Reply`. Texts use a tiny HTML subset (<b>, <i>) with every
user-supplied value escaped, which Telegram understands as-is and the console strips.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"
    UNSUPPORTED = "unsupported"  # photo, sticker, voice, location, contact, document...


@dataclass(frozen=True)
class UserRef:
    platform: str
    user_id: str
    chat_id: str


@dataclass(frozen=True)
class Inbound:
    user: UserRef
    kind: Kind
    text: str = ""
    payload: str = ""  # a button's action: never user data, at most 64 bytes
    display_name: str = ""  # the name the platform knows her by, offered as her first name
    locale_hint: str | None = None
    update_id: int | None = None  # platforms that redeliver set this, so an update is handled once

    @property
    def command(self) -> str:
        """`/start@MentornetBot payload` -> `start`."""
        if self.kind is not Kind.COMMAND:
            return ""
        return self.text.split()[0][1:].split("@")[0].lower()

    @property
    def command_args(self) -> str:
        parts = self.text.split(maxsplit=1)
        return parts[1] if len(parts) > 1 else ""


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    edit: bool = False  # replace the message whose button was pressed instead of sending a new one
    to: UserRef | None = None  # None: the chat the inbound came from

    def button_titles(self) -> list[str]:
        return [b.title for row in self.buttons for b in row]
