"""Browser tests: the real application under uvicorn, driven by Playwright in Debian's Chromium.

The app runs as a subprocess on a free loopback port against this run's test database,
Redis and Meilisearch (the environment that ``tests/conftest.py`` set at import). The
world is a small seeded Pirkanmaa population (``seed_demo``: the named demo users of
every role, password ``demo``), indexed, with shortlists built by the real worker code
(``run_jobs``) and a model trained by the ``model`` fixture.

Every page a journey visits is scanned with axe-core (pinned in ``tools/axe``, injected
into the page) and written as a full-page screenshot to
``test-output/screenshots/<journey>-<step>.png``.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import select, text

from kohtaanto.db import session_scope
from kohtaanto.db.models import Jobseeker, ShortlistEntry, User
from kohtaanto.demo.seed import DEMO_PASSWORD, DEMO_USERS
from kohtaanto.settings import get_settings

# The app under test gives up on a row lock after 2 s (503, retry), as the demo's does
# after 10 s: tests/browser/test_busy_board.py holds one to see the error in place.
os.environ.setdefault("KOHTAANTO_DATABASE_LOCK_TIMEOUT", "2s")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("KOHTAANTO_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
OUTPUT = ROOT / "test-output"
SCREENSHOTS = OUTPUT / "screenshots"
# As the machine doc says: without the background-networking flags Chromium keeps
# trying hosts that this closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = ("serious", "critical")
USERS = dict(DEMO_USERS)

_MUTABLE_TABLES = (
    "notification, shortlist_entry, shortlist, vacancy_skill, vacancy, jobseeker_skill, "
    "jobseeker_occupation, jobseeker, user_account, employer, outbox, service_rules, "
    "partner_organisation"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    missing = [
        what
        for what, path in (("Chromium", CHROMIUM), ("axe-core (scripts/setup)", AXE))
        if not path.exists()
    ]
    if not missing:
        return
    # scripts/test installs both (scripts/browser-tools): a missing one is a broken setup,
    # which must fail loudly rather than let the journeys pass as skipped.
    if any("tests/browser/" in str(item.fspath).replace(os.sep, "/") for item in items):
        raise pytest.UsageError(f"not installed: {', '.join(missing)}; run scripts/setup --browser")


# ---------------------------------------------------------------------------- the stack


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""


@pytest.fixture(scope="package")
def server() -> Iterator[Server]:
    """uvicorn serving ``create_app()`` on a free loopback port, in its own process."""
    OUTPUT.mkdir(exist_ok=True)
    port = _free_port()
    log = OUTPUT / "browser-server.log"
    handle = log.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "kohtaanto.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        # The journeys sign in far more often than a person: the login limit (per
        # address, in Redis) would answer 429 halfway through a run.
        env=os.environ.copy() | {"KOHTAANTO_RATE_LOGIN": "10000/minute"},
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    running = Server(url, process, log)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited ({process.returncode}):\n{running.tail()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                break
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the app did not answer within 60 s:\n{running.tail()}")
        time.sleep(0.2)
    yield running
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    handle.close()


@dataclass
class World:
    """The seeded population and the API, for preparing what a journey starts from."""

    url: str
    run_jobs: Callable[[], Awaitable[dict[str, int]]]
    users: dict[str, str] = field(default_factory=lambda: dict(USERS))
    password: str = DEMO_PASSWORD

    async def token(self, email: str) -> dict[str, str]:
        async with httpx.AsyncClient(base_url=self.url) as client:
            response = await client.post(
                "/api/auth/login", json={"email": email, "password": self.password}
            )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    async def api(self, method: str, path: str, who: str, **kwargs: Any) -> Any:
        """Call the API as ``who`` (a role of a named demo user, or an e-mail)."""
        headers = await self.token(self.users.get(who, who))
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as client:
            response = await client.request(method, path, headers=headers, **kwargs)
        assert response.status_code < 300, f"{method} {path}: {response.text}"
        return response.json() if response.content else None

    async def move(self, entry_id: str, to: str, who: str, **body: Any) -> Any:
        return await self.api(
            "POST", f"/api/shortlist-entries/{entry_id}/move", who, json={"to": to, **body}
        )

    async def email_of_entry(self, entry_id: str) -> str:
        """The e-mail of the jobseeker a shortlist entry is about (all demo users: ``demo``)."""
        async with session_scope() as session:
            email = await session.scalar(
                select(User.email)
                .join(Jobseeker, Jobseeker.user_id == User.id)
                .join(ShortlistEntry, ShortlistEntry.jobseeker_id == Jobseeker.id)
                .where(ShortlistEntry.id == entry_id)
            )
        assert email, entry_id
        return email

    async def coordinator_vacancies_with_shortlists(self) -> list[dict[str, Any]]:
        """The named coordinator's open vacancies, each with its shortlist."""
        found = []
        vacancies = await self.api("GET", "/api/vacancies", "coordinator")
        items = vacancies["items"] if isinstance(vacancies, dict) else vacancies
        for v in items:
            if v.get("status") != "open":
                continue
            headers = await self.token(self.users["coordinator"])
            async with httpx.AsyncClient(base_url=self.url, timeout=30) as client:
                response = await client.get(f"/api/vacancies/{v['id']}/shortlist", headers=headers)
            if response.status_code == 200 and response.json()["entries"]:
                found.append({**v, "shortlist": response.json()})
        return found


async def _truncate() -> None:
    async with session_scope() as session:
        await session.execute(text(f"TRUNCATE {_MUTABLE_TABLES} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="package")
async def world(
    database: None,
    search_ready: None,
    model: Any,
    redis: Redis,
    server: Server,
    run_jobs: Callable[[], Awaitable[dict[str, int]]],
) -> AsyncIterator[World]:
    """A small Pirkanmaa: named users of every role, indexed, with shortlists built."""
    from kohtaanto.demo.run import queue_shortlists
    from kohtaanto.demo.seed import seed_demo
    from search.client import search_client
    from search.indexes import delete_indexes
    from search.sync import reindex

    settings = get_settings()
    await redis.flushdb()
    await _truncate()
    async with session_scope() as session:
        await seed_demo(session, jobseekers=120, employers=6, vacancies=8, seed=11)
    async with search_client(settings.search) as client, session_scope() as session:
        await reindex(client, session, settings.search.index_prefix)
    async with session_scope() as session:
        await queue_shortlists(session)
    counts = await run_jobs()
    assert counts["failed"] == 0, counts
    yield World(url=server.url, run_jobs=run_jobs)
    await _truncate()
    await redis.flushdb()
    async with search_client(settings.search) as client:
        await delete_indexes(client, settings.search.index_prefix)


# ---------------------------------------------------------------------------- the browser


@pytest.fixture(scope="package")
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        await browser.close()


@dataclass
class Journey:
    """One role's walk through the pages: every step scanned with axe and photographed."""

    name: str
    page: Any
    base_url: str
    steps: int = 0
    violations: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path)

    async def goto(self, path: str, step: str | None = None) -> Any:
        response = await self.page.goto(self.url(path))
        assert response is not None and response.status < 400, (
            f"GET {path}: {response.status if response else 'no response'}"
        )
        if step:
            await self.check(step)
        return response

    async def check(self, step: str) -> list[dict[str, Any]]:
        """Screenshot and axe-scan the page as it is now; returns the blocking violations."""
        await self.page.wait_for_load_state("networkidle")
        self.steps += 1
        slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        path = SCREENSHOTS / f"{self.name}-{self.steps:02d}-{slug}.png"
        await self.page.screenshot(path=str(path), full_page=True)
        self.pages.append(f"{step}: {self.page.url}")
        found = await axe_scan(self.page)
        if found:
            self.violations.append(f"{self.name} / {step} ({self.page.url}):\n{format_axe(found)}")
        return found

    async def login(self, role: str) -> None:
        """Sign in through the login form as the named demo user of ``role``."""
        await self.goto("/login", "login")
        await self.page.locator("input[name=email]").fill(USERS[role])
        await self.page.locator("input[name=password]").fill(DEMO_PASSWORD)
        async with self.page.expect_navigation() as navigation:
            await self.page.locator("form:has(input[name=password]) [type=submit]").click()
        response = await navigation.value
        assert "/login" not in self.page.url, f"login as {role} failed: {self.page.url}"
        assert response is not None and response.status < 400, (
            f"{role}'s start page {self.page.url}: {response.status if response else '-'}"
        )

    def assert_clean(self) -> None:
        """No page had a serious or critical axe violation and the server never failed."""
        problems = self.server_errors + self.violations
        assert not problems, "\n\n".join(problems)


async def axe_scan(page: Any) -> list[dict[str, Any]]:
    """Inject axe-core and run it; the violations with impact serious or critical."""
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(' '),
                                          html: n.html, summary: n.failureSummary})),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in BLOCKING_IMPACTS]


def format_axe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes)")
        for node in v["nodes"][:5]:
            lines.append(f"    at {node['target']}: {node['html'][:160]}")
            summary = (node.get("summary") or "").replace("\n", " / ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


@pytest.fixture
async def journey(
    request: pytest.FixtureRequest, browser: Any, world: World
) -> AsyncIterator[Callable[[str], Awaitable[Journey]]]:
    """``await journey("employer")``: a fresh browser context (no cookies) for one journey."""
    contexts: list[Any] = []

    async def start(name: str) -> Journey:
        context = await browser.new_context(
            viewport={"width": 1280, "height": 800}, accept_downloads=True, locale="fi-FI"
        )
        context.set_default_timeout(15_000)
        # axe-core comes in as an init script: the pages' CSP (no inline script) would
        # block it as a script tag, and the CSP itself stays on for the app's own scripts.
        await context.add_init_script(path=str(AXE))
        contexts.append(context)
        page = await context.new_page()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for old in SCREENSHOTS.glob(f"{name}-*.png"):
            old.unlink()  # this journey's earlier run; other journeys' stay
        walk = Journey(name=name, page=page, base_url=world.url)

        def on_response(response: Any) -> None:
            if response.status >= 500:
                walk.server_errors.append(
                    f"{name}: {response.request.method} {response.url} → {response.status}"
                )

        page.on("response", on_response)
        return walk

    yield start
    for context in contexts:
        await context.close()
