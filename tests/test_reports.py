"""Manager reports on a small seeded dataset whose numbers are known by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from kohtaanto.db import session_scope
from kohtaanto.db.models import (
    EducationLevel,
    Employer,
    EntryStatus,
    EscoOccupation,
    Jobseeker,
    Municipality,
    Role,
    Shortlist,
    ShortlistEntry,
    User,
    Vacancy,
    VacancyStatus,
)
from kohtaanto.domain import reports, shortlists
from kohtaanto.domain.shortlists import Move
from kohtaanto.security import hash_password
from tests.conftest import PASSWORD

S = EntryStatus
PASSWORD_HASH = hash_password(PASSWORD)
MARCH = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)


def _estimate(code: str, saving: float) -> dict[str, Any]:
    return {
        "code": code,
        "label": code,
        "rate": None,
        "monthly_cap_eur": 1260.0,
        "months": 5,
        "monthly_pay_costs_eur": 2760.0,
        "monthly_subsidy_eur": saving / 5,
        "net_monthly_cost_eur": 2760.0 - saving / 5,
        "total_saving_eur": saving,
        "rule_id": code,
        "valid_from": "2023-07-01",
        "note": "",
    }


HIRED_EXPLANATION = {
    "instruments": [_estimate("wage_subsidy_skills", 6300.0), _estimate("work_trial", 0.0)]
}


@dataclass
class Seeded:
    coach_a: User
    coach_b: User
    coordinator: User


async def seed_reports_dataset() -> Seeded:
    """Three vacancies (two in Tampere, one in Nokia), four clients of two coaches,
    six shortlist entries moved through the workflow:

    - V1 Tampere, open, wage subsidy + work trial, shortlisted 10 min after publishing:
      j1 contacted → consent → consented → shared → interview → hired;
      j2 consent → declined; j3 suggested; j4 consent requested (pending).
    - V2 Nokia, open, apprenticeship, shortlisted after 30 min:
      j1 consent → consented → shared → not hired; j2 removed.
    - V3 Tampere, filled, wage subsidy, published in February, shortlisted after 60 min;
      no entries.
    """
    async with session_scope() as session:
        place = {
            m.code: m
            for m in (
                await session.scalars(
                    select(Municipality).where(Municipality.code.in_(["837", "536"]))
                )
            ).all()
        }
        occupation = await session.scalar(select(EscoOccupation).limit(1))
        assert occupation is not None
        coach_a = User(
            email="coach-a@example.fi", name="Coach A", role=Role.COACH, password_hash=PASSWORD_HASH
        )
        coach_b = User(
            email="coach-b@example.fi", name="Coach B", role=Role.COACH, password_hash=PASSWORD_HASH
        )
        coordinator = User(
            email="coord@example.fi",
            name="Coordinator",
            role=Role.COORDINATOR,
            password_hash=PASSWORD_HASH,
        )
        session.add_all([coach_a, coach_b, coordinator])
        await session.flush()
        employer = Employer(
            business_id="1234567-1",
            name="Kauppa Oy",
            municipality_id=place["837"].id,
            coordinator_id=coordinator.id,
        )
        session.add(employer)
        await session.flush()

        def vacancy(code: str, status: VacancyStatus, at: datetime, **flags: bool) -> Vacancy:
            return Vacancy(
                employer_id=employer.id,
                title=f"Vacancy {code}",
                occupation_id=occupation.id,
                municipality_id=place[code].id,
                hours_per_week=37,
                status=status,
                published_at=at,
                **flags,
            )

        v1 = vacancy(
            "837", VacancyStatus.OPEN, MARCH, open_to_wage_subsidy=True, open_to_work_trial=True
        )
        v2 = vacancy("536", VacancyStatus.OPEN, MARCH, open_to_apprenticeship=True)
        v3 = vacancy("837", VacancyStatus.FILLED, FEBRUARY, open_to_wage_subsidy=True)
        session.add_all([v1, v2, v3])
        await session.flush()
        lists = [
            Shortlist(
                vacancy_id=v.id, model_version="t", created_at=v.published_at + timedelta(minutes=m)
            )
            for v, m in ((v1, 10), (v2, 30), (v3, 60))
        ]
        session.add_all(lists)
        people = [
            Jobseeker(
                coach_id=coach.id,
                municipality_id=place["837"].id,
                education=EducationLevel.UPPER_SECONDARY,
                birth_year=1990,
            )
            for coach in (coach_a, coach_a, coach_b, coach_a)
        ]
        session.add_all(people)
        await session.flush()

        def entry(
            shortlist: Shortlist, person: Jobseeker, rank: int, **extra: Any
        ) -> ShortlistEntry:
            e = ShortlistEntry(
                shortlist_id=shortlist.id, jobseeker_id=person.id, rank=rank, score=0.5, **extra
            )
            session.add(e)
            return e

        j1, j2, j3, j4 = people
        e1 = entry(lists[0], j1, 1, explanation=HIRED_EXPLANATION)
        e2 = entry(lists[0], j2, 2)
        entry(lists[0], j3, 3)
        e6 = entry(lists[0], j4, 4)
        e4 = entry(lists[1], j1, 1)
        e5 = entry(lists[1], j2, 2)
        await session.flush()
        paths: list[tuple[ShortlistEntry, list[Move]]] = [
            (
                e1,
                [
                    Move(S.CONTACTED),
                    Move(S.CONSENT_REQUESTED),
                    Move(S.CONSENTED),
                    Move(S.SHARED),
                    Move(S.INTERVIEW),
                    Move(S.HIRED),
                ],
            ),
            (e2, [Move(S.CONSENT_REQUESTED), Move(S.DECLINED)]),
            (e6, [Move(S.CONSENT_REQUESTED)]),
            (
                e4,
                [
                    Move(S.CONSENT_REQUESTED),
                    Move(S.CONSENTED),
                    Move(S.SHARED),
                    Move(S.NOT_HIRED, "skills"),
                ],
            ),
            (e5, [Move(S.REMOVED, "not_suitable")]),
        ]
        for e, moves in paths:
            for move in moves:
                await shortlists.apply(session, e, move, None)
    return Seeded(coach_a, coach_b, coordinator)


@pytest.fixture
async def seeded(clean: None) -> Seeded:
    return await seed_reports_dataset()


async def _report(name: str) -> Any:
    async with session_scope() as session:
        return await reports.REPORTS[name](session)


async def test_funnel_counts_furthest_stage_and_conversion(seeded: Seeded) -> None:
    frame = await _report("funnel")
    assert frame["stage"].tolist() == [
        "suggested",
        "contacted",
        "consent_requested",
        "consented",
        "shared",
        "interview",
        "hired",
    ]
    # Contacted counts everyone who got that far or further (contact is optional).
    assert frame["entries"].tolist() == [6, 4, 4, 2, 2, 1, 1]
    conversion = frame["conversion_from_previous"].tolist()
    assert conversion[1:] == [0.667, 1.0, 0.5, 1.0, 0.5, 1.0]
    assert frame["share_of_suggested"].tolist()[-1] == pytest.approx(0.167)


async def test_placements_and_open_vacancies_by_municipality(seeded: Seeded) -> None:
    frame = (await _report("municipalities")).set_index("code")
    assert len(frame) == 23  # every municipality of Pirkanmaa, with zeros
    assert frame.loc["837", ["municipality", "open_vacancies", "placements"]].tolist() == [
        "Tampere",
        1,
        1,
    ]
    assert frame.loc["536", ["open_vacancies", "placements"]].tolist() == [1, 0]
    assert frame["open_vacancies"].sum() == 2
    assert frame["placements"].sum() == 1


async def test_instrument_use_from_flags_and_hired_estimates(seeded: Seeded) -> None:
    frame = (await _report("instruments")).set_index("instrument")
    assert frame.loc["wage_subsidy_skills", "vacancies_open_to"] == 2
    assert frame.loc["work_trial", "vacancies_open_to"] == 1
    assert frame.loc["apprenticeship_wage_subsidy", "vacancies_open_to"] == 1
    assert frame.loc["wage_subsidy_skills", "hires_estimated_eligible"] == 1
    assert frame.loc["wage_subsidy_skills", "estimated_saving_eur"] == 6300.0
    assert frame.loc["work_trial", "hires_estimated_eligible"] == 1
    assert frame.loc["employment_subsidy_55", "hires_estimated_eligible"] == 0
    assert frame.loc["wage_subsidy_skills", "share_of_hires"] == 1.0


async def test_time_from_publish_to_shortlist(seeded: Seeded) -> None:
    frame = (await _report("time-to-shortlist")).set_index("month")
    assert frame.index.tolist() == ["2026-02", "2026-03", "all"]
    assert frame.loc["2026-02"].tolist() == [1, 60.0, 60.0]
    assert frame.loc["2026-03"].tolist() == [2, 20.0, 28.0]
    # 10, 30, 60 minutes: median 30, p90 by linear interpolation 30 + 0.8 * 30.
    assert frame.loc["all"].tolist() == [3, 30.0, 54.0]


async def test_caseloads_per_coach(seeded: Seeded) -> None:
    frame = (await _report("caseloads")).set_index("coach")
    assert frame.loc["Coach A"].tolist() == [3, 1, 1, 1]
    assert frame.loc["Coach B"].tolist() == [1, 1, 0, 0]
    assert list(frame.columns) == [
        "clients",
        "clients_on_active_shortlists",
        "pending_consents",
        "hires",
    ]


async def test_reports_hold_no_personal_data(seeded: Seeded) -> None:
    for name in reports.REPORTS:
        frame = await _report(name)
        assert not {"jobseeker_id", "entry", "name", "email", "birth_year"} & set(frame.columns)


async def test_reports_on_an_empty_database(clean: None) -> None:
    for name in reports.REPORTS:
        frame = await _report(name)
        assert frame is not None
    funnel = await _report("funnel")
    assert funnel["entries"].sum() == 0
