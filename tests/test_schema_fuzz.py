"""The OpenAPI schema fuzzed by schemathesis (a client nobody here wrote), with a token
of every role, against the real app under uvicorn on real PostgreSQL, Redis and
Meilisearch: no answer is a server error (5xx), and every status code is documented.

Every operation of the schema is covered, so a route added later is fuzzed too.
Bounded: a few examples per operation and role, no shrinking beyond a few seconds.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance
from sqlalchemy import text

from kohtaanto.db import session_scope
from kohtaanto.demo.seed import DEMO_PASSWORD, DEMO_USERS

ROOT = Path(__file__).resolve().parents[1]
# Every role, plus no token at all.
ROLES = [role for role, _ in DEMO_USERS] + ["anonymous"]
# Examples per operation (each with a role drawn from ROLES): the whole test stays
# within a few minutes on a busy two-core machine.
EXAMPLES = int(os.environ.get("KOHTAANTO_FUZZ_EXAMPLES", "12"))
_MUTABLE_TABLES = (
    "notification, shortlist_entry, shortlist, vacancy_skill, vacancy, jobseeker_skill, "
    "jobseeker_occupation, jobseeker, user_account, employer, outbox"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app under uvicorn on a free loopback port, in its own process."""
    port = _free_port()
    log = tmp_path_factory.mktemp("fuzz") / "server.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "--factory", "kohtaanto.app:create_app"),
                *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"),
            ],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        # A deadline, not a wait: generous, since importing the app on a loaded machine
        # (CI runners, several test runs at once) alone can take a minute.
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, log.read_text()
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield url
        process.terminate()
        process.wait(timeout=10)
    # Tracebacks of any 500 are in the server's log: show them with the failure.
    print(log.read_text()[-20000:])


@pytest.fixture(scope="module")
async def seeded(database: None, search_ready: None, redis: Redis) -> AsyncIterator[None]:
    """A small seeded Pirkanmaa: a user of every role (password ``demo``)."""
    from kohtaanto.demo.seed import seed_demo

    await redis.flushdb()
    async with session_scope() as session:
        await session.execute(text(f"TRUNCATE {_MUTABLE_TABLES} RESTART IDENTITY CASCADE"))
        await seed_demo(session, jobseekers=60, employers=4, vacancies=6, seed=5)
    yield
    async with session_scope() as session:
        await session.execute(text(f"TRUNCATE {_MUTABLE_TABLES} RESTART IDENTITY CASCADE"))
    await redis.flushdb()


def _login_all(
    base_url: str, before: dict[str, dict[str, str]] | None = None
) -> dict[str, dict[str, str]]:
    """A bearer header per role, fresh: the fuzzer may well log out (which revokes).
    An account the fuzzer erased keeps its old (now refused) token."""
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for role, email in DEMO_USERS:
            response = client.post(
                "/api/auth/login", json={"email": email, "password": DEMO_PASSWORD}
            )
            if before is not None and response.status_code != 200:
                headers[role] = before[role]
                continue
            assert response.status_code == 200, response.text
            headers[role] = {"Authorization": f"Bearer {response.json()['access_token']}"}
    return headers


def _destructive(operation: Any) -> bool:
    """Operations that end sessions or accounts (logout, password change, erasure)."""
    return operation.method.upper() == "DELETE" or any(
        word in operation.path for word in ("logout", "password")
    )


@pytest.fixture
def tokens(seeded: None, base_url: str) -> dict[str, dict[str, str]]:
    return _login_all(base_url)


@pytest.fixture(scope="module")
def api_schema(base_url: str) -> Any:
    schema = schemathesis.openapi.from_url(f"{base_url}/schema/openapi.json")
    # The JSON API; the pages (HTML forms) are covered by their own tests.
    return schema.include(path_regex=r"^/api/")


@pytest.mark.parametrize(
    "path",
    [
        "/api/coach/clients",
        "/api/vacancies/00000000-0000-0000-0000-000000000000/shortlist",
        "/api/vacancies/00000000-0000-0000-0000-000000000000/shortlist/entries",
        "/api/vacancies/00000000-0000-0000-0000-000000000000/shortlist/moves",
        "/api/vacancies/00000000-0000-0000-0000-000000000000/candidates",
    ],
)
def test_options_answers_the_allowed_methods(
    path: str, tokens: dict[str, dict[str, str]], base_url: str
) -> None:
    """What the fuzzer found: OPTIONS on guarded routes was a 500 (the guard met no user)."""
    for role in ROLES:
        response = httpx.options(f"{base_url}{path}", headers=tokens[role], timeout=30)
        assert response.status_code == 204, (role, response.text)
        assert "GET" in response.headers["allow"] or "POST" in response.headers["allow"]


@pytest.mark.parametrize("path", ["/api/vacancies", "/api/notifications"])
def test_a_huge_offset_is_a_bad_request_naming_it(
    path: str, tokens: dict[str, dict[str, str]], base_url: str
) -> None:
    """What the fuzzer found: an offset past PostgreSQL's 64 bits was a 500."""
    response = httpx.get(
        f"{base_url}{path}?offset=99999999999999999999", headers=tokens["coordinator"], timeout=30
    )
    assert response.status_code == 400, response.text
    assert response.json()["extra"][0]["key"] == "offset"
    largest = httpx.get(
        f"{base_url}{path}?offset={2**63 - 1}", headers=tokens["coordinator"], timeout=30
    )
    assert largest.status_code == 200, largest.text
    assert largest.json()["items"] == []


# Last in the file: it may log out, change passwords and erase the jobseeker.
def test_api_answers_no_server_error_and_only_documented_codes(
    api_schema: Any, seeded: None, base_url: str
) -> None:
    # Operation by operation (schemathesis' lazy pytest fixture does not run on this
    # pytest), every failure collected, so one run lists them all.
    failures: list[str] = []
    operations = 0
    # Those that end sessions or accounts last, and fresh tokens after each of them.
    ordered = sorted((r.ok() for r in api_schema.get_all_operations()), key=_destructive)
    tokens = _login_all(base_url)
    for operation in ordered:
        operations += 1
        if _destructive(operation):
            tokens = _login_all(base_url, tokens)

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=operation.as_strategy(), role=st.sampled_from(ROLES))
        def fuzz(case: Any, role: str) -> None:
            # Called right below, in this iteration: the loop variable is the one meant.
            headers = tokens[role]  # noqa: B023
            response = case.call(base_url=base_url, headers=headers, timeout=30)
            case.validate_response(response, checks=[not_a_server_error, status_code_conformance])

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as e:  # schemathesis' FailureGroup
            failures.append(f"{operation.label}: {str(e)[:1500]}")
    assert operations > 20
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)
