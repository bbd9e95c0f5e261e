"""The national dataset (bulk COPY, 45 employment areas) at small size, on PostgreSQL in a
schema of its own, then indexed into the test Meilisearch."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from kohtaanto.db.models import (
    Employer,
    EmploymentArea,
    Jobseeker,
    JobseekerOccupation,
    JobseekerSkill,
    Municipality,
    Role,
    User,
    Vacancy,
    VacancySkill,
    VacancyStatus,
)
from kohtaanto.demo.national import (
    NATIONAL_DOMAIN,
    NationalReport,
    import_national_places,
    read_area_centres,
    seed_national,
)
from kohtaanto.demo.seed import is_language_skill
from kohtaanto.domain.business_id import validate_business_id
from kohtaanto.domain.esco import import_esco
from kohtaanto.domain.places import read_municipalities
from tests.isolation import schema_engine

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
SIZES = {"jobseekers": 300, "vacancies": 40, "employers": 30}


@pytest.fixture(scope="module")
async def seeded() -> AsyncIterator[tuple[AsyncSession, NationalReport]]:
    async with schema_engine("t_national") as engine:
        report = await _seed(engine)
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            yield session, report


async def _seed(engine: AsyncEngine) -> NationalReport:
    async with async_sessionmaker(engine)() as session:
        await import_esco(session)
        assert await import_national_places(session) == 45
        # Idempotent: a second run adds nothing.
        assert await import_national_places(session) == 45
        steps: list[tuple[str, int, int]] = []
        report = await seed_national(
            session, **SIZES, seed=5, now=NOW, chunk=128, progress=lambda *a: steps.append(a)
        )
        await session.commit()
    assert ("jobseekers", 300, 300) in steps and all(d <= t for _, d, t in steps)
    return report


async def test_counts_and_areas(seeded: tuple[AsyncSession, NationalReport]) -> None:
    s, report = seeded
    assert (report.jobseekers, report.vacancies, report.employers) == (300, 40, 30)
    assert await s.scalar(select(func.count()).select_from(Jobseeker)) == 300
    assert await s.scalar(select(func.count()).select_from(Vacancy)) == 40
    assert await s.scalar(select(func.count()).select_from(Employer)) == 30
    assert await s.scalar(select(func.count()).select_from(User)) == report.users
    assert report.users == report.coordinators + report.coaches + 30 + 300
    assert report.coaches == round(300 / 130)
    assert await s.scalar(select(func.count()).select_from(JobseekerSkill)) == (
        report.jobseeker_skills
    )
    assert await s.scalar(select(func.count()).select_from(VacancySkill)) == report.vacancy_skills

    # 45 employment areas: Pirkanmaa's municipalities in detail, one place per other area.
    assert await s.scalar(select(func.count()).select_from(EmploymentArea)) == 45
    places = list(await s.scalars(select(Municipality)))
    assert len(places) == len(read_municipalities()) + len(read_area_centres()) == 23 + 42
    assert len({p.area_id for p in places}) == 45
    area_of = {p.id: p.area_id for p in places}
    homes = Counter(area_of[m] for m in await s.scalars(select(Jobseeker.municipality_id)))
    # Spread by population: nearly every area has someone at 300 people, Helsinki most.
    assert len(homes) >= 40
    helsinki = await s.scalar(select(Municipality.area_id).where(Municipality.code == "091"))
    assert homes.most_common(1)[0][0] == helsinki
    tampere_area = await s.scalar(select(Municipality.area_id).where(Municipality.code == "837"))
    assert homes[tampere_area] >= 15


async def test_rows_keep_the_model_rules(seeded: tuple[AsyncSession, NationalReport]) -> None:
    s, _ = seeded
    # Loaded through the ORM: enum columns hold values the model knows.
    users = {u.id: u for u in await s.scalars(select(User))}
    assert all(u.email.endswith(f"@{NATIONAL_DOMAIN}") for u in users.values())
    assert len({u.email for u in users.values()}) == len(users)
    jobseekers = list(await s.scalars(select(Jobseeker)))
    assert len(jobseekers) == 300
    assert len({j.user_id for j in jobseekers}) == 300
    for j in jobseekers:
        assert j.user_id is not None and users[j.user_id].role is Role.JOBSEEKER
        assert j.coach_id is not None and users[j.coach_id].role is Role.COACH
        assert 1 <= len(j.occupations) <= 2 and 8 <= len(j.skills) <= 28
        assert j.languages and 1960 <= j.birth_year <= 2007
        assert 0 <= j.min_hours_per_week <= j.max_hours_per_week <= 40
        assert j.anonymised_at is None and j.last_active_at is not None
        assert j.unemployed_since is not None and j.unemployed_since <= NOW.date()
    assert 0.75 <= sum(j.visible_to_employers for j in jobseekers) / 300 <= 0.95
    # No person lists a language as a skill; each person's occupations are linked once.
    for j in jobseekers:
        assert not any(is_language_skill(k.label, k.description, k.reuse_level) for k in j.skills)
    links = await s.scalar(select(func.count()).select_from(JobseekerOccupation))
    assert links == sum(len(j.occupations) for j in jobseekers)

    employers = list(await s.scalars(select(Employer)))
    assert all(validate_business_id(e.business_id) == e.business_id for e in employers)
    assert len({e.business_id for e in employers}) == 30
    for employer in employers:
        coordinator = users[employer.coordinator_id] if employer.coordinator_id else None
        assert coordinator is not None and coordinator.role is Role.COORDINATOR
        assert coordinator.sub_region == employer.municipality.sub_region
    assert sum(u.employer_id is not None for u in users.values()) == 30

    vacancies = list(await s.scalars(select(Vacancy)))
    by_id = {e.id: e for e in employers}
    for v in vacancies:
        assert v.status is VacancyStatus.OPEN and v.title and v.description
        assert v.municipality_id == by_id[v.employer_id].municipality_id
        assert 20 <= v.hours_per_week <= 40 and v.languages
        assert 4 <= sum(link.essential for link in v.skill_links) <= 10


async def test_profiles_are_indexable(
    seeded: tuple[AsyncSession, NationalReport], search_ready: None
) -> None:
    from search.client import search_client
    from search.documents import (
        iter_jobseeker_documents,
        iter_jobseekers,
        iter_vacancies,
        jobseeker_document,
        vacancy_document,
    )
    from search.indexes import delete_indexes, ensure_indexes, jobseeker_index
    from search.sync import upsert_jobseekers, upsert_vacancies

    s, _ = seeded
    people = [jobseeker_document(j) async for batch in iter_jobseekers(s, 100) for j in batch]
    jobs = [vacancy_document(v) async for batch in iter_vacancies(s, 100) for v in batch]
    assert len(people) == 300 and len(jobs) == 40
    assert all(d["skill_uris"] and d["occupation_uris"] and d["_geo"] for d in people)
    # The column-query reader gives the same documents, in the same order, batch by batch.
    by_columns = [d async for batch in iter_jobseeker_documents(s, 128) for d in batch]
    assert by_columns == people
    prefix = f"tnat{uuid.uuid4().hex[:6]}_"
    async with search_client() as client:
        await ensure_indexes(client, prefix)
        try:
            assert await upsert_jobseekers(client, people, prefix) == 300
            assert await upsert_vacancies(client, jobs, prefix) == 40
            stats = await client.index(jobseeker_index(prefix)).get_stats()
            assert stats.number_of_documents == 300
        finally:
            await delete_indexes(client, prefix)
