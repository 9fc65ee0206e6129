"""Configuration from the environment (or a .env file), checked before anything starts.

A mistake here ends the program with one line naming the setting and exit code 2 (see `bot/__main__.py`); the
messages never repeat a value, so a token pasted into the wrong variable does not end up in a log.
"""

from __future__ import annotations

import logging
import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import PositiveInt, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

TOKEN = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{20,100}")
SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as a webhook secret_token
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
CONSOLE_DATABASE = "sqlite:///mentornet-console.db"
LIMIT_KINDS = ("relay", "request", "problem", "meeting", "report", "answer")


class SettingsError(Exception):
    """One line for the operator: which setting is wrong and what it should look like."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    bot_token: str = ""
    telegram_api_base: str = "https://api.telegram.org"
    database_url: str = "sqlite:///mentornet.db"
    # The console's own: demo data never goes near the bot's database unless it is named here.
    console_database_url: str = CONSOLE_DATABASE
    coordinator_ids: Annotated[tuple[str, ...], NoDecode] = ()
    log_level: str = "INFO"
    webhook_url: str = ""
    webhook_secret: str = ""
    host: str = "0.0.0.0"
    port: int = 8080
    # Named in the privacy notice; see the README's "Your data" for what the periods mean.
    data_controller: str = "Mentornet"
    privacy_contact: str = ""
    keep_messages_days: PositiveInt = 30
    ask_inactive_months: PositiveInt = 18
    delete_inactive_months: PositiveInt = 24
    purge_unfinished_days: PositiveInt = 90
    # Limits per woman (LIMIT_RELAY_BURST, LIMIT_RELAY_EVERY, ...): how many at once, then one more every so many
    # seconds. Unset: the defaults in conversations/kernel/limits.py.
    limit_relay_burst: PositiveInt | None = None
    limit_relay_every: PositiveInt | None = None
    limit_request_burst: PositiveInt | None = None
    limit_request_every: PositiveInt | None = None
    limit_problem_burst: PositiveInt | None = None
    limit_problem_every: PositiveInt | None = None
    limit_meeting_burst: PositiveInt | None = None
    limit_meeting_every: PositiveInt | None = None
    limit_report_burst: PositiveInt | None = None
    limit_report_every: PositiveInt | None = None
    limit_answer_burst: PositiveInt | None = None
    limit_answer_every: PositiveInt | None = None

    @field_validator("bot_token")
    @classmethod
    def _token(cls, value: str) -> str:
        value = value.strip()
        if value and not TOKEN.fullmatch(value):
            raise ValueError("BOT_TOKEN does not look like a bot token (digits, a colon, then letters and digits)")
        return value

    @field_validator("telegram_api_base", "webhook_url")
    @classmethod
    def _http_url(cls, value: str, info) -> str:  # type: ignore[no-untyped-def]
        value = value.strip()
        if info.field_name == "webhook_url" and not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or " " in value:
            raise ValueError(f"{info.field_name.upper()} must be an http(s) address, such as https://example.org")
        return value

    @field_validator("database_url", "console_database_url")
    @classmethod
    def _database(cls, value: str, info) -> str:  # type: ignore[no-untyped-def]
        value = value.strip()
        try:
            url = make_url(value)
        except ArgumentError:
            url = None
        if url is None or not url.drivername.startswith(("sqlite", "postgres")):
            raise ValueError(f"{info.field_name.upper()} must be sqlite:///path.db or postgresql://user@host/database")
        return value

    @field_validator("coordinator_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        if any(not part.isdigit() for part in value):  # type: ignore[union-attr]
            raise ValueError("COORDINATOR_IDS must be Telegram user ids (numbers), separated by commas")
        return value

    @field_validator(*(f"limit_{kind}_{part}" for kind in LIMIT_KINDS for part in ("burst", "every")), mode="before")
    @classmethod
    def _limit(cls, value: object, info) -> object:  # type: ignore[no-untyped-def]
        if isinstance(value, str):
            value = value.strip() or None  # set but empty: the default
        if value is not None and not (str(value).isdigit() and int(value) > 0):
            raise ValueError(f"{info.field_name.upper()} must be a whole number above 0")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.strip().upper() not in LEVELS:
            raise ValueError("LOG_LEVEL must be one of " + ", ".join(LEVELS))
        return value.strip().upper()

    @field_validator("webhook_secret")
    @classmethod
    def _secret(cls, value: str) -> str:
        if value and not SECRET.fullmatch(value):
            raise ValueError("WEBHOOK_SECRET may hold only letters, digits, _ and -, at most 256")
        return value

    @model_validator(mode="after")
    def _webhook_pair(self) -> Settings:
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("WEBHOOK_SECRET must be set with WEBHOOK_URL: it is how a request proves it is Telegram")
        return self

    @property
    def level(self) -> int:
        return logging.getLevelName(self.log_level)

    @property
    def privacy(self):  # type: ignore[no-untyped-def]  # conversations' type, imported late (see bot/__main__.py)
        from conversations.kernel.flow import Privacy
        from storage.retention import Retention

        periods = Retention(
            self.keep_messages_days, self.ask_inactive_months, self.delete_inactive_months, self.purge_unfinished_days
        )
        return Privacy(self.data_controller.strip() or "Mentornet", self.privacy_contact.strip(), periods)

    @property
    def limits(self) -> dict[str, tuple[int | None, int | None]]:
        """(burst, seconds per one more) by kind; None where the default stays."""
        return {
            kind: (getattr(self, f"limit_{kind}_burst"), getattr(self, f"limit_{kind}_every")) for kind in LIMIT_KINDS
        }


def load() -> Settings:
    """The settings, or a SettingsError with one line per mistake (no values)."""
    try:
        return Settings()
    except ValidationError as exc:
        lines = []
        for error in exc.errors(include_input=False, include_url=False):
            ours = error.get("ctx", {}).get("error")  # our ValueError: its message names the setting
            where = str(error["loc"][0]).upper() if error["loc"] else "settings"
            lines.append(str(ours) if ours else f"{where}: {error['msg']}")
        raise SettingsError("; ".join(lines)) from None
