"""The main journey of every role through the real pages, in Chromium, against the real stack.

Each visited page is axe-scanned (no serious or critical violations) and photographed to
``test-output/screenshots/<journey>-<step>.png``. A journey whose start page does not
exist in the application fails the test (a 404 is never a skip).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import func, select

from kohtaanto.db import session_scope
from kohtaanto.db.models import (
    EscoOccupation,
    Jobseeker,
    JobseekerOccupation,
    ShortlistEntry,
)
from tests.browser.conftest import Journey, World

Start = Callable[[str], Awaitable[Journey]]


async def require_page(world: World, path: str, role: str | None = None) -> None:
    """Fail at once when the application has no such page (404): every journey's page must
    exist, and a removed page must not pass as a skipped test."""
    cookies = {}
    if role:
        bearer = (await world.token(world.users[role]))["Authorization"]
        cookies["token"] = bearer.removeprefix("Bearer ")
    async with httpx.AsyncClient(base_url=world.url, cookies=cookies) as client:
        response = await client.get(path, follow_redirects=False)
    if response.status_code == 404:
        pytest.fail(f"no such page: {path} answered 404")


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
    """The coordinator asks the named jobseeker for consent on one of their shortlists:
    an entry the person already has that is not yet asked, or one added by hand."""
    person = await _named_jobseeker_id(world)
    vacancies = await world.coordinator_vacancies_with_shortlists()
    for vacancy in vacancies:
        for e in vacancy["shortlist"]["entries"]:
            if str(e["candidate"]["id"]) == person and e["status"] in ("suggested", "contacted"):
                await world.move(str(e["id"]), "consent_requested", "coordinator")
                return {**vacancy, "entry_id": str(e["id"])}
    for vacancy in vacancies:
        entries = vacancy["shortlist"]["entries"]
        if any(str(e["candidate"]["id"]) == person for e in entries):
            continue
        state = await world.api(
            "POST",
            f"/api/vacancies/{vacancy['id']}/shortlist/entries",
            "coordinator",
            json={"jobseeker_id": person},
        )
        await world.move(str(state["id"]), "consent_requested", "coordinator")
        return {**vacancy, "entry_id": str(state["id"])}
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
    # Filtered to Tampere, in Swedish: municipality names and numbers as Swedes write them.
    await walk.page.context.add_cookies([{"name": "lang", "value": "sv", "url": world.url}])
    await walk.goto("/manager?place=municipality:837", "filtered-swedish")
    text = await walk.page.locator("main").inner_text()
    assert "Tammerfors" in text
    walk.assert_clean()


async def test_admin_users_organisations_and_areas(journey: Start, world: World) -> None:
    await require_page(world, "/admin", "admin")
    walk = await journey("admin")
    await walk.login("admin")
    assert walk.page.url.rstrip("/").endswith("/admin"), walk.page.url  # not the coordinator's
    await walk.check("users")
    await walk.goto("/admin?role=coordinator", "coordinators-listed")
    await walk.goto("/admin/organisations", "organisations")
    assert await walk.page.locator("main select[name=coordinator_id]").count()
    await walk.goto("/admin/coordinators", "coordinator-areas")
    walk.assert_clean()


async def test_jobseeker_reads_a_vacancy_and_says_interested(journey: Start, world: World) -> None:
    await require_page(world, "/jobseeker", "jobseeker")
    asked = await _ask_named_jobseeker_for_consent(world)  # a shortlist: a match card
    walk = await journey("jobseeker-interest")
    await walk.login("jobseeker")
    link = walk.page.locator(f"main a[href='/jobseeker/vacancies/{asked['id']}']").first
    await link.wait_for()
    async with walk.page.expect_navigation():
        await link.click()
    await walk.check("vacancy")
    button = walk.page.locator("main form[action$='/interest'] [type=submit]")
    if await button.count():
        async with walk.page.expect_navigation():
            await button.first.click()
        assert "interested=1" in walk.page.url
    await walk.check("interested")
    assert not await walk.page.locator("main form[action$='/interest']").count()
    await walk.goto("/jobseeker/data/summary", "data-summary")
    walk.assert_clean()


async def move_on_page(walk: Journey, to: str, scope: Any = None) -> None:
    """Press the control that moves an entry (or the selected entries) to ``to``.

    A button ``name=to value=<status>``, or a ``select[name=to]`` with its form's submit.
    """
    where = scope if scope is not None else walk.page.locator("main")
    button = where.locator(f"button[name=to][value={to}]").first
    async with walk.page.expect_response(lambda r: r.request.method == "POST"):
        if await button.count():
            await button.click()
        else:
            form = where.locator(f"form:has(select[name=to] option[value={to}])").first
            await form.locator("select[name=to]").select_option(to)
            await form.locator("[type=submit]").first.click()
    await settled(walk)


async def settled(walk: Journey) -> None:
    """Wait until the page is done: a load-state wait returns at once after an htmx
    post (the page had long been idle), so wait for htmx to finish swapping too."""
    await walk.page.wait_for_load_state("networkidle")
    await walk.page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


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
    # Once asked, the coordinator sees whom they are dealing with and how to reach them.
    first_row = walk.page.locator(f"main tr:has(input[value='{chosen[0]}'])")
    assert await first_row.locator("a[href^='mailto:']").count() == 1

    # Asking the same people again is refused, naming each of them, beside the form,
    # and the error takes the focus.
    for value in chosen:
        await walk.page.locator(f"main input[name=entry_ids][value='{value}']").check()
    await move_on_page(walk, "consent_requested")
    error = walk.page.locator("#form-error")
    await error.wait_for()
    assert await error.locator("li").count() >= 3
    assert await walk.page.evaluate("document.activeElement && document.activeElement.id") == (
        "form-error"
    )
    await walk.check("bulk-refused-says-which")

    # The board fits its box on a laptop and on a phone (no clipped next-step column,
    # no sideways scrolling of the page).
    await walk.page.set_viewport_size({"width": 1280, "height": 900})
    await walk.goto(board, "board-laptop")
    fits = await walk.page.evaluate(
        "(() => { const s = document.querySelector('.table-scroll');"
        " return s.scrollWidth <= s.clientWidth + 1; })()"
    )
    assert fits
    heights = sorted(
        await walk.page.evaluate(
            "Array.from(document.querySelectorAll('.board-table tbody tr'))"
            ".map(r => r.getBoundingClientRect().height)"
        )
    )
    median = heights[len(heights) // 2]
    print(f"board rows at 1280 px: median {median:.0f} px, max {heights[-1]:.0f} px")
    assert median < 200, heights  # compact rows (they were ~470 px)
    await walk.page.set_viewport_size({"width": 390, "height": 844})
    await walk.goto(board, "board-phone")
    width = await walk.page.evaluate("document.documentElement.scrollWidth")
    print(f"board page width at 390 px: {width} px")
    assert width <= 390, width
    await walk.page.set_viewport_size({"width": 1280, "height": 900})

    # Notifications: grouped, linked to the board, in Finnish, with "mark all read".
    await walk.goto("/notifications")
    groups = walk.page.locator("main details > summary")
    for i in range(await groups.count()):
        await groups.nth(i).click()  # a group of many opens up
    await walk.check("notifications")
    assert await walk.page.locator("main a[href^='/coordinator/vacancies/']").count() >= 1
    assert "Shortlist ready" not in await walk.page.locator("main").inner_text()
    mark_all = walk.page.locator("main form[action='/notifications/read-all'] button")
    if await mark_all.count():
        async with walk.page.expect_navigation():
            await mark_all.click()
        await walk.check("notifications-all-read")
        assert await mark_all.count() == 0
    await walk.goto(board)

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
    asked = await _ask_named_jobseeker_for_consent(world)
    walk = await journey("jobseeker")
    await walk.login("jobseeker")
    assert walk.page.url.rstrip("/").endswith("/jobseeker"), walk.page.url
    await walk.check("matches")
    assert await walk.page.locator("main section.card").count()

    # The profile: a longer commute, and one more skill found with the ESCO autocomplete.
    await walk.goto("/jobseeker/profile", "profile")
    before = await world.api("GET", "/api/jobseekers/me", "jobseeker")
    wanted = before["max_travel_km"] % 400 + 17
    await walk.page.locator("main [name=max_travel_km]").fill(str(wanted))
    await walk.page.locator("#skill_uris-search").fill("forklift")
    found = walk.page.locator("#skill_uris-results input[name=skill_uris]").first
    await found.wait_for()
    new_skill = str(await found.get_attribute("value"))
    await found.check()
    await walk.check("profile-skill-search")
    async with walk.page.expect_navigation():
        await walk.page.locator("main form[action='/jobseeker/profile'] [type=submit]").click()
    assert "saved=1" in walk.page.url, walk.page.url
    await walk.check("profile-saved")
    after = await world.api("GET", "/api/jobseekers/me", "jobseeker")
    assert after["max_travel_km"] == wanted
    assert new_skill in {s["uri"] for s in after["skills"]}
    assert {s["uri"] for s in before["skills"]} <= {s["uri"] for s in after["skills"]}

    # The consent request the coordinator sent: agree.
    await walk.goto("/jobseeker/consents", "consent-requests")
    request = walk.page.locator(
        f"main section:has(form[action='/jobseeker/entries/{asked['entry_id']}/consent'])"
    )
    await request.wait_for()
    async with walk.page.expect_navigation():
        await request.locator("button[name=answer][value=agree]").click()
    assert "saved=1" in walk.page.url, walk.page.url
    await walk.check("consent-given")
    entries = await world.api("GET", "/api/jobseekers/me/entries", "jobseeker")
    status = {str(e["entry_id"]): e["status"] for e in entries}
    assert status[asked["entry_id"]] == "consented", status

    # The coordinator's look at the shortlist is in the access log.
    await walk.goto("/jobseeker/views", "who-viewed-my-profile")
    assert await walk.page.locator("main table tbody tr").count()
    await walk.goto("/jobseeker", "matches-again")
    assert await walk.page.locator("main section.card").count()
    walk.assert_clean()


async def _common_occupation() -> tuple[str, str]:
    """(URI, label) of the occupation most findable jobseekers with an account seek, so a
    vacancy for it in Tampere is sure to get a shortlist of people who can answer."""
    async with session_scope() as session:
        row = (
            await session.execute(
                select(EscoOccupation.uri, EscoOccupation.label)
                .join(JobseekerOccupation, JobseekerOccupation.occupation_id == EscoOccupation.id)
                .join(Jobseeker, Jobseeker.id == JobseekerOccupation.jobseeker_id)
                .where(
                    Jobseeker.visible_to_employers.is_(True),
                    Jobseeker.available.is_(True),
                    Jobseeker.user_id.is_not(None),
                )
                .group_by(EscoOccupation.uri, EscoOccupation.label)
                .order_by(func.count().desc(), EscoOccupation.uri)
                .limit(1)
            )
        ).one()
    return str(row.uri), str(row.label)


async def _entry_in_db(entry_id: str) -> tuple[str, str | None]:
    async with session_scope() as session:
        entry = await session.get(ShortlistEntry, UUID(entry_id))
        assert entry is not None, entry_id
        return entry.status.value, entry.outcome_reason


async def _answer_on_page(walk: Journey, entry_id: str, to: str, reason: str | None = None) -> None:
    """The employer's answer on one shared candidate: tick it, maybe a reason, send."""
    form = walk.page.locator(f"main form[action='/employer/entries/{entry_id}/answer']")
    await form.locator(f"input[name=to][value={to}]").check()
    if reason:
        await form.locator("select[name=reason]").select_option(reason)
    async with walk.page.expect_navigation():
        await form.locator("[type=submit]").click()
    assert "saved=1" in walk.page.url, walk.page.url


async def test_employer_vacancy_to_hire(journey: Start, world: World) -> None:
    await require_page(world, "/employer/vacancies/new", "employer")
    occupation_uri, occupation = await _common_occupation()
    walk = await journey("employer")
    await walk.login("employer")
    assert walk.page.url.rstrip("/").endswith("/employer"), walk.page.url
    await walk.check("vacancies")
    await walk.goto("/employer/organisation", "organisation")

    # A new vacancy: the text, then skills suggested from it and found in ESCO.
    await walk.goto("/employer/vacancies/new", "new-vacancy")
    title = f"{occupation.capitalize()} (Tampere, selaintesti)"
    await walk.page.locator("#title").fill(title)
    await walk.page.locator("#description").fill(
        f"We are looking for a {occupation} to join our team in Tampere. "
        "You work in a team. You keep your work area clean and tidy."
    )
    await walk.page.locator("main button[hx-post='/ui/esco/suggest']").click()
    suggested = walk.page.locator("#suggested input[name=essential_skill_uris]")
    # The first suggestion of a process loads the language model (about 20 s here).
    await suggested.first.wait_for(timeout=120_000)
    count = await suggested.count()
    chosen = [str(await suggested.nth(i).get_attribute("value")) for i in range(min(2, count))]
    for uri in chosen:
        # A ticked suggestion moves into the chosen chips (static/forms.js).
        await walk.page.locator(f"#suggested input[value='{uri}']").check()
    chips = walk.page.locator("[data-chosen=essential_skill_uris] input:checked")
    assert await chips.count() == len(chosen) >= 1
    await walk.check("suggested-from-text")

    # Skills picked in several searches accumulate (issue 14): each search replaces the
    # results, not what was already ticked.
    for word in ("customer service", "safety"):
        async with walk.page.expect_response(
            lambda r, word=word: "/ui/esco/skills" in r.url and word.split()[0] in r.url
        ):
            await walk.page.locator("#essential_skill_uris-search").fill(word)
        await walk.page.wait_for_load_state("networkidle")
        results = walk.page.locator(
            "#essential_skill_uris-results input[name=essential_skill_uris]:not(:checked)"
        )
        await results.first.wait_for()
        uri = str(await results.first.get_attribute("value"))
        if uri not in chosen:
            chosen.append(uri)
        await results.first.check()
    assert await chips.count() == len(chosen) >= 3
    await walk.check("skills-accumulate")

    await walk.page.locator("#occupation_uri-search").fill(occupation)
    found = walk.page.locator(
        f"#occupation_uri-results input[name=occupation_uri][value='{occupation_uri}']"
    )
    await found.wait_for()
    await found.check()
    await walk.page.locator("#optional_skill_uris-search").fill("teamwork")
    optional = walk.page.locator("#optional_skill_uris-results input[name=optional_skill_uris]")
    await optional.first.wait_for()
    optional_uri = str(await optional.first.get_attribute("value"))
    await optional.first.check()

    await walk.page.locator("#municipality_code").select_option(label="Tampere")
    await walk.page.locator("#hours_per_week").fill("37,5")
    await walk.page.locator("#monthly_pay_eur").fill("2650")
    await walk.page.locator("main input[name=languages][value=fi]").check()
    await walk.page.locator("#open_to_wage_subsidy").check()
    await walk.page.locator("#open_to_work_trial").check()
    await walk.check("vacancy-filled-in")
    async with walk.page.expect_navigation():
        await walk.page.locator(
            "main form[action='/employer/vacancies/new'] button.primary[type=submit]"
        ).click()
    assert "saved=1" in walk.page.url, walk.page.url
    vacancy_id = walk.page.url.split("/employer/vacancies/")[1].split("?")[0]
    await walk.check("vacancy-saved")

    saved = await world.api("GET", f"/api/vacancies/{vacancy_id}", "employer")
    assert saved["status"] == "draft" and saved["title"] == title
    assert saved["occupation"]["uri"] == occupation_uri
    assert {s["uri"] for s in saved["essential_skills"]} == set(chosen)
    assert [s["uri"] for s in saved["optional_skills"]] == [optional_uri]
    assert (saved["municipality"]["name"], saved["hours_per_week"]) == ("Tampere", 37.5)
    assert saved["monthly_pay_eur"] == 2650 and saved["languages"] == ["fi"]
    assert saved["open_to_wage_subsidy"] and saved["open_to_work_trial"]
    assert not saved["open_to_apprenticeship"]

    async with walk.page.expect_navigation():
        await walk.page.locator(
            f"main form[action='/employer/vacancies/{vacancy_id}/publish'] [type=submit]"
        ).click()
    # The page says what happens next: the shortlist is built and the coordinator told.
    await walk.page.locator("#published").wait_for()
    await walk.check("published")
    assert (await world.api("GET", f"/api/vacancies/{vacancy_id}", "employer"))["status"] == "open"

    # The worker builds the shortlist; the coordinator asks two people, who agree, and
    # shares them with the employer.
    counts = await world.run_jobs()
    assert counts["failed"] == 0, counts
    shortlist = await world.api("GET", f"/api/vacancies/{vacancy_id}/shortlist", "coordinator")
    people: list[tuple[str, str]] = []
    for entry in shortlist["entries"]:
        if entry["status"] != "suggested":
            continue
        with contextlib.suppress(AssertionError):
            people.append((str(entry["id"]), await world.email_of_entry(str(entry["id"]))))
        if len(people) == 2:
            break
    assert len(people) == 2, shortlist["entries"]
    for entry_id, email in people:
        await world.move(entry_id, "consent_requested", "coordinator")
        await world.move(entry_id, "consented", email)
        await world.move(entry_id, "shared", "coordinator")

    await walk.goto(f"/employer/vacancies/{vacancy_id}", "shared-candidates")
    for entry_id, email in people:
        card = walk.page.locator(
            f"main section:has(form[action='/employer/entries/{entry_id}/answer'])"
        )
        await card.wait_for()
        assert await card.locator(f"a[href='mailto:{email}']").count() == 1
        assert (await card.locator("h3").inner_text()).strip()

    # The first is interviewed and hired; the second is not hired, for a reason.
    hired, passed = people[0][0], people[1][0]
    await _answer_on_page(walk, hired, "interview")
    await walk.check("interview")
    assert await _entry_in_db(hired) == ("interview", None)
    await _answer_on_page(walk, hired, "hired")
    await walk.check("hired")
    await _answer_on_page(walk, passed, "not_hired", "other_candidate")
    await walk.check("not-hired-with-reason")
    assert await _entry_in_db(hired) == ("hired", None)
    assert await _entry_in_db(passed) == ("not_hired", "other_candidate")
    candidates = await world.api("GET", f"/api/vacancies/{vacancy_id}/candidates", "employer")
    assert {str(c["entry_id"]): c["status"] for c in candidates} == {
        hired: "hired",
        passed: "not_hired",
    }
    await walk.goto("/employer", "vacancies-again")
    assert await walk.page.locator(f"main a[href='/employer/vacancies/{vacancy_id}']").count()
    walk.assert_clean()
