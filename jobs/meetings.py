"""Meeting e-mails: the invitation, reminder or cancellation with its .ics
(``kohtaanto.domain.service_paths.meetings`` builds them; this sends them)."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from arq import Retry

from kohtaanto.db import session_scope
from kohtaanto.domain.service_paths import meetings
from kohtaanto.mail import send_mail
from kohtaanto.queue import backoff_seconds
from kohtaanto.settings import Settings, get_settings

log = logging.getLogger(__name__)


async def meeting_mail(ctx: dict[str, Any], meeting_id: str, kind: str) -> dict[str, int]:
    """Send one meeting e-mail to the client and the coach; retried while SMTP is away."""
    settings: Settings = ctx.get("settings") or get_settings()
    if not settings.delivery.smtp_host:
        return {"sent": 0}
    async with session_scope() as session:
        messages = await meetings.emails(session, UUID(meeting_id), kind)
    try:
        for message in messages:
            await send_mail(settings.delivery, message)
    except Exception as e:
        attempt = int(ctx.get("job_try", 1))
        if attempt < settings.delivery.max_tries:
            raise Retry(defer=backoff_seconds(attempt, settings.delivery.retry_seconds)) from e
        log.warning("gave up sending meeting %s %s: %s", kind, meeting_id, type(e).__name__)
        return {"sent": 0}
    return {"sent": len(messages)}


async def meeting_reminders(ctx: dict[str, Any]) -> dict[str, int]:
    """Queue a reminder for each meeting starting within a day (once per meeting)."""
    async with session_scope() as session:
        due = await meetings.due_reminders(session)
    return {"reminders": len(due)}
