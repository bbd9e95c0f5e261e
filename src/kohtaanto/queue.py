"""The seam between Kohtaanto and its job queue (arq on Redis).

Everything that enqueues goes through here, so the queue could be swapped
without touching the domain. Task names are the registry: the worker in
``jobs/`` must provide a function for each.
"""

from __future__ import annotations

import contextvars
from typing import Any

import msgspec
from arq import ArqRedis, create_pool
from arq.connections import RedisSettings

from kohtaanto.settings import QueueSettings, get_settings

# Task names that may be enqueued; jobs.worker registers one function per name.
VACANCY_PUBLISHED = "vacancy_published"
VACANCY_CHANGED = "vacancy_changed"
JOBSEEKER_SAVED = "jobseeker_saved"
DELIVER_NOTIFICATION = "deliver_notification"
MEETING_MAIL = "meeting_mail"  # a meeting's invitation, reminder or cancellation (.ics)
# Partner services (re)indexed; a referral's one-time answer link mailed to the partner.
PARTNER_SERVICES_CHANGED = "partner_services_changed"
REFERRAL_LINK = "referral_link"
# The nightly refresh's unit of work: a batch of open vacancies' shortlists (bulk lane).
REFRESH_SHORTLIST_BATCH = "refresh_shortlist_batch"
TASKS = frozenset(
    {
        VACANCY_PUBLISHED,
        VACANCY_CHANGED,
        JOBSEEKER_SAVED,
        DELIVER_NOTIFICATION,
        MEETING_MAIL,
        PARTNER_SERVICES_CHANGED,
        REFERRAL_LINK,
        REFRESH_SHORTLIST_BATCH,
    }
)


# Jobs travel as JSON, not arq's default pickle: whoever can write to Redis could
# otherwise make the worker run any code while unpickling. Payloads are plain
# strings; anything else a result holds (an exception) is stored as its text.
_encoder = msgspec.json.Encoder(enc_hook=repr)


def serialize_job(data: dict[str, Any]) -> bytes:
    """arq's ``job_serializer``: a job or its result as JSON."""
    return _encoder.encode(data)


def deserialize_job(raw: bytes) -> dict[str, Any]:
    """arq's ``job_deserializer``: JSON only; a pickle is refused, never loaded."""
    data: dict[str, Any] = msgspec.json.decode(raw)
    return data


def backoff_seconds(attempt: int, first: float, longest: float | None = None) -> float:
    """The wait before the try after ``attempt`` (1, 2, …): ``first``, twice that, four
    times that, …, never more than ``longest``. The one retry schedule of every job
    (a delivery that failed for a passing reason, a job that found Meilisearch away)."""
    wait = first * 2 ** max(attempt - 1, 0)
    return wait if longest is None else min(wait, longest)


# Two lanes, each an arq queue: interactive work (a vacancy just published, a profile
# just saved, a notification to deliver) and bulk work (the nightly refresh, the demo's
# backlog). The worker serves the interactive queue first (jobs.worker), so nothing a
# user is waiting for queues behind bulk work.
INTERACTIVE = "interactive"
BULK = "bulk"
LANES = (INTERACTIVE, BULK)

# The lane of the work being done: jobs recorded while a bulk job runs (its
# notifications' deliveries) stay in the bulk lane. The bulk worker sets it.
current_lane: contextvars.ContextVar[str] = contextvars.ContextVar(
    "current_lane", default=INTERACTIVE
)


def queue_name(lane: str, queue: QueueSettings | None = None) -> str:
    """The arq queue of ``lane``."""
    queue = queue or get_settings().queue
    if lane == BULK:
        return queue.bulk_queue_name
    if lane == INTERACTIVE:
        return queue.queue_name
    raise ValueError(f"unknown lane {lane!r}")


def redis_settings(*, fail_fast: bool = False, queue: QueueSettings | None = None) -> RedisSettings:
    """arq's Redis settings from ours (by default this process's). A password in the
    URL (``redis://:password@host:6379/0``) is used.

    Writers fail fast (the outbox keeps their jobs); the worker keeps retrying.
    """
    settings = RedisSettings.from_dsn((queue or get_settings().queue).redis_url)
    if fail_fast:
        settings.conn_timeout = 2
        settings.conn_retries = 0
    return settings


async def open_queue(queue: QueueSettings | None = None) -> ArqRedis:
    """A connection pool to the queue's Redis (by default this process's)."""
    queue = queue or get_settings().queue
    return await create_pool(
        redis_settings(fail_fast=True, queue=queue),
        default_queue_name=queue.queue_name,
        job_serializer=serialize_job,
        job_deserializer=deserialize_job,
    )


async def enqueue(
    queue: ArqRedis,
    task: str,
    payload: dict[str, Any],
    job_id: str,
    *,
    name: str | None = None,
) -> None:
    """Put ``task`` on the queue once: a second call with the same ``job_id`` is a no-op.

    ``name``: the arq queue (by default the pool's own, the interactive one)."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}")
    await queue.enqueue_job(task, _job_id=job_id, _queue_name=name, **payload)
