"""In-app notifications, never twice for the same thing."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import Notification


async def notify_once(
    session: AsyncSession,
    *,
    recipient_id: UUID,
    kind: str,
    vacancy_id: UUID | None,
    title: str,
    body: dict[str, Any],
) -> Notification | None:
    """Store a notification unless this recipient already has one of this kind for this vacancy.

    Returns the new notification, or None when it existed. The unique constraint
    decides, so two workers racing on the same match still store one.
    """
    exists = await session.scalar(
        select(Notification.id).where(
            Notification.recipient_id == recipient_id,
            Notification.kind == kind,
            Notification.vacancy_id == vacancy_id,
        )
    )
    if exists is not None:
        return None
    notification = Notification(
        recipient_id=recipient_id, kind=kind, vacancy_id=vacancy_id, title=title, body=body
    )
    try:
        async with session.begin_nested():
            session.add(notification)
    except IntegrityError:
        return None
    return notification
