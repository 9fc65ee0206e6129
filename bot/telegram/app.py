"""The Telegram side of one process: updates in (polling or webhook) -> inbox -> steps -> outbox -> Telegram.

Everything a step decides is committed before anything is confirmed or sent; see the README's architecture
section for what that guarantees when the process is killed or the database goes away.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramUnauthorizedError
from aiogram.types import BotCommand
from aiohttp import web

from bot import health
from bot.inbox_runner import InboxWorkers
from bot.outbox_runner import run_outbox
from bot.pacer import Pacer
from bot.scheduler import start_clock
from bot.telegram.polling import ALLOWED_UPDATES, Poller
from bot.telegram.send import acknowledge, live_sender, send_one
from bot.telegram.webhook import InboxRequestHandler
from conversations.commands import MENU
from conversations.kernel.engine import Engine
from conversations.kernel.i18n import DEFAULT_LOCALE, LANGUAGES, Translator, plain

log = logging.getLogger(__name__)
SHUTDOWN_SECONDS = 9.0  # under the 10 s most platforms give between SIGTERM and SIGKILL


class RefusedToken(Exception):
    """Telegram does not know this BOT_TOKEN."""


def make_bot(token: str, api_base: str) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_base.rstrip("/")))
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


async def set_commands(bot: Bot) -> None:
    """The command menu in each language; users whose app language we do not speak get English."""
    for code in (None, *LANGUAGES):
        t = Translator(code or DEFAULT_LOCALE)
        commands = [BotCommand(command=name, description=plain(t._(description))) for name, description in MENU]
        await bot.set_my_commands(commands, language_code=code)


@dataclass
class Webhook:
    url: str
    secret: str


class TelegramService:
    """Polling (no `webhook`) or webhook; health checks on `port` in both (None: no HTTP server, for tests)."""

    def __init__(
        self,
        engine: Engine,
        token: str,
        api_base: str,
        *,
        webhook: Webhook | None = None,
        host: str = "0.0.0.0",
        port: int | None = None,
        poll_timeout: int = 25,
        clock: bool = True,
    ) -> None:
        self.engine = engine
        self.bot = make_bot(token, api_base)
        self.webhook = webhook
        self.host, self.port = host, port
        self.stop_event = asyncio.Event()
        self.pacer = Pacer()
        self.workers = InboxWorkers(
            engine, live_sender(self.bot, self.pacer), lambda inbound: acknowledge(self.bot, inbound)
        )
        self.poller = None if webhook else Poller(self.bot, engine, self.workers, timeout=poll_timeout)
        self.use_clock = clock
        self._tasks: list[asyncio.Task[None]] = []
        self._runner: web.AppRunner | None = None
        self._clock = None

    @property
    def address(self) -> tuple[str, int] | None:
        """Where the HTTP server listens, once started."""
        return self._runner.addresses[0][:2] if self._runner and self._runner.addresses else None

    async def start(self) -> None:
        try:
            me = await self.bot.get_me()
        except TelegramUnauthorizedError as exc:
            await self.bot.session.close()
            raise RefusedToken from exc
        log.info("running as @%s", me.username)
        self.engine.join_link = lambda code: f"https://t.me/{me.username}?start={code}"
        await set_commands(self.bot)
        if self.use_clock:
            self._clock = start_clock(self.engine)
        self._tasks = [
            asyncio.create_task(self.workers.run(self.stop_event), name="inbox"),
            asyncio.create_task(
                run_outbox(self.engine, lambda reply: send_one(self.bot, reply), self.stop_event, pacer=self.pacer),
                name="outbox",
            ),
        ]
        app = web.Application()
        health.add_routes(app, self.engine)
        if self.webhook is not None:
            path = "/" + self.webhook.url.split("://", 1)[-1].partition("/")[2]
            InboxRequestHandler(self.bot, self.engine, self.workers, self.webhook.secret).register(app, path=path)
        if self.port is not None:
            self._runner = await health.serve(app, self.host, self.port)
        if self.webhook is not None:
            await self.bot.set_webhook(
                self.webhook.url,
                secret_token=self.webhook.secret,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            )
            log.info("webhook set")
        else:
            await self.bot.delete_webhook(drop_pending_updates=False)
            self._tasks.append(asyncio.create_task(self.poller.run(self.stop_event), name="poller"))  # type: ignore[union-attr]

    async def stop(self, within: float = SHUTDOWN_SECONDS) -> None:
        """Stop taking updates, let the steps in flight finish, release leases and locks; at most `within` s."""
        self.stop_event.set()
        try:
            if self._runner is not None:
                await asyncio.wait_for(self._runner.cleanup(), within / 3)  # no new webhook posts
        except Exception:
            log.warning("the HTTP server did not stop cleanly")
        if self._clock is not None:
            self._clock.shutdown(wait=False)
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=within * 2 / 3)
            for task in pending:  # what is left is durable: rows stay in the inbox and the outbox
                task.cancel()
            results = await asyncio.gather(*self._tasks, return_exceptions=True)
            for task, result in zip(self._tasks, results, strict=True):
                if isinstance(result, Exception):
                    log.error("%s stopped with %s", task.get_name(), type(result).__name__)
        await self.bot.session.close()

    async def serve(self) -> None:
        """Run until SIGTERM or SIGINT, or until a part of it stops on its own."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop_event.set)
        await self.start()
        try:
            waits = [asyncio.ensure_future(self.stop_event.wait()), *self._tasks]
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            log.info("stopping")
        finally:
            await self.stop()


async def run_telegram(engine: Engine, token: str, api_base: str, **options: object) -> None:
    await TelegramService(engine, token, api_base, **options).serve()  # type: ignore[arg-type]
