"""Interactive work first: a vacancy just published is shortlisted before any of a
bulk backlog starts, and the jobs a bulk job records (its notifications' deliveries)
stay in the bulk lane. Real Redis queues, real workers (both in one event loop, as
``kohtaanto worker`` runs them), real shortlists."""

from __future__ import annotations

from typing import Any

import pytest
from arq.jobs import Job
from redis.asyncio import Redis
from sqlalchemy import delete, func, select, update

from jobs.worker import in_lane, run_workers
from kohtaanto import queue
from kohtaanto.db import session_scope
from kohtaanto.db.models import OutboxMessage, Shortlist, Vacancy, VacancyStatus
from kohtaanto.demo.run import queue_shortlists
from kohtaanto.demo.seed import seed_demo
from kohtaanto.domain import outbox
from kohtaanto.settings import get_settings
from search.client import search_client
from search.sync import reindex

pytestmark = pytest.mark.usefixtures("stack")


async def test_interactive_work_never_waits_behind_bulk(redis: Redis) -> None:
    settings = get_settings()
    async with session_scope() as session:
        await seed_demo(session, jobseekers=300, employers=6, vacancies=10, seed=11)
        # The seed's own mails (meetings, referrals) are not what this test counts.
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.dispatched_at.is_(None))
            .values(dispatched_at=func.now())
        )
    async with search_client() as client, session_scope() as session:
        await reindex(client, session, settings.search.index_prefix)

    async with session_scope() as session:
        backlog = await queue_shortlists(session)
    assert backlog == 10
    async with session_scope() as session:
        # Published "now", after the backlog was queued.
        published = await session.scalar(
            select(Vacancy.id).where(Vacancy.status == VacancyStatus.OPEN).limit(1)
        )
        interactive = outbox.record(session, queue.VACANCY_PUBLISHED, vacancy_id=str(published))
        await session.flush()
        interactive_job = outbox.job_id(interactive)
    pool = await queue.open_queue()
    try:
        async with session_scope() as session:
            assert await outbox.relay(session, pool) == backlog + 1
        assert await redis.zcard(settings.queue.bulk_queue_name) == backlog
        assert await redis.zcard(settings.queue.queue_name) == 1

        await run_workers(burst=True, poll_delay=0, cron_jobs=[])

        async with session_scope() as session:
            messages = list(await session.scalars(select(OutboxMessage)))
        bulk_jobs = [
            m
            for m in messages
            if m.task == queue.VACANCY_PUBLISHED and outbox.lane_of(m) == queue.BULK
        ]
        assert len(bulk_jobs) == backlog

        async def result(job_id: str, lane: str) -> Any:
            job = Job(
                job_id,
                pool,
                _queue_name=queue.queue_name(lane),
                _deserializer=queue.deserialize_job,
            )
            info = await job.result_info()
            assert info is not None and info.success, info
            return info

        first = await result(interactive_job, queue.INTERACTIVE)
        for message in bulk_jobs:
            later = await result(outbox.job_id(message), queue.BULK)
            # No bulk job started before the interactive one was done.
            assert later.start_time >= first.finish_time
    finally:
        await pool.aclose()

    async with session_scope() as session:
        built = set(await session.scalars(select(Shortlist.vacancy_id)))
    assert published in built and len(built) == backlog


@pytest.mark.parametrize("lane", [queue.INTERACTIVE, queue.BULK])
async def test_jobs_recorded_by_a_job_stay_in_its_lane(clean: None, lane: str) -> None:
    """A bulk shortlist's notification deliveries must not flood the interactive queue."""

    async def job(ctx: dict[str, Any]) -> int:
        async with session_scope() as session:
            message = outbox.record(session, queue.DELIVER_NOTIFICATION, notification_id="x")
            await session.flush()
            return message.id

    message_id = await in_lane(job)({"lane": lane})
    async with session_scope() as session:
        message = await session.get(OutboxMessage, message_id)
        assert message is not None and outbox.lane_of(message) == lane
    # Outside a job, the lane is back to interactive.
    assert queue.current_lane.get() == queue.INTERACTIVE


async def test_board_says_honestly_that_the_shortlist_is_being_built(client: Any) -> None:
    from tests.test_reports import seed_reports_dataset
    from tests.test_staff_pages import _login

    await seed_reports_dataset()
    async with session_scope() as session:
        vacancy = await session.scalar(select(Vacancy).where(Vacancy.title == "Vacancy 536"))
        assert vacancy is not None
        await session.execute(delete(Shortlist).where(Shortlist.vacancy_id == vacancy.id))
    await _login(client, "coord@example.fi")
    client.cookies.set("lang", "en")
    path = f"/coordinator/vacancies/{vacancy.id}"

    page = (await client.get(path)).text
    assert "it is built when the vacancy is published" in page

    async with session_scope() as session:
        outbox.record(session, queue.VACANCY_PUBLISHED, lane=queue.BULK, vacancy_id=str(vacancy.id))
    page = (await client.get(path)).text
    assert "queued with the background work" in page
    assert 'hx-trigger="every 5s"' in page  # it updates itself

    async with session_scope() as session:
        outbox.record(session, queue.VACANCY_PUBLISHED, vacancy_id=str(vacancy.id))
    page = (await client.get(path)).text
    assert "being built now" in page


async def test_jobs_of_a_rebuilt_database_still_run(redis: Redis) -> None:
    """A demo rebuilt from scratch (or a restored backup) numbers its outbox from 1 again
    while Redis keeps the earlier database's finished jobs: the new jobs must still run."""
    from uuid import uuid4

    from sqlalchemy import text

    async def record_and_relay() -> None:
        async with session_scope() as session:
            outbox.record(session, queue.VACANCY_CHANGED, vacancy_id=str(uuid4()))
        pool = await queue.open_queue()
        try:
            async with session_scope() as session:
                assert await outbox.relay(session, pool) == 1
        finally:
            await pool.aclose()

    await record_and_relay()
    await run_workers(burst=True, poll_delay=0, cron_jobs=[])
    assert await redis.zcard(get_settings().queue.queue_name) == 0
    # The database starts over; the finished job's result stays in Redis.
    async with session_scope() as session:
        await session.execute(text("TRUNCATE outbox RESTART IDENTITY"))
    await record_and_relay()
    assert await redis.zcard(get_settings().queue.queue_name) == 1


def test_one_backoff_schedule_doubles_from_the_first_wait_up_to_the_longest() -> None:
    """Deliveries and jobs that found Meilisearch away wait by the same rule."""
    assert [queue.backoff_seconds(attempt, 5) for attempt in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert [queue.backoff_seconds(attempt, 5, 30) for attempt in (3, 4, 12)] == [20, 30, 30]
    assert queue.backoff_seconds(0, 0.05) == 0.05  # arq's first try counts from 1
