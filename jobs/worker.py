"""The arq workers: ``kohtaanto worker`` serves both queues in one process.

Interactive work (a vacancy just published, a profile just saved, a notification
to deliver) has its queue; bulk work (the nightly refresh and other scheduled
work, the demo's backlog of shortlists) has another. arq serves one queue per
worker, so the process runs two: the interactive one, and a bulk one that starts
nothing while interactive jobs wait or run, and runs few at a time, so a user
never waits behind bulk work. ``arq jobs.worker.WorkerSettings`` (interactive) and
``arq jobs.worker.BulkWorkerSettings`` run them as separate processes instead.
"""

from __future__ import annotations

import asyncio
import functools
import signal
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

import httpx
from arq import Worker, cron, func
from arq.connections import RedisSettings
from arq.utils import timestamp_ms

from jobs import delivery, meetings, partners, tasks
from jobs.scheduled import (
    expire_consents,
    purge_inactive,
    refresh_shortlists,
    remind_event_bookings,
    retrain,
)
from kohtaanto.queue import (
    BULK,
    INTERACTIVE,
    TASKS,
    current_lane,
    deserialize_job,
    queue_name,
    redis_settings,
    serialize_job,
)
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
    # Index writes jobs did not wait for (jobs.tasks.watch_indexing). Made here: arq hands
    # each job a copy of ctx, and the copies share this one set.
    ctx["indexing"] = set()


# How long a stopping worker waits for Meilisearch to index what its jobs sent.
INDEXING_GRACE_S = 60


async def shutdown(ctx: dict[str, Any]) -> None:
    # Index writes the jobs did not wait for (jobs.tasks.watch_indexing) finish first.
    if pending := ctx.get("indexing"):
        await asyncio.wait(list(pending), timeout=INDEXING_GRACE_S)
    # A start-up that failed half-way leaves some clients unmade: close what exists.
    for name in ("search", "http"):
        if name in ctx:
            await ctx[name].aclose()


Job = Callable[..., Awaitable[Any]]


def in_lane(job: Job) -> Job:
    """Run ``job`` in its worker's lane, so the jobs it records (a shortlist's
    notification delivery) stay in that lane: bulk work never floods the interactive
    queue."""

    @functools.wraps(job)
    async def run(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        token = current_lane.set(ctx.get("lane", INTERACTIVE))
        try:
            return await job(ctx, *args, **kwargs)
        finally:
            current_lane.reset(token)

    return run


FUNCTIONS = [
    in_lane(tasks.vacancy_published),
    in_lane(tasks.vacancy_changed),
    in_lane(tasks.jobseeker_saved),
    # Its own bound: it retries itself with backoff up to this many tries.
    func(
        in_lane(delivery.deliver_notification),
        max_tries=get_settings().delivery.max_tries,
        timeout=120,
    ),
    func(in_lane(meetings.meeting_mail), max_tries=get_settings().delivery.max_tries, timeout=120),
    in_lane(partners.partner_services_changed),
    func(in_lane(partners.referral_link), max_tries=5, timeout=120),
    in_lane(tasks.refresh_shortlist_batch),
]
assert {getattr(f, "name", getattr(f, "__name__", "")) for f in FUNCTIONS} == TASKS, (
    "every queued task name needs a function"
)


class WorkerSettings:
    """The interactive queue: what someone is waiting for."""

    functions: ClassVar[list[Any]] = FUNCTIONS
    cron_jobs: ClassVar[list[Any]] = [
        # Catch up on writes made while Redis was unreachable.
        cron(tasks.relay_outbox, second={0, 15, 30, 45}, run_at_startup=True, unique=True),
        # Scheduled work (jobs/scheduled.py; each also `kohtaanto scheduled NAME`).
        cron(expire_consents, minute={5}, unique=True),
        cron(meetings.meeting_reminders, minute={20, 50}, unique=True),
        cron(partners.remind_referrals, minute={10}, unique=True),
        cron(remind_event_bookings, minute={15}, unique=True),
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


class BulkWorker(Worker):
    """A worker of the bulk queue that yields to interactive work: it starts no job
    while the interactive queue has jobs due or the interactive worker beside it
    (same process) is running some."""

    def __init__(
        self, *args: Any, interactive_queue: str, interactive: Worker | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.interactive_queue = interactive_queue
        self.interactive = interactive

    async def _poll_iteration(self) -> None:
        due = await self.pool.zcount(self.interactive_queue, "-inf", timestamp_ms())
        busy = self.interactive is not None and self.interactive.job_counter > 0
        self.allow_pick_jobs = not (due or busy)
        await super()._poll_iteration()


class BulkWorkerSettings:
    """The bulk queue: the nightly refresh and other scheduled work, the demo's backlog."""

    functions: ClassVar[list[Any]] = FUNCTIONS
    cron_jobs: ClassVar[list[Any]] = [
        cron(in_lane(refresh_shortlists), hour={2}, minute={30}, unique=True, timeout=3600),
        cron(in_lane(purge_inactive), hour={3}, minute={30}, unique=True, timeout=3600),
        cron(in_lane(retrain), weekday="sun", hour={4}, minute={0}, unique=True, timeout=7200),
        # Digests at 7 in the morning (worker's local time), weekly ones on Mondays.
        cron(in_lane(delivery.daily_digest), hour={7}, minute={0}, unique=True),
        cron(in_lane(delivery.weekly_digest), weekday="mon", hour={7}, minute={0}, unique=True),
    ]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings: RedisSettings = redis_settings()
    job_serializer = serialize_job
    job_deserializer = deserialize_job
    queue_name = get_settings().queue.bulk_queue_name
    job_timeout = 300
    max_tries = 12
    # Few at a time: ranking is CPU work on the event loop it shares with the
    # interactive worker.
    max_jobs = 2


def build_worker(
    settings: Settings | None = None,
    *,
    lane: str = INTERACTIVE,
    interactive: Worker | None = None,
    **overrides: Any,
) -> Worker:
    """A worker of ``lane``'s queue; tests run them in burst mode with ``poll_delay=0``.

    ``settings`` replace the environment's for the queue and the worker's clients;
    ``interactive``: the interactive worker in the same process, which a bulk one yields to.
    """
    settings = settings or get_settings()
    kind = BulkWorkerSettings if lane == BULK else WorkerSettings
    options: dict[str, Any] = {
        "ctx": {"settings": settings, "lane": lane},
        "functions": kind.functions,
        "cron_jobs": kind.cron_jobs,
        "on_startup": kind.on_startup,
        "on_shutdown": kind.on_shutdown,
        "redis_settings": redis_settings(queue=settings.queue),
        "queue_name": queue_name(lane, settings.queue),
        "job_timeout": kind.job_timeout,
        "max_tries": kind.max_tries,
        "job_serializer": serialize_job,
        "job_deserializer": deserialize_job,
    }
    if lane == BULK:
        options["max_jobs"] = BulkWorkerSettings.max_jobs
    options.update(overrides)
    if lane == BULK:
        return BulkWorker(
            interactive_queue=queue_name(INTERACTIVE, settings.queue),
            interactive=interactive,
            **options,
        )
    return Worker(**options)


async def run_workers(
    lanes: tuple[str, ...] = (INTERACTIVE, BULK), *, burst: bool = False, **overrides: Any
) -> dict[str, Worker]:
    """Run a worker per lane in this event loop until stopped (SIGINT, SIGTERM) or, in
    burst mode, until every queue is empty; the interactive one is served first."""
    workers: dict[str, Worker] = {}
    for lane in lanes:
        workers[lane] = build_worker(
            lane=lane,
            interactive=workers.get(INTERACTIVE),
            burst=burst,
            handle_signals=False,
            **overrides,
        )
    loop = asyncio.get_running_loop()
    runs = [asyncio.ensure_future(w.main()) for w in workers.values()]

    def stop() -> None:
        for run in runs:
            run.cancel()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    try:
        await asyncio.gather(*runs)
    except asyncio.CancelledError:
        pass
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        # One worker failing stops the other: the process exits and is restarted whole.
        stop()
        for worker in workers.values():
            await worker.close()
    return workers
