"""Loading jobseekers and vacancies with everything their facts need, for whoever reads
them in bulk: the search index's documents (``search.documents``) and the model's
training data and history (``ml``) read the same rows the same way.
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

# Ids per IN (...) query: well below asyncpg's parameter limit.
_ID_CHUNK = 1000


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
