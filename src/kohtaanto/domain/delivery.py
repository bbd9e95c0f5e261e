"""What a notification looks like outside the inbox: the e-mails and the signed webhook.

Only composition and rules live here; the jobs in ``jobs/delivery.py`` do the
sending. E-mails carry the title and a pointer to the service, not the
notification's details: e-mail is not a safe place for a jobseeker's data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from html import escape
from typing import Any

from kohtaanto.db.models import Notification, NotifyFrequency, User

SIGNATURE_HEADER = "X-Kohtaanto-Signature"
TIMESTAMP_HEADER = "X-Kohtaanto-Timestamp"
DELIVERY_HEADER = "X-Kohtaanto-Delivery"
EVENT_HEADER = "X-Kohtaanto-Event"
# A receiver should refuse signatures older than this (replays).
SIGNATURE_TOLERANCE_SECONDS = 300

_KINDS = {
    "match": ("Uusi työpaikka sinulle", "A vacancy for you"),
    "shortlist": ("Ehdokaslista valmis", "Shortlist ready"),
    "consent_request": ("Suostumuspyyntö", "Consent requested"),
    "consent_answer": ("Vastaus suostumuspyyntöön", "Consent answered"),
    "outcome": ("Rekrytoinnin tulos", "Recruitment outcome"),
    "employer_registration": ("Tarkistettava työnantaja", "An employer to verify"),
}
_DIGESTS = {
    NotifyFrequency.DAILY: ("päivän kooste", "daily digest"),
    NotifyFrequency.WEEKLY: ("viikon kooste", "weekly digest"),
}
_FOOTER_FI = "Tämä on automaattinen viesti, eikä siihen voi vastata."
_FOOTER_EN = "This is an automatic message; replies are not read."
_PREFS = (
    "Voit muuttaa ilmoitusasetuksiasi Kohtaannossa. / "
    "You can change how you are notified in your Kohtaanto preferences."
)
_SIGN_OFF = ("Ystävällisin terveisin / Kind regards", "Kohtaanto — työllisyyspalvelut")


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
    notification: Notification, secret: str, *, now: float | None = None
) -> tuple[bytes, dict[str, str]]:
    """The raw JSON body of a notification's webhook and its signed headers."""
    payload: dict[str, Any] = {
        "id": str(notification.id),
        "kind": notification.kind,
        "title": notification.title,
        "vacancy_id": str(notification.vacancy_id) if notification.vacancy_id else None,
        "created_at": notification.created_at.isoformat() if notification.created_at else None,
        "body": notification.body,
    }
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


def backoff_seconds(attempt: int, base: float) -> float:
    """Wait before the try after ``attempt`` (1, 2, …): base, 2 * base, 4 * base, …"""
    return base * 2 ** max(attempt - 1, 0)


def _finnish_date(at: datetime | None) -> str:
    return f"{at.day}.{at.month}.{at.year}" if at else ""


def _kind(kind: str) -> str:
    fi, en = _KINDS.get(kind, ("Ilmoitus", "Notification"))
    return f"{fi} / {en}"


# Line breaks and other control characters (and Unicode's line and paragraph
# separators) would end a header or start a new one: a vacancy title is typed by an
# employer, so it is cleaned before it goes into the Subject.
_HEADER_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_value(value: str, limit: int = 200) -> str:
    """``value`` safe for an e-mail header: control characters become one space."""
    cleaned = " ".join(_HEADER_BREAKING.sub(" ", value).split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def _message(
    user: User, mail_from: str, subject: str, lines: Sequence[str], items: Sequence[str]
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = header_value(mail_from)
    message["To"] = header_value(user.email)
    message["Subject"] = header_value(subject)
    message["Date"] = formatdate(localtime=True)
    message["Auto-Submitted"] = "auto-generated"
    greeting = f"Hei {user.name}, / Hello {user.name},"
    text = [greeting, "", *lines, ""]
    text += [f"- {item}" for item in items]
    text += [
        "",
        "Kirjaudu Kohtaantoon lukeaksesi ja vastataksesi. / "
        "Sign in to Kohtaanto to read and answer.",
        "",
        *_SIGN_OFF,
        "",
        "--",
        _FOOTER_FI,
        _FOOTER_EN,
        _PREFS,
    ]
    message.set_content("\n".join(text))
    html_items = "".join(f"<li>{escape(item)}</li>" for item in items)
    html = (
        '<!doctype html><html lang="fi"><body>'
        f"<p>{escape(greeting)}</p>"
        + "".join(f"<p>{escape(line)}</p>" for line in lines if line)
        + (f"<ul>{html_items}</ul>" if items else "")
        + "<p>Kirjaudu Kohtaantoon lukeaksesi ja vastataksesi.<br>"
        "Sign in to Kohtaanto to read and answer.</p>"
        f"<p>{escape(_SIGN_OFF[0])}<br>{escape(_SIGN_OFF[1])}</p>"
        f'<p style="color:#666;font-size:small">{escape(_FOOTER_FI)}<br>'
        f"{escape(_FOOTER_EN)}<br>{escape(_PREFS)}</p>"
        "</body></html>"
    )
    message.add_alternative(html, subtype="html")
    return message


def _domain(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2] or "kohtaanto"


def notification_email(user: User, notification: Notification, mail_from: str) -> EmailMessage:
    """One notification, sent at once to a user who wants them immediately."""
    message = _message(
        user,
        mail_from,
        f"Kohtaanto: {notification.title}",
        [
            f"{_kind(notification.kind)} — {_finnish_date(notification.created_at)}",
            notification.title,
        ],
        [],
    )
    # Stable per notification: should it ever be sent twice, mail clients see one message.
    message["Message-ID"] = f"<notification.{notification.id}@{_domain(mail_from)}>"
    attach_calendar(message, notification)
    return message


def attach_calendar(message: EmailMessage, notification: Notification) -> None:
    """A recruitment-event slot's calendar entry (``body["ics"]``, made by
    ``domain.events``) as a text/calendar attachment: calendars add, update or remove
    the entry by its UID and SEQUENCE."""
    body = notification.body or {}
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
    fi, en = _DIGESTS[frequency]
    count = len(notifications)
    one = count == 1
    message = _message(
        user,
        mail_from,
        f"Kohtaanto: {fi} — {count} {'ilmoitus' if one else 'ilmoitusta'} ({en})",
        [
            f"Sinulla on {count} {'uusi ilmoitus' if one else 'uutta ilmoitusta'} Kohtaannossa."
            f" / You have {count} new notification{'' if one else 's'} in Kohtaanto."
        ],
        [f"{_finnish_date(n.created_at)} {n.title}" for n in notifications],
    )
    first = min(str(n.id) for n in notifications)
    message["Message-ID"] = f"<digest.{frequency.value}.{first}@{_domain(mail_from)}>"
    return message
