"""Search indexes, sync and retrieval against a real Meilisearch.

The engine comes from KOHTAANTO_MEILI_URL / KOHTAANTO_MEILI_MASTER_KEY (the
``search_ready`` fixture starts one with ``scripts/meilisearch start``). Each test works under its
own index prefix and deletes its indexes afterwards. Retrieval tests index
transient ORM objects, so they need no database; the reindex test creates its
tables in a throwaway schema of the test database, so the shared one is untouched.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from meilisearch_python_sdk import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from kohtaanto.db.models import (
    EducationLevel,
    Employer,
    EmploymentArea,
    EscoOccupation,
    EscoSkill,
    Jobseeker,
    Municipality,
    Vacancy,
    VacancySkill,
    VacancyStatus,
    metadata,
)
from kohtaanto.settings import load_settings
from ml.skills import load_esco
from search.client import search_client
from search.documents import jobseeker_document, load_jobseekers, vacancy_document
from search.indexes import (
    SearchTaskError,
    delete_indexes,
    ensure_indexes,
    jobseeker_index,
    vacancy_index,
)
from search.retrieve import candidates_for_vacancy, query_text, quote, vacancies_for_jobseeker
from search.sync import (
    delete_jobseeker,
    delete_vacancy,
    reindex,
    upsert_jobseekers,
    upsert_vacancies,
)

# --- fixtures ----------------------------------------------------------------------


@pytest.fixture
async def meili(search_ready: None) -> AsyncIterator[AsyncClient]:
    async with search_client(load_settings().search) as client:
        yield client


@pytest.fixture
async def prefix(meili: AsyncClient) -> AsyncIterator[str]:
    name = f"t{uuid.uuid4().hex[:12]}_"
    yield name
    await delete_indexes(meili, name)


# --- a small world of places, skills and occupations ---------------------------

AREA = EmploymentArea(id=1, name="Tampereen kaupunkiseudun työllisyysalue")
TAMPERE = Municipality(
    id=837, code="837", name="Tampere", sub_region="Tampere", area_id=1, lat=61.4978, lon=23.7610
)
TAMPERE.area = AREA
NOKIA = Municipality(
    id=536, code="536", name="Nokia", sub_region="Tampere", area_id=1, lat=61.4781, lon=23.5092
)
NOKIA.area = AREA
ROVANIEMI = Municipality(
    id=698, code="698", name="Rovaniemi", sub_region="Rovaniemi", area_id=None, lat=66.5039,
    lon=25.7294,
)  # fmt: skip

ESCO = "http://data.europa.eu/esco"
COOK = EscoOccupation(id=1, uri=f"{ESCO}/occupation/cook", label="cook", isco_code="5120")
GRILL = EscoOccupation(id=2, uri=f"{ESCO}/occupation/grill", label="grill master", isco_code="5120")
PROGRAMMER = EscoOccupation(
    id=3, uri=f"{ESCO}/occupation/programmer", label="software developer", isco_code="2512"
)
PREPARE_FOOD = EscoSkill(id=1, uri=f"{ESCO}/skill/prepare-food", label="prepare food dishes")
HYGIENE = EscoSkill(id=2, uri=f"{ESCO}/skill/hygiene", label="food safety and hygiene")
PYTHON = EscoSkill(id=3, uri=f"{ESCO}/skill/python", label="Python (computer programming)")


def make_jobseeker(
    *,
    place: Municipality = TAMPERE,
    languages: tuple[str, ...] = ("fi",),
    skills: tuple[EscoSkill, ...] = (),
    occupations: tuple[EscoOccupation, ...] = (),
    visible: bool = True,
    available: bool = True,
    max_travel_km: int = 40,
) -> Jobseeker:
    j = Jobseeker(
        id=uuid4(),
        municipality_id=place.id,
        max_travel_km=max_travel_km,
        languages=list(languages),
        education=EducationLevel.UPPER_SECONDARY,
        birth_year=1990,
        visible_to_employers=visible,
        available=available,
    )
    j.municipality = place
    j.skills = list(skills)
    j.occupations = list(occupations)
    return j


def make_vacancy(
    *,
    place: Municipality = TAMPERE,
    occupation: EscoOccupation = COOK,
    essential: tuple[EscoSkill, ...] = (PREPARE_FOOD,),
    optional: tuple[EscoSkill, ...] = (),
    languages: tuple[str, ...] = ("fi",),
    status: VacancyStatus = VacancyStatus.OPEN,
    title: str = "Kokki lounasravintolaan",
) -> Vacancy:
    v = Vacancy(
        id=uuid4(),
        employer_id=uuid4(),
        title=title,
        description="",
        occupation_id=occupation.id,
        municipality_id=place.id,
        hours_per_week=37,
        languages=list(languages),
        status=status,
        open_to_wage_subsidy=True,
        open_to_work_trial=False,
        open_to_apprenticeship=False,
        published_at=datetime(2026, 1, 15, tzinfo=UTC),
    )
    v.occupation = occupation
    v.municipality = place
    v.skill_links = [VacancySkill(skill=s, essential=True) for s in essential] + [
        VacancySkill(skill=s, essential=False) for s in optional
    ]
    return v


# --- tests -------------------------------------------------------------------------


async def test_ensure_indexes_applies_settings(meili: AsyncClient, prefix: str) -> None:
    await ensure_indexes(meili, prefix)
    await ensure_indexes(meili, prefix)  # idempotent

    jobseekers = await meili.index(jobseeker_index(prefix)).get_settings()
    assert {"skill_uris", "visible_to_employers", "languages", "_geo"} <= set(
        map(str, jobseekers.filterable_attributes or [])
    )
    assert jobseekers.searchable_attributes == ["occupation_labels", "skill_labels"]
    assert (jobseekers.synonyms or {})["cook"] == ["chef"]

    vacancies = await meili.index(vacancy_index(prefix)).get_settings()
    assert {"status", "occupation_uri", "open_to_wage_subsidy", "_geo"} <= set(
        map(str, vacancies.filterable_attributes or [])
    )
    assert "_geo" in (vacancies.sortable_attributes or [])
    assert (await meili.index(vacancy_index(prefix)).fetch_info()).primary_key == "id"


async def test_candidates_for_vacancy_applies_consent_language_distance_relevance(
    meili: AsyncClient, prefix: str
) -> None:
    await ensure_indexes(meili, prefix)
    vacancy = make_vacancy(optional=(HYGIENE,))
    good = make_jobseeker(
        place=NOKIA, languages=("fi", "en"), skills=(PREPARE_FOOD, HYGIENE), occupations=(COOK,)
    )
    # Same ISCO unit group, but no word in common with the query: filter-only.
    filter_only = make_jobseeker(occupations=(GRILL,))
    excluded = {
        "no consent": make_jobseeker(skills=(PREPARE_FOOD,), visible=False),
        "not available": make_jobseeker(skills=(PREPARE_FOOD,), available=False),
        "no Finnish": make_jobseeker(skills=(PREPARE_FOOD,), languages=("en",)),
        "too far": make_jobseeker(place=ROVANIEMI, skills=(PREPARE_FOOD,), max_travel_km=900),
        "unrelated": make_jobseeker(skills=(PYTHON,), occupations=(PROGRAMMER,)),
    }
    people = [good, filter_only, *excluded.values()]
    assert await upsert_jobseekers(meili, [jobseeker_document(j) for j in people], prefix) == 7

    hits = await candidates_for_vacancy(meili, vacancy, prefix=prefix, limit=50, radius_km=150)

    assert [h.id for h in hits] == [good.id, filter_only.id]
    assert 0 < hits[0].score <= 1
    assert hits[1].score == 0

    # The limit caps the union.
    capped = await candidates_for_vacancy(meili, vacancy, prefix=prefix, limit=1, radius_km=150)
    assert [h.id for h in capped] == [good.id]

    await delete_jobseeker(meili, good.id, prefix)
    hits = await candidates_for_vacancy(meili, vacancy, prefix=prefix, limit=50, radius_km=150)
    assert [h.id for h in hits] == [filter_only.id]


async def test_a_vacancy_reaches_people_with_closely_related_skills(
    meili: AsyncClient, prefix: str
) -> None:
    """Meaning beyond identical ids: a cleaner who lists floor machines, not "cleaning
    techniques", is still found for a cleaning vacancy, after those who share its skill,
    in the share reserved for them; someone with only unrelated skills is not."""
    await ensure_indexes(meili, prefix)
    labels = {label: uri for uri, label in load_esco().skill_labels.items()}

    def skill(k: int, label: str) -> EscoSkill:
        return EscoSkill(id=100 + k, uri=labels[label], label=label)

    technique = skill(1, "cleaning techniques")
    machine = skill(2, "operate floor cleaning equipment")
    forklift = skill(3, "operate forklift")
    cleaner = EscoOccupation(
        id=9, uri=f"{ESCO}/occupation/cleaner", label="cleaner", isco_code="9112"
    )
    vacancy = make_vacancy(occupation=cleaner, essential=(technique,), title="Siivooja")
    sharing = [make_jobseeker(place=NOKIA, skills=(technique,)) for _ in range(10)]
    related = make_jobseeker(skills=(machine,))
    unrelated = make_jobseeker(skills=(forklift,))
    people = [*sharing, related, unrelated]
    await upsert_jobseekers(meili, [jobseeker_document(j) for j in people], prefix)

    hits = await candidates_for_vacancy(meili, vacancy, prefix=prefix, limit=50, radius_km=150)
    assert {h.id for h in hits[:10]} == {j.id for j in sharing}
    assert [h.id for h in hits[10:]] == [related.id] and hits[10].score == 0

    # Many who share the skill do not crowd them out: a tenth of the list is theirs.
    capped = await candidates_for_vacancy(meili, vacancy, prefix=prefix, limit=10, radius_km=150)
    assert len(capped) == 10 and capped[-1].id == related.id
    assert {h.id for h in capped[:9]} <= {j.id for j in sharing}


async def test_vacancies_for_jobseeker_applies_status_travel_language_relevance(
    meili: AsyncClient, prefix: str
) -> None:
    await ensure_indexes(meili, prefix)
    person = make_jobseeker(
        languages=("fi", "en"), skills=(PREPARE_FOOD,), occupations=(COOK,), max_travel_km=40
    )
    near = make_vacancy(place=NOKIA, optional=(HYGIENE,))
    no_language_needed = make_vacancy(languages=(), essential=(), title="Keittiöapulainen")
    excluded = {
        "closed": make_vacancy(status=VacancyStatus.CLOSED),
        "needs Swedish": make_vacancy(languages=("fi", "sv")),
        "too far": make_vacancy(place=ROVANIEMI),
        "unrelated": make_vacancy(occupation=PROGRAMMER, essential=(PYTHON,), title="Koodari"),
    }
    docs = [vacancy_document(v) for v in (near, no_language_needed, *excluded.values())]
    await upsert_vacancies(meili, docs, prefix)

    hits = await vacancies_for_jobseeker(meili, person, prefix=prefix, limit=20)

    assert {h.id for h in hits} == {near.id, no_language_needed.id}
    assert hits[0].id == near.id and hits[0].score > 0

    # Nothing to match on: nothing retrieved.
    assert await vacancies_for_jobseeker(meili, make_jobseeker(), prefix=prefix, limit=20) == []

    await delete_vacancy(meili, near.id, prefix)
    hits = await vacancies_for_jobseeker(meili, person, prefix=prefix, limit=20)
    assert [h.id for h in hits] == [no_language_needed.id]


async def test_failed_task_raises(meili: AsyncClient, prefix: str) -> None:
    await ensure_indexes(meili, prefix)
    with pytest.raises(SearchTaskError, match="invalid_document_id"):
        await upsert_jobseekers(meili, [{"id": "not a valid id!"}], prefix)


def test_query_text_keeps_ten_distinct_meaningful_words() -> None:
    labels = ["cook", "prepare food dishes", "food safety and hygiene", "a b c d e f g"]
    assert query_text(labels) == "cook prepare food dishes safety hygiene b c d e"
    assert quote('say "hi" \\ bye') == '"say \\"hi\\" \\\\ bye"'


# --- reindex, from a real database -------------------------------------------------

DATABASE_URL = os.environ.get(
    "KOHTAANTO_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
async def search_db() -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A throwaway PostgreSQL schema with the tables, dropped afterwards."""
    schema = f"search_{uuid.uuid4().hex[:10]}"
    engine = create_async_engine(
        DATABASE_URL, connect_args={"server_settings": {"search_path": schema}}
    )
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            await conn.run_sync(metadata.create_all)
        yield async_sessionmaker(engine, expire_on_commit=False)
    finally:
        async with engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await engine.dispose()


async def test_reindex_swaps_in_fresh_content_under_the_same_name(
    meili: AsyncClient, prefix: str, search_db: async_sessionmaker[AsyncSession]
) -> None:
    async with search_db() as session:
        area = EmploymentArea(name="Tampere")
        place = Municipality(
            code="837", name="Tampere", sub_region="Tampere", area=area, lat=61.4978, lon=23.761
        )
        cook = EscoOccupation(uri=COOK.uri, label="cook", isco_code="5120")
        food = EscoSkill(uri=PREPARE_FOOD.uri, label="prepare food dishes")
        employer = Employer(business_id="0000000-0", name="Ravintola Oy", municipality=place)
        people = [
            Jobseeker(
                municipality=place,
                languages=["fi"],
                education=EducationLevel.BASIC,
                birth_year=1980 + i,
                visible_to_employers=True,
                skills=[food],
                occupations=[cook],
            )
            for i in range(7)
        ]
        vacancy = Vacancy(
            employer=employer,
            title="Kokki",
            occupation=cook,
            municipality=place,
            hours_per_week=37,
            languages=["fi"],
            status=VacancyStatus.OPEN,
            skill_links=[VacancySkill(skill=food, essential=True)],
        )
        session.add_all([*people, vacancy])
        await session.commit()

        # The live index holds a stale document that the database no longer has.
        await ensure_indexes(meili, prefix)
        stale = make_jobseeker(skills=(PREPARE_FOOD,))
        await upsert_jobseekers(meili, [jobseeker_document(stale)], prefix)

        counts = await reindex(meili, session, prefix, batch_size=3)

        loaded = await load_jobseekers(session, [people[0].id, uuid4()])
        assert [jobseeker_document(j) for j in loaded] == [jobseeker_document(people[0])]

    assert counts == {"vacancies": 1, "jobseekers": 7}
    uids = {i.uid for i in await meili.get_indexes() or [] if i.uid.startswith(prefix)}
    assert uids == {vacancy_index(prefix), jobseeker_index(prefix)}
    index = meili.index(jobseeker_index(prefix))
    docs = await index.get_documents(limit=100)
    assert {UUID(d["id"]) for d in docs.results} == {p.id for p in people}
    assert {(tuple(d["skill_uris"]), tuple(d["isco_codes"])) for d in docs.results} == {
        ((PREPARE_FOOD.uri,), ("5120",))
    }
    settings = await index.get_settings()
    assert "skill_uris" in map(str, settings.filterable_attributes or [])

    hits = await candidates_for_vacancy(meili, vacancy, prefix=prefix, limit=50, radius_km=150)
    assert {h.id for h in hits} == {p.id for p in people}
