"""Matching: retrieve candidates from Meilisearch, rerank them with the model.

The two directions of the product: the best people for a vacancy (the
shortlist pushed to the coordinator) and the best vacancies for a person (match
notifications).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from meilisearch_python_sdk import AsyncClient
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import EntryStatus, Jobseeker, Shortlist, ShortlistEntry, Vacancy
from kohtaanto.domain import shortlists
from kohtaanto.settings import Settings
from ml.dataset import jobseeker_facts
from ml.facts import JobseekerFacts, VacancyFacts
from ml.predict import RankedCandidate, RankingModel
from search import retrieve
from search.documents import load_vacancies

entry_table = ShortlistEntry.__table__


@dataclass(frozen=True)
class VacancyMatch:
    vacancy: Vacancy
    ranked: RankedCandidate


async def rank_for_vacancy(
    session: AsyncSession,
    client: AsyncClient,
    model: RankingModel,
    vacancy: Vacancy,
    settings: Settings,
    today: date | None = None,
) -> tuple[int, list[RankedCandidate]]:
    """Retrieve and rank candidates for ``vacancy``; returns (retrieved, ranked)."""
    hits = await retrieve.candidates_for_vacancy(
        client,
        vacancy,
        prefix=settings.search.index_prefix,
        limit=settings.search.retrieve_limit,
        radius_km=settings.search.retrieve_radius_km,
    )
    if not hits:
        return 0, []
    # The index may briefly hold someone whose consent was withdrawn since: the
    # database is the truth, so only the findable are read.
    found = await jobseeker_facts(session, [h.id for h in hits], findable_only=True)
    people = {f.id: f for f in found}
    pairs = [(people[str(h.id)], h.score) for h in hits if str(h.id) in people]
    ranked = model.rank(VacancyFacts.from_orm(vacancy), pairs, today=today or date.today())
    return len(hits), ranked


async def build_shortlist(
    session: AsyncSession,
    client: AsyncClient,
    model: RankingModel,
    vacancy_id: UUID,
    settings: Settings,
) -> Shortlist | None:
    """Build (or rebuild) the vacancy's shortlist; None if the vacancy is gone.

    Anyone a coordinator has already worked with (contacted, asked for consent,
    added by hand, ...) stays, with their status and history, ahead of the
    suggestions. Untouched model suggestions keep their entry ids across a
    rebuild: a suggestion still ranked is updated in place, only new people are
    inserted and only those who dropped out are deleted. A coordinator may have
    the board open while the worker rebuilds it, and a move on an entry id that
    a rebuild had replaced would answer 404.
    """
    found = await load_vacancies(session, [vacancy_id])
    if not found:
        return None
    vacancy = found[0]
    retrieved, ranked = await rank_for_vacancy(session, client, model, vacancy, settings)
    shortlist = await session.scalar(select(Shortlist).where(Shortlist.vacancy_id == vacancy_id))
    kept: list[ShortlistEntry] = []
    # Untouched model suggestions already on the shortlist: jobseeker id -> entry id.
    suggested: dict[UUID, UUID] = {}
    if shortlist is None:
        shortlist = Shortlist(
            vacancy_id=vacancy_id, model_version=model.version, retrieved=retrieved
        )
        session.add(shortlist)
        await session.flush()
    else:
        shortlist.model_version = model.version
        shortlist.retrieved = retrieved
        entries = (
            await session.scalars(
                select(ShortlistEntry)
                .where(ShortlistEntry.shortlist_id == shortlist.id)
                .order_by(ShortlistEntry.rank)
            )
        ).all()
        for entry in entries:
            if entry.status is EntryStatus.SUGGESTED and entry.source == "model":
                suggested[entry.jobseeker_id] = entry.id
            else:
                kept.append(entry)
    taken = {e.jobseeker_id for e in kept}
    fresh = [c for c in ranked if UUID(c.jobseeker_id) not in taken]
    # The exposure cap: someone already on enough active shortlists elsewhere
    # is left for the others, so opportunities spread. (Their suggestion on this
    # shortlist is not "elsewhere".)
    room = settings.matching.shortlist_size - len(kept)
    busy = await shortlists.active_counts(
        session, [UUID(c.jobseeker_id) for c in fresh], excluding_shortlist=shortlist.id
    )
    cap = settings.workflow.exposure_cap
    fresh = [c for c in fresh if busy.get(UUID(c.jobseeker_id), 0) < cap]
    chosen = fresh[: max(0, room)]
    for rank, entry in enumerate(kept, start=1):
        entry.rank = rank
    await session.flush()
    # Every write on a suggestion is conditional on it still being an untouched
    # suggestion: a move committed since the read above (by the coordinator, in
    # another transaction) is never undone, reranked among the suggestions or
    # deleted. PostgreSQL re-checks the condition on the row's newest committed
    # version (READ COMMITTED), and a move still in flight holds the row lock,
    # so the write waits for it and then re-checks.
    still_suggested = (
        entry_table.c.status == EntryStatus.SUGGESTED,
        entry_table.c.source == "model",
    )
    updates = [
        {
            "entry_id": suggested[UUID(c.jobseeker_id)],
            "rank": rank,
            "score": float(c.score),
            "explanation": c.explanation,
            "features": c.features,
            "search_score": float(c.features.get("search_score", 0.0)),
        }
        for rank, c in enumerate(chosen, start=len(kept) + 1)
        if UUID(c.jobseeker_id) in suggested
    ]
    if updates:
        await session.execute(
            update(entry_table)
            .where(entry_table.c.id == bindparam("entry_id"), *still_suggested)
            .values(
                rank=bindparam("rank"),
                score=bindparam("score"),
                explanation=bindparam("explanation"),
                features=bindparam("features"),
                search_score=bindparam("search_score"),
            ),
            updates,
        )
    staying = {UUID(c.jobseeker_id) for c in chosen}
    dropped = [e for j, e in suggested.items() if j not in staying]
    if dropped:
        await session.execute(
            delete(entry_table).where(entry_table.c.id.in_(dropped), *still_suggested)
        )
    session.add_all(
        ShortlistEntry(
            shortlist_id=shortlist.id,
            jobseeker_id=UUID(c.jobseeker_id),
            rank=rank,
            score=float(c.score),
            explanation=c.explanation,
            features=c.features,
            search_score=float(c.features.get("search_score", 0.0)),
        )
        for rank, c in enumerate(chosen, start=len(kept) + 1)
        if UUID(c.jobseeker_id) not in suggested
    )
    await session.flush()
    # The writes above went past the session: reload what it holds of this shortlist.
    await session.scalars(
        select(ShortlistEntry)
        .where(ShortlistEntry.shortlist_id == shortlist.id)
        .execution_options(populate_existing=True)
    )
    await session.refresh(shortlist, ["entries"])
    return shortlist


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


def shortlist_summary(vacancy: Vacancy, shortlist: Shortlist) -> dict[str, Any]:
    """What the coordinator is pushed: enough to decide to open the shortlist."""
    return {
        "vacancy_id": str(vacancy.id),
        "vacancy_title": vacancy.title,
        "employer": vacancy.employer.name,
        "candidates": len(shortlist.entries),
        "retrieved": shortlist.retrieved,
        "model_version": shortlist.model_version,
        "top": [
            {"rank": e.rank, "jobseeker_id": str(e.jobseeker_id), "score": round(e.score, 3)}
            for e in shortlist.entries[:5]
        ],
        "shortlist_url": f"/api/vacancies/{vacancy.id}/shortlist",
    }
