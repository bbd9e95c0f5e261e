"""Notifications: in the inbox always, by e-mail and webhook as the recipient prefers;
never twice for the same thing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.filters import LimitOffset
from advanced_alchemy.service import OffsetPagination
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import Municipality, Notification, NotifyFrequency, Role, User, Vacancy
from kohtaanto.db.paging import paginate
from kohtaanto.domain import outbox
from kohtaanto.domain.errors import NotFound
from kohtaanto.i18n import N_
from kohtaanto.queue import DELIVER_NOTIFICATION
from kohtaanto.settings import get_settings


async def notify_once(
    session: AsyncSession,
    *,
    recipient_id: UUID,
    kind: str,
    vacancy_id: UUID | None,
    title: str,
    body: dict[str, Any],
    key: str | None = None,
) -> Notification | None:
    """Store a notification unless the recipient already has the same one.

    Two notifications are the same when their ``key`` is (by default the kind and
    the vacancy: one match notification per vacancy, ever). Returns the new
    notification, or None when it existed. The unique constraint decides, so two
    workers racing on the same match still store one.

    When the recipient wants e-mail at once or has a webhook, the same
    transaction records the job that delivers it (digests are collected later).
    """
    dedup_key = key or f"{kind}:{vacancy_id}"
    exists = await session.scalar(
        select(Notification.id).where(
            Notification.recipient_id == recipient_id, Notification.dedup_key == dedup_key
        )
    )
    if exists is not None:
        return None
    notification = Notification(
        recipient_id=recipient_id,
        kind=kind,
        dedup_key=dedup_key,
        vacancy_id=vacancy_id,
        title=title,
        body=body,
    )
    try:
        async with session.begin_nested():
            session.add(notification)
    except IntegrityError:
        return None
    recipient = await session.get(User, recipient_id)
    mail_now = (
        recipient is not None
        and recipient.notify_frequency is NotifyFrequency.IMMEDIATE
        and bool(get_settings().delivery.smtp_host)
    )
    if recipient is not None and (mail_now or recipient.webhook_url):
        outbox.record(session, DELIVER_NOTIFICATION, notification_id=str(notification.id))
    return notification


def link_for(kind: str, body: dict[str, Any], vacancy_id: UUID | None, role: Role) -> str | None:
    """The page a notification is about, for its recipient's role: the board for the
    coordinator (at the entry when it concerns one), the consent requests, the
    matched vacancy or the matches for the jobseeker, the caseload for the coach,
    the vacancy for the employer."""
    if kind == "employer_registration":
        return "/coordinator/employers"
    if kind.startswith("referral_"):  # domain.partners.referrals
        if role is Role.PARTNER and body.get("referral_id"):
            return f"/partner/referrals/{body['referral_id']}"
        if role is Role.JOBSEEKER:
            return "/jobseeker/referrals"
        if role is Role.COACH and body.get("jobseeker_id"):
            return f"/coach/clients/{body['jobseeker_id']}/offers#referrals"
    if kind.startswith("event_"):
        return _event_link(body, role)
    vid = vacancy_id or body.get("vacancy_id")
    entry = body.get("entry_id")
    if role in (Role.COORDINATOR, Role.ADMIN) and vid:
        return f"/coordinator/vacancies/{vid}" + (f"#entry-{entry}" if entry else "")
    if role is Role.JOBSEEKER:
        if kind == "consent_request":
            return "/jobseeker/consents"
        return f"/jobseeker/vacancies/{vid}" if kind == "match" and vid else "/jobseeker"
    if role is Role.COACH:
        return "/coach"
    if role is Role.EMPLOYER and vid:
        return f"/employer/vacancies/{vid}"
    return None


async def list_for(
    session: AsyncSession, user: User, page: LimitOffset, *, unread: bool = False
) -> OffsetPagination[Notification]:
    """One page of the user's own notifications, newest first."""
    query = select(Notification).where(Notification.recipient_id == user.id)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    return await paginate(session, query, page, [Notification.created_at.desc(), Notification.id])


async def inbox(
    session: AsyncSession, user: User, limit: int
) -> list[tuple[Notification, str | None, str | None]]:
    """The user's newest notifications, each with its vacancy's title and place."""
    rows = await session.execute(
        select(Notification, Vacancy.title, Municipality.name)
        .outerjoin(Vacancy, Vacancy.id == Notification.vacancy_id)
        .outerjoin(Municipality, Municipality.id == Vacancy.municipality_id)
        .where(Notification.recipient_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id)
        .limit(limit)
    )
    return [(n, title, place) for n, title, place in rows.tuples()]


async def mark_read(session: AsyncSession, user: User, notification_id: UUID) -> Notification:
    """Mark one of the user's notifications read (reading it again changes nothing)."""
    n = await session.get(Notification, notification_id)
    if n is None or n.recipient_id != user.id:
        raise NotFound(
            "notification_not_found", N_("No such notification."), field="notification_id"
        )
    n.read_at = n.read_at or datetime.now(UTC)
    await session.flush()
    return n


async def mark_all_read(session: AsyncSession, user: User) -> int:
    """Mark every unread notification of ``user`` read; returns how many were."""
    result = await session.execute(
        update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=datetime.now(UTC))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def set_frequency(session: AsyncSession, user: User, frequency: NotifyFrequency) -> None:
    """How often the user wants e-mail of new notifications (``off``: inbox only)."""
    account = await session.get(User, user.id)
    if account is None:
        raise NotFound("account_not_found", N_("No such account."))
    account.notify_frequency = frequency
    await session.flush()


def _event_link(body: dict[str, Any], role: Role) -> str | None:
    """A recruitment event's notification: the invitations, the tables, the board."""
    event = body.get("event_id")
    if role is Role.JOBSEEKER:
        return "/jobseeker/events"
    if role is Role.EMPLOYER and event:
        return f"/employer/events/{event}"
    if role is Role.COACH and body.get("client"):
        return f"/coach/clients/{body['client']}"
    if role in (Role.COORDINATOR, Role.ADMIN) and event:
        return f"/events/{event}"
    return None
