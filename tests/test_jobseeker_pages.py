"""The jobseeker's own pages: match cards, consents, "I'm interested", the vacancy and
the readable summary of their data (issue 14, the jobseeker's findings)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select

from kohtaanto.db import session_scope
from kohtaanto.db.models import (
    EducationLevel,
    Employer,
    EntryStatus,
    EscoOccupation,
    EscoSkill,
    Jobseeker,
    Municipality,
    Notification,
    Role,
    Shortlist,
    ShortlistEntry,
    User,
    Vacancy,
    VacancyInterest,
    VacancySkill,
    VacancyStatus,
)
from tests.test_web import page_login

S = EntryStatus
NET_COST = 1777.0  # the explanation's net cost: a figure the jobseeker must not be shown


@dataclass
class World:
    jobseeker: User
    coordinator: User
    profile_id: UUID
    open_id: UUID  # on the shortlist, only suggested
    not_hired_id: UUID  # filled; not hired for language
    asked_id: UUID  # consent requested
    elsewhere_id: UUID  # filled, not on any list of this person
    skill_label: str


def _explanation() -> dict[str, Any]:
    return {
        "matched_essential": [],
        "missing_essential": [],
        "instruments": [
            {
                "code": "wage_subsidy_skills",
                "kind": "wage_subsidy",
                "label": "Wage subsidy (skills-based)",
                "rate": 0.5,
                "monthly_cap_eur": 1260.0,
                "months": 5,
                "monthly_pay_costs_eur": 3037.0,
                "monthly_subsidy_eur": 1260.0,
                "net_monthly_cost_eur": NET_COST,
                "total_saving_eur": 6300.0,
                "rule_id": "x",
                "valid_from": "2023-07-01",
                "note": "",
            }
        ],
    }


@pytest.fixture
async def world(clean: None, make_user: Any) -> World:
    jobseeker = await make_user(Role.JOBSEEKER)
    coordinator = await make_user(Role.COORDINATOR)
    async with session_scope() as session:
        place = await session.scalar(select(Municipality).where(Municipality.code == "837"))
        occupation = await session.scalar(select(EscoOccupation).limit(1))
        skill = await session.scalar(select(EscoSkill).order_by(EscoSkill.id).limit(1))
        assert place and occupation and skill
        employer = Employer(
            business_id="0737546-2",
            name="Testi Oy",
            municipality_id=place.id,
            coordinator_id=coordinator.id,
        )
        profile = Jobseeker(
            user_id=jobseeker.id,
            municipality_id=place.id,
            education=EducationLevel.UPPER_SECONDARY,
            birth_year=1990,
            languages=["fi"],
        )
        profile.skills = [skill]
        session.add_all([employer, profile])
        await session.flush()

        def vacancy(title: str, status: VacancyStatus) -> Vacancy:
            v = Vacancy(
                employer_id=employer.id,
                title=title,
                description="Keittiössä.\n\nTule meille!",
                occupation_id=occupation.id,
                municipality_id=place.id,
                hours_per_week=37.5,
                status=status,
                published_at=datetime.now(UTC),
            )
            v.skill_links = [VacancySkill(skill_id=skill.id, essential=True)]
            return v

        open_, filled, asked, elsewhere = (
            vacancy("Kokki", VacancyStatus.OPEN),
            vacancy("Tarjoilija", VacancyStatus.FILLED),
            vacancy("Siivooja", VacancyStatus.OPEN),
            vacancy("Varastotyöntekijä", VacancyStatus.FILLED),
        )
        session.add_all([open_, filled, asked, elsewhere])
        await session.flush()
        for v, status, extra in (
            (open_, S.SUGGESTED, {}),
            (filled, S.NOT_HIRED, {"outcome_reason": "language"}),
            (
                asked,
                S.CONSENT_REQUESTED,
                {
                    "consent_requested_at": datetime.now(UTC),
                    "consent_deadline": datetime.now(UTC) + timedelta(days=7),
                },
            ),
        ):
            shortlist = Shortlist(vacancy_id=v.id, model_version="test")
            session.add(shortlist)
            await session.flush()
            session.add(
                ShortlistEntry(
                    shortlist_id=shortlist.id,
                    jobseeker_id=profile.id,
                    rank=1,
                    score=0.84,
                    status=status,
                    explanation=_explanation(),
                    **extra,
                )
            )
        await session.flush()
        return World(
            jobseeker,
            coordinator,
            profile.id,
            open_.id,
            filled.id,
            asked.id,
            elsewhere.id,
            skill.label,
        )


async def test_match_cards_give_the_reason_link_the_vacancy_and_hide_the_net_cost(
    client: Any, world: World
) -> None:
    await page_login(client, world.jobseeker.email)
    html = (await client.get("/jobseeker")).text
    # Not hired, and why, in Finnish.
    assert "Ei palkattu" in html and "Kielitaito ei vastannut" in html
    assert f'href="/jobseeker/vacancies/{world.open_id}"' in html
    # The subsidy may be named, but what the person would cost after it is for staff.
    assert "nettokustannus" not in html.lower()
    assert "1\xa0777" not in html and "1 777" not in html and "1777" not in html
    assert "Palkkatuki" in html  # the support is named, without a figure
    english = (await client.get("/jobseeker", cookies={"lang": "en"})).text
    assert "Reason:" in english and "Language skills did not match" in english


async def test_the_jobseekers_api_names_support_without_a_price(
    client: Any, login: Any, world: World
) -> None:
    headers = await login(world.jobseeker.email)
    response = await client.get("/api/jobseekers/me/matches", headers=headers)
    assert response.status_code == 200
    body = response.text
    assert '"net_monthly_cost_eur"' not in body and "total_saving_eur" not in body
    assert str(NET_COST) not in body and "6300" not in body
    match = response.json()[0]
    assert match["cost"]["lowest_net_monthly_cost_eur"] is None
    assert match["explanation"]["instruments"] == [
        {"code": "wage_subsidy_skills", "label": "Wage subsidy (skills-based)"}
    ]


async def test_the_consents_page_lists_only_what_asked_for_consent(
    client: Any, world: World
) -> None:
    await page_login(client, world.jobseeker.email)
    html = (await client.get("/jobseeker/consents")).text
    assert "Siivooja" in html  # asked
    assert "Kokki" not in html  # only suggested: nothing was asked
    assert "Tarjoilija" not in html  # not hired without ever being asked


async def test_i_am_interested_tells_the_coordinator_once(client: Any, world: World) -> None:
    await page_login(client, world.jobseeker.email)
    vacancy = await client.get(f"/jobseeker/vacancies/{world.open_id}")
    assert vacancy.status_code == 200
    assert "Tule meille!" in vacancy.text and world.skill_label in vacancy.text
    assert "37,5" in vacancy.text
    for _ in range(2):  # a second press changes nothing
        answer = await client.post(
            f"/jobseeker/vacancies/{world.open_id}/interest",
            data={"from": "matches"},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        assert answer.headers["location"] == "/jobseeker?interested=1"
    async with session_scope() as session:
        interests = (await session.scalars(select(VacancyInterest))).all()
        assert [(i.jobseeker_id, i.vacancy_id) for i in interests] == [
            (world.profile_id, world.open_id)
        ]
        told = (
            await session.scalars(
                select(Notification).where(Notification.recipient_id == world.coordinator.id)
            )
        ).all()
        assert [(n.kind, n.vacancy_id) for n in told] == [("interest", world.open_id)]
        assert told[0].params["jobseeker_id"] == str(world.profile_id)
        assert told[0].params["entry_id"]
    html = (await client.get("/jobseeker?interested=1")).text
    assert "koordinaattori" in html.lower()
    # The coordinator's board marks the person.
    client.cookies.clear()
    await page_login(client, world.coordinator.email)
    board = (await client.get(f"/coordinator/vacancies/{world.open_id}")).text
    assert '<span class="status">Kiinnostunut</span>' in board
    client.cookies.clear()
    await page_login(client, world.jobseeker.email)
    page = (await client.get(f"/jobseeker/vacancies/{world.open_id}")).text
    assert f'action="/jobseeker/vacancies/{world.open_id}/interest"' not in page
    # A filled vacancy the person was on still opens (it shows why); one they never
    # were on does not, and nobody is interested in a filled job.
    assert (await client.get(f"/jobseeker/vacancies/{world.not_hired_id}")).status_code == 200
    assert (await client.get(f"/jobseeker/vacancies/{world.elsewhere_id}")).status_code == 404
    await client.post(f"/jobseeker/vacancies/{world.not_hired_id}/interest")
    async with session_scope() as session:
        count = await session.scalar(select(func.count()).select_from(VacancyInterest))
        assert count == 1


async def test_my_data_has_a_readable_summary_beside_the_json(client: Any, world: World) -> None:
    await page_login(client, world.jobseeker.email)
    await client.post(f"/jobseeker/vacancies/{world.open_id}/interest")
    assert 'href="/jobseeker/data/summary"' in (await client.get("/jobseeker/data")).text
    summary = await client.get("/jobseeker/data/summary")
    assert summary.status_code == 200
    html = summary.text
    assert world.jobseeker.email in html and world.skill_label in html
    for title in ("Kokki", "Tarjoilija", "Siivooja"):
        assert title in html
    assert "Kielitaito ei vastannut" in html  # the reason, translated
    assert "<h2>Työpaikat, joista olen kiinnostunut</h2>" in html
    exported = (await client.get("/jobseeker/data/summary", cookies={"lang": "sv"})).text
    assert "Tammerfors" in exported
