"""The web interface: login, language, role pages, and the employer and jobseeker journeys."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from kohtaanto.db.models import Role
from tests.conftest import PASSWORD


async def page_login(client: AsyncTestClient[Any], email: str) -> None:
    response = await client.post(
        "/login", data={"email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


async def test_login_page_is_finnish_by_default_and_swedish_after_the_switch(client) -> None:
    response = await client.get("/login")
    assert response.status_code == 200
    assert '<html lang="fi">' in response.text
    assert "Kirjaudu sisään" in response.text
    switched = await client.get("/lang/sv?next=/login", follow_redirects=False)
    assert switched.status_code == 302
    assert switched.headers["location"] == "/login"
    response = await client.get("/login")
    assert '<html lang="sv">' in response.text
    assert "Logga in" in response.text
    await client.get("/lang/en?next=/login")
    assert "Log in" in (await client.get("/login")).text


async def test_login_sets_an_httponly_cookie_and_goes_to_the_role_home(client, make_user) -> None:
    user = await make_user(Role.EMPLOYER)
    response = await client.post(
        "/login", data={"email": user.email, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/employer"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("token=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    # The cookie opens the pages, never the API (which has no CSRF protection).
    assert (await client.get("/employer")).status_code == 200
    assert (await client.get("/api/auth/me")).status_code == 401
    out = await client.post("/logout", follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert (await client.get("/employer", follow_redirects=False)).status_code == 302


async def test_wrong_password_is_shown_next_to_the_field(client, make_user) -> None:
    user = await make_user(Role.JOBSEEKER)
    response = await client.post("/login", data={"email": user.email, "password": "nope"})
    assert response.status_code == 400
    assert 'id="password-error"' in response.text
    assert 'aria-describedby="password-error"' in response.text
    assert "Väärä sähköpostiosoite tai salasana" in response.text


async def test_anonymous_visitors_go_to_login_and_come_back(client, make_user) -> None:
    response = await client.get("/", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/login?next=%2F"
    form = await client.get("/login?next=%2Fjobseeker")
    assert 'name="next" value="/jobseeker"' in form.text
    user = await make_user(Role.JOBSEEKER)
    response = await client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/jobseeker"  # other sites are never a target


async def test_an_employer_posts_and_publishes_a_vacancy_through_the_form(
    client, make_user
) -> None:
    from sqlalchemy import select

    from kohtaanto.db import session_scope
    from kohtaanto.db.models import Employer, EscoOccupation, EscoSkill, Municipality, OutboxMessage

    async with session_scope() as session:
        place = await session.scalar(select(Municipality).where(Municipality.code == "837"))
        employer = Employer(business_id="0737546-2", name="Testi Oy", municipality_id=place.id)
        session.add(employer)
        await session.flush()
        occupation = await session.scalar(select(EscoOccupation).limit(1))
        skill = await session.scalar(select(EscoSkill).limit(1))
        employer_id, occupation_uri, skill_uri = employer.id, occupation.uri, skill.uri
    user = await make_user(Role.EMPLOYER, employer_id=employer_id)
    await page_login(client, user.email)

    form = await client.get("/employer/vacancies/new")
    assert form.status_code == 200 and 'for="title"' in form.text
    found = await client.get(
        "/ui/esco/skills", params={"name": "essential_skill_uris", "q": skill.label}
    )
    assert skill_uri in found.text
    fields = {
        "title": "Kokki",
        "description": "Ravintolan kokki Tampereella",
        "occupation_uri": occupation_uri,
        "essential_skill_uris": [skill_uri],
        "municipality_code": "837",
        "hours_per_week": "37",
        "languages": ["fi", "en"],
        "open_to_work_trial": "on",
    }
    bad = await client.post("/employer/vacancies/new", data={**fields, "hours_per_week": "99"})
    assert bad.status_code == 400
    assert 'id="hours_per_week-error"' in bad.text
    assert 'aria-describedby="hours_per_week-hint hours_per_week-error"' in bad.text
    assert 'value="Kokki"' in bad.text  # the form keeps what was typed

    saved = await client.post("/employer/vacancies/new", data=fields, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    detail_url = saved.headers["location"].split("?")[0]
    detail = await client.get(detail_url)
    assert "Kokki" in detail.text and "Luonnos" in detail.text
    published = await client.post(f"{detail_url}/publish", follow_redirects=False)
    assert published.status_code == 303
    assert "Avoin" in (await client.get(detail_url)).text
    async with session_scope() as session:
        jobs = (await session.scalars(select(OutboxMessage))).all()
    assert any(j.task == "vacancy_published" for j in jobs)


async def test_a_jobseeker_saves_the_profile_and_answers_a_consent_request(
    client, make_user
) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from kohtaanto.db import session_scope
    from kohtaanto.db.models import (
        Employer,
        EntryStatus,
        EscoOccupation,
        EscoSkill,
        Jobseeker,
        Municipality,
        OutboxMessage,
        Shortlist,
        ShortlistEntry,
        Vacancy,
        VacancyStatus,
    )

    user = await make_user(Role.JOBSEEKER)
    await page_login(client, user.email)
    assert (await client.get("/jobseeker", follow_redirects=False)).headers[
        "location"
    ] == "/jobseeker/profile"
    async with session_scope() as session:
        skill = await session.scalar(select(EscoSkill).limit(1))
        occupation = await session.scalar(select(EscoOccupation).limit(1))
        skill_uri, occupation_uri = skill.uri, occupation.uri
    fields = {
        "municipality_code": "837",
        "max_travel_km": "25",
        "birth_year": "1988",
        "education": "bachelor",
        "languages": ["fi", "sv"],
        "min_hours_per_week": "20",
        "max_hours_per_week": "40",
        "skill_uris": [skill_uri],
        "occupation_uris": [occupation_uri],
        "available": "on",
        "visible_to_employers": "on",
    }
    bad = await client.post("/jobseeker/profile", data={**fields, "min_hours_per_week": "45"})
    assert bad.status_code == 400
    assert 'id="min_hours_per_week-error"' in bad.text
    saved = await client.post("/jobseeker/profile", data=fields, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    page = await client.get(saved.headers["location"])
    assert "Tallennettu." in page.text and skill.label in page.text
    async with session_scope() as session:
        profile = await session.scalar(select(Jobseeker).where(Jobseeker.user_id == user.id))
        assert profile is not None and profile.max_travel_km == 25
        assert profile.languages == ["fi", "sv"] and profile.visible_to_employers
        jobs = (await session.scalars(select(OutboxMessage))).all()
        assert any(j.task == "jobseeker_saved" for j in jobs)
        # A coordinator asked for consent for a vacancy.
        place = await session.scalar(select(Municipality).where(Municipality.code == "837"))
        employer = Employer(business_id="0737546-2", name="Testi Oy", municipality_id=place.id)
        session.add(employer)
        await session.flush()
        vacancy = Vacancy(
            employer_id=employer.id,
            title="Kokki",
            occupation_id=occupation.id,
            municipality_id=place.id,
            hours_per_week=37,
            status=VacancyStatus.OPEN,
        )
        session.add(vacancy)
        await session.flush()
        shortlist = Shortlist(vacancy_id=vacancy.id, model_version="test")
        session.add(shortlist)
        await session.flush()
        entry = ShortlistEntry(
            shortlist_id=shortlist.id,
            jobseeker_id=profile.id,
            rank=1,
            score=0.9,
            status=EntryStatus.CONSENT_REQUESTED,
            consent_requested_at=datetime.now(UTC),
            consent_deadline=datetime.now(UTC) + timedelta(days=7),
        )
        session.add(entry)
        await session.flush()
        entry_id = entry.id

    consents = await client.get("/jobseeker/consents")
    assert "Kokki" in consents.text and "Suostumusta pyydetty" in consents.text
    answered = await client.post(
        f"/jobseeker/entries/{entry_id}/consent", data={"answer": "agree"}, follow_redirects=False
    )
    assert answered.status_code == 303
    async with session_scope() as session:
        assert (await session.get(ShortlistEntry, entry_id)).status is EntryStatus.CONSENTED
    again = await client.get("/jobseeker/consents")
    assert "Suostunut" in again.text
    await client.post(f"/jobseeker/entries/{entry_id}/consent", data={"answer": "decline"})
    async with session_scope() as session:
        assert (await session.get(ShortlistEntry, entry_id)).status is EntryStatus.DECLINED


async def test_page_forms_need_the_csrf_token(clean, make_user, app) -> None:
    """A form posted from another site (no token) is refused; the page's own form passes."""
    from litestar.testing import AsyncTestClient

    user = await make_user(Role.COACH)
    async with AsyncTestClient(app=app) as browser:
        page = await browser.get("/login")
        assert 'name="_csrf_token"' in page.text
        token = browser.cookies["csrftoken"]
        forged = await browser.post(
            "/login", data={"email": user.email, "password": PASSWORD}, follow_redirects=False
        )
        assert forged.status_code == 403
        response = await browser.post(
            "/login",
            data={"email": user.email, "password": PASSWORD, "_csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert (await browser.post("/logout", follow_redirects=False)).status_code == 403
        out = await browser.post("/logout", headers={"x-csrftoken": token}, follow_redirects=False)
        assert out.status_code == 303
