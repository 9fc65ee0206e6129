"""Configuration from the environment (or a .env file)."""

from __future__ import annotations

from typing import Annotated

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    bot_token: str = ""
    telegram_api_base: str = "https://api.telegram.org"
    database_url: str = "sqlite:///mentornet.db"
    coordinator_ids: Annotated[tuple[str, ...], NoDecode] = ()
    log_level: str = "INFO"

    @field_validator("coordinator_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value
