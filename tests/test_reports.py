"""Manager reports on a small seeded dataset whose numbers are known by hand."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
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
DASH = "\u2013"
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


async def _report(name: str, where: reports.ReportFilter = reports.EVERYTHING) -> Any:
    async with session_scope() as session:
        return await reports.REPORTS[name](session, where)


async def _shown(name: str, where: reports.ReportFilter = reports.EVERYTHING) -> Any:
    async with session_scope() as session:
        return await reports.run(name, session, where)


async def test_funnel_counts_each_entry_once_at_its_furthest_stage(seeded: Seeded) -> None:
    frame = await _report("funnel")
    assert frame["stage"].tolist() == [
        "suggested",
        "contacted",
        "consent_requested",
        "consented",
        "shared",
        "interview",
        "hired",
        "all",
    ]
    # e3 and e5 (removed) stayed suggested; e2 (declined) and e6 got a consent request;
    # e4 was shared and not hired; e1 was hired. Every entry counts once: the total.
    assert frame["entries"].tolist() == [2, 0, 2, 0, 1, 0, 1, 6]
    assert frame["share_of_cohort"].tolist() == [0.333, 0.0, 0.333, 0.0, 0.167, 0.0, 0.167, 1.0]


async def test_funnel_cohort_by_period_and_place(seeded: Seeded) -> None:
    nokia = reports.ReportFilter(municipality_code="536")
    assert (await _report("funnel", nokia))["entries"].tolist() == [1, 0, 0, 0, 1, 0, 0, 2]
    # Entries are suggested today: a period that ended yesterday has none.
    yesterday = datetime.now(UTC).date() - timedelta(days=2)
    past = reports.ReportFilter(until=yesterday)
    assert (await _report("funnel", past))["entries"].tolist()[-1] == 0
    today = reports.ReportFilter(since=yesterday)
    assert (await _report("funnel", today))["entries"].tolist()[-1] == 6


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
    only = await _report("municipalities", reports.ReportFilter(municipality_code="536"))
    assert only["code"].tolist() == ["536"]
    async with session_scope() as session:
        tampere = await session.scalar(select(Municipality).where(Municipality.code == "837"))
        assert tampere is not None and tampere.area_id is not None
        area = tampere.area_id
    in_area = await _report("municipalities", reports.ReportFilter(area_id=area))
    assert len(in_area) == 16  # the Tampere region employment area
    assert in_area["placements"].sum() == 1


async def test_instrument_use_from_offers_and_estimates(seeded: Seeded) -> None:
    frame = (await _report("instruments")).set_index("instrument")
    offered = frame["vacancies_open_to"]
    # V1 and V3 (Tampere, wage subsidy) offer the wage subsidies and the Tampere
    # region's own supplements; the employer is a business, so the associations'
    # 100 % subsidy is offered nowhere; V2 alone offers an apprenticeship.
    assert offered["wage_subsidy_skills"] == 2
    assert offered["tampere_recruitment_supplement"] == 2
    assert offered["wage_subsidy_association"] == 0
    assert offered["work_trial"] == 1
    assert offered["apprenticeship_wage_subsidy"] == 1
    # Only E1's explanation estimated instruments: wage subsidy and work trial.
    assert frame.loc["wage_subsidy_skills", "vacancies_with_eligible_candidates"] == 1
    assert frame.loc["wage_subsidy_reduced_work_ability", "vacancies_with_eligible_candidates"] == 0
    assert frame.loc["wage_subsidy_skills", "hires_estimated_eligible"] == 1
    assert frame.loc["wage_subsidy_skills", "estimated_saving_eur"] == 6300.0
    assert frame.loc["work_trial", "hires_estimated_eligible"] == 1
    assert frame.loc["employment_subsidy_55", "hires_estimated_eligible"] == 0
    assert frame.loc["wage_subsidy_skills", "share_of_hires"] == 1.0
    february = reports.ReportFilter(since=date(2026, 2, 1), until=date(2026, 2, 28))
    frame = (await _report("instruments", february)).set_index("instrument")
    assert frame.loc["wage_subsidy_skills", "vacancies_open_to"] == 1  # V3 only
    assert frame["hires_estimated_eligible"].sum() == 0


async def test_time_from_publish_to_shortlist_in_hours(seeded: Seeded) -> None:
    frame = (await _report("time-to-shortlist")).set_index("month")
    assert frame.index.tolist() == ["2026-02", "2026-03", "all"]
    assert frame.loc["2026-02"].tolist() == [1, 1.0, 1.0]
    # 10 and 30 minutes: median 20 min = 0.3 h, p90 28 min = 0.5 h (rounded).
    assert frame.loc["2026-03"].tolist() == [2, 0.3, 0.5]
    # 10, 30, 60 minutes: median 0.5 h, p90 by linear interpolation 54 min = 0.9 h.
    assert frame.loc["all"].tolist() == [3, 0.5, 0.9]


async def test_caseloads_as_a_distribution(seeded: Seeded) -> None:
    frame = (await _report("caseloads")).set_index("clients_per_coach")
    bins = ["0-49", "50-99", "100-119", "120-139", "140-159", "160-199", "200+"]
    assert frame.index.tolist() == [b.replace("-", DASH) for b in bins]
    # Coach A has three clients, coach B one: both in the first bin, nobody named.
    assert frame.loc[f"0{DASH}49"].tolist() == [2, 4, 2]
    assert frame["coaches"].sum() == 2
    assert "coach" not in frame.reset_index().columns


def test_suppression_hides_small_counts_and_a_complement() -> None:
    frame = pd.DataFrame(
        {
            "row": ["a", "b", "c", "all"],
            "people": [3, 10, 7, 20],
            "share": [0.15, 0.5, 0.35, 1.0],
        }
    )
    out = reports.suppress(frame, ["people"], {"people": ["share"]}, label="row")
    # 3 alone would follow from 20 - 10 - 7, so the smallest other cell goes too
    # (as "..": it is not below five, only hidden with it).
    assert out["people"].tolist() == ["<5", 10, "..", 20]
    assert out["share"].tolist() == ["..", 0.5, "..", 1.0]
    # Zero reveals nobody and stays; a total below five is hidden as well.
    frame = pd.DataFrame({"row": ["a", "b", "all"], "people": [3, 0, 3]})
    out = reports.suppress(frame, ["people"], label="row")
    assert out["people"].tolist() == ["<5", "..", "<5"]
    # Two small cells already protect each other.
    frame = pd.DataFrame({"people": [1, 2, 30, 0]})
    assert reports.suppress(frame, ["people"])["people"].tolist() == ["<5", "<5", 30, 0]


async def test_reports_as_shown_suppress_counts_of_one_to_four(seeded: Seeded) -> None:
    funnel = await _shown("funnel")
    assert funnel["entries"].tolist() == ["<5", 0, "<5", 0, "<5", 0, "<5", 6]
    assert funnel["share_of_cohort"].tolist()[0] == ".."
    instruments = (await _shown("instruments")).set_index("instrument")
    # One hire estimated eligible for a wage subsidy: hidden, and its euros with it.
    assert instruments.loc["wage_subsidy_skills", "hires_estimated_eligible"] == "<5"
    assert instruments.loc["wage_subsidy_skills", "estimated_saving_eur"] == ".."
    assert instruments.loc["wage_subsidy_skills", "vacancies_open_to"] == 2  # not people
    places = (await _shown("municipalities")).set_index("code")
    # Tampere's single placement, and a complementary zero so the total gives nothing.
    assert places.loc["837", "placements"] == "<5"
    assert (places["placements"] == "<5").sum() == 1
    assert (places["placements"] == "..").sum() == 1
    for name in reports.REPORTS:
        frame = await _shown(name)
        for column in reports.PROTECTED[name].counts:
            numbers = pd.to_numeric(frame[column], errors="coerce").dropna()
            assert not ((numbers > 0) & (numbers < 5)).any(), (name, column)


def test_csv_cells_that_start_a_formula_are_neutralised() -> None:
    frame = pd.DataFrame(
        {
            "name": ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "Tampere", "<5"],
            "n": [1, -2, 3, 4, 5, 6],
        }
    )
    rows = list(csv.reader(io.StringIO(reports.to_csv(frame))))
    assert [r[0] for r in rows[1:]] == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2+3",
        "'@SUM(A1)",
        "Tampere",
        "<5",
    ]
    assert rows[2][1] == "-2"  # a number stays a number


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
    for name in reports.REPORTS:
        assert await _shown(name) is not None
