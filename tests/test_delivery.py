"""Notification delivery on real servers: e-mail to a local SMTP server (aiosmtpd),
signed webhooks to a local HTTP server, retried with backoff, never sent twice;
daily and weekly digests; the preference API."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from uuid import UUID

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from jobs import delivery
from jobs.worker import shutdown, startup
from kohtaanto.db import session_scope
from kohtaanto.db.models import Notification, NotifyFrequency, OutboxMessage, Role
from kohtaanto.domain.delivery import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_webhook,
    webhook_signature,
)
from kohtaanto.domain.notifications import notify_once
from kohtaanto.queue import DELIVER_NOTIFICATION
from kohtaanto.settings import get_settings

pytestmark = pytest.mark.usefixtures("clean")


@pytest.fixture
def configure() -> Iterator[Callable[..., None]]:
    """Set delivery settings for this test (the environment is read again), then restore."""
    saved: dict[str, str | None] = {}

    def set_env(**values: str) -> None:
        for name, value in values.items():
            saved.setdefault(name, os.environ.get(name))
            os.environ[name] = value
        get_settings.cache_clear()

    # Retries come quickly in tests.
    set_env(KOHTAANTO_DELIVERY_RETRY_SECONDS="0.05")
    yield set_env
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    get_settings.cache_clear()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def smtp(configure: Callable[..., None]) -> Iterator[list[EmailMessage]]:
    """A real SMTP server on a free loopback port; the messages it accepted."""
    received: list[EmailMessage] = []

    class Collect:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            message = message_from_bytes(envelope.original_content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            received.append(message)
            return "250 Message accepted for delivery"

    port = _free_port()
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    configure(
        KOHTAANTO_SMTP_HOST="127.0.0.1",
        KOHTAANTO_SMTP_PORT=str(port),
        KOHTAANTO_SMTP_SECURITY="none",
        KOHTAANTO_MAIL_FROM="Kohtaanto <no-reply@kohtaanto.test>",
    )
    yield received
    controller.stop()


@dataclass
class Hook:
    """A real HTTP receiver that checks signatures and answers from a script."""

    url: str
    secret: str = ""
    script: list[int] = field(default_factory=list)  # statuses to answer, then 204
    requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def accepted(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["answered"] < 300]


@pytest.fixture
def hook(local_webhooks: None) -> Iterator[Hook]:
    state = Hook(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            valid = verify_webhook(
                state.secret,
                self.headers[TIMESTAMP_HEADER] or "",
                raw,
                self.headers[SIGNATURE_HEADER] or "",
            )
            status = state.script.pop(0) if state.script else 204
            if not valid:
                status = 401
            state.requests.append(
                {"body": json.loads(raw), "headers": dict(self.headers), "answered": status}
            )
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/hook"
    yield state
    server.shutdown()


async def _notify(
    user_id: UUID, title: str = "Cook", key: str = "", kind: str = "shortlist"
) -> UUID:
    """A notification about vacancy ``title`` (a shortlist of three, or a match in
    Tampere)."""
    params: dict[str, Any] = {"vacancy_title": title}
    params |= {"candidates": 3} if kind == "shortlist" else {"place": "Tampere"}
    async with session_scope() as session:
        notification = await notify_once(
            session,
            recipient_id=user_id,
            kind=kind,
            params=params,
            key=key or title,
        )
        assert notification is not None
        return notification.id


async def _get(notification_id: UUID) -> Notification:
    async with session_scope() as session:
        notification = await session.get(Notification, notification_id)
        assert notification is not None
        return notification


async def _outbox_tasks() -> list[str]:
    async with session_scope() as session:
        return list(await session.scalars(select(OutboxMessage.task)))


# --- webhooks ---------------------------------------------------------------------------


async def test_webhook_signed_retried_after_503_and_delivered_once(
    client, make_user, login, run_jobs, hook, configure
) -> None:
    coordinator = await make_user(Role.COORDINATOR, notify_frequency=NotifyFrequency.OFF)
    headers = await login(coordinator.email)
    response = await client.put(
        "/api/me/preferences", json={"webhook_url": hook.url}, headers=headers
    )
    assert response.status_code == 200, response.text
    hook.secret = response.json()["webhook_secret"]
    hook.script = [503]

    notification_id = await _notify(coordinator.id)
    assert await _outbox_tasks() == [DELIVER_NOTIFICATION]
    counts = await run_jobs()
    assert counts == {"complete": 1, "failed": 0, "retried": 1}

    assert [r["answered"] for r in hook.requests] == [503, 204]
    (delivered,) = hook.accepted
    assert delivered["body"]["id"] == str(notification_id)
    # Data, not prose: the receiver says it in its own words.
    assert delivered["body"]["kind"] == "shortlist"
    assert delivered["body"]["params"] == {"vacancy_title": "Cook", "candidates": 3}
    assert "title" not in delivered["body"]
    assert delivered["headers"]["X-Kohtaanto-Delivery"] == str(notification_id)
    assert delivered["headers"]["X-Kohtaanto-Event"] == "shortlist"
    stored = await _get(notification_id)
    assert stored.webhook_attempts == 2
    assert stored.webhook_status == 204
    assert stored.webhook_delivered_at is not None
    assert stored.emailed_at is None  # "off": inbox only

    # A repeated job (a relay twice, a worker restarted) sends nothing more.
    async with session_scope() as session:
        from kohtaanto.domain import outbox

        outbox.record(session, DELIVER_NOTIFICATION, notification_id=str(notification_id))
    assert (await run_jobs())["complete"] == 1
    assert len(hook.requests) == 2
    assert (await _get(notification_id)).webhook_attempts == 2


async def test_webhook_client_error_is_not_retried(make_user, run_jobs, hook, configure) -> None:
    coordinator = await make_user(
        Role.COORDINATOR,
        notify_frequency=NotifyFrequency.OFF,
        webhook_url=hook.url,
        webhook_secret="s3cret",
    )
    hook.secret = "s3cret"
    hook.script = [410]
    notification_id = await _notify(coordinator.id)
    assert await run_jobs() == {"complete": 1, "failed": 0, "retried": 0}
    stored = await _get(notification_id)
    assert (stored.webhook_attempts, stored.webhook_status) == (1, 410)
    assert stored.webhook_delivered_at is None


async def test_webhook_gives_up_after_bounded_tries(make_user, run_jobs, hook, configure) -> None:
    configure(KOHTAANTO_DELIVERY_MAX_TRIES="3")
    coordinator = await make_user(
        Role.COORDINATOR,
        notify_frequency=NotifyFrequency.OFF,
        webhook_url=hook.url,
        webhook_secret="s3cret",
    )
    hook.secret = "s3cret"
    hook.script = [500, 429, 503, 503]
    notification_id = await _notify(coordinator.id)
    counts = await run_jobs()
    assert counts == {"complete": 1, "failed": 0, "retried": 2}
    stored = await _get(notification_id)
    assert (stored.webhook_attempts, stored.webhook_status) == (3, 503)
    assert stored.webhook_delivered_at is None and len(hook.accepted) == 0


def test_signature_covers_timestamp_and_body() -> None:
    body = b'{"id":"x"}'
    signature = webhook_signature("k", "1700000000", body)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert verify_webhook("k", "1700000000", body, signature, now=1700000100)
    # Replayed later, with another timestamp, with another body or key: refused.
    assert not verify_webhook("k", "1700000000", body, signature, now=1700001000)
    assert not verify_webhook("k", "1700000100", body, signature, now=1700000100)
    assert not verify_webhook("k", "1700000000", b'{"id":"y"}', signature, now=1700000100)
    assert not verify_webhook("other", "1700000000", body, signature, now=1700000100)


# --- e-mail -----------------------------------------------------------------------------


async def test_immediate_email_sent_once_with_text_and_html(make_user, run_jobs, smtp) -> None:
    person = await make_user(Role.JOBSEEKER, name="Aino Virtanen")
    digest_reader = await make_user(Role.JOBSEEKER, notify_frequency=NotifyFrequency.DAILY)
    inbox_only = await make_user(Role.JOBSEEKER, notify_frequency=NotifyFrequency.OFF)
    notification_id = await _notify(person.id, "Cook", kind="match")
    await _notify(digest_reader.id, "Baker", kind="match")
    await _notify(inbox_only.id, "Waiter", kind="match")
    # Only the immediate recipient has anything to deliver now.
    assert await _outbox_tasks() == [DELIVER_NOTIFICATION]

    assert (await run_jobs())["failed"] == 0
    (message,) = smtp
    assert message["To"] == person.email
    assert message["From"] == "Kohtaanto <no-reply@kohtaanto.test>"
    assert message["Subject"] == "Kohtaanto: Työpaikka sinulle: Cook, Tampere"
    assert message["Message-ID"] == f"<notification.{notification_id}@kohtaanto.test>"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    assert "Hei Aino Virtanen" in text.get_content()
    assert "Työpaikka sinulle: Cook, Tampere" in text.get_content()
    assert "automaattinen viesti" in text.get_content()
    assert "<strong>Työpaikka sinulle: Cook, Tampere</strong>" in html.get_content()
    assert (await _get(notification_id)).emailed_at is not None

    # Delivered already: a second job sends nothing.
    async with session_scope() as session:
        from kohtaanto.domain import outbox

        outbox.record(session, DELIVER_NOTIFICATION, notification_id=str(notification_id))
    assert (await run_jobs())["failed"] == 0
    assert len(smtp) == 1


async def test_email_retried_while_smtp_is_unreachable(make_user, run_jobs, configure) -> None:
    configure(
        KOHTAANTO_SMTP_HOST="127.0.0.1",
        KOHTAANTO_SMTP_PORT=str(_free_port()),  # nothing listens there
        KOHTAANTO_SMTP_SECURITY="none",
        KOHTAANTO_DELIVERY_MAX_TRIES="2",
    )
    person = await make_user(Role.JOBSEEKER)
    notification_id = await _notify(person.id)
    assert await run_jobs() == {"complete": 1, "failed": 0, "retried": 1}
    assert (await _get(notification_id)).emailed_at is None  # left for no one to claim twice


async def test_no_smtp_configured_means_inbox_only(make_user, run_jobs, configure) -> None:
    configure(KOHTAANTO_SMTP_HOST="")
    person = await make_user(Role.JOBSEEKER)
    await _notify(person.id)
    assert await _outbox_tasks() == []


async def test_daily_and_weekly_digests_one_email_each_never_twice(make_user, smtp) -> None:
    daily = await make_user(Role.COACH, notify_frequency=NotifyFrequency.DAILY)
    weekly = await make_user(Role.JOBSEEKER, notify_frequency=NotifyFrequency.WEEKLY)
    off = await make_user(Role.JOBSEEKER, notify_frequency=NotifyFrequency.OFF)
    titles = ["Cook", "Baker", "Waiter"]
    daily_ids = [await _notify(daily.id, t) for t in titles]
    weekly_id = await _notify(weekly.id, "Cleaner", kind="match")
    await _notify(off.id, "Driver", kind="match")

    ctx: dict[str, Any] = {}
    await startup(ctx)
    try:
        assert await delivery.daily_digest(ctx) == {"users": 1, "notifications": 3, "failed": 0}
        (digest,) = smtp
        assert digest["To"] == daily.email
        assert digest["Subject"] == "Kohtaanto: päivän kooste — 3 ilmoitusta"
        text = digest.get_body(("plain",))
        html = digest.get_body(("html",))
        assert text is not None and html is not None
        assert all(f"Ehdokaslista valmis: {t} (3 ehdokasta)" in text.get_content() for t in titles)
        assert html.get_content().count("<li>") == 3
        for notification_id in daily_ids:
            assert (await _get(notification_id)).emailed_at is not None

        # Nothing new: no second digest.
        assert (await delivery.daily_digest(ctx))["notifications"] == 0
        assert len(smtp) == 1

        assert await delivery.weekly_digest(ctx) == {"users": 1, "notifications": 1, "failed": 0}
        assert smtp[1]["To"] == weekly.email
        assert smtp[1]["Subject"] == "Kohtaanto: viikon kooste — 1 ilmoitus"
        assert (await _get(weekly_id)).emailed_at is not None
        assert (await delivery.weekly_digest(ctx))["notifications"] == 0
    finally:
        await shutdown(ctx)
    assert {m["To"] for m in smtp} == {daily.email, weekly.email}


# --- preferences ------------------------------------------------------------------------


async def test_preferences_read_and_change(client, make_user, login) -> None:
    person = await make_user(Role.JOBSEEKER)
    headers = await login(person.email)
    response = await client.get("/api/me/preferences", headers=headers)
    assert response.status_code == 200
    assert response.json() == {
        "notify_frequency": "immediate",
        "webhook_url": None,
        "webhook_secret_set": False,
        "language": "fi",
        "webhook_secret": None,
    }
    for frequency in ("daily", "weekly", "off", "immediate"):
        response = await client.put(
            "/api/me/preferences", json={"notify_frequency": frequency}, headers=headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["notify_frequency"] == frequency
    response = await client.put(
        "/api/me/preferences", json={"notify_frequency": "weekly"}, headers=headers
    )
    assert (await client.get("/api/me/preferences", headers=headers)).json()[
        "notify_frequency"
    ] == "weekly"
    # Only staff have webhooks.
    response = await client.put(
        "/api/me/preferences", json={"webhook_url": "https://example.fi/hook"}, headers=headers
    )
    assert response.status_code == 403 and "webhook_url" in response.text


async def test_webhook_secret_shown_once_and_regenerated(client, make_user, login) -> None:
    coordinator = await make_user(Role.COORDINATOR)
    headers = await login(coordinator.email)
    response = await client.put(
        "/api/me/preferences",
        json={"webhook_url": " https://crm.tampere.fi/kohtaanto "},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    first = response.json()
    assert first["webhook_url"] == "https://crm.tampere.fi/kohtaanto"
    assert first["webhook_secret_set"] and len(first["webhook_secret"]) >= 40

    # Not shown again, and kept when other preferences change.
    shown = (await client.get("/api/me/preferences", headers=headers)).json()
    assert shown["webhook_secret"] is None and shown["webhook_secret_set"]
    response = await client.put(
        "/api/me/preferences", json={"notify_frequency": "daily"}, headers=headers
    )
    assert response.json()["webhook_secret"] is None

    response = await client.put(
        "/api/me/preferences", json={"regenerate_webhook_secret": True}, headers=headers
    )
    second = response.json()["webhook_secret"]
    assert second and second != first["webhook_secret"]

    response = await client.put("/api/me/preferences", json={"webhook_url": None}, headers=headers)
    assert response.json() == {
        "notify_frequency": "daily",
        "webhook_url": None,
        "webhook_secret_set": False,
        "language": "fi",
        "webhook_secret": None,
    }


@pytest.mark.parametrize(
    ("body", "field_name"),
    [
        ({"notify_frequency": "hourly"}, "notify_frequency"),
        ({"notify_frequency": None}, "notify_frequency"),
        ({"webhook_url": "ftp://files.example.fi/hook"}, "webhook_url"),
        ({"webhook_url": "not a url"}, "webhook_url"),
        ({"webhook_url": "https://user:pw@example.fi/hook"}, "webhook_url"),
        ({"webhook_url": "https://example.fi/" + "a" * 1100}, "webhook_url"),
        ({"webhook_url": 42}, "webhook_url"),
        ({"regenerate_webhook_secret": True}, "regenerate_webhook_secret"),
        ({"email_everything": True}, "email_everything"),
    ],
)
async def test_preferences_bad_input_names_the_field(
    client, make_user, login, body: dict[str, Any], field_name: str
) -> None:
    coordinator = await make_user(Role.COORDINATOR)
    headers = await login(coordinator.email)
    response = await client.put("/api/me/preferences", json=body, headers=headers)
    assert response.status_code == 400, response.text
    assert field_name in [e["key"] for e in response.json()["extra"]], response.text
    after = (await client.get("/api/me/preferences", headers=headers)).json()
    assert after["notify_frequency"] == "immediate" and after["webhook_url"] is None
