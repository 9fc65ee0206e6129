"""Neutral Reply -> Telegram calls, within Telegram's limits."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.outbox_runner import RetryLater, Undeliverable
from conversations.kernel.messages import Reply

log = logging.getLogger(__name__)

TEXT_LIMIT = 4096
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


async def send_one(bot: Bot, reply: Reply) -> None:
    """One outbox message, with the platform's refusals turned into the outbox's terms."""
    assert reply.to is not None
    try:
        if reply.replace is not None:
            chat_id, message_id = int(reply.to.chat_id), int(reply.replace)
            if not await _edit(bot, chat_id, message_id, reply, keyboard(reply)):
                log.info("progress message %s in chat %s could not be edited", message_id, chat_id)
            return
        await _send(bot, int(reply.to.chat_id), reply, keyboard(reply))
    except TelegramRetryAfter as exc:
        raise RetryLater(exc.retry_after) from exc
    except TelegramForbiddenError as exc:
        raise Undeliverable(str(exc)) from exc


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

    *head, tail = chunks(reply.text)
    for piece in head:
        await call(lambda piece=piece: bot.send_message(target, piece))
    await call(lambda: bot.send_message(target, tail, reply_markup=markup))
    if reply.attachment is not None:
        content = reply.attachment.content
        data = content if isinstance(content, bytes) else content.encode()
        file = BufferedInputFile(data, filename=reply.attachment.filename)
        if reply.attachment.mime == "image/png":
            await call(lambda: bot.send_photo(target, file))
        else:
            await call(lambda: bot.send_document(target, file))


async def deliver(bot: Bot, chat_id: int, replies: list[Reply], pressed_message_id: int | None = None) -> set[int]:
    """Send or edit; returns the chats that turned out to have blocked the bot."""
    blocked: set[int] = set()
    for reply in replies:
        target = int(reply.to.chat_id) if reply.to else chat_id
        markup = keyboard(reply)
        try:
            if reply.edit and pressed_message_id is not None and reply.to is None and len(reply.text) <= TEXT_LIMIT:
                if await _edit(bot, target, pressed_message_id, reply, markup):
                    continue
            await _send(bot, target, reply, markup, patient=True)
        except TelegramForbiddenError:
            log.info("chat %s blocked the bot; reply dropped", target)
            blocked.add(target)
    return blocked


async def _edit(bot: Bot, chat_id: int, message_id: int, reply: Reply, markup: InlineKeyboardMarkup | None) -> bool:
    try:
        await bot.edit_message_text(text=reply.text, chat_id=chat_id, message_id=message_id, reply_markup=markup)
    except TelegramBadRequest as exc:
        if "message is not modified" in exc.message:
            return True  # a double tap that changed nothing
        log.info("could not edit message %s (%s); sending a new one", message_id, exc.message)
        return False
    return True
