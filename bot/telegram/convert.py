"""Telegram update -> neutral Inbound."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message, Update, User

from conversations.kernel.messages import Inbound, Kind, Media, UserRef
from storage.inbox import Stored

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
    if (media := _media(message)) is not None:  # the reference only: nothing is downloaded
        return Inbound(_ref(user, message.chat.id), Kind.MEDIA, text=message.caption or "", media=media, **common)
    # Stickers, locations, contacts, videos...: we say kindly that we read text, files and voice notes.
    return Inbound(_ref(user, message.chat.id), Kind.UNSUPPORTED, text=message.content_type, **common)


def _media(message: Message) -> Media | None:
    if message.document is not None:
        return Media("document", message.document.file_id, message.document.file_name or "")
    if message.photo:
        return Media("photo", message.photo[-1].file_id)  # the largest size Telegram made
    if message.voice is not None:
        return Media("voice", message.voice.file_id)
    return None


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
        ack=query.id,
    )


def stored(update: Update) -> Stored | None:
    """What goes into the inbox: the neutral message, keyed by her id so her updates run in order. A pressed
    button that is not ours to handle (no data, no message) is still stored, so its spinner is answered."""
    inbound = None
    if update.message is not None:
        inbound = from_message(update.message, update.update_id)
    elif update.callback_query is not None:
        query = update.callback_query
        inbound = from_callback(query, update.update_id)
        if inbound is None:
            ref = UserRef(PLATFORM, str(query.from_user.id), str(query.from_user.id))
            inbound = Inbound(ref, Kind.ACK, update_id=update.update_id, ack=query.id)
    if inbound is None:
        return None
    return Stored(update.update_id, inbound.user.user_id, inbound.as_payload())


def membership(update: Update) -> tuple[str, bool] | None:
    """(her id, blocked?) when she blocked or unblocked the bot in her private chat."""
    event = update.my_chat_member
    if event is None or event.chat.type != "private":
        return None
    return str(event.from_user.id), event.new_chat_member.status == "kicked"
