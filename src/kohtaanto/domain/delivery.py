"""What a notification looks like outside the inbox: the e-mails and the signed webhook.

Only composition and rules live here; the jobs in ``jobs/delivery.py`` do the
sending. E-mails are rendered from the notification's kind and params in the
recipient's language (``User.language``) from the templates under
``templates/mail/`` (``domain.emails``), text and HTML; they carry the title and a
link to the service, not the notification's details: e-mail is not a safe place
for a jobseeker's data. The webhook carries the structured notification, no prose.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from kohtaanto.db.models import Notification, NotifyFrequency, Role, User
from kohtaanto.domain import emails
from kohtaanto.domain.emails import header_value
from kohtaanto.domain.notifications import kind_of, link_for, structured, title
from kohtaanto.i18n import NP_, translations
from kohtaanto.settings import get_settings

__all__ = ["header_value"]

# Dates and times in e-mails are Finnish time.
LOCAL = ZoneInfo("Europe/Helsinki")

SIGNATURE_HEADER = "X-Kohtaanto-Signature"
TIMESTAMP_HEADER = "X-Kohtaanto-Timestamp"
DELIVERY_HEADER = "X-Kohtaanto-Delivery"
EVENT_HEADER = "X-Kohtaanto-Event"
# A receiver should refuse signatures older than this (replays).
SIGNATURE_TOLERANCE_SECONDS = 300

_DIGESTS = {
    NotifyFrequency.DAILY: NP_(
        "Kohtaanto: daily digest — %(num)d notification",
        "Kohtaanto: daily digest — %(num)d notifications",
    ),
    NotifyFrequency.WEEKLY: NP_(
        "Kohtaanto: weekly digest — %(num)d notification",
        "Kohtaanto: weekly digest — %(num)d notifications",
    ),
}


def new_webhook_secret() -> str:
    """A fresh secret for signing a user's webhooks (shown to them once)."""
    return secrets.token_urlsafe(32)


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 with the user's secret over ``<timestamp>.<raw body>``.

    The timestamp is signed with the body, so a captured request cannot be
    replayed later with a fresh timestamp.
    """
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_webhook(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    now: float | None = None,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
) -> bool:
    """What a receiver checks: the signature matches and the timestamp is recent."""
    try:
        age = (time.time() if now is None else now) - int(timestamp)
    except ValueError:
        return False
    if abs(age) > tolerance:
        return False
    return hmac.compare_digest(webhook_signature(secret, timestamp, body), signature)


def webhook_request(
    notification: Notification,
    secret: str,
    *,
    role: Role | None = None,
    now: float | None = None,
) -> tuple[bytes, dict[str, str]]:
    """The raw JSON body of a notification's webhook and its signed headers.

    The body is data, not prose: ``id``, ``kind``, ``params`` (ids as strings),
    ``vacancy_id``, ``link`` (absolute, for the recipient's ``role``) and
    ``created_at``; the receiver says it in its own words.
    """
    payload = structured(notification, role)
    if payload["link"]:
        payload["link"] = _url(payload["link"])
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = str(int(time.time() if now is None else now))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Kohtaanto-Webhook/1",
        EVENT_HEADER: notification.kind,
        # The same on every retry, so a receiver can drop a delivery it already has.
        DELIVERY_HEADER: str(notification.id),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: webhook_signature(secret, timestamp, body),
    }
    return body, headers


def retryable(status: int) -> bool:
    """Whether a failed webhook is worth trying again: no answer, 408, 429 or a 5xx.

    Any other 4xx (and a redirect) says the request itself is wrong; repeating it
    would not help.
    """
    return status == 0 or status in (408, 429) or status >= 500


def _url(path: str) -> str:
    return get_settings().auth.public_url.rstrip("/") + path


def _when(at: datetime | None, lang: str) -> str:
    if at is None:
        return ""
    return str(format_datetime(at, format="short", tzinfo=LOCAL, locale=lang))


def _domain(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2] or "kohtaanto"


def notification_email(user: User, notification: Notification, mail_from: str) -> EmailMessage:
    """One notification, sent at once to a user who wants them immediately, in their
    language: the kind's own template (``Kind.mail``) or the plain one."""
    lang = emails.language(user.language)
    params = notification.params or {}
    said = title(notification.kind, params, lang, user.role)
    link = link_for(notification.kind, params, notification.vacancy_id, user.role)
    catalog = translations(lang)
    message = emails.message(
        mail_from=mail_from,
        to=user.email,
        subject=str(catalog.gettext("Kohtaanto: %(title)s")) % {"title": said},
        lang=lang,
        template=kind_of(notification.kind).mail or "notification",
        name=user.name,
        title=said,
        when=_when(notification.created_at, lang),
        url=_url(link or "/notifications"),
        preferences_url=_url("/notifications"),
        params=params,
    )
    # Stable per notification: should it ever be sent twice, mail clients see one message.
    message["Message-ID"] = f"<notification.{notification.id}@{_domain(mail_from)}>"
    attach_calendar(message, notification)
    return message


def attach_calendar(message: EmailMessage, notification: Notification) -> None:
    """A recruitment-event slot's calendar entry (``params["ics"]``, made by
    ``domain.events``) as a text/calendar attachment: calendars add, update or remove
    the entry by its UID and SEQUENCE."""
    body = notification.params or {}
    ics = body.get("ics")
    if not isinstance(ics, str) or not ics:
        return
    method = "CANCEL" if "METHOD:CANCEL" in ics else "REQUEST"
    message.add_attachment(
        ics.encode(),
        maintype="text",
        subtype="calendar",
        filename=str(body.get("ics_name") or "kohtaanto.ics"),
        params={"method": method, "charset": "utf-8"},
    )


def digest_email(
    user: User,
    notifications: Sequence[Notification],
    frequency: NotifyFrequency,
    mail_from: str,
) -> EmailMessage:
    """Several notifications in one message, for a daily or weekly digest."""
    lang = emails.language(user.language)
    singular, plural = _DIGESTS[frequency]
    count = len(notifications)
    items = []
    for n in notifications:
        link = link_for(n.kind, n.params or {}, n.vacancy_id, user.role)
        items.append(
            {
                "title": title(n.kind, n.params or {}, lang, user.role),
                "when": _when(n.created_at, lang),
                "url": _url(link) if link else None,
            }
        )
    message = emails.message(
        mail_from=mail_from,
        to=user.email,
        subject=str(translations(lang).ngettext(singular, plural, count)) % {"num": count},
        lang=lang,
        template="digest",
        name=user.name,
        items=items,
        url=_url("/notifications"),
        preferences_url=_url("/notifications"),
    )
    first = min(str(n.id) for n in notifications)
    message["Message-ID"] = f"<digest.{frequency.value}.{first}@{_domain(mail_from)}>"
    return message
