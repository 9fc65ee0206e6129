"""Webhook mode: Telegram posts each update; the answer is 200 only once the update is committed to the inbox.

aiogram's request handler checks Telegram's `secret_token` on every request (wrong or missing: 401, nothing is
stored). A failed insert answers 503, and Telegram delivers the update again. Several instances behind a load
balancer share the inbox in one PostgreSQL database, each taking whole queues with SKIP LOCKED.
"""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from pydantic import ValidationError

from bot.inbox_runner import InboxWorkers
from bot.telegram import convert
from conversations.kernel.engine import Engine

log = logging.getLogger(__name__)


class InboxRequestHandler(SimpleRequestHandler):
    def __init__(self, bot: Bot, engine: Engine, workers: InboxWorkers, secret: str) -> None:
        super().__init__(Dispatcher(), bot, handle_in_background=False, secret_token=secret)
        self.engine = engine
        self.workers = workers

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        try:
            update = Update.model_validate(await request.json(), context={"bot": bot})
        except (ValueError, ValidationError):
            return web.Response(status=400, text="not an update")
        stored = convert.stored(update)
        membership = convert.membership(update)
        try:
            await self.engine.receive(
                convert.PLATFORM, [stored] if stored else [], dict([membership] if membership else [])
            )
        except Exception as exc:
            log.warning(
                "could not store update %s (%s); Telegram will send it again", update.update_id, type(exc).__name__
            )
            return web.Response(status=503, text="not stored; send it again")
        self.workers.wake([(convert.PLATFORM, stored.user_key)] if stored else [])
        return web.Response(status=200)
