"""The Telegram side of a process, started and stopped around a block, against a fake Bot API."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from bot.telegram.app import TelegramService
from conversations.kernel.engine import Engine
from tests.fakebotapi import FakeBotAPI


@contextlib.asynccontextmanager
async def running(engine: Engine, api: FakeBotAPI, **options: object) -> AsyncIterator[TelegramService]:
    service = TelegramService(engine, api.token, api.base_url, **options)  # type: ignore[arg-type]
    await service.start()
    try:
        yield service
    finally:
        await service.stop()
