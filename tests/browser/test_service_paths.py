"""The coach's work list and client page, the client's plan and the specialist's view in
a real browser (axe-scanned, photographed). The whole referral journey of issue 10 is
in the partners' browser test; this covers the service-path pages it walks through."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tests.browser.conftest import Journey, World

Start = Callable[[str], Awaitable[Journey]]


async def test_coach_work_list_client_path_and_the_clients_plan(
    journey: Start, world: World
) -> None:
    walk = await journey("service-path-coach")
    await walk.login("coach")
    await walk.goto("/coach/worklist", "work-list")
    # The ready filters with counts; "meetings today" has the demo client's meeting.
    today = walk.page.locator("a[href='/coach/worklist?filter=meetings_today']")
    assert "(0)" not in (await today.inner_text())
    async with walk.page.expect_navigation():
        await today.click()
    await walk.check("meetings-today")
    me = await world.api("GET", "/api/jobseekers/me", "jobseeker")
    await walk.goto(f"/coach/clients/{me['id']}/path", "client-path")
    # Add an agreed activity through the form.
    await walk.page.locator("summary", has_text="Lisää toimi").click()
    await walk.page.locator("#kind").select_option("competence_mapping")
    await walk.page.locator("#title").fill("Osaamiskartoitus selaintestissä")
    await walk.page.locator("#agreed").check()
    async with walk.page.expect_navigation():
        await walk.page.locator("form[action$='/path/activities'] [type=submit]").click()
    await walk.check("activity-added")
    assert await walk.page.locator("th", has_text="Osaamiskartoitus selaintestissä").count() == 1
    walk.assert_clean()

    mine = await journey("service-path-client")
    await mine.login("jobseeker")
    await mine.goto("/jobseeker/plan", "my-plan")
    await mine.page.locator("summary", has_text="Ilmoita hakemus").click()
    await mine.page.locator("#app_title").fill("Varastotyöntekijä")
    await mine.page.locator("#organisation").fill("Logistiikka Oy")
    async with mine.page.expect_navigation():
        await mine.page.locator(
            "form[action='/jobseeker/plan/applications'] [type=submit]"
        ).last.click()
    await mine.check("application-reported")
    assert await mine.page.locator("text=Logistiikka Oy").count() >= 1
    await mine.goto("/jobseeker/views", "who-read-my-data")
    assert await mine.page.locator("text=luki suunnitelmasi").count() >= 1
    mine.assert_clean()

    specialist = await journey("service-path-specialist")
    await specialist.login("specialist")
    await specialist.goto("/specialist", "specialist-clients")
    link = specialist.page.locator("main a[href^='/specialist/clients/']").first
    async with specialist.page.expect_navigation():
        await link.click()
    await specialist.check("specialist-client")
    specialist.assert_clean()
