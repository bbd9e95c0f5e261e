"""The employer's first hour (issue 14): decimal hours, defaults from the organisation,
what happens after publishing, a really sorted list, the whole vacancy, the coordinator."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from kohtaanto.db import session_scope
from kohtaanto.db.models import (
    Employer,
    EscoOccupation,
    EscoSkill,
    Municipality,
    Role,
    User,
    Vacancy,
    VacancySkill,
    VacancyStatus,
)
from tests.test_web import page_login


@pytest.fixture
async def employer(client: Any, make_user: Any) -> dict[str, Any]:
    """An employer in Nokia (not first in the list) served by a named coordinator."""
    coordinator = await make_user(
        Role.COORDINATOR, name="Kaisa Koordinaattori", phone="+358 40 123 4567"
    )
    async with session_scope() as session:
        place = await session.scalar(select(Municipality).where(Municipality.code == "536"))
        assert place is not None
        org = Employer(
            business_id="0737546-2",
            name="Nokian Testi Oy",
            municipality_id=place.id,
            coordinator_id=coordinator.id,
        )
        session.add(org)
        await session.flush()
        occupation = await session.scalar(select(EscoOccupation).limit(1))
        skills = (await session.scalars(select(EscoSkill).order_by(EscoSkill.id).limit(3))).all()
        assert occupation is not None and len(skills) == 3
        org_id = org.id
        data = {
            "occupation_uri": occupation.uri,
            "occupation_id": occupation.id,
            "skills": [(s.id, s.uri, s.label) for s in skills],
        }
    user = await make_user(Role.EMPLOYER, employer_id=org_id)
    await page_login(client, user.email)
    return {"id": org_id, "user": user, "coordinator": coordinator, **data}


def _fields(employer: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    (_, essential, _), (_, optional, _), _ = employer["skills"]
    return {
        "title": "Hitsaaja",
        "occupation_uri": employer["occupation_uri"],
        "essential_skill_uris": [essential],
        "optional_skill_uris": [optional],
        "municipality_code": "536",
        "hours_per_week": "37,5",
        "start_date": "2027-01-04",
        "languages": ["fi"],
        **overrides,
    }


async def test_hours_are_a_decimal_in_every_language(client: Any, employer: dict[str, Any]) -> None:
    saved = await client.post(
        "/employer/vacancies/new", data=_fields(employer), follow_redirects=False
    )
    assert saved.status_code == 303, saved.text
    url = saved.headers["location"].split("?")[0]
    async with session_scope() as session:
        vacancy = await session.scalar(select(Vacancy).where(Vacancy.title == "Hitsaaja"))
        assert vacancy is not None and vacancy.hours_per_week == 37.5
    # Shown the way each language writes it, on the page and back in the form.
    assert "<dd>37,5</dd>" in (await client.get(url)).text
    assert "<dd>37,5</dd>" in (await client.get(url, cookies={"lang": "sv"})).text
    assert "<dd>37.5</dd>" in (await client.get(url, cookies={"lang": "en"})).text
    assert 'value="37,5"' in (await client.get(f"{url}/edit")).text
    # A dot works as well; quarter hours (38,25) too; a tenth does not fit the quarter rule.
    for typed, stored in (("38.25", 38.25), ("20", 20.0)):
        edited = await client.post(
            f"{url}/edit", data=_fields(employer, hours_per_week=typed), follow_redirects=False
        )
        assert edited.status_code == 303, edited.text
        async with session_scope() as session:
            assert await session.scalar(select(Vacancy.hours_per_week)) == stored
    bad = await client.post(f"{url}/edit", data=_fields(employer, hours_per_week="37,3"))
    assert bad.status_code == 400
    assert 'id="hours_per_week-error"' in bad.text
    assert 'value="37,3"' in bad.text  # what was typed stays


async def test_api_accepts_decimal_hours(client: Any, employer: dict[str, Any], login: Any) -> None:
    headers = await login(employer["user"].email)
    body = {
        "title": "Kokki",
        "occupation_uri": employer["occupation_uri"],
        "municipality_code": "536",
        "hours_per_week": 37.5,
    }
    created = await client.post("/api/vacancies", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["hours_per_week"] == 37.5
    bad = await client.post(
        "/api/vacancies", json={**body, "hours_per_week": 37.3}, headers=headers
    )
    assert bad.status_code == 400 and "hours_per_week" in bad.text


async def test_new_vacancy_defaults_to_the_organisations_municipality(
    client: Any, employer: dict[str, Any]
) -> None:
    form = await client.get("/employer/vacancies/new")
    selected = re.findall(r'<option value="(\d+)" selected>', form.text)
    assert selected == ["536"]  # Nokia, not Akaa at the top of the list


async def test_publishing_says_what_happens_next(client: Any, employer: dict[str, Any]) -> None:
    saved = await client.post(
        "/employer/vacancies/new", data=_fields(employer), follow_redirects=False
    )
    url = saved.headers["location"].split("?")[0]
    published = await client.post(f"{url}/publish", follow_redirects=False)
    assert published.status_code == 303
    page = await client.get(published.headers["location"], cookies={"lang": "en"})
    assert "a shortlist of suitable jobseekers is built now" in page.text
    assert "Kaisa Koordinaattori" in page.text
    finnish = await client.get(published.headers["location"])
    assert "Kaisa Koordinaattori" in finnish.text and "ehdokaslista" in finnish.text


async def test_vacancy_page_shows_optional_skills_and_start_date(
    client: Any, employer: dict[str, Any]
) -> None:
    saved = await client.post(
        "/employer/vacancies/new", data=_fields(employer), follow_redirects=False
    )
    page = await client.get(saved.headers["location"], cookies={"lang": "en"})
    (_, _, essential), (_, _, optional), _ = employer["skills"]
    assert "Optional skills (ESCO)" in page.text
    assert optional in page.text.split("Optional skills (ESCO)", 1)[1]
    assert essential in page.text
    assert "04.01.2027" in page.text


async def test_vacancy_list_is_newest_first(client: Any, employer: dict[str, Any]) -> None:
    now = datetime.now(UTC)
    async with session_scope() as session:
        # All created long ago, in one go (as the demo does), published in another
        # order; a draft counts from its creation.
        for title, published in (
            ("Vanha", now - timedelta(days=30)),
            ("Uusin julkaistu", now - timedelta(days=1)),
            ("Keskimmäinen", now - timedelta(days=10)),
            ("Luonnos", None),
        ):
            session.add(
                Vacancy(
                    employer_id=employer["id"],
                    title=title,
                    occupation_id=employer["occupation_id"],
                    municipality_id=(
                        await session.scalar(
                            select(Municipality.id).where(Municipality.code == "536")
                        )
                    ),
                    hours_per_week=37.5,
                    status=VacancyStatus.OPEN if published else VacancyStatus.DRAFT,
                    published_at=published,
                    created_at=now - timedelta(days=40 if published else 5),
                    skill_links=[VacancySkill(skill_id=employer["skills"][0][0], essential=True)],
                )
            )
    page = await client.get("/employer")
    titles = re.findall(r'<a href="/employer/vacancies/[0-9a-f-]+">([^<]+)</a>', page.text)
    assert titles == ["Uusin julkaistu", "Luonnos", "Keskimmäinen", "Vanha"]


async def test_organisation_names_its_coordinator_without_the_id(
    client: Any, employer: dict[str, Any]
) -> None:
    page = await client.get("/employer/organisation")
    coordinator: User = employer["coordinator"]
    assert page.status_code == 200
    assert "Kaisa Koordinaattori" in page.text
    assert f'href="mailto:{coordinator.email}"' in page.text
    assert "+358 40 123 4567" in page.text
    assert str(coordinator.id) not in page.text


async def test_skills_from_several_searches_accumulate_without_javascript(
    client: Any, employer: dict[str, Any]
) -> None:
    """Without JavaScript each search submits the form (nothing saved) and comes back
    with what was ticked among the chosen chips; saving keeps them all."""
    (_, first, first_label), (_, second, second_label), _ = employer["skills"]
    base = {
        "title": "Hitsaaja",
        "occupation_uri": employer["occupation_uri"],
        "municipality_code": "536",
        "hours_per_week": "37,5",
    }
    searched = await client.post(
        "/employer/vacancies/new",
        data={**base, "q": ["", first_label, ""], "find_field": "essential_skill_uris"},
    )
    assert searched.status_code == 200
    results = searched.text.split('id="essential_skill_uris-results"', 1)[1].split("</div>", 1)[0]
    assert f'value="{first}"' in results
    assert f'value="{first_label}" autofocus' in searched.text
    # Tick the first, search again for the second: the first is now a chosen chip.
    searched = await client.post(
        "/employer/vacancies/new",
        data={
            **base,
            "essential_skill_uris": [first],
            "q": ["", second_label, ""],
            "find_field": "essential_skill_uris",
        },
    )
    chips = searched.text.split('data-chosen="essential_skill_uris"', 1)[1].split("</ul>", 1)[0]
    assert f'value="{first}" checked' in chips and first_label in chips
    results = searched.text.split('id="essential_skill_uris-results"', 1)[1].split("</div>", 1)[0]
    assert f'value="{second}"' in results
    async with session_scope() as session:
        assert await session.scalar(select(Vacancy.id)) is None  # a search saves nothing
    saved = await client.post(
        "/employer/vacancies/new",
        data={**base, "essential_skill_uris": [first, second], "q": ["", "", ""]},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    page = await client.get(saved.headers["location"])
    assert first_label in page.text and second_label in page.text
