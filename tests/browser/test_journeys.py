"""The main journey of every role through the real pages, in Chromium, against the real stack.

Each visited page is axe-scanned (no serious or critical violations) and photographed to
``test-output/screenshots/<journey>-<step>.png``. A journey whose start page does not
exist in the application yet is skipped with that reason, never passed.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Journey, World

Start = Callable[[str], Awaitable[Journey]]


async def require_page(world: World, path: str, role: str | None = None) -> None:
    """Skip when the application has no such page yet (404), so nothing passes by accident."""
    cookies = {}
    if role:
        bearer = (await world.token(world.users[role]))["Authorization"]
        cookies["token"] = bearer.removeprefix("Bearer ")
    async with httpx.AsyncClient(base_url=world.url, cookies=cookies) as client:
        response = await client.get(path, follow_redirects=False)
    if response.status_code == 404:
        pytest.skip(f"page not built yet: {path}")


async def html_lang(journey: Journey) -> str:
    return str(await journey.page.get_attribute("html", "lang"))


async def test_language_switch_fi_sv_en_is_remembered(journey: Start, world: World) -> None:
    await require_page(world, "/login")
    walk = await journey("language")
    await walk.goto("/login", "finnish")
    assert await html_lang(walk) == "fi"
    finnish_title = await walk.page.title()

    for code in ("sv", "en"):
        async with walk.page.expect_navigation():
            await walk.page.locator(f"nav a[hreflang={code}]").click()
        assert await html_lang(walk) == code
        assert "/login" in walk.page.url
        assert await walk.page.title() != finnish_title
        await walk.check({"sv": "swedish", "en": "english"}[code])

    # Remembered: a new visit comes in English, and so does an error page.
    await walk.goto("/login")
    assert await html_lang(walk) == "en"
    await walk.page.locator("input[name=email]").fill("nobody@example.fi")
    await walk.page.locator("input[name=password]").fill("wrong")
    async with walk.page.expect_navigation():
        await walk.page.locator("form:has(input[name=password]) [type=submit]").click()
    assert await html_lang(walk) == "en"
    await walk.check("wrong-password-english")
    walk.assert_clean()


async def _named_jobseeker_id(world: World) -> str:
    profile = await world.api("GET", "/api/jobseekers/me", "jobseeker")
    return str(profile["id"])


async def _ask_named_jobseeker_for_consent(world: World) -> dict[str, Any]:
    """The coordinator puts the named jobseeker on a shortlist and asks for consent."""
    person = await _named_jobseeker_id(world)
    for vacancy in await world.coordinator_vacancies_with_shortlists():
        entries = vacancy["shortlist"]["entries"]
        if any(str(e["candidate"].get("jobseeker_id", "")) == person for e in entries):
            continue
        state = await world.api(
            "POST",
            f"/api/vacancies/{vacancy['id']}/shortlist/entries",
            "coordinator",
            json={"jobseeker_id": person},
        )
        await world.move(str(state["id"]), "consent_requested", "coordinator")
        return vacancy
    pytest.fail("no shortlist to put the named jobseeker on")


async def test_coach_caseload_and_client(journey: Start, world: World) -> None:
    await require_page(world, "/coach", "coach")
    walk = await journey("coach")
    await walk.login("coach")
    await walk.check("caseload")
    client = walk.page.locator("main a[href^='/coach/clients/']").first
    await client.wait_for()
    async with walk.page.expect_navigation():
        await client.click()
    await walk.check("client")
    walk.assert_clean()


async def test_manager_dashboard_and_csv(journey: Start, world: World) -> None:
    await require_page(world, "/manager", "manager")
    walk = await journey("manager")
    await walk.login("manager")
    await walk.check("dashboard")
    link = walk.page.locator("main a[href*='csv']").first
    await link.wait_for()
    async with walk.page.expect_download() as download_info:
        await link.click()
    download = await download_info.value
    path = await download.path()
    assert path is not None
    body = await asyncio.to_thread(Path(path).read_text, encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) >= 2 and rows[0], rows[:3]
    walk.assert_clean()


async def move_on_page(walk: Journey, to: str, scope: Any = None) -> None:
    """Press the control that moves an entry (or the selected entries) to ``to``.

    A button ``name=to value=<status>``, or a ``select[name=to]`` with its form's submit.
    """
    where = scope if scope is not None else walk.page.locator("main")
    button = where.locator(f"button[name=to][value={to}]").first
    if await button.count():
        await button.click()
    else:
        form = where.locator(f"form:has(select[name=to] option[value={to}])").first
        await form.locator("select[name=to]").select_option(to)
        await form.locator("[type=submit]").first.click()
    await walk.page.wait_for_load_state("networkidle")


async def test_coordinator_shortlist_consent_share_outcome(journey: Start, world: World) -> None:
    await require_page(world, "/coordinator", "coordinator")
    vacancy = (await world.coordinator_vacancies_with_shortlists())[0]
    board = f"/coordinator/vacancies/{vacancy['id']}"
    await require_page(world, board, "coordinator")
    walk = await journey("coordinator")
    await walk.login("coordinator")
    await walk.check("vacancies")
    await walk.goto(board, "shortlist-board")

    # Bulk: ask the top three for consent at once.
    boxes = walk.page.locator("main input[type=checkbox][name=entry_ids]")
    chosen = [await boxes.nth(i).get_attribute("value") for i in range(3)]
    for i in range(3):
        await boxes.nth(i).check()
    await move_on_page(walk, "consent_requested")
    await walk.check("consent-requested")
    shortlist = await world.api("GET", f"/api/vacancies/{vacancy['id']}/shortlist", "coordinator")
    states = {e["id"]: e["status"] for e in shortlist["entries"]}
    assert all(states[c] == "consent_requested" for c in chosen), states

    # One of them says yes (as themselves, over the API); the coordinator shares and records.
    entry = str(chosen[0])
    await world.move(entry, "consented", await world.email_of_entry(entry))
    await walk.goto(board)
    row = walk.page.locator(f"main [id='entry-{entry}'], main tr:has(input[value='{entry}'])").first
    await move_on_page(walk, "shared", row)
    await walk.check("shared")
    await move_on_page(walk, "interview", row)
    await walk.check("outcome-interview")
    shortlist = await world.api("GET", f"/api/vacancies/{vacancy['id']}/shortlist", "coordinator")
    assert {e["id"]: e["status"] for e in shortlist["entries"]}[entry] == "interview"
    walk.assert_clean()


async def test_jobseeker_profile_consent_views_matches(journey: Start, world: World) -> None:
    await require_page(world, "/jobseeker/consents", "jobseeker")
    await _ask_named_jobseeker_for_consent(world)
    walk = await journey("jobseeker")
    await walk.login("jobseeker")
    await walk.check("matches")

    await walk.goto("/jobseeker/profile", "profile")
    travel = walk.page.locator("main [name=max_travel_km]")
    await travel.fill("55")
    async with walk.page.expect_navigation():
        await walk.page.locator("main form:has([name=max_travel_km]) [type=submit]").first.click()
    await walk.check("profile-saved")
    assert (await world.api("GET", "/api/jobseekers/me", "jobseeker"))["max_travel_km"] == 55

    await walk.goto("/jobseeker/consents", "consent-requests")
    await move_on_page(walk, "consented")
    await walk.check("consent-given")
    entries = await world.api("GET", "/api/jobseekers/me/entries", "jobseeker")
    items = entries["items"] if isinstance(entries, dict) else entries
    assert any(e["status"] == "consented" for e in items), items

    await walk.goto("/jobseeker/views", "who-viewed-my-profile")
    assert await walk.page.locator("main table tbody tr, main li").count()
    await walk.goto("/jobseeker", "matches-again")
    walk.assert_clean()
