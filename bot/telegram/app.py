"""The Telegram adapter: aiogram receives updates, the engine answers, send.py renders."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import BotCommand, CallbackQuery, ChatMemberUpdated, Message, Update

from bot.outbox_runner import run_outbox
from bot.scheduler import start_clock
from bot.telegram import convert
from bot.telegram.send import deliver, send_one
from conversations.commands import MENU
from conversations.kernel.engine import Engine
from conversations.kernel.i18n import DEFAULT_LOCALE, LANGUAGES, Translator

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]


def make_bot(token: str, api_base: str) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_base.rstrip("/")))
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def make_dispatcher(engine: Engine) -> Dispatcher:
    router = Router(name="mentornet")

    @router.message()
    async def on_message(message: Message, bot: Bot, event_update: Update) -> None:
        inbound = convert.from_message(message, event_update.update_id)
        if inbound is None:
            return

        blocked: set[int] = set()

        async def send(replies: list) -> None:
            blocked.update(await deliver(bot, message.chat.id, replies))

        await engine.handle(inbound, send)
        await mark_blocked(engine, blocked)

    @router.callback_query()
    async def on_button(query: CallbackQuery, bot: Bot, event_update: Update) -> None:
        inbound = convert.from_callback(query, event_update.update_id)
        if inbound is None or query.message is None:
            await query.answer()
            return
        chat_id, message_id = query.message.chat.id, query.message.message_id

        blocked: set[int] = set()

        async def send(replies: list) -> None:
            blocked.update(await deliver(bot, chat_id, replies, pressed_message_id=message_id))

        # Every callback query is answered, or her phone shows a spinner on the button. Only after the engine
        # has taken her turn: awaiting the answer first would let her next update overtake this tap.
        try:
            await engine.handle(inbound, send)
        finally:
            await query.answer()
        await mark_blocked(engine, blocked)

    @router.my_chat_member()
    async def on_membership(event: ChatMemberUpdated) -> None:
        if event.chat.type == "private":
            blocked = event.new_chat_member.status == "kicked"
            await engine.set_blocked(convert.PLATFORM, str(event.from_user.id), blocked)

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    return dispatcher


async def mark_blocked(engine: Engine, chat_ids: set[int]) -> None:
    # A private chat's id is the user's id. Called after her turn, when her lock is free again.
    for chat_id in chat_ids:
        await engine.set_blocked(convert.PLATFORM, str(chat_id), True)


async def set_commands(bot: Bot) -> None:
    """The command menu in each language; users whose app language we do not speak get English."""
    for code in (None, *LANGUAGES):
        t = Translator(code or DEFAULT_LOCALE)
        commands = [BotCommand(command=name, description=t._(description)) for name, description in MENU]
        await bot.set_my_commands(commands, language_code=code)


async def run_polling(engine: Engine, token: str, api_base: str) -> None:
    bot = make_bot(token, api_base)
    dispatcher = make_dispatcher(engine)
    clock = None
    try:
        me = await bot.get_me()
        log.info("running as @%s", me.username)
        engine.join_link = lambda code: f"https://t.me/{me.username}?start={code}"
        await set_commands(bot)

        clock = start_clock(engine)
        stop = asyncio.Event()
        sender = asyncio.create_task(run_outbox(engine, lambda reply: send_one(bot, reply), stop))
        await dispatcher.start_polling(bot, allowed_updates=ALLOWED_UPDATES, handle_signals=True)
    finally:
        if clock is not None:
            clock.shutdown(wait=False)
            stop.set()
            await sender
        await bot.session.close()
