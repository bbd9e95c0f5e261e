"""Setting up the one-machine demo: schema, vocabulary, population, indexes, history, model.

Each step is skipped when its result is already there, so running the demo
again starts quickly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from meilisearch_python_sdk import AsyncClient
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto import queue
from kohtaanto.db import session_scope
from kohtaanto.db.migrate import upgrade
from kohtaanto.db.models import (
    Employer,
    EscoOccupation,
    EscoSkill,
    Jobseeker,
    OutboxMessage,
    Shortlist,
    User,
    Vacancy,
    VacancyStatus,
)
from kohtaanto.demo.events import EVENT_SHORTLIST_VERSION
from kohtaanto.demo.seed import DEMO_USERS
from kohtaanto.domain import outbox
from kohtaanto.settings import get_settings

Progress = Callable[[str, int, int], None]


def prepare_demo(
    *, jobseekers: int, employers: int, vacancies: int, seed: int, progress: Progress
) -> list[tuple[str, str]]:
    """Make the demo ready to serve; returns the named demo users as (role, e-mail)."""
    progress("database schema", 0, 1)
    upgrade("head")
    progress("database schema", 1, 1)
    return asyncio.run(_prepare(jobseekers, employers, vacancies, seed, progress))


async def _prepare(
    jobseekers: int, employers: int, vacancies: int, seed: int, progress: Progress
) -> list[tuple[str, str]]:
    from kohtaanto.demo.seed import seed_demo
    from kohtaanto.domain.esco import import_esco
    from kohtaanto.domain.places import import_places
    from ml.dataset import load_outcomes
    from ml.history import has_history, simulate_history
    from ml.train import train_from_history
    from search.client import search_client
    from search.partners import rebuild_services
    from search.retrieve import retriever
    from search.sync import reindex, reindex_vocabulary

    settings = get_settings()
    async with session_scope() as session:
        await import_places(session)
        if not await session.scalar(select(func.count()).select_from(EscoSkill)):
            progress("ESCO classification", 0, 1)
            await import_esco(session)
            progress("ESCO classification", 1, 1)
    async with session_scope() as session:
        if not await session.scalar(select(func.count()).select_from(Jobseeker)):
            await seed_demo(
                session,
                jobseekers=jobseekers,
                employers=employers,
                vacancies=vacancies,
                seed=seed,
                progress=progress,
            )
    async with search_client(settings.search) as client, session_scope() as session:
        if not await _indexes_complete(client, session, settings.search.index_prefix):
            progress("search indexes", 0, 1)
            await reindex(client, session, settings.search.index_prefix)
            await reindex_vocabulary(client, session, settings.search.index_prefix)
            await rebuild_services(client, session, settings.search.index_prefix)
            progress("search indexes", 1, 1)
    # A year of simulated recruitment outcomes (ml/history.py) until real ones exist,
    # then the ranking model trained on it, split by time.
    async with search_client(settings.search) as client, session_scope() as session:
        simulated = not await has_history(session)
        if simulated:
            await simulate_history(
                session,
                retriever(client, settings.search),
                settings,
                seed=seed,
                progress=progress,
            )
    if simulated or not _model_usable(settings.matching.model_dir):
        progress("ranking model", 0, 1)
        train_from_history(await load_outcomes(), settings.matching.model_dir, seed=seed)
        progress("ranking model", 1, 1)
    async with session_scope() as session:
        queued = await queue_shortlists(session)
    if queued:
        progress(f"shortlists queued ({queued})", 1, 1)
    return list(DEMO_USERS)


def _model_usable(model_dir: Path) -> bool:
    """Whether the current model loads with this code's features (else: train anew)."""
    from ml.predict import ModelShapeError
    from ml.registry import NoModelError, UntrustedModelError, load_current

    try:
        load_current(model_dir)
    except (NoModelError, ModelShapeError, UntrustedModelError):
        return False
    return True


async def _indexes_complete(client: AsyncClient, session: AsyncSession, prefix: str) -> bool:
    """Whether the indexes hold as many documents as the database has rows (a restart)."""
    from meilisearch_python_sdk.errors import MeilisearchApiError

    from search.indexes import concept_index, jobseeker_index, vacancy_index

    for uid, model in (
        (vacancy_index(prefix), Vacancy),
        (jobseeker_index(prefix), Jobseeker),
        (concept_index("skills", prefix), EscoSkill),
        (concept_index("occupations", prefix), EscoOccupation),
    ):
        try:
            stats = await client.index(uid).get_stats()
        except MeilisearchApiError:
            return False
        if stats.number_of_documents != await session.scalar(
            select(func.count()).select_from(model)
        ):
            return False
    return True


async def queue_shortlists(session: AsyncSession) -> int:
    """Record a shortlist job for every open vacancy that has none yet (or only the
    entries the demo's recruitment event seeded).

    The worker builds them in the background once it starts, the demo
    coordinator's vacancies first, so the demo opens on working shortlists.
    """
    if await session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.dispatched_at.is_(None),
            OutboxMessage.task == queue.VACANCY_PUBLISHED,
        )
    ):
        # Shortlist jobs queued by an earlier run and not yet relayed (the seed's other
        # messages, such as meeting and referral e-mails, do not count).
        return 0
    demo_coordinator = select(User.id).where(User.email == DEMO_USERS[1][1]).scalar_subquery()
    pending = (
        await session.scalars(
            select(Vacancy.id)
            .join(Employer, Employer.id == Vacancy.employer_id)
            .outerjoin(Shortlist, Shortlist.vacancy_id == Vacancy.id)
            .where(
                Vacancy.status == VacancyStatus.OPEN,
                or_(
                    Shortlist.id.is_(None),
                    Shortlist.model_version == EVENT_SHORTLIST_VERSION,
                ),
            )
            .order_by(
                (Employer.coordinator_id == demo_coordinator).desc(), Vacancy.published_at.desc()
            )
        )
    ).all()
    for vacancy_id in pending:
        # Bulk lane: a vacancy published meanwhile is shortlisted first.
        outbox.record(session, queue.VACANCY_PUBLISHED, lane=queue.BULK, vacancy_id=str(vacancy_id))
    return len(pending)
