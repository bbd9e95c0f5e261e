"""National scale, side by side (issue 11): one run, several sizes, one table.

    scripts/bench --scale national                       (30 000, 100 000 and 350 000)
    .venv/bin/python bench/national.py --sizes 30000,100000

For each size (jobseekers; vacancies and employers in the issue's proportion, 83 000
and 40 000 per 350 000) on PostgreSQL:

1. seeding: the database is emptied and migrated, the places and ESCO imported, then
   ``kohtaanto seed-national``'s code loads the population with COPY;
2. indexing every jobseeker profile: documents/s read from the database with column
   queries (``search.documents``; ``--orm-read`` also times the ORM loaders), written
   into Meilisearch (``search.sync``), and end to end as ``kohtaanto reindex`` does it
   (``search.sync.rebuild_jobseekers``: reading overlaps indexing, a fresh index swapped in);
3. Meilisearch's filtered candidate search alone, and a whole shortlist build
   (``jobs.matching.build_shortlist``: load, retrieve, rank, explain, write; rolled back),
   for the same sample of open vacancies: p50, p95 and their ratio;
4. the nightly refresh on a sample of open vacancies, batched as
   ``jobs.scheduled.refresh_shortlists`` queues it (``jobs.matching.refresh_batch``,
   forced so nothing is skipped; ``--refresh single`` builds one at a time instead):
   shortlists/s and the time all open vacancies would take at that rate;
5. the worker as deployed: ``kohtaanto worker --lane interactive`` and ``--lane bulk`` as
   two processes; the bulk one refreshes another sample of vacancies while a vacancy is
   published and a profile saved every second on the interactive queue: the refresh's
   shortlists/s, publish → the coordinator's notification written, and profile save →
   its match notifications (p50/p95, from arq's enqueue times), and each worker's peak
   memory (VmHWM);
6. API throughput: a uvicorn process serving ``kohtaanto.app`` (as ``kohtaanto serve``,
   without the access log) on loopback, several concurrent clients (httpx) reading
   jobseekers' own profiles (GET /api/jobseekers/me), then coordinators reading the
   shortlists step 4 committed (GET /api/vacancies/{id}/shortlist, every view logged):
   requests/s, error rate, latency, and the API process's peak memory (VmHWM).

The ranking model is a bootstrap model (``ml.train.train_and_register``) fitted on a
sample of the seeded population; it is not timed. The database must be one of its own:
its name must begin with "bench" (it is emptied); it is created if missing. Meilisearch
is the configured one (KOHTAANTO_MEILI_URL); indexes get a prefix of their own and are
deleted afterwards. Results: the table on stdout and JSON under bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import secrets
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx
from sqlalchemy import select
from sqlalchemy.engine import make_url

from kohtaanto.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DEFAULT_SIZES = (30_000, 100_000, 350_000)
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_national"

# (client, model, vacancy ids, settings) → every listed vacancy's shortlist rebuilt.
RefreshPath = Callable[[Any, Any, list[UUID], Settings], Awaitable[None]]


async def refresh_single(client: Any, model: Any, ids: list[UUID], settings: Settings) -> None:
    """The nightly refresh as ``jobs.scheduled.refresh_shortlists`` runs it today: each
    open vacancy's shortlist built on its own, in its own transaction."""
    from jobs.matching import build_shortlist
    from kohtaanto.db import session_scope

    for vacancy_id in ids:
        async with session_scope() as session:
            await build_shortlist(session, client, model, vacancy_id, settings)


async def refresh_batch(client: Any, model: Any, ids: list[UUID], settings: Settings) -> None:
    """The batched nightly refresh (``jobs.matching.refresh_batch``): one multi-search,
    one read of the candidates' facts and one commit per batch of
    ``settings.matching.refresh_batch`` vacancies; forced, so every list is rebuilt and
    the figure is not flattered by skipping unchanged ones."""
    from jobs.matching import refresh_batch as refresh
    from kohtaanto.db import session_scope

    size = max(int(getattr(settings.matching, "refresh_batch", 50)), 1)
    for start in range(0, len(ids), size):
        async with session_scope() as session:
            await refresh(session, client, model, ids[start : start + size], settings, force=True)


REFRESH_PATHS: dict[str, RefreshPath] = {"single": refresh_single, "batch": refresh_batch}


def _percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def _configure(url: str, size: int, run: str) -> Settings:
    """This size's settings: the bench database, its own index prefix and model folder."""
    os.environ["KOHTAANTO_DATABASE_URL"] = url
    os.environ["KOHTAANTO_MEILI_INDEX_PREFIX"] = f"nat{run}_{size}_"
    os.environ["KOHTAANTO_MODEL_DIR"] = str(ROOT / "var" / "bench" / f"national-{run}-{size}")
    # Queues of its own: the worker it starts must not take anyone else's jobs.
    os.environ["KOHTAANTO_QUEUE_NAME"] = f"kohtaanto:bench:{run}:{size}"
    os.environ["KOHTAANTO_BULK_QUEUE_NAME"] = f"kohtaanto:bench:{run}:{size}:bulk"
    get_settings.cache_clear()
    from kohtaanto.db import alchemy_config

    alchemy_config.cache_clear()
    return get_settings()


async def _empty_database(url: str) -> None:
    """Create the bench database if missing, and drop everything in it."""
    target = make_url(url)
    name = target.database or ""
    if not name.startswith("bench"):
        raise SystemExit(
            f"the bench empties its database: its name must begin with 'bench', not {name!r}"
        )
    plain = target.set(drivername="postgresql")
    admin = await asyncpg.connect(plain.set(database="postgres").render_as_string(False))
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(plain.render_as_string(False))
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


async def _seed(size: int, seed: int, progress: Any) -> dict[str, Any]:
    from kohtaanto.db import session_scope
    from kohtaanto.db.migrate import upgrade
    from kohtaanto.demo.national import import_national_places, scaled_sizes, seed_national
    from kohtaanto.domain.esco import import_esco

    started = time.perf_counter()
    await asyncio.to_thread(upgrade, "head")
    async with session_scope() as session:
        await import_national_places(session)
        await import_esco(session)
    vocabulary = time.perf_counter() - started
    vacancies, employers = scaled_sizes(size)
    started = time.perf_counter()
    async with session_scope() as session:
        report = await seed_national(
            session,
            jobseekers=size,
            vacancies=vacancies,
            employers=employers,
            seed=seed,
            progress=progress,
        )
    seconds = time.perf_counter() - started  # with the commit
    return {
        "schema_and_vocabulary_s": round(vocabulary, 1),
        "seed_s": round(seconds, 1),
        "rows": report.rows,
        "rows_per_s": round(sum(report.rows.values()) / seconds),
        "jobseekers": report.jobseekers,
        "vacancies": report.vacancies,
        "employers": report.employers,
    }


async def _train(settings: Settings, seed: int) -> None:
    """A bootstrap model on a sample of the population (not timed)."""
    from kohtaanto.db import session_scope
    from kohtaanto.db.models import Jobseeker, Vacancy
    from ml.dataset import jobseeker_facts
    from ml.facts import VacancyFacts
    from ml.train import train_and_register
    from search.documents import load_vacancies

    async with session_scope() as session:
        vacancy_ids = list(
            await session.scalars(select(Vacancy.id).order_by(Vacancy.id).limit(600))
        )
        people_ids = list(
            await session.scalars(select(Jobseeker.id).order_by(Jobseeker.id).limit(6000))
        )
        vacancies = [VacancyFacts.from_orm(v) for v in await load_vacancies(session, vacancy_ids)]
        people = await jobseeker_facts(session, people_ids)
    await asyncio.to_thread(
        train_and_register, vacancies, people, settings.matching.model_dir, seed=seed
    )


async def _index(client: Any, settings: Settings, *, orm_read: bool) -> dict[str, Any]:
    """Every profile read with column queries (``iter_jobseeker_documents``) and written to
    Meilisearch (``search.sync.upsert_jobseekers``), timed apart; then end to end as
    ``kohtaanto reindex`` does it (``search.sync.rebuild_jobseekers``: the next batch read
    while Meilisearch indexes, a fresh index swapped in). With ``orm_read``, also the ORM
    loaders' read, for comparison. The vacancies the ORM way, for the record."""
    from kohtaanto.db import session_scope
    from search.documents import (
        iter_jobseeker_documents,
        iter_jobseekers,
        iter_vacancies,
        jobseeker_document,
        vacancy_document,
    )
    from search.indexes import ensure_indexes
    from search.sync import rebuild_jobseekers, upsert_jobseekers, upsert_vacancies

    prefix = settings.search.index_prefix
    await ensure_indexes(client, prefix)
    figures: dict[str, Any] = {}
    if orm_read:
        started = time.perf_counter()
        count = 0
        async with session_scope() as session:
            async for batch in iter_jobseekers(session, 5000):
                count += len([jobseeker_document(j) for j in batch])
        figures["orm_docs_per_s"] = round(count / (time.perf_counter() - started))
    started = time.perf_counter()
    docs: list[dict[str, Any]] = []
    async with session_scope() as session:
        async for documents in iter_jobseeker_documents(session, 5000):
            docs.extend(documents)
    column_read = time.perf_counter() - started
    started = time.perf_counter()
    await upsert_jobseekers(client, docs, prefix)
    indexed = time.perf_counter() - started
    count = len(docs)
    del docs
    started = time.perf_counter()
    async with session_scope() as session:
        rebuilt = await rebuild_jobseekers(client, session, prefix)
    end_to_end = time.perf_counter() - started
    figures |= {
        "documents": count,
        "column_read_s": round(column_read, 1),
        "meilisearch_s": round(indexed, 1),
        "end_to_end_s": round(end_to_end, 1),
        "column_docs_per_s": round(count / column_read),
        "meilisearch_docs_per_s": round(count / indexed),
        "end_to_end_docs_per_s": round(rebuilt / end_to_end),
    }
    figures = {"jobseekers": figures}
    started = time.perf_counter()
    async with session_scope() as session:
        vacancies = [vacancy_document(v) async for b in iter_vacancies(session, 5000) for v in b]
    read = time.perf_counter() - started
    started = time.perf_counter()
    await upsert_vacancies(client, vacancies, prefix)
    figures["vacancies"] = {
        "documents": len(vacancies),
        "orm_read_s": round(read, 1),
        "meilisearch_s": round(time.perf_counter() - started, 1),
    }
    return figures


async def _open_vacancies(limit: int | None = None, offset: int = 0) -> list[UUID]:
    from kohtaanto.db import session_scope
    from kohtaanto.db.models import Vacancy, VacancyStatus

    async with session_scope() as session:
        query = (
            select(Vacancy.id)
            .where(Vacancy.status == VacancyStatus.OPEN)
            .order_by(Vacancy.id)
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        return list(await session.scalars(query))


async def _jobseekers(count: int) -> list[UUID]:
    """``count`` jobseekers who can log in and are available (their saves notify)."""
    from kohtaanto.db import session_scope
    from kohtaanto.db.models import Jobseeker

    async with session_scope() as session:
        query = (
            select(Jobseeker.id)
            .where(Jobseeker.user_id.is_not(None), Jobseeker.available)
            .order_by(Jobseeker.id)
            .limit(count)
        )
        return list(await session.scalars(query))


async def _search_and_shortlist(
    client: Any, model: Any, settings: Settings, ids: list[UUID]
) -> dict[str, Any]:
    """Meilisearch's search alone, then the whole shortlist build, per vacancy (rolled back)."""
    from jobs.matching import build_shortlist
    from kohtaanto.db import alchemy_config
    from search import retrieve
    from search.documents import load_vacancies

    search_times, build_times, retrieved = [], [], []
    for vacancy_id in ids:
        async with alchemy_config().get_session() as session:
            vacancy = (await load_vacancies(session, [vacancy_id]))[0]
            started = time.perf_counter()
            hits = await retrieve.candidates_for_vacancy(
                client,
                vacancy,
                prefix=settings.search.index_prefix,
                limit=settings.search.retrieve_limit,
                radius_km=settings.search.retrieve_radius_km,
            )
            search_times.append(time.perf_counter() - started)
            retrieved.append(len(hits))
            session.expunge_all()  # the build loads the vacancy itself, as in production
            started = time.perf_counter()
            await build_shortlist(session, client, model, vacancy_id, settings)
            build_times.append(time.perf_counter() - started)
            await session.rollback()
    search_p50, search_p95 = _percentiles(search_times)
    build_p50, build_p95 = _percentiles(build_times)
    return {
        "vacancies": len(ids),
        "candidates_mean": round(statistics.mean(retrieved)),
        "search_p50_ms": round(search_p50, 1),
        "search_p95_ms": round(search_p95, 1),
        "shortlist_p50_ms": round(build_p50, 1),
        "shortlist_p95_ms": round(build_p95, 1),
        "shortlist_to_search_p95": round(build_p95 / search_p95, 1),
    }


async def _refresh(
    client: Any, model: Any, settings: Settings, path: str, ids: list[UUID], open_count: int
) -> dict[str, Any]:
    started = time.perf_counter()
    await REFRESH_PATHS[path](client, model, ids, settings)
    seconds = time.perf_counter() - started
    rate = len(ids) / seconds
    return {
        "path": path,
        "sample": len(ids),
        "seconds": round(seconds, 1),
        "shortlists_per_s": round(rate, 1),
        "open_vacancies": open_count,
        "all_open_projected_min": round(open_count / rate / 60, 1),
    }


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _peak_rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


async def _tokens(count: int) -> list[str]:
    """Bearer tokens of ``count`` jobseekers, signed as a login would sign them."""
    from kohtaanto.auth import create_token
    from kohtaanto.db import session_scope
    from kohtaanto.db.models import Jobseeker, User

    async with session_scope() as session:
        users = list(
            await session.scalars(
                select(User)
                .join(Jobseeker, Jobseeker.user_id == User.id)
                .order_by(User.id)
                .limit(count)
            )
        )
    return [create_token(u) for u in users]


async def _shortlist_readers(count: int) -> list[tuple[str, str]]:
    """(path, token) pairs reading vacancies' shortlists as their company coordinators:
    the vacancies whose shortlist has been built and committed (the refresh sample's),
    each with a token of the coordinator serving its employer."""
    from kohtaanto.auth import create_token
    from kohtaanto.db import session_scope
    from kohtaanto.db.models import Employer, Shortlist, User, Vacancy

    async with session_scope() as session:
        rows = (
            await session.execute(
                select(Shortlist.vacancy_id, User)
                .join(Vacancy, Vacancy.id == Shortlist.vacancy_id)
                .join(Employer, Employer.id == Vacancy.employer_id)
                .join(User, User.id == Employer.coordinator_id)
                .order_by(Shortlist.vacancy_id)
                .limit(count)
            )
        ).all()
    return [(f"/api/vacancies/{vacancy_id}/shortlist", create_token(u)) for vacancy_id, u in rows]


async def _load(
    base: str, requests: list[tuple[str, str]], clients: int, seconds: float
) -> dict[str, Any]:
    """``clients`` concurrent clients, each sending a random one of ``requests`` (path,
    bearer token) again and again for ``seconds``; every non-200 answer or failure is
    an error."""
    rng = random.Random(0)
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        for path, token in requests[:clients]:  # warm up: connections, caches
            await http.get(path, headers={"Authorization": f"Bearer {token}"})
        deadline = time.perf_counter() + seconds

        async def client() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                path, token = rng.choice(requests)
                started = time.perf_counter()
                try:
                    answer = await http.get(path, headers={"Authorization": f"Bearer {token}"})
                    ok = answer.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - started)
                errors += not ok

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    p50, p95 = _percentiles(latencies)
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed),
        "error_rate": round(errors / len(latencies), 4),
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
    }


async def _api(settings: Settings, clients: int, seconds: float) -> dict[str, Any]:
    port = _free_port()
    env = _service_env(settings)
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "kohtaanto.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    api = await asyncio.create_subprocess_exec(*command, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=2) as http:
            for _ in range(120):
                try:
                    if (await http.get("/health")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if api.returncode is not None:
                    raise SystemExit("the API process exited; see its output above")
                await asyncio.sleep(0.5)
        profiles = [("/api/jobseekers/me", token) for token in await _tokens(500)]
        figures = await _load(base, profiles, clients, seconds)
        # A coordinator reading a whole shortlist: every person on it, each view logged.
        readers = await _shortlist_readers(200)
        if readers:
            figures["shortlist"] = await _load(base, readers, clients, seconds)
        figures["api_peak_rss_mb"] = _peak_rss_mb(api.pid)
        return figures
    finally:
        api.terminate()
        try:
            await asyncio.wait_for(api.wait(), 15)
        except TimeoutError:
            api.kill()
            await api.wait()


def _service_env(settings: Settings) -> dict[str, str]:
    """The environment of a process the bench starts (API, worker): its own, except that
    a bench on the dev Meilisearch key runs in development mode (production refuses weak
    secrets; nothing measured here differs)."""
    from kohtaanto.settings import weak_secrets

    env = dict(os.environ)
    if weak_secrets(settings):
        env["KOHTAANTO_MODE"] = "development"
    return env


async def _job_results(pool: Any, jobs: list[tuple[str, str]]) -> list[Any]:
    """arq's results (enqueue, start and finish times) of ``(job id, queue)``, waited for."""
    from arq.jobs import Job

    from kohtaanto.queue import deserialize_job

    results = []
    for job_id, queue in jobs:
        job = Job(job_id, pool, _queue_name=queue, _deserializer=deserialize_job)
        with contextlib.suppress(Exception):  # a failed job: its result info says so
            await job.result(poll_delay=0.2)
        results.append(await job.result_info())
    return results


def _latencies(results: list[Any]) -> dict[str, Any]:
    """p50/p95 from enqueue to finish, in seconds, and how many failed."""
    waits = [(r.finish_time - r.enqueue_time).total_seconds() for r in results]
    p50, p95 = _percentiles(waits)
    return {
        "jobs": len(results),
        "failed": sum(not r.success for r in results),
        "p50_s": round(p50 / 1000, 2),
        "p95_s": round(p95 / 1000, 2),
    }


async def _pushed_at(vacancy_ids: list[UUID]) -> dict[UUID, datetime]:
    """When each vacancy's shortlist notification to its coordinator was written."""
    from sqlalchemy import func

    from kohtaanto.db import session_scope
    from kohtaanto.db.models import Notification

    async with session_scope() as session:
        rows = await session.execute(
            select(Notification.vacancy_id, func.min(Notification.created_at))
            .where(Notification.kind == "shortlist", Notification.vacancy_id.in_(vacancy_ids))
            .group_by(Notification.vacancy_id)
        )
        return {vacancy_id: at for vacancy_id, at in rows.tuples() if vacancy_id is not None}


async def _worker(
    settings: Settings,
    refresh_ids: list[UUID],
    publish_ids: list[UUID],
    save_ids: list[UUID],
    *,
    interval: float,
) -> dict[str, Any]:
    """The worker as deployed (``kohtaanto worker --lane interactive`` and ``--lane bulk``,
    two processes on the same Redis), under the nightly refresh: ``refresh_ids`` queued as
    refresh batches (forced) on the bulk queue; once the first batch is running, a vacancy
    published (``vacancy_published``: index, shortlist, push to the coordinator) and a
    profile saved (``jobseeker_saved``: index, match notifications) every ``interval``
    seconds on the interactive queue. Figures from arq's own enqueue and finish times.
    The first vacancy and profile warm the interactive worker up (its model loaded, as in a
    worker that has been running); they are not counted."""
    from kohtaanto.queue import (
        BULK,
        INTERACTIVE,
        JOBSEEKER_SAVED,
        REFRESH_SHORTLIST_BATCH,
        VACANCY_PUBLISHED,
        enqueue,
        open_queue,
        queue_name,
    )

    env = _service_env(settings)
    model_dir = Path(settings.matching.model_dir)
    workers = {}
    for lane in (INTERACTIVE, BULK):
        # Their logs beside the model, out of the table's way.
        with (model_dir.parent / f"{model_dir.name}-worker-{lane}.log").open("ab") as log:
            workers[lane] = await asyncio.create_subprocess_exec(
                *(sys.executable, "-m", "kohtaanto.cli", "worker", "--lane", lane),
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
    pool = await open_queue(settings.queue)
    bulk, interactive = queue_name(BULK, settings.queue), queue_name(INTERACTIVE, settings.queue)
    tag = secrets.token_hex(4)
    try:
        warm_up = [(f"bench-warm-{tag}-publish", VACANCY_PUBLISHED, "vacancy_id", publish_ids)]
        warm_up.append((f"bench-warm-{tag}-save", JOBSEEKER_SAVED, "jobseeker_id", save_ids))
        for job_id, task, key, first in warm_up:
            await enqueue(pool, task, {key: str(first[0])}, job_id, name=interactive)
        await _job_results(pool, [(job_id, interactive) for job_id, *_ in warm_up])
        publish_ids, save_ids = publish_ids[1:], save_ids[1:]
        size = max(int(settings.matching.refresh_batch), 1)
        batches = []
        for start in range(0, len(refresh_ids), size):
            job_id = f"bench-refresh-{tag}-{start}"
            batch = [str(i) for i in refresh_ids[start : start + size]]
            payload = {"vacancy_ids": batch, "force": True}
            await enqueue(pool, REFRESH_SHORTLIST_BATCH, payload, job_id, name=bulk)
            batches.append((job_id, bulk))
        # Interactive work arrives once the refresh is under way.
        while not await pool.exists(f"arq:in-progress:{batches[0][0]}"):
            if await pool.exists(f"arq:result:{batches[0][0]}"):
                break
            await asyncio.sleep(0.1)
        published, saved = [], []
        for k in range(max(len(publish_ids), len(save_ids))):
            if k < len(publish_ids):
                job_id = f"bench-publish-{tag}-{k}"
                payload = {"vacancy_id": str(publish_ids[k])}
                await enqueue(pool, VACANCY_PUBLISHED, payload, job_id, name=interactive)
                published.append((job_id, interactive))
            if k < len(save_ids):
                job_id = f"bench-save-{tag}-{k}"
                payload = {"jobseeker_id": str(save_ids[k])}
                await enqueue(pool, JOBSEEKER_SAVED, payload, job_id, name=interactive)
                saved.append((job_id, interactive))
            await asyncio.sleep(interval)
        async with asyncio.timeout(3600):
            publish_results = await _job_results(pool, published)
            save_results = await _job_results(pool, saved)
            refresh_results = await _job_results(pool, batches)
        started = min(r.start_time for r in refresh_results)
        finished = max(r.finish_time for r in refresh_results)
        seconds = (finished - started).total_seconds()
        pushed = await _pushed_at(publish_ids)
        to_push = [
            (pushed[UUID(r.kwargs["vacancy_id"])] - r.enqueue_time).total_seconds()
            for r in publish_results
            if UUID(r.kwargs["vacancy_id"]) in pushed
        ]
        push_p50, push_p95 = _percentiles(to_push)
        notified = sum(int((r.result or {}).get("notified", 0)) for r in save_results)
        return {
            "refresh": {
                "vacancies": len(refresh_ids),
                "batches": len(batches),
                "failed_batches": sum(not r.success for r in refresh_results),
                "seconds": round(seconds, 1),
                "shortlists_per_s": round(len(refresh_ids) / seconds, 1),
            },
            # Enqueued → the coordinator's notification committed (its delivery queued).
            "publish_to_push": {
                "pushed": len(to_push),
                "p50_s": round(push_p50 / 1000, 2),
                "p95_s": round(push_p95 / 1000, 2),
            },
            # Enqueued → the job done, the vacancy's index write included.
            "publish_job": _latencies(publish_results),
            "save_to_notifications": _latencies(save_results) | {"notifications": notified},
            "worker_peak_rss_mb": {
                lane: _peak_rss_mb(process.pid) for lane, process in workers.items()
            },
        }
    finally:
        await pool.aclose()
        for process in workers.values():
            process.terminate()
        for process in workers.values():
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _size(args: argparse.Namespace, size: int, run: str) -> dict[str, Any]:
    from kohtaanto.cli import _Steps
    from kohtaanto.db import alchemy_config
    from kohtaanto.heap import settle
    from ml.registry import load_current
    from search.client import search_client
    from search.indexes import delete_indexes

    settings = _configure(args.database_url, size, run)
    print(f"\n== {size:,} jobseekers ==", flush=True)
    await _empty_database(args.database_url)
    steps = _Steps()
    result: dict[str, Any] = {"size": size, "seed": await _seed(size, args.seed, steps)}
    steps.close()
    await _train(settings, args.seed)
    model = load_current(settings.matching.model_dir)
    settle()  # as the worker does once its model is loaded
    try:
        async with search_client(settings.search) as client:
            try:
                print("  indexing", flush=True)
                result["index"] = await _index(client, settings, orm_read=args.orm_read)
                sample = await _open_vacancies(args.vacancies)
                print(f"  search and shortlist ({len(sample)} vacancies)", flush=True)
                result["shortlist"] = await _search_and_shortlist(client, model, settings, sample)
                refresh = await _open_vacancies(args.refresh_sample, offset=args.vacancies)
                open_count = len(await _open_vacancies())
                print(f"  nightly refresh ({len(refresh)} vacancies, {args.refresh})", flush=True)
                result["refresh"] = await _refresh(
                    client, model, settings, args.refresh, refresh, open_count
                )
                offset = args.vacancies + args.refresh_sample
                worker_refresh = await _open_vacancies(args.worker_refresh, offset=offset)
                offset += args.worker_refresh
                published = await _open_vacancies(args.publish + 1, offset=offset)
                saved = await _jobseekers(args.publish + 1)
                print(
                    f"  worker: {len(worker_refresh)} refreshed, {len(published) - 1} published"
                    f" and {len(saved) - 1} profiles saved meanwhile",
                    flush=True,
                )
                result["worker"] = await _worker(
                    settings, worker_refresh, published, saved, interval=args.publish_interval
                )
                print(f"  API ({args.clients} clients, {args.api_seconds:.0f} s)", flush=True)
                result["api"] = await _api(settings, args.clients, args.api_seconds)
            finally:
                await delete_indexes(client, settings.search.index_prefix)
    finally:
        await alchemy_config().get_engine().dispose()
    return result


def _at(result: dict[str, Any], path: str) -> Any:
    for key in path.split("."):
        result = result[key]
    return result


def _shortlist_read(api: dict[str, Any]) -> str:
    if "shortlist" not in api:
        return "no shortlists"
    return (
        f"{api['shortlist']['requests_per_s']:,} req/s, {api['shortlist']['error_rate']:.1%} errors"
    )


def _shortlist_latency(api: dict[str, Any]) -> str:
    if "shortlist" not in api:
        return "no shortlists"
    return f"{api['shortlist']['p50_ms']} / {api['shortlist']['p95_ms']} ms"


# (figure, how one size's result shows it)
ROWS: tuple[tuple[str, Callable[[dict[str, Any]], str]], ...] = (
    (
        "vacancies / employers",
        lambda r: f"{_at(r, 'seed.vacancies'):,} / {_at(r, 'seed.employers'):,}",
    ),
    (
        "seeding (COPY)",
        lambda r: f"{_at(r, 'seed.seed_s')} s, {_at(r, 'seed.rows_per_s'):,} rows/s",
    ),
    ("schema + places + ESCO", lambda r: f"{_at(r, 'seed.schema_and_vocabulary_s')} s"),
    (
        "index profiles: read, column queries",
        lambda r: f"{_at(r, 'index.jobseekers.column_docs_per_s'):,} docs/s",
    ),
    (
        "index profiles: Meilisearch",
        lambda r: f"{_at(r, 'index.jobseekers.meilisearch_docs_per_s'):,} docs/s",
    ),
    (
        "index profiles: end to end (reindex)",
        lambda r: (
            f"{_at(r, 'index.jobseekers.end_to_end_docs_per_s'):,} docs/s, "
            f"{_at(r, 'index.jobseekers.end_to_end_s')} s"
        ),
    ),
    (
        "candidate search p50 / p95",
        lambda r: f"{_at(r, 'shortlist.search_p50_ms')} / {_at(r, 'shortlist.search_p95_ms')} ms",
    ),
    (
        "shortlist build p50 / p95",
        lambda r: (
            f"{_at(r, 'shortlist.shortlist_p50_ms')} / {_at(r, 'shortlist.shortlist_p95_ms')} ms"
        ),
    ),
    ("shortlist p95 ÷ search p95", lambda r: f"{_at(r, 'shortlist.shortlist_to_search_p95')} x"),
    (
        "nightly refresh, in process (sample)",
        lambda r: f"{_at(r, 'refresh.shortlists_per_s')} shortlists/s",
    ),
    (
        "all open vacancies at that rate",
        lambda r: f"{_at(r, 'refresh.all_open_projected_min'):,} min",
    ),
    (
        "nightly refresh, bulk worker",
        lambda r: (
            f"{_at(r, 'worker.refresh.shortlists_per_s')} shortlists/s "
            f"({_at(r, 'worker.refresh.vacancies')} in {_at(r, 'worker.refresh.seconds')} s)"
        ),
    ),
    (
        "publish → push, during refresh p50 / p95",
        lambda r: (
            f"{_at(r, 'worker.publish_to_push.p50_s')} / {_at(r, 'worker.publish_to_push.p95_s')} s"
        ),
    ),
    (
        "profile save → notifications p50 / p95",
        lambda r: (
            f"{_at(r, 'worker.save_to_notifications.p50_s')} / "
            f"{_at(r, 'worker.save_to_notifications.p95_s')} s"
        ),
    ),
    (
        "worker peak RSS (interactive / bulk)",
        lambda r: (
            f"{_at(r, 'worker.worker_peak_rss_mb.interactive')} / "
            f"{_at(r, 'worker.worker_peak_rss_mb.bulk')} MB"
        ),
    ),
    (
        "API profile read",
        lambda r: f"{_at(r, 'api.requests_per_s'):,} req/s, {_at(r, 'api.error_rate'):.1%} errors",
    ),
    ("API latency p50 / p95", lambda r: f"{_at(r, 'api.p50_ms')} / {_at(r, 'api.p95_ms')} ms"),
    ("API shortlist read", lambda r: _shortlist_read(r["api"])),
    ("API shortlist latency p50 / p95", lambda r: _shortlist_latency(r["api"])),
    ("API peak RSS", lambda r: f"{_at(r, 'api.api_peak_rss_mb')} MB"),
)


def _table(results: list[dict[str, Any]]) -> str:
    header = ("jobseekers", *(f"{r['size']:,}" for r in results))
    rows = [header, *((name, *(show(r) for r in results)) for name, show in ROWS)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(header, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in rows[1:]
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in DEFAULT_SIZES),
        help="jobseekers per run, comma-separated (default: %(default)s)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("KOHTAANTO_BENCH_DATABASE_URL", DEFAULT_URL),
        help="a database of the bench's own, emptied (default: %(default)s)",
    )
    parser.add_argument("--vacancies", type=int, default=100, help="vacancies timed one by one")
    parser.add_argument(
        "--refresh-sample", type=int, default=200, help="vacancies in the refresh sample"
    )
    parser.add_argument("--refresh", choices=sorted(REFRESH_PATHS), default="batch")
    parser.add_argument(
        "--worker-refresh",
        type=int,
        default=500,
        help="vacancies the worker refreshes while vacancies are published (default: %(default)s)",
    )
    parser.add_argument(
        "--publish", type=int, default=20, help="vacancies published, profiles saved meanwhile"
    )
    parser.add_argument(
        "--publish-interval", type=float, default=1.0, help="seconds between publications"
    )
    parser.add_argument(
        "--orm-read", action="store_true", help="also time the ORM loaders' read of profiles"
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent API clients")
    parser.add_argument("--api-seconds", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    # One token secret for this process and the API it starts.
    os.environ.setdefault("KOHTAANTO_TOKEN_SECRET", secrets.token_urlsafe(48))
    run = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    load_before = os.getloadavg()
    results = [asyncio.run(_size(args, size, run.lower())) for size in sizes]
    load_after = os.getloadavg()
    machine = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "database": "PostgreSQL",
        "meilisearch": get_settings().search.url,
    }
    print(
        f"\nKohtaanto national benchmark — PostgreSQL, {machine['cores']} cores, Python "
        f"{machine['python']}, load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after; refresh path: {args.refresh}; API: {args.clients} "
        f"clients for {args.api_seconds:.0f} s\n"
    )
    print(_table(results))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"national-{run}.json"
    out.write_text(
        json.dumps(
            {"run": run, "machine": machine, "args": vars(args), "results": results}, indent=2
        )
        + "\n"
    )
    print(f"\nJSON: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
