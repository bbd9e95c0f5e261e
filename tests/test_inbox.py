"""Notifications as the reader sees them (issue 14): grouped, linked, in their own
language, with sensible times, and "mark all read" on the page and in the API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from kohtaanto.db import session_scope
from kohtaanto.db.models import Notification, Role, User, Vacancy
from tests.test_reports import Seeded, seed_reports_dataset
from tests.test_staff_pages import _login


@pytest.fixture
async def inbox(clean: None) -> dict[str, Any]:
    """The coordinator of the reports dataset (who has three answers to consent
    requests from its workflow, just now) with twelve "shortlist ready" from the last
    minutes, one from three days ago, and one of a kind the pages do not know."""
    seeded: Seeded = await seed_reports_dataset()
    now = datetime.now(UTC)
    async with session_scope() as session:
        vacancy = await session.scalar(select(Vacancy).where(Vacancy.title == "Vacancy 837"))
        assert vacancy is not None
        for i in range(12):
            session.add(
                Notification(
                    recipient_id=seeded.coordinator.id,
                    kind="shortlist",
                    dedup_key=f"shortlist:{i}",
                    vacancy_id=vacancy.id,
                    params={"vacancy_id": str(vacancy.id), "candidates": 25},
                    created_at=now - timedelta(minutes=5 + i),
                )
            )
        session.add(
            Notification(
                recipient_id=seeded.coordinator.id,
                kind="shortlist",
                dedup_key="shortlist:old",
                vacancy_id=vacancy.id,
                params={"vacancy_id": str(vacancy.id), "candidates": 1},
                created_at=now - timedelta(days=3),
            )
        )
        session.add(
            Notification(
                recipient_id=seeded.coordinator.id,
                kind="something_new",
                dedup_key="new",
                vacancy_id=None,
                params={"legacy_title": "A kind the inbox does not know"},
                created_at=now - timedelta(days=1, hours=2),
            )
        )
    return {"coordinator": seeded.coordinator, "vacancy_id": str(vacancy.id)}


async def test_many_of_a_kind_on_a_day_are_one_group_with_a_count(
    client: Any, inbox: dict[str, Any]
) -> None:
    await _login(client, "coord@example.fi")
    page = await client.get("/notifications", cookies={"lang": "en"})
    assert page.status_code == 200
    assert "12 shortlists ready" in page.text
    assert "3 answers to consent requests" in page.text
    assert page.text.count("<details>") == 2  # the twelve and the three open up
    # Each is linked to the board it is about.
    board = f'href="/coordinator/vacancies/{inbox["vacancy_id"]}"'
    assert page.text.count(board) == 13
    assert "Shortlist ready: Vacancy 837 (25 candidates)" in page.text
    assert "Shortlist ready: Vacancy 837 (1 candidate)" in page.text
    # A kind the code does not know falls back to the title it had before (migrated).
    assert "A kind the inbox does not know" in page.text


async def test_notifications_are_in_the_readers_language(
    client: Any, inbox: dict[str, Any]
) -> None:
    await _login(client, "coord@example.fi")
    finnish = await client.get("/notifications")
    assert "Shortlist ready" not in finnish.text
    assert "12 ehdokaslistaa valmiina" in finnish.text
    assert "Ehdokaslista valmis: Vacancy 837 (25 ehdokasta)" in finnish.text
    swedish = await client.get("/notifications", cookies={"lang": "sv"})
    assert "Kandidatlista klar: Vacancy 837 (25 kandidater)" in swedish.text


async def test_times_are_relative_and_not_all_the_same(client: Any, inbox: dict[str, Any]) -> None:
    await _login(client, "coord@example.fi")
    page = await client.get("/notifications", cookies={"lang": "en"})
    shown = re.findall(r"<time datetime=\"[^\"]+\" title=\"[^\"]+\">([^<]+)</time>", page.text)
    assert len(shown) == 17
    assert len(set(shown)) > 10
    assert "just now" in shown and "5 minutes ago" in shown and "3 days ago" in shown
    finnish = await client.get("/notifications")
    assert "5 minuuttia sitten" in finnish.text


async def test_mark_all_read_on_the_page_and_in_the_api(
    client: Any, inbox: dict[str, Any], login: Any
) -> None:
    await _login(client, "coord@example.fi")
    page = await client.get("/notifications", cookies={"lang": "en"})
    assert "17 unread" in page.text
    marked = await client.post("/notifications/read-all", follow_redirects=False)
    assert marked.status_code == 303
    coordinator_id = inbox["coordinator"].id
    async with session_scope() as session:
        unread = (
            await session.scalars(
                select(Notification).where(
                    Notification.read_at.is_(None), Notification.recipient_id == coordinator_id
                )
            )
        ).all()
        coaches_unread = (
            await session.scalars(
                select(Notification).where(
                    Notification.read_at.is_(None), Notification.recipient_id != coordinator_id
                )
            )
        ).all()
    assert unread == [] and len(coaches_unread) == 3  # the coaches' own are untouched
    page = await client.get("/notifications", cookies={"lang": "en"})
    assert "Mark all as read" not in page.text
    # The API: one more unread, marked with the rest; others' notifications untouched.
    async with session_scope() as session:
        other = User(email="x@example.fi", name="X", role=Role.COACH, password_hash="x")
        session.add(other)
        await session.flush()
        for recipient in (inbox["coordinator"].id, other.id):
            session.add(
                Notification(
                    recipient_id=recipient,
                    kind="shortlist",
                    dedup_key="api",
                    params={},
                )
            )
    client.cookies.clear()
    headers = await login("coord@example.fi")
    response = await client.post("/api/notifications/read-all", headers=headers)
    assert response.status_code == 200 and response.json() == {"marked": 1}
    async with session_scope() as session:
        left = (
            await session.scalars(
                select(Notification.recipient_id).where(Notification.read_at.is_(None))
            )
        ).all()
    assert coordinator_id not in left and other.id in left
    listed = await client.get("/api/notifications", headers=headers)
    links = {n["link"] for n in listed.json()["items"] if n["kind"] == "shortlist"}
    assert f"/coordinator/vacancies/{inbox['vacancy_id']}" in links


async def test_a_jobseekers_consent_request_in_their_language_linked_to_consents(
    client: Any, inbox: dict[str, Any], make_user: Any
) -> None:
    person = await make_user(Role.JOBSEEKER)
    async with session_scope() as session:
        session.add(
            Notification(
                recipient_id=person.id,
                kind="consent_request",
                dedup_key="consent",
                vacancy_id=UUID(inbox["vacancy_id"]),
                params={"vacancy_id": inbox["vacancy_id"], "deadline": "2026-12-14"},
            )
        )
    await _login(client, person.email)
    finnish = await client.get("/notifications")
    assert "Saammeko jakaa profiilisi työpaikkaa Vacancy 837 varten?" in finnish.text
    assert "14.12.2026" in finnish.text
    assert 'href="/jobseeker/consents"' in finnish.text
    swedish = await client.get("/notifications", cookies={"lang": "sv"})
    assert "Får vi dela din profil för Vacancy 837?" in swedish.text
    assert "May we share" not in swedish.text
