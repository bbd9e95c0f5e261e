"""GDPR on real services: a jobseeker downloads all their data, then asks for erasure.

After erasure the person cannot log in, is not in the search index nor on any
active shortlist, and the logs others rely on remain without personal data.
"""

from __future__ import annotations

from uuid import UUID

import pytest
from meilisearch_python_sdk.errors import MeilisearchApiError
from sqlalchemy import select

from kohtaanto.db import session_scope
from kohtaanto.db.models import (
    EntryStatus,
    Jobseeker,
    Notification,
    ProfileView,
    Role,
    ShortlistEntry,
    ShortlistEvent,
    User,
)
from kohtaanto.settings import get_settings
from search.client import search_client
from search.indexes import jobseeker_index
from tests.conftest import PASSWORD
from tests.factories import occupation_with_skills, profile, register_employer, vacancy

pytestmark = pytest.mark.usefixtures("stack")


async def _in_index(jobseeker_id: str) -> bool:
    async with search_client() as search:
        index = search.index(jobseeker_index(get_settings().search.index_prefix))
        try:
            await index.get_document(jobseeker_id)
        except MeilisearchApiError as e:
            if e.status_code == 404:
                return False
            raise
        return True


async def test_export_then_erasure(client, make_user, login, run_jobs) -> None:
    occupation, essential, optional = await occupation_with_skills("shop assistant")
    coordinator = await make_user(Role.COORDINATOR, sub_region="Tampere")
    await register_employer(client, "0737546-2", "hr@kauppa.fi")
    anna = await make_user(
        Role.JOBSEEKER, email="anna@example.fi", name="Anna Virtanen", phone="+358401234567"
    )
    headers = await login(anna.email)
    response = await client.put(
        "/api/jobseekers/me", json=profile(occupation, essential[:6]), headers=headers
    )
    assert response.status_code == 200, response.text
    jobseeker_id = response.json()["id"]
    assert (await run_jobs())["failed"] == 0
    employer = await login("hr@kauppa.fi", "kauppa-salasana")
    created = await client.post(
        "/api/vacancies", json=vacancy(occupation, essential[:6], optional[:3]), headers=employer
    )
    vacancy_id = created.json()["id"]
    await client.post(f"/api/vacancies/{vacancy_id}/publish", headers=employer)
    assert (await run_jobs())["failed"] == 0
    staff = await login(coordinator.email)
    shortlist = await client.get(f"/api/vacancies/{vacancy_id}/shortlist", headers=staff)
    entry = next(e for e in shortlist.json()["entries"] if e["candidate"]["id"] == jobseeker_id)
    response = await client.post(
        f"/api/shortlist-entries/{entry['id']}/move",
        json={"to": "consent_requested", "note": "Anna Virtanen prefers mornings"},
        headers=staff,
    )
    assert response.status_code == 200, response.text
    assert await _in_index(jobseeker_id)

    # The export holds everything: account, profile, entries with why, consents, inbox, views.
    response = await client.get("/api/jobseekers/me/export", headers=headers)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["account"]["email"] == "anna@example.fi"
    assert data["account"]["phone"] == "+358401234567"
    assert data["profile"]["id"] == jobseeker_id
    assert len(data["profile"]["skills"]) == 6 and data["profile"]["occupations"]
    assert data["profile"]["birth_year"] == 1990
    [mine] = data["shortlist_entries"]
    assert mine["status"] == "consent_requested" and mine["explanation"]
    assert [e["to"] for e in mine["events"]] == ["consent_requested"]
    assert data["consents"][0]["deadline"] and data["consents"][0]["answered_at"] is None
    assert {n["kind"] for n in data["notifications"]} >= {"consent_request"}
    assert data["profile_views"] and data["profile_views"][0]["organisation"]
    # No one else can read it: an employer is refused.
    assert (await client.get("/api/jobseekers/me/export", headers=employer)).status_code == 403

    response = await client.delete("/api/jobseekers/me", headers=headers)
    assert response.status_code == 204, response.text

    # Login is disabled, and the token in hand no longer works.
    response = await client.post(
        "/api/auth/login", json={"email": "anna@example.fi", "password": PASSWORD}
    )
    assert response.status_code == 401
    assert (await client.get("/api/jobseekers/me", headers=headers)).status_code == 401
    # The index entry goes through the outbox and a job.
    assert (await run_jobs())["failed"] == 0
    assert not await _in_index(jobseeker_id)
    # Not on the coordinator's shortlist as an active candidate any more.
    shortlist = await client.get(f"/api/vacancies/{vacancy_id}/shortlist", headers=staff)
    statuses = {e["id"]: e["status"] for e in shortlist.json()["entries"]}
    assert statuses[entry["id"]] == "removed"  # still listed, so the check below is not empty
    assert all(
        e["status"] == "removed"
        for e in shortlist.json()["entries"]
        if e["candidate"]["id"] == jobseeker_id
    )

    async with session_scope() as session:
        person = await session.get(Jobseeker, UUID(jobseeker_id))
        assert person is not None and person.anonymised_at is not None
        assert person.skills == [] and person.occupations == [] and person.languages == []
        assert person.birth_year == 0 and not person.visible_to_employers
        account = await session.get(User, anna.id)
        assert account is not None and not account.is_active
        assert "anna" not in account.email.lower() and account.name != "Anna Virtanen"
        assert account.phone is None
        entry_row = await session.get(ShortlistEntry, UUID(entry["id"]))
        assert entry_row is not None
        assert entry_row.status is EntryStatus.REMOVED
        assert entry_row.outcome_reason == "candidate_request"
        assert entry_row.explanation == {}
        # The logs remain, without the coordinator's free-text note about her.
        events = (
            await session.scalars(
                select(ShortlistEvent)
                .where(ShortlistEvent.entry_id == entry_row.id)
                .order_by(ShortlistEvent.id)
            )
        ).all()
        assert [e.to_status for e in events] == [EntryStatus.CONSENT_REQUESTED, EntryStatus.REMOVED]
        assert all("Anna" not in (e.reason or "") for e in events)
        assert events[-1].reason == "candidate_request"
        views = (
            await session.scalars(select(ProfileView).where(ProfileView.jobseeker_id == person.id))
        ).all()
        assert views
        inbox = (
            await session.scalars(select(Notification).where(Notification.recipient_id == anna.id))
        ).all()
        assert inbox == []
