"""Errors are seen: request ids, tracebacks in the log, friendly error pages and
fragments, retryable answers for writes that lost a database race, and metrics.

The failing routes are registered on the real app for these tests only; the race
is a real PostgreSQL lock timeout (another connection holds the lock).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import get, post
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from kohtaanto.api.schemas import Db
from kohtaanto.app import create_app, metrics
from kohtaanto.db import alchemy_config
from kohtaanto.observability import JsonFormatter

LOCK_KEY = 914_2026


@get("/api/test/boom", exclude_from_auth=True, include_in_schema=False, sync_to_thread=False)
def api_boom() -> dict[str, str]:
    raise RuntimeError("kaboom in the API")


@get("/test/boom", exclude_from_auth=True, include_in_schema=False, sync_to_thread=False)
def page_boom() -> dict[str, str]:
    raise RuntimeError("kaboom on a page")


@post("/api/test/locked", exclude_from_auth=True, include_in_schema=False)
async def locked_write(db_session: Db) -> dict[str, str]:
    # Waits for a lock another transaction holds, as a board move waits for the
    # worker's shortlist rebuild, and gives up after lock_timeout.
    await db_session.execute(text("SET LOCAL lock_timeout = '100ms'"))
    await db_session.execute(text(f"SELECT pg_advisory_xact_lock({LOCK_KEY})"))
    return {"status": "written"}


@pytest.fixture
async def app_client(clean: None) -> AsyncIterator[AsyncTestClient[Any]]:
    app = create_app()
    for handler in (api_boom, page_boom, locked_write, metrics):
        app.register(handler)
    async with AsyncTestClient(app=app, raise_server_exceptions=False) as client:
        yield client


async def test_request_id_is_echoed_or_made(app_client: AsyncTestClient[Any]) -> None:
    given = await app_client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = await app_client.get("/health")
    assert len(made.headers["x-request-id"]) == 32
    # A header that could forge log lines is replaced, not echoed.
    forged = await app_client.get("/health", headers={"X-Request-ID": "a b\tc=d"})
    assert forged.headers["x-request-id"] != "a b\tc=d"


async def test_api_error_is_logged_with_traceback_and_request_id(
    app_client: AsyncTestClient[Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = await app_client.get("/api/test/boom", headers={"X-Request-ID": "req-api-1"})
    assert response.status_code == 500
    assert response.json()["request_id"] == "req-api-1"
    assert response.headers["x-request-id"] == "req-api-1"
    records = [r for r in caplog.records if r.name == "kohtaanto.errors"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["request_id"] == "req-api-1"
    assert line["level"] == "error"
    assert "RuntimeError: kaboom in the API" in line["exception"]
    assert "api_boom" in line["exception"]  # the traceback, not just the message


async def test_page_error_is_friendly_and_names_the_request(
    app_client: AsyncTestClient[Any],
) -> None:
    app_client.cookies.set("lang", "fi")
    response = await app_client.get("/test/boom", headers={"X-Request-ID": "req-page-1"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "Jokin meni vikaan" in response.text
    assert "req-page-1" in response.text
    assert "kaboom" not in response.text  # no internals to the user

    # htmx gets the fragment alone, which static/errors.js shows where the user acted.
    fragment = await app_client.get(
        "/test/boom", headers={"HX-Request": "true", "X-Request-ID": "req-htmx-1"}
    )
    assert fragment.status_code == 500
    assert "<html" not in fragment.text
    assert 'class="server-error" role="alert" data-request-id="req-htmx-1"' in fragment.text


async def test_write_that_loses_a_race_is_retryable(app_client: AsyncTestClient[Any]) -> None:
    engine = alchemy_config().get_engine()
    async with engine.connect() as holder:
        await holder.execute(text(f"SELECT pg_advisory_lock({LOCK_KEY})"))
        try:
            response = await app_client.post("/api/test/locked")
        finally:
            await holder.execute(text(f"SELECT pg_advisory_unlock({LOCK_KEY})"))
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert "lock timeout" in response.json()["detail"]
    assert response.json()["request_id"] == response.headers["x-request-id"]
    # Once the other transaction is done, the same request goes through.
    assert (await app_client.post("/api/test/locked")).status_code == 201


async def test_metrics_count_requests_and_errors(app_client: AsyncTestClient[Any]) -> None:
    await app_client.get("/health")
    await app_client.get("/api/test/boom")
    body = (await app_client.get("/metrics")).text
    assert 'kohtaanto_http_requests_total{method="GET",route="/health",status="200"}' in body
    assert 'kohtaanto_http_errors_total{route="/api/test/boom",status="500"}' in body
    assert 'kohtaanto_queue_depth{queue="' in body


async def test_metrics_are_off_by_default(client: AsyncTestClient[Any]) -> None:
    assert (await client.get("/metrics")).status_code in (401, 404)
