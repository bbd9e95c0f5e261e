"""Each user's in-app notifications."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from advanced_alchemy.service import OffsetPagination
from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from sqlalchemy import func, select

from kohtaanto.api.auth import AuthRequest
from kohtaanto.api.errors import not_found
from kohtaanto.api.schemas import Db
from kohtaanto.db.models import Notification


class NotificationOut(msgspec.Struct):
    id: UUID
    kind: str
    title: str
    vacancy_id: UUID | None
    body: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


def notification_out(n: Notification) -> NotificationOut:
    return NotificationOut(
        id=n.id,
        kind=n.kind,
        title=n.title,
        vacancy_id=n.vacancy_id,
        body=n.body,
        created_at=n.created_at,
        read_at=n.read_at,
    )


class NotificationController(Controller):
    path = "/api/notifications"
    tags = ["notifications"]

    @get("/", operation_id="listNotifications")
    async def list_notifications(
        self,
        request: AuthRequest,
        db_session: Db,
        unread: FromQuery[bool] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> OffsetPagination[NotificationOut]:
        """The user's own notifications, newest first."""
        query = select(Notification).where(Notification.recipient_id == request.user.id)
        if unread:
            query = query.where(Notification.read_at.is_(None))
        total = await db_session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = (
            await db_session.scalars(
                query.order_by(Notification.created_at.desc()).limit(limit).offset(offset)
            )
        ).all()
        return OffsetPagination(
            items=[notification_out(n) for n in rows], limit=limit, offset=offset, total=total
        )

    @post("/{notification_id:uuid}/read", operation_id="markNotificationRead", status_code=200)
    async def mark_read(
        self, request: AuthRequest, db_session: Db, notification_id: FromPath[UUID]
    ) -> NotificationOut:
        n = await db_session.get(Notification, notification_id)
        if n is None or n.recipient_id != request.user.id:
            raise not_found("Notification")
        n.read_at = n.read_at or datetime.now(UTC)
        return notification_out(n)
