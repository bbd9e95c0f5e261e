"""Matching: retrieve candidates from Meilisearch, rerank them with the model.

The two directions of the product: the best people for a vacancy (the
shortlist pushed to the coordinator) and the best vacancies for a person (match
notifications).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from meilisearch_python_sdk import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import Jobseeker, Shortlist, Vacancy
from kohtaanto.domain import shortlists
from kohtaanto.settings import Settings
from ml.dataset import jobseeker_facts
from ml.facts import JobseekerFacts, VacancyFacts
from ml.predict import RankedCandidate, RankingModel
from search import retrieve
from search.documents import load_vacancies


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

    Retrieval and ranking happen here; what goes on the list (the worked entries
    kept, untouched suggestions updated in place, the exposure cap) is the
    shortlist's own rule: ``kohtaanto.domain.shortlists.compose``.
    """
    found = await load_vacancies(session, [vacancy_id])
    if not found:
        return None
    retrieved, ranked = await rank_for_vacancy(session, client, model, found[0], settings)
    return await shortlists.compose(
        session,
        vacancy_id,
        [
            shortlists.Suggestion(
                jobseeker_id=UUID(c.jobseeker_id),
                score=float(c.score),
                explanation=c.explanation,
                features=c.features,
            )
            for c in ranked
        ],
        retrieved=retrieved,
        model_version=model.version,
        size=settings.matching.shortlist_size,
        exposure_cap=settings.workflow.exposure_cap,
    )


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
