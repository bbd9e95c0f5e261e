"""The arq worker: ``arq jobs.worker.WorkerSettings``."""

from __future__ import annotations

from typing import Any, ClassVar

import httpx
from arq import Worker, cron, func
from arq.connections import RedisSettings

from jobs import delivery, tasks
from jobs.scheduled import expire_consents, purge_inactive, refresh_shortlists, retrain
from kohtaanto.queue import TASKS, deserialize_job, redis_settings, serialize_job
from kohtaanto.settings import Settings, get_settings, require_strong_secrets
from search.client import open_client
from search.keys import ensure_keys_or_warn


async def startup(ctx: dict[str, Any]) -> None:
    """Shared clients, made once per worker process."""
    # A worker may be given settings of its own (``build_worker(settings=...)``).
    settings: Settings = ctx.setdefault("settings", get_settings())
    require_strong_secrets(settings)
    await ensure_keys_or_warn(settings.search)
    ctx["search"] = open_client(settings.search, "admin")
    # Webhooks: never follow a redirect (domain.outbound), never read proxies from the
    # environment (the target is checked, not a proxy's).
    ctx["http"] = httpx.AsyncClient(timeout=10, follow_redirects=False, trust_env=False)
    ctx["model"] = None  # loaded on first use, so the worker starts before a model exists


async def shutdown(ctx: dict[str, Any]) -> None:
    await ctx["search"].aclose()
    await ctx["http"].aclose()


FUNCTIONS = [
    tasks.vacancy_published,
    tasks.vacancy_changed,
    tasks.jobseeker_saved,
    # Its own bound: it retries itself with backoff up to this many tries.
    func(
        delivery.deliver_notification,
        max_tries=get_settings().delivery.max_tries,
        timeout=120,
    ),
]
assert {getattr(f, "name", getattr(f, "__name__", "")) for f in FUNCTIONS} == TASKS, (
    "every queued task name needs a function"
)


class WorkerSettings:
    functions: ClassVar[list[Any]] = FUNCTIONS
    cron_jobs: ClassVar[list[Any]] = [
        # Catch up on writes made while Redis was unreachable.
        cron(tasks.relay_outbox, second={0, 15, 30, 45}, run_at_startup=True, unique=True),
        # Scheduled work (jobs/scheduled.py; each also `kohtaanto scheduled NAME`).
        cron(expire_consents, minute={5}, unique=True),
        cron(refresh_shortlists, hour={2}, minute={30}, unique=True, timeout=3600),
        cron(purge_inactive, hour={3}, minute={30}, unique=True, timeout=3600),
        cron(retrain, weekday="sun", hour={4}, minute={0}, unique=True, timeout=7200),
        # Digests at 7 in the morning (worker's local time), weekly ones on Mondays.
        cron(delivery.daily_digest, hour={7}, minute={0}, unique=True),
        cron(delivery.weekly_digest, weekday="mon", hour={7}, minute={0}, unique=True),
    ]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings: RedisSettings = redis_settings()
    # JSON, not pickle (kohtaanto.queue): Redis write access is not code execution.
    job_serializer = serialize_job
    job_deserializer = deserialize_job
    queue_name = get_settings().queue.queue_name
    job_timeout = 300
    # Jobs retry with growing waits while Meilisearch is away (jobs.tasks): 12 tries ride
    # out about 50 minutes; the nightly reindex repairs anything longer.
    max_tries = 12


def build_worker(settings: Settings | None = None, **overrides: Any) -> Worker:
    """A worker from ``WorkerSettings``; tests run one in burst mode with ``poll_delay=0``.

    ``settings`` replace the environment's for the queue and the worker's clients.
    """
    settings = settings or get_settings()
    options: dict[str, Any] = {
        "ctx": {"settings": settings},
        "functions": WorkerSettings.functions,
        "cron_jobs": WorkerSettings.cron_jobs,
        "on_startup": WorkerSettings.on_startup,
        "on_shutdown": WorkerSettings.on_shutdown,
        "redis_settings": redis_settings(queue=settings.queue),
        "queue_name": settings.queue.queue_name,
        "job_timeout": WorkerSettings.job_timeout,
        "max_tries": WorkerSettings.max_tries,
        "job_serializer": serialize_job,
        "job_deserializer": deserialize_job,
    }
    options.update(overrides)
    return Worker(**options)
