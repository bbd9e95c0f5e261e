"""The same use case answers the same way through both doors (issue 9).

For each concept's main write — vacancy create, employer approve/reject, profile save,
notification mark-read — the JSON API and the page write the same rows, and a refusal
carries the same code: ``extra[].code`` at the API, ``data-code`` on the page.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select

from kohtaanto.db import session_scope
from kohtaanto.db.models import (
    Employer,
    EmployerStatus,
    EscoOccupation,
    EscoSkill,
    Jobseeker,
    Municipality,
    Notification,
    Role,
    Vacancy,
)
from tests.test_web import page_login

UNKNOWN_OCCUPATION = "http://data.europa.eu/esco/occupation/no-such-thing"


async def _employer(make_user: Any, status: EmployerStatus, business_id: str, **user: Any) -> Any:
    async with session_scope() as session:
        place = await session.scalar(select(Municipality).where(Municipality.code == "837"))
        assert place is not None
        org = Employer(business_id=business_id, name=f"Oy {business_id}", municipality_id=place.id)
        org.status = status
        session.add(org)
        await session.flush()
        org_id = org.id
    return await make_user(Role.EMPLOYER, employer_id=org_id, **user), org_id


async def _vocabulary() -> tuple[str, list[str]]:
    async with session_scope() as session:
        occupation = await session.scalar(select(EscoOccupation).order_by(EscoOccupation.id))
        skills = (await session.scalars(select(EscoSkill).order_by(EscoSkill.id).limit(3))).all()
        assert occupation is not None and len(skills) == 3
        return occupation.uri, [s.uri for s in skills]


def _api_code(response: Any) -> tuple[str, str]:
    [item] = response.json()["extra"]
    return item["key"], item["code"]


async def _vacancy_row(vacancy_id: UUID) -> dict[str, Any]:
    async with session_scope() as session:
        v = await session.get(Vacancy, vacancy_id)
        assert v is not None
        return {
            "occupation": v.occupation.uri,
            "municipality": v.municipality.code,
            "hours": float(v.hours_per_week),
            "languages": list(v.languages),
            "status": v.status,
            "essential": sorted(k.skill.uri for k in v.skill_links if k.essential),
            "optional": sorted(k.skill.uri for k in v.skill_links if not k.essential),
            "wage_subsidy": v.open_to_wage_subsidy,
        }


async def _count(model: Any) -> int:
    async with session_scope() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_vacancy_create_is_the_same_through_the_api_and_the_page(
    client: Any, make_user: Any, login: Any
) -> None:
    user, _ = await _employer(make_user, EmployerStatus.APPROVED, "0737546-2")
    occupation, skills = await _vocabulary()
    fields = {
        "occupation_uri": occupation,
        "municipality_code": "837",
        "essential_skill_uris": skills[:2],
        "optional_skill_uris": skills[2:],
        "languages": ["fi", "sv"],
        "open_to_wage_subsidy": True,
    }
    headers = await login(user.email)
    api = await client.post(
        "/api/vacancies",
        json={**fields, "title": "Hitsaaja", "hours_per_week": 37.5},
        headers=headers,
    )
    assert api.status_code == 201, api.text
    await page_login(client, user.email)
    page = await client.post(
        "/employer/vacancies/new",
        data={
            **{k: v for k, v in fields.items() if k != "open_to_wage_subsidy"},
            "open_to_wage_subsidy": "on",
            "title": "Hitsaaja",
            "hours_per_week": "37,5",
        },
        follow_redirects=False,
    )
    assert page.status_code == 303, page.text
    page_id = UUID(page.headers["location"].split("?")[0].rsplit("/", 1)[1])
    assert await _vacancy_row(UUID(api.json()["id"])) == await _vacancy_row(page_id)

    # The same refusal: an occupation that is not in ESCO; nothing written either way.
    before = await _count(Vacancy)
    bad = {**fields, "title": "Hitsaaja", "occupation_uri": UNKNOWN_OCCUPATION}
    refused = await client.post(
        "/api/vacancies", json={**bad, "hours_per_week": 37.5}, headers=headers
    )
    assert refused.status_code == 400
    assert _api_code(refused) == ("occupation_uri", "unknown_occupation")
    shown = await client.post(
        "/employer/vacancies/new",
        data={**bad, "open_to_wage_subsidy": "on", "hours_per_week": "37,5"},
    )
    assert shown.status_code == 400
    assert 'id="occupation_uri-error" data-code="unknown_occupation"' in shown.text
    assert await _count(Vacancy) == before


async def test_publish_refusal_has_one_code(client: Any, make_user: Any, login: Any) -> None:
    """A pending organisation cannot publish: 403 with the code at the API, the same
    refusal (by its code) on the page; the vacancy stays a draft."""
    user, _ = await _employer(make_user, EmployerStatus.PENDING, "0112038-9")
    occupation, skills = await _vocabulary()
    headers = await login(user.email)
    draft = await client.post(
        "/api/vacancies",
        json={
            "title": "Myyjä",
            "occupation_uri": occupation,
            "municipality_code": "837",
            "hours_per_week": 30,
            "essential_skill_uris": skills[:1],
        },
        headers=headers,
    )
    assert draft.status_code == 201, draft.text
    vacancy_id = draft.json()["id"]
    api = await client.post(f"/api/vacancies/{vacancy_id}/publish", headers=headers)
    assert api.status_code == 403
    assert _api_code(api) == ("body", "employer_not_approved")
    await page_login(client, user.email)
    page = await client.post(f"/employer/vacancies/{vacancy_id}/publish", follow_redirects=False)
    assert page.headers["location"].endswith("?error=unverified")
    assert (await _vacancy_row(UUID(vacancy_id)))["status"].value == "draft"


async def test_employer_decision_is_the_same_through_the_api_and_the_page(
    client: Any, make_user: Any, login: Any
) -> None:
    coordinator = await make_user(Role.COORDINATOR, sub_region="Tampere")
    _, by_api = await _employer(make_user, EmployerStatus.PENDING, "0112038-9")
    _, by_page = await _employer(make_user, EmployerStatus.PENDING, "0737546-2")
    _, refused = await _employer(make_user, EmployerStatus.PENDING, "2331972-7")
    headers = await login(coordinator.email)
    api = await client.post(f"/api/employers/{by_api}/approve", headers=headers)
    assert api.status_code == 200, api.text
    await page_login(client, coordinator.email)
    page = await client.post(f"/coordinator/employers/{by_page}/approve", follow_redirects=False)
    assert page.status_code == 303
    async with session_scope() as session:
        rows = [await session.get(Employer, i) for i in (by_api, by_page)]
        assert [(e.status, e.reviewed_by_id, e.rejection_reason) for e in rows if e] == [
            (EmployerStatus.APPROVED, coordinator.id, None)
        ] * 2

    # A rejection without a reason (blank after trimming): one code, nothing decided.
    blank = await client.post(
        f"/api/employers/{refused}/reject", json={"reason": "   "}, headers=headers
    )
    assert blank.status_code == 400
    assert _api_code(blank) == ("reason", "reason_required")
    shown = await client.post(f"/coordinator/employers/{refused}/reject", data={"reason": "   "})
    assert shown.status_code == 400
    assert 'data-code="reason_required"' in shown.text
    # Deciding twice: the API says so; the page shows the list as it now is.
    twice = await client.post(f"/api/employers/{by_page}/approve", headers=headers)
    assert twice.status_code == 400
    assert _api_code(twice) == ("status", "already_decided")
    async with session_scope() as session:
        still = await session.get(Employer, refused)
        assert still is not None and still.status is EmployerStatus.PENDING


@pytest.mark.parametrize("door", ["api", "page"])
async def test_profile_save_is_the_same_through_the_api_and_the_page(
    client: Any, make_user: Any, login: Any, door: str
) -> None:
    user = await make_user(Role.JOBSEEKER)
    occupation, skills = await _vocabulary()
    fields: dict[str, Any] = {
        "municipality_code": "837",
        "birth_year": 1988,
        "education": "bachelor",
        "skill_uris": skills[:2],
        "occupation_uris": [occupation],
        "languages": ["fi", "sv"],
        "max_travel_km": 25,
        "min_hours_per_week": 20,
        "max_hours_per_week": 40,
        "visible_to_employers": True,
    }
    form = {k: ("on" if v is True else v) for k, v in fields.items()}
    form = {k: [str(x) for x in v] if isinstance(v, list) else str(v) for k, v in form.items()}
    bad_hours = {"min_hours_per_week": 30, "max_hours_per_week": 20}
    if door == "api":
        headers = await login(user.email)
        refused = await client.put(
            "/api/jobseekers/me", json={**fields, **bad_hours}, headers=headers
        )
        assert refused.status_code == 400
        assert _api_code(refused) == ("min_hours_per_week", "hours_range")
        saved = await client.put("/api/jobseekers/me", json=fields, headers=headers)
        assert saved.status_code == 200, saved.text
    else:
        await page_login(client, user.email)
        refused = await client.post(
            "/jobseeker/profile", data={**form, **{k: str(v) for k, v in bad_hours.items()}}
        )
        assert refused.status_code == 400
        assert 'id="min_hours_per_week-error" data-code="hours_range"' in refused.text
        saved = await client.post("/jobseeker/profile", data=form, follow_redirects=False)
        assert saved.status_code == 303, saved.text
    async with session_scope() as session:
        [profile] = (
            await session.scalars(select(Jobseeker).where(Jobseeker.user_id == user.id))
        ).all()
        assert {
            "municipality": profile.municipality.code,
            "birth_year": profile.birth_year,
            "education": profile.education.value,
            "skills": sorted(s.uri for s in profile.skills),
            "occupations": [o.uri for o in profile.occupations],
            "languages": profile.languages,
            "travel": profile.max_travel_km,
            "hours": (profile.min_hours_per_week, profile.max_hours_per_week),
            "visible": profile.visible_to_employers,
        } == {
            "municipality": "837",
            "birth_year": 1988,
            "education": "bachelor",
            "skills": sorted(skills[:2]),
            "occupations": [occupation],
            "languages": ["fi", "sv"],
            "travel": 25,
            "hours": (20, 40),
            "visible": True,
        }


async def test_mark_read_is_the_same_through_the_api_and_the_page(
    client: Any, make_user: Any, login: Any
) -> None:
    user = await make_user(Role.COACH)
    other = await make_user(Role.COACH)
    async with session_scope() as session:
        notes = [
            Notification(
                recipient_id=owner.id,
                kind="match",
                dedup_key=f"k{i}",
                params={"vacancy_title": "t"},
            )
            for i, owner in enumerate((user, user, other))
        ]
        session.add_all(notes)
        await session.flush()
        by_api, by_page, foreign = (n.id for n in notes)
    headers = await login(user.email)
    api = await client.post(f"/api/notifications/{by_api}/read", headers=headers)
    assert api.status_code == 200 and api.json()["read_at"]
    await page_login(client, user.email)
    page = await client.post(f"/notifications/{by_page}/read", follow_redirects=False)
    assert page.status_code == 303
    async with session_scope() as session:
        read = [await session.get(Notification, i) for i in (by_api, by_page, foreign)]
        assert [n.read_at is not None for n in read if n] == [True, True, False]

    # Someone else's notification: not found, with one code, through both doors.
    refused = await client.post(f"/api/notifications/{foreign}/read", headers=headers)
    assert refused.status_code == 404
    assert _api_code(refused) == ("notification_id", "notification_not_found")
    shown = await client.post(f"/notifications/{foreign}/read", headers={"HX-Request": "true"})
    assert shown.status_code == 404
    assert 'data-code="notification_not_found"' in shown.text
    async with session_scope() as session:
        n = await session.get(Notification, foreign)
        assert n is not None and n.read_at is None
