"""Neutral Reply -> Telegram calls, within Telegram's limits."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.outbox_runner import NoSuchChat, RetryLater, Undeliverable
from bot.pacer import Pacer
from conversations.kernel.messages import Inbound, Media, Reply

log = logging.getLogger(__name__)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
PLATFORM = "telegram"
CALLBACK_DATA_LIMIT = 64


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    for row in reply.buttons:
        for button in row:
            if not 1 <= len(button.payload.encode()) <= CALLBACK_DATA_LIMIT:
                raise ValueError(f"callback data must be 1-64 bytes: {button.payload!r}")
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b.title, callback_data=b.payload) for b in row] for row in reply.buttons
        ]
    )


def chunks(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split at line breaks: our markup never spans a line, so every piece stays valid HTML."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single enormous line: cut it hard
            if current:
                pieces.append(current)
                current = ""
            cut = _hard_cut(line, limit)
            pieces.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def _hard_cut(line: str, limit: int) -> int:
    """Cut before an entity (`&amp;`) or a tag (`<b>`) that the limit would split: Telegram refuses half of one."""
    cut = limit
    for opener, closer in (("&", ";"), ("<", ">")):
        start = line.rfind(opener, 0, limit)
        if start > 0 and line.find(closer, start, limit) == -1:
            cut = min(cut, start)
    return cut


async def send_one(bot: Bot, reply: Reply, *, patient: bool = False) -> None:
    """One outbox row, with the platform's refusals turned into the outbox's terms.

    `replace` rewrites an earlier message: a pressed button's card (`edit`: if it cannot be rewritten, the answer
    comes as a new message) or a live progress message (left as it was if it cannot)."""
    assert reply.to is not None
    if reply.to.platform != PLATFORM or not reply.to.chat_id.lstrip("-").isdigit():
        raise NoSuchChat(f"no Telegram chat for a {reply.to.platform} user")
    chat_id = int(reply.to.chat_id)
    try:
        if reply.replace is not None:
            if await _edit(bot, chat_id, int(reply.replace), reply, keyboard(reply)):
                return
            if not reply.edit:
                log.info("progress message %s could not be edited", reply.replace)
                return
        await _send(bot, chat_id, reply, keyboard(reply), patient=patient)
    except TelegramRetryAfter as exc:
        raise RetryLater(exc.retry_after) from exc
    except TelegramForbiddenError as exc:
        raise Undeliverable(str(exc)) from exc
    except TelegramBadRequest as exc:
        if "chat not found" in exc.message:
            raise NoSuchChat("Telegram knows no such chat") from exc
        raise


def live_sender(bot: Bot, pacer: Pacer, tries: int = 4) -> Callable[[Reply], Awaitable[None]]:
    """The fast path for answers to a woman who is talking to the bot: first in the shared budget, and patient
    with a 429 for a few rounds before the paced sender takes over."""

    async def send(reply: Reply) -> None:
        assert reply.to is not None
        for attempt in range(tries):
            await pacer.wait(reply.to.chat_id, live=True)
            try:
                await send_one(bot, reply, patient=True)
                return
            except RetryLater as exc:
                pacer.pause(exc.seconds)
                if attempt == tries - 1:
                    raise

    return send


async def acknowledge(bot: Bot, inbound: Inbound) -> None:
    """Every pressed button is answered, or her phone shows a spinner on it."""
    if inbound.ack is not None:
        with contextlib.suppress(TelegramBadRequest):  # too old to answer: the spinner has stopped already
            await bot.answer_callback_query(inbound.ack)


async def _send(
    bot: Bot, target: int, reply: Reply, markup: InlineKeyboardMarkup | None, *, patient: bool = False
) -> None:
    """`patient`: a direct answer waits out a 429 and goes again; the outbox instead pauses all its workers."""

    async def call(method: Callable[[], Awaitable[object]]) -> None:
        for attempt in range(3 if patient else 1):
            try:
                await method()
                return
            except TelegramRetryAfter as exc:
                if attempt == 2 or not patient:
                    raise
                await asyncio.sleep(exc.retry_after)

    if reply.media is not None and len(reply.text) <= CAPTION_LIMIT:
        await call(lambda: _send_media(bot, target, reply.media, reply.text, markup))
        return
    *head, tail = chunks(reply.text)
    for piece in head:
        await call(lambda piece=piece: bot.send_message(target, piece))
    if reply.media is not None:  # a caption too long for the file: the text first, the file with the buttons
        await call(lambda: bot.send_message(target, tail))
        await call(lambda: _send_media(bot, target, reply.media, "", markup))
        return
    await call(lambda: bot.send_message(target, tail, reply_markup=markup))
    if reply.attachment is not None:
        content = reply.attachment.content
        data = content if isinstance(content, bytes) else content.encode()
        file = BufferedInputFile(data, filename=reply.attachment.filename)
        if reply.attachment.mime == "image/png":
            await call(lambda: bot.send_photo(target, file))
        else:
            await call(lambda: bot.send_document(target, file))


async def _send_media(bot: Bot, target: int, media: Media, caption: str, markup: InlineKeyboardMarkup | None) -> None:
    """A file she sent, passed on by Telegram's file id: the bot never downloads it."""
    if media.kind == "photo":
        await bot.send_photo(target, media.ref, caption=caption or None, reply_markup=markup)
    elif media.kind == "voice":
        await bot.send_voice(target, media.ref, caption=caption or None, reply_markup=markup)
    else:
        await bot.send_document(target, media.ref, caption=caption or None, reply_markup=markup)


async def _edit(bot: Bot, chat_id: int, message_id: int, reply: Reply, markup: InlineKeyboardMarkup | None) -> bool:
    if len(reply.text) > TEXT_LIMIT:
        return False  # an edit cannot be split into pieces
    try:
        await bot.edit_message_text(text=reply.text, chat_id=chat_id, message_id=message_id, reply_markup=markup)
    except TelegramBadRequest as exc:
        if "message is not modified" in exc.message:
            return True  # a double tap that changed nothing
        # Telegram's reason without its detail: "can't parse entities: ..." goes on to quote the message.
        reason = ":".join(exc.message.split(":", 2)[:2])
        log.info("could not edit message %s (%s); sending a new one", message_id, reason)
        return False
    return True
