"""python -m bot [auto|console|polling]: settings -> storage -> engine -> adapter."""

from __future__ import annotations

import argparse
import asyncio
import logging

from bot.settings import Settings
from conversations.kernel.engine import Engine
from conversations.kernel.i18n import preload
from storage import demo, repo
from storage.db import make_engine, migrate, sessionmaker

log = logging.getLogger("bot")


async def main(mode: str, settings: Settings) -> None:
    if mode == "polling" and not settings.bot_token:
        raise SystemExit("BOT_TOKEN is not set: polling needs a Telegram bot token (or run `python -m bot console`).")
    db = make_engine(settings.database_url)
    await migrate(db)
    sessions = sessionmaker(db)
    preload()
    platform = "telegram" if mode == "polling" else demo.PLATFORM
    coordinators = settings.coordinator_ids if mode == "polling" else (*settings.coordinator_ids, demo.COORDINATOR_ID)
    async with sessions() as session, session.begin():
        await repo.prune_updates(session)
        await repo.bootstrap_coordinators(session, platform, coordinators)
        if mode == "console" and await demo.seed(session):
            print("Demo data added: three approved mentors and one coordinator, all marked (demo).")
    engine = Engine(sessions, coordinator_ids=coordinators)
    try:
        if mode == "polling":
            from bot.telegram.app import run_polling

            await run_polling(engine, settings.bot_token, settings.telegram_api_base)
        else:
            from bot.console import run_console

            await run_console(engine)
    finally:
        await db.dispose()


def cli(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Mentornet bot. With BOT_TOKEN set it runs on Telegram; without, a console chat opens.",
    )
    parser.add_argument(
        "mode",
        nargs="?",
        default="auto",
        choices=["auto", "console", "polling"],
        help="auto (default): polling when BOT_TOKEN is set, else console; "
        "console: chat in this terminal on demo data; polling: run on Telegram by long polling",
    )
    args = parser.parse_args(argv)
    settings = Settings()
    mode = args.mode if args.mode != "auto" else ("polling" if settings.bot_token else "console")
    logging.basicConfig(
        # The console is a chat window: only problems are logged there.
        level=settings.log_level if mode == "polling" else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    asyncio.run(main(mode, settings))


if __name__ == "__main__":
    cli()
