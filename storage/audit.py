"""The coordinators' audit log: who approved, rejected, cancelled, exported, broadcast or changed an event, when.

Subjects are internal ids ("user:12"), never names, so an entry says nothing about a woman who later deletes her
account. Entries are kept two years (see storage/retention.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry

KEPT_DAYS = 730


def record(
    session: AsyncSession, coordinator_id: int, action: str, subject: str | None, now: datetime, **detail: Any
) -> None:
    session.add(
        AuditEntry(at=now, coordinator_id=coordinator_id, action=action, subject=subject, detail=detail or None)
    )


async def recent(session: AsyncSession, limit: int = 30) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    return list((await session.execute(query)).scalars().all())


async def prune(session: AsyncSession, before: datetime) -> int:
    return (await session.execute(delete(AuditEntry).where(AuditEntry.at < before))).rowcount or 0
