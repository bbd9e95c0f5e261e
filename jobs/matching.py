"""Matching: retrieve candidates from Meilisearch, rerank them with the model.

The two directions of the product: the best people for a vacancy (the
shortlist pushed to the coordinator) and the best vacancies for a person (match
notifications).

A shortlist is built in three steps, shared by the two ways of building one:
``retrieve_pools`` (Meilisearch, then the candidates' facts from the database),
``fingerprint`` (what the list would be made from) and ``write_shortlist`` (score,
then ``shortlists.compose``). ``build_shortlist`` takes one vacancy, for someone
waiting; ``refresh_batch`` takes the nightly refresh's batches, with one search and
one read for the batch, and skips a vacancy whose fingerprint has not changed.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from meilisearch_python_sdk import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import Jobseeker, Shortlist, Vacancy, VacancyStatus
from kohtaanto.domain import shortlists
from kohtaanto.settings import Settings
from ml.dataset import jobseeker_facts
from ml.facts import JobseekerFacts, VacancyFacts
from ml.predict import RankedCandidate, RankingModel
from search import retrieve
from search.documents import load_vacancies

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VacancyMatch:
    vacancy: Vacancy
    ranked: RankedCandidate


@dataclass(frozen=True)
class Pool:
    """The candidates retrieved for one vacancy, as the ranking reads them."""

    vacancy: Vacancy
    facts: VacancyFacts
    retrieved: int  # hits in the index, some perhaps no longer findable
    candidates: list[tuple[JobseekerFacts, float]]  # the findable, with their search score


async def retrieve_pools(
    session: AsyncSession,
    client: AsyncClient,
    vacancies: Sequence[Vacancy],
    settings: Settings,
) -> list[Pool]:
    """Each vacancy's candidates: one multi-search for all the vacancies, then one read of
    all their candidates' facts (each person once, however many pools they are in)."""
    found = await retrieve.candidates_for_vacancies(
        client,
        vacancies,
        prefix=settings.search.index_prefix,
        limit=settings.search.retrieve_limit,
        radius_km=settings.search.retrieve_radius_km,
    )
    ids = list(dict.fromkeys(h.id for hits in found for h in hits))
    # The index may briefly hold someone whose consent was withdrawn since: the
    # database is the truth, so only the findable are read.
    people = {f.id: f for f in await jobseeker_facts(session, ids, findable_only=True)}
    return [
        Pool(
            vacancy=vacancy,
            facts=VacancyFacts.from_orm(vacancy),
            retrieved=len(hits),
            candidates=[(people[str(h.id)], h.score) for h in hits if str(h.id) in people],
        )
        for vacancy, hits in zip(vacancies, found, strict=True)
    ]


def fingerprint(
    model: RankingModel,
    pool: Pool,
    settings: Settings,
    today: date,
    memo: dict[str, bytes] | None = None,
) -> str:
    """What a shortlist built from ``pool`` today would be made from (``Shortlist.fingerprint``):
    the ranking's inputs, and how many were retrieved, kept and allowed elsewhere."""
    return model.fingerprint(
        pool.facts,
        pool.candidates,
        today=today,
        also=(pool.retrieved, settings.matching.shortlist_size, settings.workflow.exposure_cap),
        memo=memo,
    )


async def write_shortlist(
    session: AsyncSession,
    model: RankingModel,
    pool: Pool,
    settings: Settings,
    *,
    today: date,
    fingerprint: str,
    reload: bool = True,
) -> Shortlist:
    """Score ``pool`` and compose the vacancy's shortlist from it (``shortlists.compose``
    decides what goes on the list; only those entries are explained). ``reload``: as
    ``compose``'s."""
    scored = model.score(pool.facts, pool.candidates, today=today)
    return await shortlists.compose(
        session,
        pool.vacancy.id,
        [
            shortlists.Suggestion(
                jobseeker_id=UUID(j.id),
                score=float(score),
                features=scored.features(k),
                explain=functools.partial(scored.explain, k),
            )
            for k, (j, score) in enumerate(zip(scored.jobseekers, scored.scores, strict=True))
        ],
        retrieved=pool.retrieved,
        model_version=model.version,
        size=settings.matching.shortlist_size,
        exposure_cap=settings.workflow.exposure_cap,
        fingerprint=fingerprint,
        reload=reload,
    )


async def build_shortlist(
    session: AsyncSession,
    client: AsyncClient,
    model: RankingModel,
    vacancy_id: UUID,
    settings: Settings,
) -> Shortlist | None:
    """Build (or rebuild) the vacancy's shortlist now; None if the vacancy is gone.

    One vacancy at a time, for someone waiting (a vacancy just published); the nightly
    refresh takes a batch at a time (``refresh_batch``). What goes on the list (the
    worked entries kept, untouched suggestions updated in place, the exposure cap) is
    the shortlist's own rule: ``kohtaanto.domain.shortlists.compose``.
    """
    found = await load_vacancies(session, [vacancy_id])
    if not found:
        return None
    today = date.today()
    [pool] = await retrieve_pools(session, client, found, settings)
    return await write_shortlist(
        session,
        model,
        pool,
        settings,
        today=today,
        fingerprint=fingerprint(model, pool, settings, today),
    )


@dataclass
class BatchReport:
    """What ``refresh_batch`` did with each vacancy of the batch."""

    built: list[UUID] = field(default_factory=list)
    skipped: list[UUID] = field(default_factory=list)  # nothing it is made from changed
    failed: list[UUID] = field(default_factory=list)  # left as it was (logged)
    not_open: list[UUID] = field(default_factory=list)  # closed, filled or gone since

    def as_dict(self) -> dict[str, Any]:
        return {
            "built": len(self.built),
            "skipped": len(self.skipped),
            "not_open": len(self.not_open),
            "failed": [str(i) for i in self.failed],
        }


async def refresh_batch(
    session: AsyncSession,
    client: AsyncClient,
    model: RankingModel,
    vacancy_ids: Sequence[UUID],
    settings: Settings,
    *,
    force: bool = False,
    today: date | None = None,
) -> BatchReport:
    """Refresh the shortlists of a batch of open vacancies (the nightly refresh's unit).

    One multi-search and one read of candidates' facts for the whole batch; then per
    vacancy, in the order given: its fingerprint, and unless it equals the stored one
    (or ``force``), score and compose as ``build_shortlist`` does. The caller commits
    once for the batch; each vacancy writes inside a savepoint of its own, so one that
    fails leaves its shortlist as it was and the others keep theirs.
    """
    today = today or date.today()
    report = BatchReport()
    loaded = {v.id: v for v in await load_vacancies(session, vacancy_ids)}
    vacancies = []
    for vacancy_id in vacancy_ids:
        vacancy = loaded.get(vacancy_id)
        if vacancy is None or vacancy.status is not VacancyStatus.OPEN:
            report.not_open.append(vacancy_id)
        else:
            vacancies.append(vacancy)
    if not vacancies:
        return report
    pools = await retrieve_pools(session, client, vacancies, settings)
    rows = await session.execute(
        select(Shortlist.vacancy_id, Shortlist.fingerprint).where(
            Shortlist.vacancy_id.in_([v.id for v in vacancies])
        )
    )
    stored = dict(rows.tuples().all())
    memo: dict[str, bytes] = {}
    for pool in pools:
        vacancy_id = pool.vacancy.id
        try:
            made_from = fingerprint(model, pool, settings, today, memo)
            if not force and stored.get(vacancy_id) == made_from:
                report.skipped.append(vacancy_id)
                continue
            async with session.begin_nested():
                await write_shortlist(
                    session,
                    model,
                    pool,
                    settings,
                    today=today,
                    fingerprint=made_from,
                    reload=False,
                )
        except Exception:
            # One vacancy's failure is not the batch's: the others are written, this
            # one is tried again on the next refresh.
            log.exception("shortlist of vacancy %s not refreshed", vacancy_id)
            report.failed.append(vacancy_id)
        else:
            report.built.append(vacancy_id)
    return report


async def matches_for_jobseeker(
    session: AsyncSession,
    client: AsyncClient,
    model: RankingModel,
    jobseeker: Jobseeker,
    settings: Settings,
    today: date | None = None,
) -> list[VacancyMatch]:
    """Open vacancies that suit ``jobseeker`` well enough to tell them, best first."""
    hits = await retrieve.vacancies_for_jobseeker(
        client, jobseeker, prefix=settings.search.index_prefix, limit=settings.search.retrieve_limit
    )
    if not hits:
        return []
    person = JobseekerFacts.from_orm(jobseeker)
    scores = {h.id: h.score for h in hits}
    matches: list[VacancyMatch] = []
    for vacancy in await load_vacancies(session, list(scores)):
        if vacancy.status.value != "open":
            continue
        ranked = model.rank(
            VacancyFacts.from_orm(vacancy),
            [(person, scores[vacancy.id])],
            today=today or date.today(),
        )
        if ranked and ranked[0].score >= settings.matching.notify_threshold:
            matches.append(VacancyMatch(vacancy=vacancy, ranked=ranked[0]))
    matches.sort(key=lambda m: m.ranked.score, reverse=True)
    return matches[: settings.matching.notify_max_per_save]


# The push payload is the shortlist's own (kept here under the name the tasks use).
shortlist_summary = shortlists.summary
