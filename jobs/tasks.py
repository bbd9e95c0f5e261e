"""The jobs. Each is idempotent: running one twice leaves the same state and
sends nothing twice, so a retry or a duplicate relay is harmless."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from arq import Retry
from meilisearch_python_sdk.models.task import TaskInfo
from sqlalchemy import select

from jobs.context import Ctx, settings_of
from jobs.matching import build_shortlist, matches_for_jobseeker, refresh_batch, shortlist_summary
from kohtaanto.db import session_scope
from kohtaanto.db.models import Employer, VacancyStatus
from kohtaanto.domain import outbox
from kohtaanto.domain.notifications import notify_once
from kohtaanto.heap import settle_once
from kohtaanto.queue import backoff_seconds
from ml.predict import RankingModel
from ml.registry import current_version, load_current
from search.client import UNREACHABLE
from search.documents import jobseeker_document, load_jobseekers, load_vacancies, vacancy_document
from search.indexes import ensure_indexes
from search.sync import (
    delete_jobseeker,
    send_jobseekers,
    send_vacancies,
    wait_all,
)

log = logging.getLogger(__name__)


async def _model(ctx: Ctx) -> RankingModel:
    """The current model, loaded once per worker (and again after a promotion)."""
    model_dir = settings_of(ctx).matching.model_dir
    if ctx.get("model") is None or ctx["model"].version != current_version(model_dir):
        ctx["model"] = load_current(model_dir)
        settle_once()  # the vocabulary and the model live as long as the worker
    model: RankingModel = ctx["model"]
    return model


async def _search_ready(ctx: Ctx) -> None:
    if not ctx.get("indexes_ready"):
        await ensure_indexes(ctx["search"], settings_of(ctx).search.index_prefix)
        ctx["indexes_ready"] = True


# Waits before the next try while Meilisearch is unreachable: KOHTAANTO_SEARCH_RETRY_SECONDS
# (5 s), doubling, at most 10 min.
SEARCH_RETRY_MAX_S = 600

Task = Callable[..., Awaitable[Any]]


def retry_while_search_is_down(task: Task) -> Task:
    """Meilisearch unreachable is not a failure of the job: try again later, with backoff.

    The database holds the truth, so a later try writes the same documents.
    """

    @functools.wraps(task)
    async def run(ctx: Ctx, *args: Any, **kwargs: Any) -> Any:
        try:
            return await task(ctx, *args, **kwargs)
        except UNREACHABLE as e:
            first = settings_of(ctx).search.retry_seconds
            wait = backoff_seconds(ctx.get("job_try", 1), first, SEARCH_RETRY_MAX_S)
            log.warning(
                "%s: Meilisearch unreachable (%s); next try in %s s", task.__name__, e, wait
            )
            raise Retry(defer=wait) from e

    return run


def relays_outbox(task: Task) -> Task:
    """Send on the jobs a task recorded (a notification's delivery) as soon as it commits,
    while it still holds its place in the queue; the periodic relay is the fallback."""

    @functools.wraps(task)
    async def run(ctx: Ctx, *args: Any, **kwargs: Any) -> Any:
        result = await task(ctx, *args, **kwargs)
        try:
            await relay_outbox(ctx)
        except Exception as e:
            log.warning("outbox relay postponed: %s", e)
        return result

    return run


def watch_indexing(ctx: Ctx, tasks: Sequence[TaskInfo], what: str) -> None:
    """Let Meilisearch index ``tasks`` without the job waiting for it.

    Meilisearch indexes one task after another, and a one-document update costs it
    time that grows with the index (mostly writing geo points: seconds at 350 000
    profiles). A job waiting for it holds one of the worker's slots, and on the
    national bench publications queued behind those waits for tens of seconds. Sending
    still fails fast when Meilisearch is unreachable (the job is retried); a write
    Meilisearch accepts and then fails is logged here, and the nightly reindex repairs
    it. The worker waits for these on shutdown (``jobs.worker.shutdown``)."""

    async def watch() -> None:
        try:
            await wait_all(ctx["search"], tasks)
        except Exception:
            log.exception("Meilisearch did not index %s; the nightly reindex repairs it", what)

    pending: set[asyncio.Task[None]] = ctx.setdefault("indexing", set())
    task = asyncio.create_task(watch())
    pending.add(task)
    task.add_done_callback(pending.discard)


@retry_while_search_is_down
@relays_outbox
async def vacancy_published(ctx: Ctx, vacancy_id: str) -> dict[str, Any]:
    """Index the vacancy, build its shortlist, push it to the coordinator."""
    settings = settings_of(ctx)
    await _search_ready(ctx)
    model = await _model(ctx)
    async with session_scope() as session:
        found = await load_vacancies(session, [UUID(vacancy_id)])
        if not found:
            return {"status": "gone"}
        vacancy = found[0]
        # Indexed while the shortlist is built (it searches people, not vacancies).
        indexing = await send_vacancies(
            ctx["search"], [vacancy_document(vacancy)], settings.search.index_prefix
        )
        watch_indexing(ctx, indexing, f"vacancy {vacancy.id}")
        if vacancy.status is not VacancyStatus.OPEN:
            return {"status": vacancy.status.value}
        shortlist = await build_shortlist(session, ctx["search"], model, vacancy.id, settings)
        assert shortlist is not None
        coordinator_id = await session.scalar(
            select(Employer.coordinator_id).where(Employer.id == vacancy.employer_id)
        )
        pushed = None
        if coordinator_id is not None:
            pushed = await notify_once(
                session,
                recipient_id=coordinator_id,
                kind="shortlist",
                vacancy_id=vacancy.id,
                params=shortlist_summary(vacancy, shortlist),
            )
    # Delivery by e-mail and webhook is a job of its own, recorded with the notification.
    return {
        "status": "shortlisted",
        "candidates": len(shortlist.entries),
        "pushed": pushed is not None,
    }


@retry_while_search_is_down
async def vacancy_changed(ctx: Ctx, vacancy_id: str) -> dict[str, Any]:
    """Bring the index in line with the vacancy (closed, filled, edited)."""
    settings = settings_of(ctx)
    await _search_ready(ctx)
    async with session_scope() as session:
        found = await load_vacancies(session, [UUID(vacancy_id)])
        if not found:
            return {"status": "gone"}
        # Not waited for, as a publication's: a closed vacancy still in the index is
        # dropped by every match, which reads its status from the database.
        indexing = await send_vacancies(
            ctx["search"], [vacancy_document(found[0])], settings.search.index_prefix
        )
        watch_indexing(ctx, indexing, f"vacancy {found[0].id}")
        return {"status": found[0].status.value}


@retry_while_search_is_down
@relays_outbox
async def jobseeker_saved(ctx: Ctx, jobseeker_id: str) -> dict[str, Any]:
    """Index the profile and tell the jobseeker of matching open vacancies, once each.

    A profile that is gone or anonymised (erasure, retention) leaves the index.
    """
    settings = settings_of(ctx)
    await _search_ready(ctx)
    model = await _model(ctx)
    async with session_scope() as session:
        found = await load_jobseekers(session, [UUID(jobseeker_id)])
        if not found or found[0].anonymised_at is not None:
            await delete_jobseeker(ctx["search"], jobseeker_id, settings.search.index_prefix)
            return {"status": "gone"}
        person = found[0]
        # Indexed while the matches are looked for (in the vacancy index).
        indexing = await send_jobseekers(
            ctx["search"], [jobseeker_document(person)], settings.search.index_prefix
        )
        watch_indexing(ctx, indexing, f"jobseeker {person.id}")
        if person.user_id is None or not person.available:
            return {"status": "indexed", "notified": 0}
        notified = 0
        for match in await matches_for_jobseeker(session, ctx["search"], model, person, settings):
            new = await notify_once(
                session,
                recipient_id=person.user_id,
                kind="match",
                vacancy_id=match.vacancy.id,
                params={
                    "vacancy_id": str(match.vacancy.id),
                    "vacancy_title": match.vacancy.title,
                    "place": match.vacancy.municipality.name,
                    "score": round(match.ranked.score, 3),
                    "explanation": match.ranked.explanation,
                    "found_on": date.today().isoformat(),
                },
            )
            notified += new is not None
    return {"status": "indexed", "notified": notified}


@retry_while_search_is_down
async def refresh_shortlist_batch(
    ctx: Ctx, vacancy_ids: list[str], force: bool = False
) -> dict[str, Any]:
    """Refresh a batch of open vacancies' shortlists (the nightly refresh queues them):
    those whose inputs changed since they were built, or all of them with ``force``.
    Nothing is pushed to the coordinator again."""
    settings = settings_of(ctx)
    await _search_ready(ctx)
    model = await _model(ctx)
    async with session_scope() as session:
        report = await refresh_batch(
            session,
            ctx["search"],
            model,
            [UUID(i) for i in vacancy_ids],
            settings,
            force=force,
        )
    return report.as_dict()


async def relay_outbox(ctx: Ctx) -> int:
    """Send jobs that writes recorded while Redis was away (or that the API did not relay)."""
    async with session_scope() as session:
        settings = ctx.get("settings")
        return await outbox.relay(
            session, ctx["redis"], queues=settings.queue if settings is not None else None
        )
