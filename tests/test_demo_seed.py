"""The demo population at small scale against PostgreSQL, in a schema of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
)

from kohtaanto.db.models import (
    Employer,
    EscoSkill,
    Jobseeker,
    JobseekerOccupation,
    JobseekerSkill,
    Municipality,
    OccupationSkill,
    Role,
    User,
    Vacancy,
    VacancySkill,
    VacancyStatus,
    metadata,
)
from kohtaanto.demo.seed import (
    CV_TRANSVERSAL_SKILLS,
    DEMO_USERS,
    VACANCY_TITLES,
    is_language_skill,
    seed_demo,
)
from kohtaanto.domain.business_id import validate_business_id
from kohtaanto.domain.esco import import_esco
from kohtaanto.domain.places import import_places
from kohtaanto.security import verify_password
from tests.isolation import schema_engine

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
SCALE = {"jobseekers": 300, "employers": 20, "vacancies": 30, "seed": 42, "now": NOW}
# Everything but the vocabulary and the places is demo data.
_KEPT = {"isco_group", "esco_skill", "esco_occupation", "esco_occupation_skill"}
_KEPT |= {"employment_area", "municipality"}


@pytest.fixture(scope="module")
async def engine() -> AsyncIterator[AsyncEngine]:
    async with schema_engine("t_demo_seed") as engine:
        async with async_sessionmaker(engine)() as session:
            report = await import_esco(session)
            await import_places(session)
            await session.commit()
        assert (report.skills, report.occupations) == (13_896, 3_007)
        yield engine


async def _reseed(engine: AsyncEngine) -> AsyncSession:
    # Schema-qualified: the schema translation does not apply to SQL text.
    async with engine.begin() as conn:
        schema = engine.get_execution_options()["schema_translate_map"][None]
        seeded = [f"{schema}.{t.name}" for t in metadata.sorted_tables if t.name not in _KEPT]
        await conn.exec_driver_sql(f"TRUNCATE {', '.join(seeded)}")
    session = async_sessionmaker(engine, expire_on_commit=False)()
    steps: list[tuple[str, int, int]] = []
    try:
        report = await seed_demo(session, **SCALE, progress=lambda *a: steps.append(a))
        await session.commit()
    except BaseException:
        await session.close()
        raise
    assert report.jobseekers == 300 and report.vacancies == 30 and report.employers == 20
    assert {s for s, _, _ in steps} >= {"users", "jobseekers", "jobseeker skills", "vacancies"}
    assert all(done <= total for _, done, total in steps)
    return session


@pytest.fixture(scope="module")
async def seeded(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    session = await _reseed(engine)
    yield session
    await session.close()


async def _scalar(session: AsyncSession, statement: Any) -> Any:
    return await session.scalar(statement)


async def test_population_shape(seeded: AsyncSession) -> None:
    s = seeded
    tampere = await _scalar(
        s,
        select(func.count())
        .select_from(Jobseeker)
        .join(Municipality)
        .where(Municipality.code == "837"),
    )
    assert 0.60 <= tampere / 300 <= 0.66
    municipalities = await _scalar(s, select(func.count(func.distinct(Jobseeker.municipality_id))))
    assert municipalities >= 15

    # Every jobseeker has a coach and a user account of role jobseeker.
    jobseekers = list(await s.scalars(select(Jobseeker)))
    assert len(jobseekers) == 300  # so that no all() below passes on an empty list
    users = {u.id: u for u in await s.scalars(select(User))}
    assert all(
        j.user_id is not None and users[j.user_id].role is Role.JOBSEEKER for j in jobseekers
    )
    assert all(j.coach_id is not None and users[j.coach_id].role is Role.COACH for j in jobseekers)
    coaches = [u for u in users.values() if u.role is Role.COACH]
    assert len(coaches) == round(300 / 130)
    assert all(1 <= len(j.occupations) <= 2 for j in jobseekers)
    assert all(8 <= len(j.skills) <= 28 for j in jobseekers)
    assert sum("fi" in j.languages for j in jobseekers) / 300 > 0.8
    assert all(j.languages for j in jobseekers)
    assert all(1960 <= j.birth_year <= 2007 for j in jobseekers)
    assert 0.75 <= sum(j.visible_to_employers for j in jobseekers) / 300 <= 0.95

    # Employers: valid business IDs, a coordinator from their own sub-region.
    employers = list(await s.scalars(select(Employer)))
    assert len(employers) == 20
    assert all(validate_business_id(e.business_id) == e.business_id for e in employers)
    for employer in employers:
        coordinator = users[employer.coordinator_id] if employer.coordinator_id else None
        assert coordinator is not None and coordinator.role is Role.COORDINATOR
        assert coordinator.sub_region == employer.municipality.sub_region
    per_region: dict[str | None, int] = {}
    for user in users.values():
        if user.role is Role.COORDINATOR:
            per_region[user.sub_region] = per_region.get(user.sub_region, 0) + 1
    assert len(per_region) == 5 and all(2 <= n <= 4 for n in per_region.values())

    # Vacancies: open, published in the last 60 days, with essential skills of their occupation.
    vacancies = list(await s.scalars(select(Vacancy)))
    assert len(vacancies) == 30
    assert all(v.status is VacancyStatus.OPEN for v in vacancies)
    assert all(v.published_at and 0 <= (NOW - v.published_at).days <= 60 for v in vacancies)
    assert all(20 <= v.hours_per_week <= 40 for v in vacancies)
    for vacancy in vacancies:
        essential = [link for link in vacancy.skill_links if link.essential]
        assert 4 <= len(essential) <= 10
        assert vacancy.occupation.isco_code[0] in "23456789"
        assert vacancy.title and vacancy.description


async def test_believable_skills_and_finnish_vacancies(seeded: AsyncSession) -> None:
    s = seeded
    # No language is a skill ("Catalan", "Greek", "understand spoken Bihari"): languages
    # are the languages field. A person's skills come from their occupations' essential
    # and optional skills, plus a few of the transversal skills a CV names.
    person_skills = (
        await s.execute(
            select(JobseekerSkill.jobseeker_id, EscoSkill).join(
                EscoSkill, EscoSkill.id == JobseekerSkill.skill_id
            )
        )
    ).all()
    vacancy_skills = list(
        await s.scalars(select(EscoSkill).join(VacancySkill, VacancySkill.skill_id == EscoSkill.id))
    )
    assert person_skills and vacancy_skills
    for skill in [k for _, k in person_skills] + vacancy_skills:
        assert not is_language_skill(skill.label, skill.description, skill.reuse_level), skill.label
    related: dict[Any, set[int]] = {}
    for jobseeker_id, skill_id in (
        await s.execute(
            select(JobseekerOccupation.jobseeker_id, OccupationSkill.skill_id).join(
                OccupationSkill,
                OccupationSkill.occupation_id == JobseekerOccupation.occupation_id,
            )
        )
    ).tuples():
        related.setdefault(jobseeker_id, set()).add(skill_id)
    for jobseeker_id, skill in person_skills:
        assert skill.id in related[jobseeker_id] or skill.label in CV_TRANSVERSAL_SKILLS
    # Titles as employers here write them: mostly Finnish, some Swedish or English.
    finnish = {t for titles, _, _ in VACANCY_TITLES.values() for t in titles}
    titles = list(await s.scalars(select(Vacancy.title)))
    in_finnish = [t for t in titles if t.split(",")[0].split(" (")[0] in finnish]
    assert len(in_finnish) >= 0.7 * len(titles)
    descriptions = list(await s.scalars(select(Vacancy.description)))
    assert sum("hakee joukkoonsa" in d for d in descriptions) >= 0.7 * len(descriptions)


async def test_named_demo_users(seeded: AsyncSession) -> None:
    s = seeded
    named = {u.email: u for u in await s.scalars(select(User).where(User.email.like("%@demo.%")))}
    for role, email in DEMO_USERS:
        user = await s.scalar(select(User).where(User.email == email))
        assert user is not None and user.role.value == role, email
    employer_user = await s.scalar(select(User).where(User.email == "employer@demo.kohtaanto.fi"))
    assert employer_user is not None and employer_user.employer_id is not None
    assert verify_password("demo", employer_user.password_hash)
    open_vacancies = await _scalar(
        s,
        select(func.count())
        .select_from(Vacancy)
        .where(Vacancy.employer_id == employer_user.employer_id),
    )
    assert open_vacancies >= 5
    coordinator = await s.scalar(select(User).where(User.email == "coordinator@demo.kohtaanto.fi"))
    assert coordinator is not None and coordinator.sub_region == "Tampere"
    jobseeker = await s.scalar(
        select(Jobseeker)
        .join(User, User.id == Jobseeker.user_id)
        .where(User.email == "jobseeker@demo.kohtaanto.fi")
    )
    coach = await s.scalar(select(User).where(User.email == "coach@demo.kohtaanto.fi"))
    assert jobseeker is not None and coach is not None
    assert jobseeker.municipality.code == "837" and jobseeker.visible_to_employers
    assert jobseeker.coach_id == coach.id
    # Every seeded account is in the demo domain: 300 jobseekers, 20 employer users, staff.
    assert len(named) == await _scalar(s, select(func.count()).select_from(User))
    assert len(named) > 300 + 20


async def _fingerprint(session: AsyncSession) -> list[Any]:
    users = (
        await session.execute(
            select(User.id, User.email, User.name, User.role).order_by(User.email)
        )
    ).all()
    jobseekers = (
        await session.execute(
            select(
                Jobseeker.id, Jobseeker.municipality_id, Jobseeker.languages, Jobseeker.birth_year
            ).order_by(Jobseeker.id)
        )
    ).all()
    skills = (
        await session.execute(
            select(JobseekerSkill.jobseeker_id, EscoSkill.uri)
            .join(EscoSkill)
            .order_by(JobseekerSkill.jobseeker_id, EscoSkill.uri)
        )
    ).all()
    vacancies = (
        await session.execute(
            select(
                Vacancy.id, Vacancy.title, Vacancy.monthly_pay_eur, Vacancy.published_at
            ).order_by(Vacancy.id)
        )
    ).all()
    links = (
        await session.execute(
            select(VacancySkill.vacancy_id, VacancySkill.skill_id, VacancySkill.essential).order_by(
                VacancySkill.vacancy_id, VacancySkill.skill_id
            )
        )
    ).all()
    employers = (
        await session.execute(
            select(Employer.business_id, Employer.name).order_by(Employer.business_id)
        )
    ).all()
    return [users, jobseekers, skills, vacancies, links, employers]


async def test_deterministic_and_refuses_a_second_seed(
    engine: AsyncEngine, seeded: AsyncSession
) -> None:
    first = await _fingerprint(seeded)
    with pytest.raises(RuntimeError, match="already holds demo data"):
        await seed_demo(seeded, **SCALE)
    await seeded.rollback()

    session = await _reseed(engine)
    try:
        assert await _fingerprint(session) == first
    finally:
        await session.close()


async def test_partner_catalogue_and_referrals(seeded: AsyncSession) -> None:
    """A believable Pirkanmaa catalogue: rehabilitative work activity in every one of the
    23 municipalities, competence mapping and training with the ESCO skills they teach,
    every kind of organisation; referrals in every state, the demo coach's too."""
    from kohtaanto.db.models import (
        PartnerOrganisation,
        PartnerService,
        Referral,
        ReferralEvent,
        ReferralStatus,
    )

    s = seeded
    # Every step of every referral happened already: none is sent or answered tomorrow.
    latest = await s.scalar(select(func.max(ReferralEvent.at)))
    assert latest is not None and latest <= datetime.now(UTC)
    services = list(await s.scalars(select(PartnerService)))
    assert len(services) > 100
    places = {sv.municipality.code for sv in services if sv.municipality}
    assert len(places) == 23
    kinds = set(await s.scalars(select(PartnerOrganisation.kind)))
    assert kinds >= {"education", "guidance", "health", "kela", "ngo", "staffing"}
    mappings = [sv for sv in services if "assessment" in sv.types and sv.skill_uris]
    assert len(mappings) > 20 and all(len(sv.skill_uris) > 20 for sv in mappings)
    statuses = set(await s.scalars(select(Referral.status)))
    assert statuses == set(ReferralStatus)
    coach = await s.scalar(select(User).where(User.email == "coach@demo.kohtaanto.fi"))
    assert coach is not None
    mine = set(await s.scalars(select(Referral.status).where(Referral.coach_id == coach.id)))
    assert mine == set(ReferralStatus)
    partner = await s.scalar(select(User).where(User.email == "partner@demo.kohtaanto.fi"))
    assert partner is not None and partner.partner_organisation_id is not None
