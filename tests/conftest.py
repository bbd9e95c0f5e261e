"""Test setup: real PostgreSQL, Redis and Meilisearch, configured before the app is imported.

The schema is migrated once per run and the ESCO vocabulary and places loaded
once; rows that tests write are removed after each test. Each run has its own
Meilisearch index prefix and queue name, so runs never see each other's data.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

_RUN = uuid.uuid4().hex[:8]
_TMP = Path(tempfile.mkdtemp(prefix=f"kohtaanto-test-{_RUN}-"))
os.environ.setdefault("KOHTAANTO_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
os.environ.setdefault("KOHTAANTO_REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("KOHTAANTO_MEILI_URL", "http://127.0.0.1:7701")
os.environ.setdefault("KOHTAANTO_MEILI_MASTER_KEY", "kohtaanto-test-master-key")
os.environ["KOHTAANTO_MEILI_INDEX_PREFIX"] = f"t{_RUN}_"
os.environ["KOHTAANTO_QUEUE_NAME"] = f"kohtaanto:test:{_RUN}"
os.environ["KOHTAANTO_BULK_QUEUE_NAME"] = f"kohtaanto:test:{_RUN}:bulk"
os.environ["KOHTAANTO_MODEL_DIR"] = str(_TMP / "models")
# The app under test runs in its own event loop: no pooled connections across loops.
os.environ["KOHTAANTO_DATABASE_POOL"] = "null"
os.environ["KOHTAANTO_TOKEN_SECRET"] = "test-secret-of-at-least-32-bytes-" + _RUN
# Development: the shared test Meilisearch runs on a short key, and the test client
# speaks plain http (Secure cookies would not come back). tests/test_security_auth.py
# checks production's refusals and defaults with settings of its own.
os.environ["KOHTAANTO_MODE"] = "development"
# Tests log in and register far faster than people; the rate-limit tests set low
# limits on an app of their own (tests/test_security_auth.py).
for _limit in ("LOGIN", "REGISTER", "RESET", "SUGGEST"):
    os.environ[f"KOHTAANTO_RATE_{_limit}"] = "10000/minute"
# The environment of the run, before any test changes it (the shared app is built from it).
_RUN_ENVIRONMENT = dict(os.environ)

import pytest  # noqa: E402
from litestar.testing import AsyncTestClient  # noqa: E402
from redis.asyncio import Redis  # noqa: E402
from sqlalchemy import text  # noqa: E402

from kohtaanto.db import alchemy_config, session_scope  # noqa: E402
from kohtaanto.db.migrate import upgrade  # noqa: E402
from kohtaanto.db.models import Role, User  # noqa: E402
from kohtaanto.security import hash_password  # noqa: E402
from kohtaanto.settings import get_settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)

# Rows written by tests; the vocabulary and places stay for the whole run.
_MUTABLE_TABLES = (
    "notification, shortlist_entry, shortlist, vacancy_skill, vacancy, jobseeker_skill, "
    "jobseeker_occupation, jobseeker, user_account, employer, outbox, service_rules, "
    "partner_organisation"
)


def _ensure_meilisearch() -> None:
    subprocess.run(
        [str(ROOT / "scripts" / "meilisearch"), "start"], check=True, capture_output=True
    )


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[None]:
    """A freshly migrated schema with the shipped ESCO vocabulary and the Pirkanmaa places."""
    from kohtaanto.domain.esco import import_esco
    from kohtaanto.domain.places import import_places

    engine = alchemy_config().get_engine()
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    # Alembic runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(upgrade, "head")
    async with session_scope() as session:
        await import_places(session)
        await import_esco(session)
    yield
    await engine.dispose()


@pytest.fixture(scope="session")
async def search_ready() -> AsyncIterator[None]:
    """Meilisearch running; this run's indexes are deleted at the end."""
    from search.client import search_client
    from search.indexes import delete_indexes

    await asyncio.to_thread(_ensure_meilisearch)
    yield
    async with search_client() as client:
        await delete_indexes(client, get_settings().search.index_prefix)


@pytest.fixture(scope="session")
async def model(database: None) -> Any:
    """A ranking model trained on a small seeded demo population, registered as current."""
    from kohtaanto.demo.seed import seed_demo
    from ml.dataset import load_population
    from ml.registry import load_current
    from ml.train import train_and_register

    async with session_scope() as session:
        await seed_demo(session, jobseekers=400, employers=20, vacancies=40, seed=7)
    vacancies, jobseekers = await load_population()
    train_and_register(vacancies, jobseekers, get_settings().matching.model_dir, seed=7)
    await _truncate()
    return load_current(get_settings().matching.model_dir)


async def _truncate() -> None:
    async with session_scope() as session:
        await session.execute(text(f"TRUNCATE {_MUTABLE_TABLES} RESTART IDENTITY CASCADE"))


@pytest.fixture(autouse=True)
def _fresh_settings() -> None:
    """Every test reads the settings from the environment as it is when it starts: a test
    that changed a variable (monkeypatch) and read the settings must leave no stale copy
    for the next one (a weak token secret left cached signed the next test's logins with
    a key the shared app does not accept: 401s that depended on the order of the files)."""
    get_settings.cache_clear()


@pytest.fixture(scope="session")
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(get_settings().queue.redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def clean(database: None, redis: Redis) -> AsyncIterator[None]:
    """Every test starts with no people, vacancies, jobs or queued work."""
    await redis.flushdb()
    yield
    await _truncate()
    await redis.flushdb()


@pytest.fixture
async def stack(clean: None, search_ready: None, model: Any) -> AsyncIterator[None]:
    """All services up, a model in place, and this run's indexes empty."""
    from search.client import search_client
    from search.indexes import delete_indexes

    yield
    async with search_client() as client:
        await delete_indexes(client, get_settings().search.index_prefix)


@pytest.fixture(scope="session")
def app() -> Any:
    """One application for the run: building one (registering every route) takes
    seconds. It holds no state between tests that ``clean`` does not reset: the relay
    and the rate-limit store reconnect on each client's start. A test that needs other
    settings at build time (cookies, rate limits, OpenAPI) builds an app of its own."""
    from kohtaanto.app import create_app

    # From the run's environment, whichever test happens to ask first and what it set.
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(_RUN_ENVIRONMENT)
    get_settings.cache_clear()
    try:
        return create_app()
    finally:
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()


@pytest.fixture
async def client(clean: None, app: Any) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=app) as test_client:

        async def csrf(request: Any) -> None:
            # Pages' forms carry the CSRF token the way a browser's would: from the
            # cookie any page sets. The JSON API needs none.
            if request.method in ("GET", "HEAD", "OPTIONS") or request.url.path.startswith("/api"):
                return
            if "csrftoken" not in test_client.cookies:
                await test_client.get("/login")  # as a browser would, before its first form
            token = test_client.cookies["csrftoken"]
            request.headers["x-csrftoken"] = token
            sent = request.headers.get("cookie", "")
            if "csrftoken=" not in sent:
                request.headers["cookie"] = (
                    f"{sent}; csrftoken={token}" if sent else f"csrftoken={token}"
                )

        test_client.event_hooks["request"].append(csrf)
        yield test_client


@pytest.fixture(scope="session")
def run_jobs() -> Callable[[], Awaitable[dict[str, int]]]:
    """Relay the outbox, then run the workers in burst mode until their queues are empty:
    the interactive one first, then the bulk one.

    Session-scoped (it keeps no state) so package-scoped fixtures can use it too.
    """
    from jobs.worker import build_worker
    from kohtaanto.domain import outbox
    from kohtaanto.queue import BULK, INTERACTIVE, open_queue

    async def run() -> dict[str, int]:
        queue = await open_queue()
        try:
            async with session_scope() as session:
                await outbox.relay(session, queue)
        finally:
            await queue.aclose()
        counts = {"complete": 0, "failed": 0, "retried": 0}
        for lane in (INTERACTIVE, BULK):
            worker = build_worker(
                lane=lane, burst=True, poll_delay=0, handle_signals=False, cron_jobs=[]
            )
            await worker.main()
            counts["complete"] += worker.jobs_complete
            counts["failed"] += worker.jobs_failed
            counts["retried"] += worker.jobs_retried
            await worker.close()
        return counts

    return run


@pytest.fixture
def local_webhooks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Webhooks may go to a receiver on loopback over plain http (the development
    setting); production allows public https addresses only (domain.outbound)."""
    monkeypatch.setenv("KOHTAANTO_WEBHOOK_ALLOW_HTTP_LOOPBACK", "1")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("KOHTAANTO_WEBHOOK_ALLOW_HTTP_LOOPBACK")
    get_settings.cache_clear()


@pytest.fixture
def make_user() -> Callable[..., Awaitable[User]]:
    """Create a user directly in the database (accounts other than employers are provisioned)."""

    async def make(role: Role, **fields: Any) -> User:
        fields.setdefault("email", f"{role.value}-{uuid.uuid4().hex[:8]}@example.fi")
        fields.setdefault("name", f"Test {role.value}")
        async with session_scope() as session:
            user = User(role=role, password_hash=_PASSWORD_HASH, **fields)
            session.add(user)
        return user

    return make


@pytest.fixture
def login(client: AsyncTestClient[Any]) -> Callable[[str], Awaitable[dict[str, str]]]:
    """Log in over the API; returns the Authorization header."""

    async def do(email: str, password: str = PASSWORD) -> dict[str, str]:
        response = await client.post("/api/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return do
