"""The neutral message model every platform adapter speaks.

Adapters turn their updates into `Inbound` and render `Reply`. Texts use a tiny HTML subset (<b>, <i>) with every
user-supplied value escaped, which Telegram understands as-is and the console strips.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from enum import StrEnum

from conversations.kernel.i18n import directed, width

ROW_WIDTH = 30  # Latin letters across a small phone's keyboard row


class Kind(StrEnum):
    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"
    MEDIA = "media"  # a document, photo or voice note she sent: passed on by reference where a step takes files
    UNSUPPORTED = "unsupported"  # sticker, location, contact, video...
    ACK = "ack"  # nothing to answer, only to acknowledge (a button the platform sent without its data)


@dataclass(frozen=True)
class Media:
    """A file by the platform's own reference: the bot passes it on and never downloads or keeps the content."""

    kind: str  # document | photo | voice
    ref: str  # the platform's file id
    name: str = ""  # a document's file name, as she sent it

    def as_list(self) -> list[str]:
        return [self.kind, self.ref, self.name]


MEDIA_KINDS = frozenset({"document", "photo", "voice"})


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
    message_id: str | None = None  # the platform's id of the message whose button was pressed
    ack: str | None = None  # what the platform wants acknowledged once handled (a pressed button's spinner)
    media: Media | None = None  # Kind.MEDIA: the file; `text` is its caption

    def as_payload(self) -> dict:
        """A JSON-safe form, for the inbox."""
        payload = {"platform": self.user.platform, "user": self.user.user_id, "chat": self.user.chat_id}
        payload["kind"] = self.kind.value
        for name in ("text", "payload", "display_name", "locale_hint", "update_id", "message_id", "ack"):
            if value := getattr(self, name):
                payload[name] = value
        if self.media is not None:
            payload["media"] = self.media.as_list()
        return payload

    @classmethod
    def from_payload(cls, payload: dict) -> Inbound:
        fields = {k: v for k, v in payload.items() if k not in ("platform", "user", "chat", "kind", "media")}
        media = Media(*payload["media"]) if payload.get("media") else None
        user = UserRef(payload["platform"], payload["user"], payload["chat"])
        return cls(user, Kind(payload["kind"]), media=media, **fields)

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
class Attachment:
    """A small text file sent with a message, such as a calendar invitation."""

    filename: str
    content: str | bytes
    mime: str = "text/calendar"


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    edit: bool = False  # replace the message whose button was pressed instead of sending a new one
    to: UserRef | None = None  # None: the chat the inbound came from
    attachment: Attachment | None = None
    replace: str | None = None  # the platform's id of an earlier message to rewrite (a live progress message)
    media: Media | None = None  # a file passed on by reference; `text` goes with it as its caption

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", directed(self.text))
        object.__setattr__(self, "buttons", fit(self.buttons))

    def as_payload(self) -> dict:
        """A JSON-safe form, for the outbox."""
        payload: dict = {"text": self.text, "buttons": [[[b.title, b.payload] for b in row] for row in self.buttons]}
        if self.attachment is not None:
            content = self.attachment.content
            if isinstance(content, bytes):
                content = {"base64": base64.b64encode(content).decode()}
            payload["attachment"] = [self.attachment.filename, content, self.attachment.mime]
        if self.edit:
            payload["edit"] = True
        if self.replace is not None:
            payload["replace"] = self.replace
        if self.media is not None:
            payload["media"] = self.media.as_list()
        return payload

    @classmethod
    def from_payload(cls, payload: dict, to: UserRef) -> Reply:
        buttons = tuple(tuple(Button(title, data) for title, data in row) for row in payload.get("buttons", []))
        attachment = None
        if payload.get("attachment"):
            filename, content, mime = payload["attachment"]
            if isinstance(content, dict):
                content = base64.b64decode(content["base64"])
            attachment = Attachment(filename, content, mime)
        media = Media(*payload["media"]) if payload.get("media") else None
        return cls(
            payload["text"], buttons, to=to, attachment=attachment, edit=payload.get("edit", False),
            replace=payload.get("replace"), media=media,
        )  # fmt: skip

    def button_titles(self) -> list[str]:
        return [b.title for row in self.buttons for b in row]


def fit(keyboard: tuple[tuple[Button, ...], ...]) -> tuple[tuple[Button, ...], ...]:
    """A row whose labels do not fit their share of a phone's width, in her language, becomes one row per button
    instead of cutting the labels off."""
    fitted: list[tuple[Button, ...]] = []
    for row in keyboard:
        if len(row) > 1 and any(width(b.title) > ROW_WIDTH / len(row) for b in row):
            fitted += [(b,) for b in row]
        elif row:
            fitted.append(tuple(row))
    return tuple(fitted)
