"""Delivering notifications beyond the inbox: e-mail over SMTP and signed webhooks.

Each step checks what was already done (``emailed_at``, ``webhook_delivered_at``)
under a row lock before sending, so a retry, a duplicate job or a digest running
at the same time never sends the same notification twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import aiosmtplib
import httpx
from arq import Retry
from jinja2 import TemplateError
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobs.context import Ctx, settings_of
from kohtaanto.db import session_scope
from kohtaanto.db.models import Notification, NotifyFrequency, User
from kohtaanto.domain.delivery import (
    digest_email,
    notification_email,
    retryable,
    webhook_request,
)
from kohtaanto.domain.outbound import Unresolvable, UnsafeTarget, check_target
from kohtaanto.mail import send_mail
from kohtaanto.queue import backoff_seconds

log = logging.getLogger(__name__)


# Outcomes of one delivery step.
SENT, DONE, SKIPPED, RETRY, FAILED = "sent", "done", "skipped", "retry", "failed"


def _locked(session: AsyncSession, query: Select[Any], *, skip: bool = False) -> Select[Any]:
    """Row locks on PostgreSQL (``skip``: pass over rows another job holds); SQLite,
    the one-machine demo, serialises writes anyway."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return query.with_for_update(skip_locked=skip)
    return query


def _error(what: str, error: Exception) -> str:
    return f"{what}: {error}"[:255]


def _mail_outcome(error: Exception) -> str:
    """A permanent refusal (5xx) is not retried; anything else (no connection, 4xx) is."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [e.code for e in error.recipients]
        return FAILED if codes and all(c >= 500 for c in codes) else RETRY
    if isinstance(error, aiosmtplib.SMTPResponseException) and error.code >= 500:
        return FAILED
    return RETRY


async def _email(ctx: Ctx, notification_id: UUID) -> str:
    """E-mail one notification to a recipient who wants them immediately."""
    settings = settings_of(ctx).delivery
    if not settings.smtp_host:
        return SKIPPED
    async with session_scope() as session:
        notification = await session.scalar(
            _locked(session, select(Notification).where(Notification.id == notification_id))
        )
        if notification is None or notification.emailed_at is not None:
            return DONE
        user = await session.get(User, notification.recipient_id)
        if (
            user is None
            or not user.is_active
            or user.notify_frequency is not NotifyFrequency.IMMEDIATE
        ):
            return SKIPPED
        notification.email_attempts += 1
        try:
            message = notification_email(user, notification, settings.mail_from)
        except (ValueError, TypeError, TemplateError) as e:
            # A message that cannot be composed will not compose on a retry either.
            log.warning("e-mail of notification %s cannot be composed: %s", notification_id, e)
            notification.delivery_error = _error("e-mail not composed", e)
            return FAILED
        try:
            await send_mail(settings, message)
        except (aiosmtplib.SMTPException, OSError) as e:
            log.warning("e-mail of notification %s failed: %s", notification_id, e)
            notification.delivery_error = _error("e-mail", e)
            return _mail_outcome(e)
        notification.emailed_at = datetime.now(UTC)
        return SENT


async def _webhook(ctx: Ctx, notification_id: UUID) -> str:
    """POST one notification, signed, to the recipient's webhook."""
    async with session_scope() as session:
        notification = await session.scalar(
            _locked(session, select(Notification).where(Notification.id == notification_id))
        )
        if notification is None or notification.webhook_delivered_at is not None:
            return DONE
        user = await session.get(User, notification.recipient_id)
        if user is None or not user.is_active or not user.webhook_url:
            return SKIPPED
        if not user.webhook_secret:
            # Unsigned pushes cannot be trusted by the receiver; the API always sets a secret.
            log.warning("webhook of user %s has no secret; not delivered", user.id)
            return SKIPPED
        body, headers = webhook_request(notification, user.webhook_secret, role=user.role)
        notification.webhook_attempts += 1
        # Checked again now, not only when saved: the name may point elsewhere today.
        try:
            await check_target(
                user.webhook_url,
                allow_http_loopback=settings_of(ctx).delivery.webhook_allow_http_loopback,
            )
        except UnsafeTarget as e:
            log.warning("webhook of user %s not sent: %s", user.id, e)
            notification.webhook_status = 0
            notification.delivery_error = _error("webhook refused", e)
            return RETRY if isinstance(e, Unresolvable) else FAILED
        try:
            # Redirects are not followed: a receiver could bounce the request inwards.
            response = await ctx["http"].post(
                user.webhook_url, content=body, headers=headers, follow_redirects=False
            )
            status = response.status_code
        except httpx.HTTPError as e:
            log.warning("webhook to %s failed: %s", user.webhook_url, e)
            notification.delivery_error = _error("webhook", e)
            status = 0
        notification.webhook_status = status
        if 200 <= status < 300:
            notification.webhook_delivered_at = datetime.now(UTC)
            return SENT
        if status:
            notification.delivery_error = f"webhook answered {status}"
        return RETRY if retryable(status) else FAILED


async def deliver_notification(ctx: Ctx, notification_id: str) -> dict[str, str]:
    """E-mail a notification (immediate preference) and push it to the webhook.

    A step that failed for a passing reason is tried again with exponential
    backoff, up to ``KOHTAANTO_DELIVERY_MAX_TRIES``; steps already done are
    skipped on the next try.
    """
    settings = settings_of(ctx).delivery
    nid = UUID(notification_id)
    result = {"email": await _email(ctx, nid), "webhook": await _webhook(ctx, nid)}
    if RETRY in result.values():
        attempt = int(ctx.get("job_try", 1))
        if attempt < settings.max_tries:
            raise Retry(defer=backoff_seconds(attempt, settings.retry_seconds))
        log.warning("gave up delivering notification %s: %s", notification_id, result)
    return result


async def _digest_for(ctx: Ctx, user_id: UUID, frequency: NotifyFrequency) -> int:
    """One digest e-mail of the user's un-e-mailed notifications; how many it held."""
    settings = settings_of(ctx).delivery
    async with session_scope() as session:
        user = await session.get(User, user_id)
        if user is None or not user.is_active or user.notify_frequency is not frequency:
            return 0
        notifications = (
            await session.scalars(
                _locked(
                    session,
                    select(Notification)
                    .where(Notification.recipient_id == user_id, Notification.emailed_at.is_(None))
                    .order_by(Notification.created_at),
                    skip=True,
                )
            )
        ).all()
        if not notifications:
            return 0
        await send_mail(settings, digest_email(user, notifications, frequency, settings.mail_from))
        now = datetime.now(UTC)
        for notification in notifications:
            notification.emailed_at = now
        return len(notifications)


async def send_digests(ctx: Ctx, frequency: NotifyFrequency) -> dict[str, int]:
    """Every user on ``frequency`` with un-e-mailed notifications gets one digest.

    A user whose digest cannot be sent keeps their notifications for the next run.
    """
    if not settings_of(ctx).delivery.smtp_host:
        return {"users": 0, "notifications": 0, "failed": 0}
    async with session_scope() as session:
        user_ids = (
            await session.scalars(
                select(Notification.recipient_id)
                .join(User, User.id == Notification.recipient_id)
                .where(
                    Notification.emailed_at.is_(None),
                    User.notify_frequency == frequency,
                    User.is_active.is_(True),
                )
                .distinct()
            )
        ).all()
    users = sent = failed = 0
    for user_id in user_ids:
        try:
            count = await _digest_for(ctx, user_id, frequency)
        except (aiosmtplib.SMTPException, OSError) as e:
            log.warning("%s digest for user %s failed: %s", frequency.value, user_id, e)
            failed += 1
            continue
        users += count > 0
        sent += count
    return {"users": users, "notifications": sent, "failed": failed}


async def daily_digest(ctx: Ctx) -> dict[str, int]:
    """Cron: the daily digest (päivän kooste)."""
    return await send_digests(ctx, NotifyFrequency.DAILY)


async def weekly_digest(ctx: Ctx) -> dict[str, int]:
    """Cron: the weekly digest (viikon kooste)."""
    return await send_digests(ctx, NotifyFrequency.WEEKLY)
