"""python -m bot [auto|console|polling|webhook]: settings -> storage -> engine -> adapter."""

from __future__ import annotations

import argparse
import asyncio
import errno
import itertools
import logging
import sys

from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import CONSOLE_DATABASE, Settings, SettingsError, load
from storage import logsafe
from storage.demo import RealUsersPresent, holds_real_users

# The rest is imported once the settings are known to be right: a mistake is reported in a moment, not after the
# two seconds aiogram takes to load, and the console never loads it at all.

log = logging.getLogger("bot")
MODES = ("auto", "console", "polling", "webhook")


async def reach_database(db: AsyncEngine, console: bool = False) -> None:
    """Migrate, waiting for the database if it cannot be reached yet (a restart during an outage, a database that
    boots slower than the bot): the platform's health check shows not ready meanwhile. The console first makes
    sure no real woman is in it (RealUsersPresent), before anything there is changed."""
    from storage.db import is_transient, migrate  # see the note at the imports

    for attempt in itertools.count():
        try:
            if console and await holds_real_users(db):
                raise RealUsersPresent
            await migrate(db)
            return
        except Exception as exc:
            if not is_transient(exc):
                raise
            log.warning("the database cannot be reached (%s); trying again", type(exc).__name__)
            await asyncio.sleep(min(0.5 * 2**attempt, 10.0))


async def main(mode: str, settings: Settings) -> None:
    from conversations.kernel.engine import Engine  # see the note at the imports
    from conversations.kernel.i18n import preload
    from storage import demo, repo
    from storage.db import make_engine, sessionmaker

    db = make_engine(settings.console_database_url if mode == "console" else settings.database_url)
    try:
        await reach_database(db, console=mode == "console")
    except BaseException:
        await db.dispose()
        raise
    sessions = sessionmaker(db)
    preload()
    on_telegram = mode in ("polling", "webhook")
    platform = "telegram" if on_telegram else demo.PLATFORM
    coordinators = settings.coordinator_ids if on_telegram else (*settings.coordinator_ids, demo.COORDINATOR_ID)
    async with sessions() as session, session.begin():
        await repo.prune_updates(session)
        if removed := await repo.sync_coordinators(session, platform, coordinators):
            log.warning("%s coordinators not in COORDINATOR_IDS any more lost the role", len(removed))
        if mode == "console" and await demo.seed(session):
            print("Demo data added: three approved mentors and one coordinator, all marked (demo).")
    engine = Engine(sessions, coordinator_ids=coordinators, limits=settings.limits, privacy=settings.privacy)
    try:
        if mode == "console":
            from bot.console import run_console

            await run_console(engine)
            return
        from bot.telegram.app import Webhook, run_telegram

        webhook = Webhook(settings.webhook_url, settings.webhook_secret) if mode == "webhook" else None
        await run_telegram(
            engine, settings.bot_token, settings.telegram_api_base, webhook=webhook, host=settings.host,
            port=settings.port,
        )  # fmt: skip
    finally:
        await db.dispose()


def choose_mode(requested: str, settings: Settings) -> str:
    if requested == "auto":
        return ("webhook" if settings.webhook_url else "polling") if settings.bot_token else "console"
    if requested in ("polling", "webhook") and not settings.bot_token:
        raise SettingsError(
            f"BOT_TOKEN is not set: {requested} needs a Telegram bot token (or run `python -m bot console`)"
        )
    if requested == "webhook" and not settings.webhook_url:
        raise SettingsError("WEBHOOK_URL is not set: webhook mode needs the public https address Telegram posts to")
    return requested


def console_refusal(settings: Settings) -> str:
    """One line: why the console will not start, and how to give it its own database (no URL is repeated)."""
    if "console_database_url" in settings.model_fields_set:
        fix = f"unset CONSOLE_DATABASE_URL to use the console's own database ({CONSOLE_DATABASE})"
    else:
        fix = "set CONSOLE_DATABASE_URL to a database of the console's own, such as sqlite:///demo.db"
    return f"Cannot start the console: its database holds real users, and demo data never goes there; {fix}"


def cli(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Mentornet bot. With BOT_TOKEN set it runs on Telegram; without, a console chat opens.",
    )
    parser.add_argument(
        "mode",
        nargs="?",
        default="auto",
        choices=MODES,
        help="auto (default): webhook when WEBHOOK_URL is set, else polling when BOT_TOKEN is set, else console; "
        "console: chat in this terminal on demo data; polling: Telegram by long polling; webhook: Telegram posts "
        "updates to WEBHOOK_URL (production)",
    )
    args = parser.parse_args(argv)
    try:
        settings = load()
        mode = choose_mode(args.mode, settings)
    except SettingsError as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    # The console is a chat window: only problems are logged there.
    logsafe.configure(settings.level if mode != "console" else logging.WARNING)
    try:
        asyncio.run(main(mode, settings))
    except KeyboardInterrupt:
        pass  # Ctrl-C in the console: a quiet goodbye
    except RealUsersPresent:
        print(console_refusal(settings), file=sys.stderr)
        raise SystemExit(2) from None
    except OSError as exc:
        # Most likely the port: say so, without a traceback.
        where = f" (HOST {settings.host}, PORT {settings.port})" if exc.errno == errno.EADDRINUSE else ""
        print(f"Cannot start: {exc.strerror or type(exc).__name__}{where}", file=sys.stderr)
        raise SystemExit(2) from None
    except ArgumentError:
        print("Cannot start: DATABASE_URL could not be used", file=sys.stderr)
        raise SystemExit(2) from None
    except Exception as exc:
        if type(exc).__name__ != "RefusedToken":  # bot.telegram.app's, not imported here (see above)
            raise
        print("Cannot start: Telegram refused BOT_TOKEN (check it with @BotFather)", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    cli()
