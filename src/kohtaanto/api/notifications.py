"""Each user's in-app notifications, and how they want them delivered."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from advanced_alchemy.service import OffsetPagination
from litestar import Controller, get, post, put
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, FromQuery, JSONBody

from kohtaanto.api.errors import invalid, not_found
from kohtaanto.api.schemas import Db, PageLimit, PageOffset, page_of, page_out
from kohtaanto.auth import AuthRequest
from kohtaanto.db.models import Notification, NotifyFrequency, Role, User
from kohtaanto.domain import notifications
from kohtaanto.domain.delivery import new_webhook_secret
from kohtaanto.domain.notifications import link_for, title
from kohtaanto.domain.outbound import UnsafeTarget, check_target
from kohtaanto.i18n import DEFAULT_LANGUAGE
from kohtaanto.settings import get_settings


class NotificationOut(msgspec.Struct):
    """A notification: ``kind`` and ``params`` are what happened (ids as strings);
    ``title`` says it in the user's language (``language`` of their preferences);
    ``link`` the page it is about, for the recipient."""

    id: UUID
    kind: str
    title: str
    vacancy_id: UUID | None
    params: dict[str, Any]
    created_at: datetime
    read_at: datetime | None
    link: str | None = None


Language = Literal["fi", "sv", "en"]


class MarkedRead(msgspec.Struct):
    marked: int


def notification_out(n: Notification, user: User | None = None) -> NotificationOut:
    role = user.role if user is not None else None
    lang = user.language if user is not None else DEFAULT_LANGUAGE
    params = n.params or {}
    return NotificationOut(
        id=n.id,
        kind=n.kind,
        title=title(n.kind, params, lang, role),
        vacancy_id=n.vacancy_id,
        params=params,
        created_at=n.created_at,
        read_at=n.read_at,
        link=link_for(n.kind, params, n.vacancy_id, role) if role else None,
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
        limit: PageLimit = 50,
        offset: PageOffset = 0,
    ) -> OffsetPagination[NotificationOut]:
        """The user's own notifications, newest first."""
        page = await notifications.list_for(
            db_session, request.user, page_of(limit, offset), unread=unread
        )
        user = request.user
        return page_out(page, lambda n: notification_out(n, user))

    @post("/read-all", operation_id="markAllNotificationsRead", status_code=200)
    async def mark_all(self, request: AuthRequest, db_session: Db) -> MarkedRead:
        """Mark all the user's notifications read."""
        return MarkedRead(marked=await notifications.mark_all_read(db_session, request.user))

    @post("/{notification_id:uuid}/read", operation_id="markNotificationRead", status_code=200)
    async def mark_read(
        self, request: AuthRequest, db_session: Db, notification_id: FromPath[UUID]
    ) -> NotificationOut:
        n = await notifications.mark_read(db_session, request.user, notification_id)
        return notification_out(n, request.user)


# Webhooks feed the service's own case systems, so only staff may have one.
WEBHOOK_ROLES = frozenset({Role.COORDINATOR, Role.COACH, Role.ADMIN})


class Preferences(msgspec.Struct):
    """How the user is told of new notifications; the in-app inbox always has them."""

    notify_frequency: NotifyFrequency
    webhook_url: str | None
    webhook_secret_set: bool
    # The language of the user's e-mails and of ``title`` here (fi, sv, en).
    language: Language
    # Present only in the answer that created it: it is not shown again.
    webhook_secret: str | None = None


class PreferencesWrite(msgspec.Struct, forbid_unknown_fields=True):
    """Fields left out stay as they are; ``webhook_url: null`` removes the webhook."""

    notify_frequency: NotifyFrequency | msgspec.UnsetType = msgspec.UNSET
    language: Language | msgspec.UnsetType = msgspec.UNSET
    webhook_url: Annotated[str, msgspec.Meta(max_length=1024)] | msgspec.UnsetType | None = (
        msgspec.UNSET
    )
    # A new signing secret for the webhook (the old one stops working at once).
    regenerate_webhook_secret: bool = False


def _preferences(user: User, secret: str | None = None) -> Preferences:
    return Preferences(
        notify_frequency=user.notify_frequency,
        webhook_url=user.webhook_url,
        webhook_secret_set=bool(user.webhook_secret),
        language=user.language,  # type: ignore[arg-type]
        webhook_secret=secret,
    )


async def _webhook_url(value: str) -> str:
    """The URL, if the worker may call it: https to a public address (``domain.outbound``)."""
    url = value.strip()
    if len(url) > 1024:
        raise invalid("webhook_url", "must be at most 1024 characters")
    try:
        await check_target(
            url,
            allow_http_loopback=get_settings().delivery.webhook_allow_http_loopback,
            must_resolve=False,
        )
    except UnsafeTarget as e:
        raise invalid("webhook_url", str(e)) from e
    return url


class PreferencesController(Controller):
    path = "/api/me/preferences"
    tags = ["notifications"]

    @get("/", operation_id="getPreferences")
    async def get_preferences(self, request: AuthRequest) -> Preferences:
        """The signed-in user's notification preferences."""
        return _preferences(request.user)

    @put("/", operation_id="putPreferences")
    async def put_preferences(
        self, request: AuthRequest, db_session: Db, data: JSONBody[PreferencesWrite]
    ) -> Preferences:
        """Change how notifications reach the user: e-mail at once, as a daily or weekly
        digest, or not at all (``off``: inbox only); and, for staff, a webhook.

        Setting a webhook for the first time, or asking for
        ``regenerate_webhook_secret``, answers with the signing secret — once.
        """
        user = await db_session.get(User, request.user.id)
        if user is None:
            raise not_found("User")
        url = user.webhook_url
        if data.webhook_url is not msgspec.UNSET:
            if data.webhook_url is not None and user.role not in WEBHOOK_ROLES:
                raise PermissionDeniedException(
                    detail="webhook_url: only coordinators, coaches and admins can have a webhook"
                )
            url = await _webhook_url(data.webhook_url) if data.webhook_url is not None else None
        if data.regenerate_webhook_secret and url is None:
            raise invalid("regenerate_webhook_secret", "there is no webhook_url to sign for")
        secret = None
        if url is None:
            user.webhook_secret = None
        elif data.regenerate_webhook_secret or not user.webhook_secret:
            secret = user.webhook_secret = new_webhook_secret()
        user.webhook_url = url
        if data.notify_frequency is not msgspec.UNSET:
            user.notify_frequency = data.notify_frequency
        if data.language is not msgspec.UNSET:
            user.language = data.language
        return _preferences(user, secret)
