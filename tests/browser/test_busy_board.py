"""The coordinator's board while the worker is busy (issue 14's "Done when").

On PostgreSQL, the demo's engine, a real worker process (``kohtaanto worker``, both
queues) works through a backlog of shortlist builds while the coordinator moves ten
entries on a board in Chromium, five one by one and five at once: every answer is a
success and the database holds every move. And when a move cannot be made (a row
lock held past the timeout), the error is shown where the user acted, with the
request id the server logged.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import select, text

from kohtaanto import queue
from kohtaanto.db import alchemy_config, session_scope
from kohtaanto.db.models import EntryStatus, ShortlistEntry, Vacancy, VacancyStatus
from kohtaanto.domain import outbox
from kohtaanto.settings import get_settings
from tests.browser.conftest import OUTPUT, World
from tests.browser.test_journeys import Start, move_on_page, require_page, settled

# Rebuilds of every other open vacancy's shortlist, this many times over: enough to
# keep the worker busy for longer than the moves take.
ROUNDS = 40


@pytest.fixture
def worker_process() -> Iterator[subprocess.Popen[bytes]]:
    """``kohtaanto worker`` in its own process, on this run's database and queues."""
    log = (OUTPUT / "busy-board-worker.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "kohtaanto.cli", "worker"],
        env={**os.environ, "KOHTAANTO_LOG_FORMAT": "text"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


async def _statuses(ids: list[str]) -> dict[str, EntryStatus]:
    async with session_scope() as session:
        rows = await session.execute(
            select(ShortlistEntry.id, ShortlistEntry.status).where(ShortlistEntry.id.in_(ids))
        )
        return {str(i): s for i, s in rows.all()}


async def test_ten_moves_on_a_board_while_the_worker_builds_shortlists(
    journey: Start,
    world: World,
    redis: Redis,
    worker_process: subprocess.Popen[bytes],
) -> None:
    vacancies = await world.coordinator_vacancies_with_shortlists()
    vacancy = max(
        vacancies,
        key=lambda v: sum(e["status"] == "suggested" for e in v["shortlist"]["entries"]),
    )
    suggested = [
        str(e["id"]) for e in vacancy["shortlist"]["entries"] if e["status"] == "suggested"
    ]
    assert len(suggested) >= 10, vacancy["shortlist"]
    board = f"/coordinator/vacancies/{vacancy['id']}"
    await require_page(world, board, "coordinator")

    bulk = get_settings().queue.bulk_queue_name
    try:
        # The backlog: every open vacancy's shortlist rebuilt again and again, on the bulk
        # queue, as the demo's 3 000 first builds are, the board's own first in each round:
        # a rebuild keeps the suggestions' entry ids, so the rows on the page stay movable.
        async with session_scope() as session:
            others = list(
                await session.scalars(
                    select(Vacancy.id).where(
                        Vacancy.status == VacancyStatus.OPEN, Vacancy.id != vacancy["id"]
                    )
                )
            )
            for _ in range(ROUNDS):
                for vacancy_id in [vacancy["id"], *others]:
                    outbox.record(
                        session,
                        queue.VACANCY_PUBLISHED,
                        lane=queue.BULK,
                        vacancy_id=str(vacancy_id),
                    )
        pool = await queue.open_queue()
        try:
            async with session_scope() as session:
                await outbox.relay(session, pool)
        finally:
            await pool.aclose()
        assert await redis.zcard(bulk) >= len(others) * ROUNDS > 0
        # Wait (bounded) until the worker is at it.
        queued = await redis.zcard(bulk)
        for _ in range(600):
            if await redis.zcard(bulk) < queued:
                break
            assert worker_process.poll() is None, "the worker exited"
            await asyncio.sleep(0.1)
        waiting_before = await redis.zcard(bulk)
        assert 0 < waiting_before < queued

        walk = await journey("coordinator-busy")
        answers: list[tuple[str, str, int]] = []
        walk.page.on(
            "response",
            lambda r: answers.append((r.request.method, r.url, r.status)),
        )
        await walk.login("coordinator")
        await walk.goto(board, "board-while-worker-busy")

        # Five one by one, each on its own row.
        for entry in suggested[:5]:
            row = walk.page.locator(f"main tr:has(input[value='{entry}'])").first
            await move_on_page(walk, "contacted", row)
        # Five at once, with the bulk action.
        for entry in suggested[5:10]:
            await walk.page.locator(f"main input[name=entry_ids][value='{entry}']").check()
        for entry in suggested[5:10]:
            box = walk.page.locator(f"main input[name=entry_ids][value='{entry}']")
            assert await box.is_checked(), entry
        bulk_form = walk.page.locator("form#bulk")
        await bulk_form.locator("select[name=to]").select_option("contacted")
        async with walk.page.expect_response(lambda r: r.request.method == "POST"):
            await bulk_form.locator("[type=submit]").click()
        await settled(walk)
        await walk.check("ten-moved")

        # The worker was at work all along and still has work queued.
        assert worker_process.poll() is None, "the worker exited"
        # It built shortlists while the coordinator worked, and is not done yet.
        assert 0 < await redis.zcard(bulk) < waiting_before

        failed = [a for a in answers if a[2] >= 400]
        assert not failed, failed
        posts = [a for a in answers if a[0] == "POST" and "/coordinator/" in a[1]]
        assert len(posts) >= 6, answers  # five moves and one bulk move
        statuses = await _statuses(suggested[:10])
        assert statuses == dict.fromkeys(suggested[:10], EntryStatus.CONTACTED), statuses
        walk.assert_clean()
    finally:
        # What is left of the backlog is not the other journeys' work.
        await redis.delete(bulk)


async def test_a_failed_move_shows_the_request_id_in_place(journey: Start, world: World) -> None:
    vacancies = await world.coordinator_vacancies_with_shortlists()
    vacancy, entry = next(
        (v, str(e["id"]))
        for v in vacancies
        for e in v["shortlist"]["entries"]
        if e["status"] == "suggested"
    )
    board = f"/coordinator/vacancies/{vacancy['id']}"
    walk = await journey("coordinator-error")
    await walk.login("coordinator")
    await walk.goto(board)
    failed: list[Any] = []
    walk.page.on("response", lambda r: failed.append(r) if r.status >= 500 else None)

    row = walk.page.locator(f"main tr:has(input[value='{entry}'])").first
    # Another transaction holds the entry's row: the move gives up after the lock
    # timeout and answers 503 (busy, try again) with the request id.
    async with alchemy_config().get_engine().connect() as holder:
        await holder.execute(
            text("SELECT id FROM shortlist_entry WHERE id = :id FOR UPDATE"), {"id": entry}
        )
        await move_on_page(walk, "contacted", row)
        shown = walk.page.locator("main .server-error[role=alert]").first
        await shown.wait_for()
        await holder.rollback()
    await walk.check("move-failed-in-place")

    assert len(failed) == 1 and failed[0].status == 503, failed
    request_id = await failed[0].header_value("x-request-id")
    assert request_id
    assert await shown.get_attribute("data-request-id") == request_id
    assert request_id in await shown.inner_text()
    # In place: beside the row's control, not at the top of the page.
    assert await row.locator(".server-error").count() == 1
    # Nothing was saved.
    assert (await _statuses([entry]))[entry] == EntryStatus.SUGGESTED
