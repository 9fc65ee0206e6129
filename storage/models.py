"""Tables. Conversation state is a row like everything else, so a restart resumes every user where she was."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {datetime: DateTime(timezone=True), dict[str, Any]: JSON, list[str]: JSON}


class User(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(8))
    role: Mapped[str | None] = mapped_column(String(16))  # mentee | mentor | coordinator
    first_name: Mapped[str | None] = mapped_column(String(64))
    consent_version: Mapped[int | None] = mapped_column(Integer)
    consent_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]
    blocked_at: Mapped[datetime | None]
    onboarded_at: Mapped[datetime | None]
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class MenteeProfile(Base):
    __tablename__ = "mentee_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    region: Mapped[str] = mapped_column(String(16))
    fields: Mapped[list[str]]
    education: Mapped[str] = mapped_column(String(16))
    experience: Mapped[str] = mapped_column(String(8))
    languages: Mapped[list[str]]
    danish: Mapped[str] = mapped_column(String(16))
    goals: Mapped[list[str]]
    about: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MentorProfile(Base):
    __tablename__ = "mentor_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    job_title: Mapped[str] = mapped_column(String(80))
    employer: Mapped[str] = mapped_column(String(80))
    fields: Mapped[list[str]]
    experience: Mapped[str] = mapped_column(String(8))
    region: Mapped[str] = mapped_column(String(16))
    languages: Mapped[list[str]]
    meeting_modes: Mapped[list[str]]
    capacity: Mapped[int] = mapped_column(Integer)
    about: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | approved | rejected | paused
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Conversation(Base):
    __tablename__ = "conversations"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    step: Mapped[str] = mapped_column(String(32))
    # Bumped whenever a new question is asked; buttons carry it, so a press on an older message is recognised.
    seq: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ProcessedUpdate(Base):
    """Telegram delivers at least once; an update id seen here is not handled again."""

    __tablename__ = "processed_updates"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
