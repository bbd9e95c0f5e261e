"""Nothing lost: faults on real services, each started by the test on a free port of its own.

- Meilisearch stopped: writes succeed, jobs are retried, the index converges when it returns.
- Redis stopped: writes succeed (the outbox keeps the jobs), and they run when it returns.
- A worker killed in the middle of jobs: a new worker runs them again, with no lost work and
  no duplicate notification.

The shared Redis and Meilisearch of the test run are never stopped.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from arq import func
from arq.jobs import Job
from arq.utils import timestamp_ms
from arq.worker import Function
from litestar.testing import AsyncTestClient
from meilisearch_python_sdk.errors import MeilisearchApiError
from sqlalchemy import func as sql_func
from sqlalchemy import select

from jobs import tasks
from jobs.worker import WorkerSettings, build_worker
from kohtaanto.app import create_app
from kohtaanto.db import session_scope
from kohtaanto.db.models import Notification, OutboxMessage, Role, Shortlist, ShortlistEntry
from kohtaanto.domain import outbox
from kohtaanto.queue import deserialize_job, open_queue
from kohtaanto.settings import Settings, get_settings
from search.client import search_client
from search.indexes import jobseeker_index, vacancy_index
from tests.factories import occupation_with_skills, profile, register_employer, vacancy

ROOT = Path(__file__).resolve().parents[1]
MEILI_KEY = "kohtaanto-fault-test-master-key"
# Job timeout of the worker that is killed: its jobs count as abandoned this long + 10 s
# after they started, and then another worker runs them again.
KILLED_JOB_TIMEOUT_S = 15


# --- throwaway services ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(ready: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} did not come up in {seconds} s")


class Service:
    """A server process of this test's own: started, stopped and started again on one port."""

    def __init__(self, argv: list[str], ready: Callable[[], bool], name: str, cwd: Path) -> None:
        self.argv, self.ready, self.name, self.cwd = argv, ready, name, cwd
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.argv, cwd=self.cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_for(self.ready, self.name)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.process = None


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _meili_healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=0.5).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[Service, str]]:
    port = _free_port()
    argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1"]
    argv += ["--save", "", "--appendonly", "no", "--dir", str(tmp_path)]
    server = Service(argv, lambda: _answers_ping(port), "redis-server", tmp_path)
    server.start()
    try:
        yield server, f"redis://127.0.0.1:{port}/0"
    finally:
        server.stop()


@pytest.fixture
def own_meilisearch(tmp_path: Path) -> Iterator[tuple[Service, str]]:
    binary = (
        subprocess.run(
            [str(ROOT / "scripts" / "meilisearch"), "install"],
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [binary, "--http-addr", f"127.0.0.1:{port}", "--master-key", MEILI_KEY]
    argv += ["--db-path", str(tmp_path / "data.ms"), "--no-analytics", "--env", "development"]
    server = Service(argv, lambda: _meili_healthy(url), "meilisearch", tmp_path)
    server.start()
    try:
        yield server, url
    finally:
        server.stop()


# --- helpers -----------------------------------------------------------------------------------


async def _login(api: Any, email: str, password: str = "correct horse battery") -> dict[str, str]:
    response = await api.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _jobseeker(api: Any, make_user: Any, name: str, body: dict[str, Any]) -> str:
    user = await make_user(Role.JOBSEEKER, email=f"{name}@example.fi", name=name.title())
    response = await api.put("/api/jobseekers/me", json=body, headers=await _login(api, user.email))
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


async def _open_vacancy(
    api: Any, occupation: str, essential: list[str], optional: list[str]
) -> str:
    employer = await _login(api, "hr@kauppa.fi", "kauppa-salasana")
    created = await api.post(
        "/api/vacancies", json=vacancy(occupation, essential, optional), headers=employer
    )
    assert created.status_code == 201, created.text
    vacancy_id = str(created.json()["id"])
    published = await api.post(f"/api/vacancies/{vacancy_id}/publish", headers=employer)
    assert published.status_code == 200, published.text
    return vacancy_id


async def _run_worker(settings: Settings, queue: Any, seconds: float = 90, **options: Any) -> Any:
    """A burst worker on ``settings`` until the queue is empty (bounded in time)."""
    options = {"burst": True, "poll_delay": 0, "handle_signals": False, "cron_jobs": []} | options
    worker = build_worker(settings, redis_pool=queue, **options)
    try:
        await asyncio.wait_for(worker.main(), seconds)
    finally:
        await worker.close()
    return worker


async def _time_passes(queue: Any, queue_name: str) -> None:
    """The deferred retries come due now, in the order they were due: as if their backoff
    had passed (the same jobs, the same order, without the wait)."""
    deferred = await queue.zrange(queue_name, 0, -1, withscores=True)
    assert deferred
    shift = max(score for _, score in deferred) - timestamp_ms()
    if shift > 0:
        await queue.zadd(queue_name, {job: score - shift for job, score in deferred})


async def _in_index(url: str, key: str, index: str, doc_id: str) -> bool:
    settings = replace(get_settings().search, url=url, master_key=key)
    async with search_client(settings) as search:
        try:
            await search.index(index).get_document(doc_id)
        except MeilisearchApiError as e:
            if e.status_code == 404:
                return False
            raise
    return True


async def _shortlisted(vacancy_id: str) -> set[str]:
    async with session_scope() as session:
        rows = await session.scalars(
            select(ShortlistEntry.jobseeker_id)
            .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
            .where(Shortlist.vacancy_id == UUID(vacancy_id))
        )
        return {str(j) for j in rows}


async def _pending() -> int:
    async with session_scope() as session:
        count = await session.scalar(
            select(sql_func.count()).where(OutboxMessage.dispatched_at.is_(None))
        )
    return int(count or 0)


async def _world(api: Any, make_user: Any) -> tuple[str, list[str], list[str], Any]:
    occupation, essential, optional = await occupation_with_skills("shop assistant")
    coordinator = await make_user(Role.COORDINATOR, sub_region="Tampere")
    await register_employer(api, "0737546-2", "hr@kauppa.fi")
    return occupation, essential, optional, coordinator


# --- Meilisearch down --------------------------------------------------------------------------


@pytest.mark.usefixtures("stack")
async def test_meilisearch_down_writes_succeed_and_the_index_converges(
    client, make_user, own_meilisearch
) -> None:
    server, url = own_meilisearch
    base = get_settings()
    # No retry comes due by itself while the engine is away (each waits ten minutes):
    # each job is tried exactly once while it is down, and when it is back the test moves
    # the clock on rather than waiting (_time_passes).
    search = replace(base.search, url=url, master_key=MEILI_KEY, retry_seconds=600)
    settings = replace(base, search=search)
    prefix = base.search.index_prefix
    occupation, essential, optional, _ = await _world(client, make_user)
    queue = await open_queue()
    try:
        server.stop()
        # Writes succeed while the engine is away; their jobs are retried, not failed.
        anna = await _jobseeker(client, make_user, "anna", profile(occupation, essential[:6]))
        worker = await _run_worker(settings, queue, max_burst_jobs=1)
        assert (worker.jobs_retried, worker.jobs_failed) == (1, 0)
        vacancy_id = await _open_vacancy(client, occupation, essential[:6], optional[:3])
        async with session_scope() as session:
            await outbox.relay(session, queue)
        worker = await _run_worker(settings, queue, max_burst_jobs=1)
        assert (worker.jobs_retried, worker.jobs_failed) == (1, 0)
        assert not await _shortlisted(vacancy_id)

        # Back again: the retries (after their backoff) index both and build the shortlist.
        server.start()
        await _time_passes(queue, settings.queue.queue_name)
        worker = await _run_worker(settings, queue, max_jobs=1, poll_delay=0.2)
        assert worker.jobs_failed == 0 and worker.jobs_complete >= 2
    finally:
        await queue.aclose()
    assert await _in_index(url, MEILI_KEY, jobseeker_index(prefix), anna)
    assert await _in_index(url, MEILI_KEY, vacancy_index(prefix), vacancy_id)
    assert anna in await _shortlisted(vacancy_id)


# --- Redis down --------------------------------------------------------------------------------


@pytest.mark.usefixtures("stack")
async def test_redis_down_writes_succeed_and_jobs_run_when_it_returns(make_user, own_redis) -> None:
    server, url = own_redis
    base = get_settings()
    settings = replace(base, queue=replace(base.queue, redis_url=url))
    async with AsyncTestClient(app=create_app(queue=settings.queue)) as api:
        occupation, essential, optional, _ = await _world(api, make_user)
        server.stop()
        # The API answers; its relay after the response fails quietly; the outbox keeps the jobs.
        anna = await _jobseeker(api, make_user, "anna", profile(occupation, essential[:6]))
        vacancy_id = await _open_vacancy(api, occupation, essential[:6], optional[:3])
        pending = await _pending()
        assert pending >= 2
        server.start()
    queue = await open_queue(settings.queue)
    try:
        # The worker's periodic relay sends them, and they run.
        assert await tasks.relay_outbox({"redis": queue}) == pending
        assert await _pending() == 0
        worker = await _run_worker(settings, queue, max_jobs=1)
        assert worker.jobs_failed == 0 and worker.jobs_complete >= pending
    finally:
        await queue.aclose()
    search = base.search
    assert await _in_index(
        search.url, search.master_key, jobseeker_index(search.index_prefix), anna
    )
    assert await _in_index(
        search.url, search.master_key, vacancy_index(search.index_prefix), vacancy_id
    )
    async with session_scope() as session:
        assert await session.scalar(
            select(Shortlist.id).where(Shortlist.vacancy_id == UUID(vacancy_id))
        )


# --- a worker killed mid-job -------------------------------------------------------------------


def _slow(task: Any, *, before: float = 0, after: float = 0) -> Any:
    """``task`` under its own name, slowed down: for the killed worker of this test only."""

    async def run(ctx: dict[str, Any], **kwargs: Any) -> Any:
        await asyncio.sleep(before)
        result = await task(ctx, **kwargs)
        await asyncio.sleep(after)
        return result

    return func(run, name=task.__name__)


def _name(f: Any) -> str:
    return str(getattr(f, "name", getattr(f, "__name__", "")))


# Run as `arq tests.test_faults.SlowWorkerSettings` in a subprocess: the profile job sleeps
# before its work, the vacancy job after it (its notification is stored, the job unfinished).
_SLOW = {
    "jobseeker_saved": _slow(tasks.jobseeker_saved, before=120),
    "vacancy_published": _slow(tasks.vacancy_published, after=120),
}
SlowWorkerSettings = type(
    "SlowWorkerSettings",
    (),
    {k: v for k, v in vars(WorkerSettings).items() if not k.startswith("__")}
    | {
        # Every function's timeout short: arq counts a job abandoned after the longest + 10 s.
        "functions": [
            _SLOW.get(
                _name(f),
                replace(f, timeout_s=KILLED_JOB_TIMEOUT_S) if isinstance(f, Function) else f,
            )
            for f in WorkerSettings.functions
        ],
        "cron_jobs": [],
        "job_timeout": KILLED_JOB_TIMEOUT_S,
    },
)


async def _notifications(recipient: UUID, kind: str) -> int:
    async with session_scope() as session:
        count = await session.scalar(
            select(sql_func.count()).where(
                Notification.recipient_id == recipient, Notification.kind == kind
            )
        )
    return int(count or 0)


@pytest.mark.usefixtures("stack")
async def test_worker_killed_mid_job_loses_nothing_and_notifies_once(
    make_user, own_redis, tmp_path: Path
) -> None:
    _, url = own_redis
    base = get_settings()
    settings = replace(base, queue=replace(base.queue, redis_url=url))
    search = base.search
    queue = await open_queue(settings.queue)
    try:
        async with AsyncTestClient(app=create_app(queue=settings.queue)) as api:
            occupation, essential, optional, coordinator = await _world(api, make_user)
            anna = await _jobseeker(api, make_user, "anna", profile(occupation, essential[:6]))
            assert (await _run_worker(settings, queue)).jobs_failed == 0
            bertta = await _jobseeker(api, make_user, "bertta", profile(occupation, essential[:5]))
            vacancy_id = await _open_vacancy(api, occupation, essential[:6], optional[:3])
        async with session_scope() as session:
            jobs = {
                m.task: outbox.job_id(m)
                for m in await session.scalars(
                    select(OutboxMessage).where(OutboxMessage.dispatched_at.is_not(None))
                )
                if m.task in ("jobseeker_saved", "vacancy_published")
                and m.payload.get("jobseeker_id") != anna
            }
        assert set(jobs) == {"jobseeker_saved", "vacancy_published"}

        env = os.environ | {"KOHTAANTO_REDIS_URL": url}
        with (tmp_path / "killed-worker.log").open("wb") as log:
            worker = await asyncio.create_subprocess_exec(
                str(ROOT / ".venv" / "bin" / "arq"),
                "tests.test_faults.SlowWorkerSettings",
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                deadline = time.monotonic() + 60
                while await _notifications(coordinator.id, "shortlist") == 0:
                    assert worker.returncode is None, (tmp_path / "killed-worker.log").read_text()
                    assert time.monotonic() < deadline, "the vacancy job never did its work"
                    await asyncio.sleep(0.2)
                for job_id in jobs.values():
                    assert await queue.exists(f"arq:in-progress:{job_id}")
            finally:
                os.killpg(worker.pid, signal.SIGKILL)
                await asyncio.wait_for(worker.wait(), 15)
        # Killed: the profile job did nothing yet, the vacancy job did not finish.
        assert not await _in_index(
            search.url, search.master_key, jobseeker_index(search.index_prefix), bertta
        )
        q = settings.queue.queue_name
        for job_id in jobs.values():
            assert (
                await Job(job_id, queue, _queue_name=q, _deserializer=deserialize_job).result_info()
                is None
            )

        # They count as abandoned when their in-progress marks expire, at most the job
        # timeout + 10 s after they started (arq). Rather than wait for the clock, check
        # that each mark will expire and expire it now.
        for job_id in jobs.values():
            left_ms = await queue.pttl(f"arq:in-progress:{job_id}")
            assert 0 < left_ms <= (KILLED_JOB_TIMEOUT_S + 10) * 1000, left_ms
            await queue.delete(f"arq:in-progress:{job_id}")
        # A new worker runs both again (bounded in time; it stops when the queue is empty).
        again = await _run_worker(settings, queue, seconds=60)
        assert again.jobs_failed == 0
        for job_id in jobs.values():
            job = Job(job_id, queue, _queue_name=q, _deserializer=deserialize_job)
            result = await job.result_info()
            assert result is not None and result.success and result.job_try == 2, result
    finally:
        await queue.aclose()
    assert await _in_index(
        search.url, search.master_key, jobseeker_index(search.index_prefix), bertta
    )
    assert await _notifications(coordinator.id, "shortlist") == 1
    assert anna in await _shortlisted(vacancy_id)
    async with session_scope() as session:
        per_vacancy = (
            await session.execute(
                select(Notification.recipient_id, Notification.vacancy_id, sql_func.count())
                .where(Notification.kind == "match")
                .group_by(Notification.recipient_id, Notification.vacancy_id)
            )
        ).all()
    assert per_vacancy  # match notifications were sent: none of them twice
    assert all(n == 1 for _, _, n in per_vacancy)
