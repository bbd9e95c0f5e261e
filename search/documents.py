"""Index documents from ORM rows, and loading the rows with what the documents need.

A document carries only what retrieval filters or searches on, plus ids. Protected
attributes (birth year, mother tongue as such, gender) are never indexed; profile
details stay in the database behind the access rules.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, noload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from kohtaanto.db.models import (
    EscoOccupation,
    EscoSkill,
    Jobseeker,
    JobseekerOccupation,
    JobseekerSkill,
    Municipality,
    Vacancy,
    VacancySkill,
)

# Ids per IN (...) query: well below SQLite's and asyncpg's parameter limits.
_ID_CHUNK = 1000


def _geo(m: Municipality) -> dict[str, float]:
    return {"lat": m.lat, "lng": m.lon}


def _place(m: Municipality) -> dict[str, Any]:
    return {
        "area_id": m.area_id,
        "municipality_code": m.code,
        "sub_region": m.sub_region,
        "_geo": _geo(m),
    }


def vacancy_document(v: Vacancy) -> dict[str, Any]:
    """The vacancy index document.

    Needs ``occupation``, ``municipality`` and ``skill_links[*].skill`` loaded.
    """
    skills = [link.skill for link in v.skill_links]
    return {
        "id": str(v.id),
        "employer_id": str(v.employer_id),
        "status": v.status.value,
        "title": v.title,
        "description": v.description or "",
        "occupation_uri": v.occupation.uri,
        "occupation_label": v.occupation.label,
        "isco_code": v.occupation.isco_code,
        "skill_uris": [s.uri for s in skills],
        "skill_labels": [s.label for s in skills],
        "languages": list(v.languages or []),
        "hours_per_week": v.hours_per_week,
        "monthly_pay_eur": v.monthly_pay_eur,
        "open_to_wage_subsidy": v.open_to_wage_subsidy,
        "open_to_work_trial": v.open_to_work_trial,
        "open_to_apprenticeship": v.open_to_apprenticeship,
        "published_at": int(v.published_at.timestamp()) if v.published_at else None,
        **_place(v.municipality),
    }


def jobseeker_document(j: Jobseeker) -> dict[str, Any]:
    """The jobseeker index document; needs ``skills``, ``occupations``, ``municipality``."""
    return {
        "id": str(j.id),
        "visible_to_employers": j.visible_to_employers,
        "available": j.available,
        "occupation_uris": [o.uri for o in j.occupations],
        "occupation_labels": [o.label for o in j.occupations],
        "isco_codes": sorted({o.isco_code for o in j.occupations}),
        "skill_uris": [s.uri for s in j.skills],
        "skill_labels": [s.label for s in j.skills],
        "languages": list(j.languages or []),
        "education": j.education.value,
        "max_travel_km": j.max_travel_km,
        "min_hours_per_week": j.min_hours_per_week,
        "max_hours_per_week": j.max_hours_per_week,
        **_place(j.municipality),
    }


def _vacancy_query() -> Select[tuple[Vacancy]]:
    return select(Vacancy).options(
        joinedload(Vacancy.occupation),
        joinedload(Vacancy.municipality).joinedload(Municipality.area),
        selectinload(Vacancy.skill_links).joinedload(VacancySkill.skill),
    )


def _jobseeker_query() -> Select[tuple[Jobseeker]]:
    # Skills and occupations come from _attach_vocabulary, not the relationship
    # loaders: the ORM's many-to-many loading is the slow part of a reindex.
    return select(Jobseeker).options(
        joinedload(Jobseeker.municipality).joinedload(Municipality.area),
        noload(Jobseeker.skills),
        noload(Jobseeker.occupations),
    )


async def _attach_vocabulary(session: AsyncSession, jobseekers: list[Jobseeker]) -> None:
    """Load ``skills`` and ``occupations`` of ``jobseekers`` with plain link queries.

    Half a million skill links at 30 000 jobseekers take seconds this way, against
    half a minute through relationship loading. Each vocabulary row is read once
    per batch, however many jobseekers share it.
    """
    by_id = {j.id: j for j in jobseekers}
    links: list[tuple[str, Any, Any, type[EscoSkill | EscoOccupation]]] = [
        ("skills", JobseekerSkill.jobseeker_id, JobseekerSkill.skill_id, EscoSkill),
        (
            "occupations",
            JobseekerOccupation.jobseeker_id,
            JobseekerOccupation.occupation_id,
            EscoOccupation,
        ),
    ]
    for attr, owner_id, vocab_id, vocab in links:
        pairs: list[tuple[UUID, int]] = []
        for chunk in _chunks(list(by_id), _ID_CHUNK):
            query = select(owner_id, vocab_id).where(owner_id.in_(chunk))
            pairs.extend((await session.execute(query)).tuples())
        entries: dict[int, Any] = {}
        for chunk in _chunks(sorted({v for _, v in pairs}), _ID_CHUNK):
            query = select(vocab).where(vocab.id.in_(chunk))
            entries.update((e.id, e) for e in await session.scalars(query))
        owned: dict[UUID, list[Any]] = {j_id: [] for j_id in by_id}
        for j_id, v_id in pairs:
            owned[j_id].append(entries[v_id])
        for j_id, items in owned.items():
            # In the order the relationship declares.
            set_committed_value(by_id[j_id], attr, sorted(items, key=lambda e: e.label))


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


Complete = Callable[[AsyncSession, list[Any]], Awaitable[None]] | None


async def _load_by_ids(
    session: AsyncSession,
    query: Select[Any],
    id_column: Any,
    ids: Sequence[UUID],
    complete: Complete,
) -> list[Any]:
    rows: list[Any] = []
    for chunk in _chunks(ids, _ID_CHUNK):
        rows.extend((await session.scalars(query.where(id_column.in_(chunk)))).unique())
    if complete and rows:
        await complete(session, rows)
    return rows


async def load_vacancies(session: AsyncSession, ids: Sequence[UUID] | None = None) -> list[Vacancy]:
    """Vacancies loaded for :func:`vacancy_document`: these ids (missing ones skipped), or all."""
    if ids is None:
        return [v async for batch in iter_vacancies(session, detach=False) for v in batch]
    return await _load_by_ids(session, _vacancy_query(), Vacancy.id, ids, None)


async def load_jobseekers(
    session: AsyncSession, ids: Sequence[UUID] | None = None
) -> list[Jobseeker]:
    """Jobseekers loaded for :func:`jobseeker_document`: these ids, or all."""
    if ids is None:
        return [j async for batch in iter_jobseekers(session, detach=False) for j in batch]
    return await _load_by_ids(session, _jobseeker_query(), Jobseeker.id, ids, _attach_vocabulary)


async def _iter_all(
    session: AsyncSession,
    query: Select[Any],
    id_column: Any,
    batch_size: int,
    detach: bool,
    complete: Complete,
) -> AsyncIterator[list[Any]]:
    # Keyset pagination on the primary key: stable and cheap at any depth.
    last: UUID | None = None
    while True:
        page = query.order_by(id_column).limit(batch_size)
        if last is not None:
            page = page.where(id_column > last)
        batch = list((await session.scalars(page)).unique())
        if not batch:
            return
        if complete:
            await complete(session, batch)
        yield batch
        last = batch[-1].id
        if detach:
            # Done with these rows: let the session forget them, so memory stays flat.
            for row in batch:
                session.expunge(row)
        if len(batch) < batch_size:
            return


def iter_vacancies(
    session: AsyncSession, batch_size: int = 2000, *, detach: bool = True
) -> AsyncIterator[list[Vacancy]]:
    """All vacancies (any status) in id order, ``batch_size`` at a time, loaded for indexing.

    With ``detach`` each batch is expunged from the session once the next is asked for.
    """
    return _iter_all(session, _vacancy_query(), Vacancy.id, batch_size, detach, None)


def iter_jobseekers(
    session: AsyncSession, batch_size: int = 2000, *, detach: bool = True
) -> AsyncIterator[list[Jobseeker]]:
    """All jobseekers in id order, ``batch_size`` at a time, loaded for indexing (see above)."""
    # Anonymised profiles (erasure, retention) are never indexed.
    query = _jobseeker_query().where(Jobseeker.anonymised_at.is_(None))
    return _iter_all(session, query, Jobseeker.id, batch_size, detach, _attach_vocabulary)
