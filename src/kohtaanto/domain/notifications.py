"""Notifications: in the inbox always, by e-mail and webhook as the recipient prefers;
never twice for the same thing."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import Notification, NotifyFrequency, Role, User
from kohtaanto.domain import outbox
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
