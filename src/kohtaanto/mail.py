"""Handing e-mail to the configured SMTP server: the notification jobs
(``jobs/delivery.py``) and the account e-mails the doors send after their answer
(registration, password reset) go out the same way."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from typing import Any

import aiosmtplib

from kohtaanto.settings import DeliverySettings, get_settings

log = logging.getLogger(__name__)


async def send_mail(settings: DeliverySettings, message: EmailMessage) -> None:
    """Hand one message to the configured SMTP server."""
    modes: dict[str, dict[str, Any]] = {
        "auto": {},
        "starttls": {"start_tls": True},
        "tls": {"use_tls": True},
        "none": {"start_tls": False},
    }
    security = modes.get(settings.smtp_security)
    if security is None:
        raise ValueError(f"KOHTAANTO_SMTP_SECURITY: unknown value {settings.smtp_security!r}")
    login: dict[str, Any] = (
        {"username": settings.smtp_username, "password": settings.smtp_password}
        if settings.smtp_username
        else {}
    )
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        timeout=30,
        **security,
        **login,
    )


async def send(message: EmailMessage) -> None:
    """Send an account e-mail now; without an SMTP server, e-mail is off. A failure is
    logged, not raised: the answer has gone, and the user can ask again."""
    settings = get_settings().delivery
    if not settings.smtp_host:
        log.info("account e-mail not sent: KOHTAANTO_SMTP_HOST is not set")
        return
    try:
        await send_mail(settings, message)
    except Exception as e:
        log.warning("account e-mail not delivered: %s", type(e).__name__)


async def send_if_any(message: EmailMessage | None) -> None:
    if message is not None:
        await send(message)
