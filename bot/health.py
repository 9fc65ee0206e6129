"""Health checks for the hosting platform: `/healthz` (the process answers) and `/readyz` (it can do its work).

`/readyz` is 200 only when the database answers and carries the newest migration; its JSON also shows how much
waits in the inbox and the outbox and for how long, so a stuck worker or sender shows before anyone complains.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from conversations.kernel.engine import Engine
from storage.db import migrations_current

log = logging.getLogger(__name__)


def add_routes(app: web.Application, engine: Engine) -> None:
    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_request: web.Request) -> web.Response:
        try:
            current = await asyncio.wait_for(migrations_current(engine.database), 5)
            backlog = await asyncio.wait_for(engine.backlog(), 5)
        except Exception as exc:
            return web.json_response({"status": "database unreachable", "error": type(exc).__name__}, status=503)
        body = {
            "status": "ok" if current else "migrations behind",
            "migrations_current": current,
            **{name: {"waiting": b.waiting, "oldest_seconds": round(b.oldest_seconds, 1)} for name, b in backlog.items()},
        }  # fmt: skip
        return web.json_response(body, status=200 if current else 503)

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)


async def serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Start serving `app`; the caller cleans the runner up on shutdown."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("listening on %s:%s", host, runner.addresses[0][1] if runner.addresses else port)
    return runner
