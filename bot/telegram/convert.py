"""Telegram update -> neutral Inbound."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message, User

from conversations.kernel.messages import Inbound, Kind, UserRef

PLATFORM = "telegram"


def _ref(user: User, chat_id: int) -> UserRef:
    return UserRef(PLATFORM, str(user.id), str(chat_id))


def from_message(message: Message, update_id: int | None) -> Inbound | None:
    user = message.from_user
    if user is None or user.is_bot or message.chat.type != "private":
        return None  # a mentoring conversation is one to one; groups and channels are not ours
    common = {"display_name": user.first_name, "locale_hint": user.language_code, "update_id": update_id}
    if message.text is not None:
        kind = Kind.COMMAND if message.text.startswith("/") else Kind.TEXT
        return Inbound(_ref(user, message.chat.id), kind, text=message.text, **common)
    # Photos, stickers, voice notes, locations, contacts, documents...: we say kindly that we read text only.
    return Inbound(_ref(user, message.chat.id), Kind.UNSUPPORTED, text=message.content_type, **common)


def from_callback(query: CallbackQuery, update_id: int | None) -> Inbound | None:
    message = query.message
    if message is None or query.data is None:
        return None
    return Inbound(
        _ref(query.from_user, message.chat.id),
        Kind.BUTTON,
        payload=query.data,
        display_name=query.from_user.first_name,
        locale_hint=query.from_user.language_code,
        update_id=update_id,
        message_id=str(message.message_id),
    )
