"""The nightly refresh's batches on real PostgreSQL and Meilisearch: a batch builds the
same shortlists as one vacancy at a time, skips a shortlist whose inputs have not
changed (and rebuilds it when a profile in its pool, the vacancy, the model or the
date's instrument thresholds change), and one vacancy's failure leaves the others
written and itself untouched."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import delete, select, update

from jobs.matching import build_shortlist, refresh_batch, retrieve_pools
from kohtaanto.db import session_scope
from kohtaanto.db.models import (
    EscoSkill,
    Jobseeker,
    JobseekerSkill,
    Shortlist,
    ShortlistEntry,
    Vacancy,
    VacancyStatus,
)
from kohtaanto.demo.seed import seed_demo
from kohtaanto.domain import shortlists
from kohtaanto.domain.instruments import milestones
from kohtaanto.settings import get_settings
from ml.predict import RankingModel
from search.client import search_client
from search.documents import load_vacancies
from search.sync import reindex

pytestmark = pytest.mark.usefixtures("stack")

Snapshot = dict[UUID, tuple[str | None, list[tuple[Any, ...]]]]


async def _world() -> list[UUID]:
    """A small demo region, indexed, with no shortlists yet; its open vacancies."""
    settings = get_settings()
    async with session_scope() as session:
        await seed_demo(session, jobseekers=300, employers=6, vacancies=10, seed=11)
    async with search_client() as client, session_scope() as session:
        await reindex(client, session, settings.search.index_prefix)
    await _forget_shortlists()
    async with session_scope() as session:
        ids = list(
            await session.scalars(
                select(Vacancy.id).where(Vacancy.status == VacancyStatus.OPEN).order_by(Vacancy.id)
            )
        )
    assert len(ids) >= 3
    return ids


async def _forget_shortlists() -> None:
    # The demo's recruitment event seeds shortlist entries of its own.
    async with session_scope() as session:
        await session.execute(delete(ShortlistEntry))
        await session.execute(delete(Shortlist))


async def _snapshot() -> Snapshot:
    """Per vacancy: the stored fingerprint and the entries, best first."""
    out: Snapshot = {}
    async with session_scope() as session:
        for shortlist in await session.scalars(select(Shortlist)):
            out[shortlist.vacancy_id] = (
                shortlist.fingerprint,
                [
                    (e.jobseeker_id, e.rank, e.score, e.status, e.explanation, e.features)
                    for e in shortlist.entries
                ],
            )
    return out


async def _refresh(model: RankingModel, ids: list[UUID], **options: Any) -> Any:
    async with search_client() as client, session_scope() as session:
        return await refresh_batch(session, client, model, ids, get_settings(), **options)


async def test_batch_builds_the_same_shortlists_as_one_at_a_time(model: RankingModel) -> None:
    ids = await _world()
    settings = get_settings()
    for vacancy_id in ids:
        async with search_client() as client, session_scope() as session:
            await build_shortlist(session, client, model, vacancy_id, settings)
    one_at_a_time = await _snapshot()
    await _forget_shortlists()

    report = await _refresh(model, ids)
    assert report.built == ids and not report.skipped and not report.failed

    batched = await _snapshot()
    assert set(batched) == set(ids)
    # Same people, order, scores, explanations and features; the same fingerprint too,
    # so a vacancy published today is skipped by tonight's refresh if nothing changes.
    assert batched == one_at_a_time
    assert sum(len(entries) for _, entries in batched.values()) >= 2 * len(ids)
    # Every entry carries its explanation (explained when it made the list).
    assert all(e[4]["top_factors"] for _, entries in batched.values() for e in entries)


async def _pools(ids: list[UUID]) -> dict[UUID, set[UUID]]:
    """Who is in each vacancy's candidate pool (findable and retrieved)."""
    async with search_client() as client, session_scope() as session:
        vacancies = await load_vacancies(session, ids)
        pools = await retrieve_pools(session, client, vacancies, get_settings())
    return {p.vacancy.id: {UUID(j.id) for j, _ in p.candidates} for p in pools}


async def test_unchanged_shortlists_are_skipped_and_changed_ones_rebuilt(
    model: RankingModel,
) -> None:
    ids = await _world()
    assert (await _refresh(model, ids)).built == ids
    built = await _snapshot()

    # Nothing changed: nothing is rebuilt, nothing written.
    report = await _refresh(model, ids)
    assert report.skipped == ids and not report.built
    assert await _snapshot() == built
    # Unless forced.
    assert (await _refresh(model, ids, force=True)).built == ids

    pools = await _pools(ids)
    # A person in some pools but not all changes their education: the shortlists whose
    # pool holds them are rebuilt, the others skipped.
    person = next(p for p in set().union(*pools.values()) if 0 < _pools_with(pools, p) < len(ids))
    holding = [v for v in ids if person in pools[v]]
    async with session_scope() as session:
        current = await session.scalar(select(Jobseeker.education).where(Jobseeker.id == person))
        other = "master" if getattr(current, "value", current) != "master" else "bachelor"
        await session.execute(
            update(Jobseeker).where(Jobseeker.id == person).values(education=other)
        )
    report = await _refresh(model, ids)
    assert report.built == holding
    assert report.skipped == [v for v in ids if v not in holding]

    # A skill added to their profile (a row of its own, not a column of the profile).
    async with session_scope() as session:
        have = select(JobseekerSkill.skill_id).where(JobseekerSkill.jobseeker_id == person)
        skill = await session.scalar(select(EscoSkill.id).where(EscoSkill.id.not_in(have)).limit(1))
        session.add(JobseekerSkill(jobseeker_id=person, skill_id=skill))
    assert (await _refresh(model, ids)).built == holding

    # The vacancy itself changes: only its shortlist is rebuilt.
    async with session_scope() as session:
        await session.execute(
            update(Vacancy)
            .where(Vacancy.id == ids[0])
            .values(hours_per_week=Vacancy.hours_per_week - 1)
        )
    report = await _refresh(model, ids)
    assert report.built == [ids[0]] and report.skipped == ids[1:]

    # A new model: every shortlist is rebuilt, and stamped with its version.
    newer = copy.copy(model)
    newer.version = f"{model.version}-next"
    assert (await _refresh(newer, ids)).built == ids
    assert (await _refresh(newer, ids)).skipped == ids
    async with session_scope() as session:
        assert set(await session.scalars(select(Shortlist.model_version))) == {newer.version}


def _pools_with(pools: dict[UUID, set[UUID]], person: UUID) -> int:
    return sum(person in pool for pool in pools.values())


async def test_the_date_rebuilds_a_shortlist_only_when_someone_reaches_an_instrument_threshold(
    model: RankingModel,
) -> None:
    ids = await _world()
    today = date.today()
    assert (await _refresh(model, ids, today=today)).built == ids
    async with search_client() as client, session_scope() as session:
        vacancies = await load_vacancies(session, ids)
        pools = await retrieve_pools(session, client, vacancies, get_settings())
    days = [today + timedelta(days=n) for n in range(1, 120)]

    def reached(pool: Any, day: date) -> list[tuple[int, int, int]]:
        return [milestones(j.person_facts(), day) for j, _ in pool.candidates]

    def first_day(pool: Any, same: bool) -> date | None:
        now = reached(pool, today)
        return next((d for d in days if (reached(pool, d) == now) is same), None)

    # The smallest pool with both a quiet day and a day when someone crosses a threshold.
    pool, quiet, crossed = min(
        (
            (p, q, c)
            for p in pools
            if p.candidates
            and (q := first_day(p, True)) is not None
            and (c := first_day(p, False)) is not None
        ),
        key=lambda found: len(found[0].candidates),
    )
    # Days pass with no one in the pool reaching a threshold: still the same list.
    assert pool.vacancy.id in (await _refresh(model, [pool.vacancy.id], today=quiet)).skipped
    # Someone reaches one (an age, months unemployed): their estimates may differ.
    assert pool.vacancy.id in (await _refresh(model, [pool.vacancy.id], today=crossed)).built


async def test_a_failing_vacancy_leaves_the_rest_of_its_batch_written(
    model: RankingModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await _world()
    broken = ids[1]
    compose = shortlists.compose

    async def compose_then_fail(session: Any, vacancy_id: UUID, *args: Any, **kwargs: Any) -> Any:
        shortlist = await compose(session, vacancy_id, *args, **kwargs)
        if vacancy_id == broken:
            # Its shortlist and entries are flushed by now: the failure must take them back.
            raise RuntimeError("the disk is full")
        return shortlist

    monkeypatch.setattr(shortlists, "compose", compose_then_fail)
    report = await _refresh(model, ids)
    assert report.failed == [broken]
    assert report.built == [v for v in ids if v != broken]
    written = await _snapshot()
    assert broken not in written
    assert set(written) == set(ids) - {broken}

    # The next refresh builds it, and skips the others.
    monkeypatch.setattr(shortlists, "compose", compose)
    report = await _refresh(model, ids)
    assert report.built == [broken] and report.skipped == [v for v in ids if v != broken]
    assert (await _snapshot())[broken][1]
