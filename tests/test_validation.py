"""Bad input on every write endpoint: a 4xx that names the field, and nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from kohtaanto.db import session_scope
from kohtaanto.db.models import EscoOccupation, EscoSkill, Jobseeker, Role, Vacancy

TAMPERE = "837"


def _names(response: Any, field: str) -> bool:
    """Whether the error body names ``field`` (Litestar's validation shape)."""
    body = response.json()
    keys = {str(e.get("key")) for e in body.get("extra", []) if isinstance(e, dict)}
    return field in keys or field in body.get("detail", "")


async def _vocabulary() -> tuple[str, list[str]]:
    async with session_scope() as session:
        occupation = await session.scalar(
            select(EscoOccupation.uri).order_by(EscoOccupation.uri).limit(1)
        )
        skills = list(
            (await session.scalars(select(EscoSkill.uri).order_by(EscoSkill.uri).limit(3))).all()
        )
    assert occupation is not None
    return occupation, skills


async def _count(model: Any) -> int:
    async with session_scope() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _approve(business_id: str) -> None:
    """What the area's coordinator does before a registered employer may publish."""
    from kohtaanto.db.models import Employer, EmployerStatus

    async with session_scope() as session:
        employer = await session.scalar(select(Employer).where(Employer.business_id == business_id))
        assert employer is not None
        employer.status = EmployerStatus.APPROVED


@pytest.fixture
async def employer(client) -> dict[str, str]:
    response = await client.post(
        "/api/employers/register",
        json={
            "business_id": "0737546-2",
            "name": "Testi Oy",
            "municipality_code": TAMPERE,
            "contact_name": "Tiina Testaaja",
            "email": "tiina@testi.fi",
            "password": "salasana-123",
        },
    )
    assert response.status_code == 202, response.text
    await _approve("0737546-2")
    login = await client.post(
        "/api/auth/login", json={"email": "tiina@testi.fi", "password": "salasana-123"}
    )
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def _vacancy(occupation: str, skills: list[str], **overrides: Any) -> dict[str, Any]:
    body = {
        "title": "Kokki",
        "occupation_uri": occupation,
        "municipality_code": TAMPERE,
        "hours_per_week": 37,
        "essential_skill_uris": skills[:2],
        "optional_skill_uris": skills[2:],
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    ("field", "body"),
    [
        ("password", {"email": "x@y.fi"}),
        ("email", {"password": "x"}),
    ],
)
async def test_login_names_missing_field(client, field: str, body: dict[str, Any]) -> None:
    response = await client.post("/api/auth/login", json=body)
    assert response.status_code == 400 and _names(response, field), response.text


async def test_wrong_password_is_401(client, make_user) -> None:
    user = await make_user(Role.COACH)
    response = await client.post("/api/auth/login", json={"email": user.email, "password": "wrong"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("business_id", {"business_id": "0737546-3"}),  # wrong check digit
        ("business_id", {"business_id": "nonsense"}),
        ("municipality_code", {"municipality_code": "999"}),
        ("municipality_code", {"municipality_code": "Tampere"}),
        ("email", {"email": "not-an-address"}),
        ("password", {"password": "short"}),
        ("name", {"name": ""}),
    ],
)
async def test_register_employer_bad_input(client, field: str, change: dict[str, Any]) -> None:
    from kohtaanto.db.models import Employer, User

    body = {
        "business_id": "0737546-2",
        "name": "Testi Oy",
        "municipality_code": TAMPERE,
        "contact_name": "Tiina",
        "email": "tiina@testi.fi",
        "password": "salasana-123",
    } | change
    response = await client.post("/api/employers/register", json=body)
    assert response.status_code == 400 and _names(response, field), response.text
    assert await _count(Employer) == 0 and await _count(User) == 0


async def test_register_twice_names_business_id(client, employer) -> None:
    response = await client.post(
        "/api/employers/register",
        json={
            "business_id": "0737546-2",
            "name": "Testi Oy",
            "municipality_code": TAMPERE,
            "contact_name": "Toinen",
            "email": "toinen@testi.fi",
            "password": "salasana-123",
        },
    )
    assert response.status_code == 400 and _names(response, "business_id")


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("hours_per_week", {"hours_per_week": 0}),
        ("hours_per_week", {"hours_per_week": "many"}),
        ("title", {"title": "x"}),
        ("occupation_uri", {"occupation_uri": "http://data.europa.eu/esco/occupation/nope"}),
        (
            "essential_skill_uris",
            {"essential_skill_uris": ["http://data.europa.eu/esco/skill/nope"]},
        ),
        ("optional_skill_uris", {"optional_skill_uris": ["http://data.europa.eu/esco/skill/nope"]}),
        ("municipality_code", {"municipality_code": "000"}),
        ("languages", {"languages": ["finnish"]}),
        ("monthly_pay_eur", {"monthly_pay_eur": -5}),
        ("start_date", {"start_date": "next week"}),
        ("salary", {"salary": 3000}),  # unknown field
    ],
)
async def test_create_vacancy_bad_input(
    client, employer, field: str, change: dict[str, Any]
) -> None:
    occupation, skills = await _vocabulary()
    response = await client.post(
        "/api/vacancies", json=_vacancy(occupation, skills, **change), headers=employer
    )
    assert response.status_code == 400 and _names(response, field), response.text
    assert await _count(Vacancy) == 0


async def test_update_publish_close_bad_input(client, employer) -> None:
    occupation, skills = await _vocabulary()
    created = await client.post(
        "/api/vacancies",
        json=_vacancy(occupation, skills, essential_skill_uris=[]),
        headers=employer,
    )
    assert created.status_code == 201, created.text
    url = f"/api/vacancies/{created.json()['id']}"

    response = await client.patch(url, json={"hours_per_week": 99}, headers=employer)
    assert response.status_code == 400 and _names(response, "hours_per_week")
    response = await client.patch(
        url,
        json={"title": "Kokki ja tarjoilija", "optional_skill_uris": ["http://x.example/nope"]},
        headers=employer,
    )
    assert response.status_code == 400 and _names(response, "optional_skill_uris")
    # Nothing of the failed update was written, not even the valid title.
    assert (await client.get(url, headers=employer)).json()["title"] == "Kokki"

    response = await client.post(f"{url}/publish", headers=employer)
    assert response.status_code == 400 and _names(response, "essential_skill_uris")
    response = await client.post(f"{url}/close", json={}, headers=employer)
    assert response.status_code == 400 and _names(response, "status")

    assert (
        await client.patch(url, json={"essential_skill_uris": skills[:1]}, headers=employer)
    ).status_code == 200
    assert (await client.post(f"{url}/publish", headers=employer)).status_code == 200
    response = await client.post(f"{url}/publish", headers=employer)
    assert response.status_code == 400 and _names(response, "status")
    response = await client.patch(url, json={"essential_skill_uris": []}, headers=employer)
    assert response.status_code == 400 and _names(response, "essential_skill_uris")
    response = await client.post(f"{url}/close", json={"filled": "yes"}, headers=employer)
    assert response.status_code == 400 and _names(response, "filled")


async def test_unknown_vacancy_is_404(client, employer) -> None:
    response = await client.get(
        "/api/vacancies/00000000-0000-0000-0000-000000000000", headers=employer
    )
    assert response.status_code == 404
    response = await client.get("/api/vacancies/not-a-uuid", headers=employer)
    assert response.status_code in (400, 404)


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("birth_year", {"birth_year": 1800}),
        ("education", {"education": "wizardry"}),
        ("municipality_code", {"municipality_code": "123"}),
        ("skill_uris", {"skill_uris": ["http://data.europa.eu/esco/skill/nope"]}),
        ("occupation_uris", {"occupation_uris": ["http://data.europa.eu/esco/occupation/nope"]}),
        ("max_travel_km", {"max_travel_km": -1}),
        ("min_hours_per_week", {"min_hours_per_week": 30, "max_hours_per_week": 20}),
        ("personal_identity_code", {"personal_identity_code": "010190-123A"}),
    ],
)
async def test_save_profile_bad_input(
    client, make_user, login, field: str, change: dict[str, Any]
) -> None:
    user = await make_user(Role.JOBSEEKER)
    headers = await login(user.email)
    _, skills = await _vocabulary()
    body = {
        "municipality_code": TAMPERE,
        "birth_year": 1990,
        "education": "basic",
        "skill_uris": skills,
    } | change
    response = await client.put("/api/jobseekers/me", json=body, headers=headers)
    assert response.status_code == 400 and _names(response, field), response.text
    assert await _count(Jobseeker) == 0


async def test_notification_of_someone_else_is_404(client, make_user, login) -> None:
    user = await make_user(Role.COACH)
    response = await client.post(
        "/api/notifications/00000000-0000-0000-0000-000000000000/read",
        headers=await login(user.email),
    )
    assert response.status_code == 404
