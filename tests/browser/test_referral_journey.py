"""The journey of issue 10 on the real stack, in Chromium with axe: the client writes
their self-assessment; the coach opens them from the work list as a new client, makes
the assessment beside it, sets the job-search obligation, refers them to a competence
mapping that the skills-gap view proposes and schedules a meeting (the invitation
arrives at a real SMTP server with a valid .ics); the client consents item by item;
the partner's one-time link arrives by e-mail and the partner accepts through it,
without an account; the client reports two applications and sees the plan update;
the manager's referral report counts it."""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import delete, select

from kohtaanto.db import session_scope
from kohtaanto.db.models import (
    EscoOccupation,
    Jobseeker,
    JobseekerOccupation,
    Meeting,
    PartnerService,
    Referral,
    ReferralStatus,
    ServiceAssessment,
    ServicePlan,
    User,
)
from kohtaanto.domain import reports
from kohtaanto.settings import get_settings
from tests.browser.conftest import USERS, World
from tests.browser.test_journeys import Start, require_page


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[list[EmailMessage]]:
    """A real SMTP server on loopback; the worker (run in this process) sends to it."""
    received: list[EmailMessage] = []

    class Collect:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            message = message_from_bytes(envelope.original_content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            received.append(message)
            return "250 Message accepted for delivery"

    port = _free_port()
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    saved = {
        k: os.environ.get(k)
        for k in ("KOHTAANTO_SMTP_HOST", "KOHTAANTO_SMTP_PORT", "KOHTAANTO_SMTP_SECURITY")
    }
    os.environ.update(
        KOHTAANTO_SMTP_HOST="127.0.0.1",
        KOHTAANTO_SMTP_PORT=str(port),
        KOHTAANTO_SMTP_SECURITY="none",
    )
    get_settings.cache_clear()
    try:
        yield received
    finally:
        controller.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()


async def _client_aiming_at_a_mapped_field() -> str:
    """The named jobseeker, aiming at an occupation whose skills a Tampere competence
    mapping covers (the seeded catalogue's), without a referral yet."""
    async with session_scope() as session:
        person = await session.scalar(
            select(Jobseeker)
            .join(User, User.id == Jobseeker.user_id)
            .where(User.email == USERS["jobseeker"])
        )
        mapping = await session.scalar(
            select(PartnerService).where(PartnerService.source_id == "tredu-837-restaurant-mapping")
        )
        assert person is not None and mapping is not None
        occupation = await session.scalar(
            select(EscoOccupation).where(EscoOccupation.uri == mapping.occupation_uris[0])
        )
        assert occupation is not None
        await session.execute(delete(Referral).where(Referral.jobseeker_id == person.id))
        # A new client: no assessment and no plan yet.
        await session.execute(
            delete(ServiceAssessment).where(ServiceAssessment.jobseeker_id == person.id)
        )
        await session.execute(delete(ServicePlan).where(ServicePlan.jobseeker_id == person.id))
        await session.execute(delete(Meeting).where(Meeting.jobseeker_id == person.id))
        await session.execute(
            delete(JobseekerOccupation).where(JobseekerOccupation.jobseeker_id == person.id)
        )
        session.add(JobseekerOccupation(jobseeker_id=person.id, occupation_id=occupation.id))
        return str(person.id)


async def _accepted_at_tredu() -> int:
    async with session_scope() as session:
        frame = await reports.REPORTS["referrals-by-partner"](session, reports.EVERYTHING)
    row = frame[frame["partner"].str.startswith("Tredu")]
    return int(row["accepted"].iloc[0]) if len(row) else 0


async def test_coach_refers_from_the_skills_gap_and_the_partner_accepts_by_link(
    journey: Start, world: World, smtp: list[EmailMessage]
) -> None:
    person_id = await _client_aiming_at_a_mapped_field()
    await require_page(world, f"/coach/clients/{person_id}/offers", "coach")
    accepted_before = await _accepted_at_tredu()

    # The client tells their own view first.
    client = await journey("referral-client")
    await client.login("jobseeker")
    await client.goto("/jobseeker/plan", "plan-before")
    await client.page.locator(
        "details:has(form[action='/jobseeker/plan/self-assessment']) > summary"
    ).click()
    await client.page.locator("textarea[name=area_competence]").fill(
        "Olen tehnyt keittiötöitä kesät; haluan ammattiin."
    )
    async with client.page.expect_navigation():
        await client.page.locator(
            "form[action='/jobseeker/plan/self-assessment'] [type=submit]"
        ).click()
    await client.check("self-assessment")

    coach = await journey("referral-coach")
    await coach.login("coach")
    await coach.goto("/coach/worklist?filter=no_assessment", "work-list-new")
    opened = coach.page.locator(f"main a[href='/coach/clients/{person_id}/path']")
    await opened.wait_for()
    async with coach.page.expect_navigation():
        await opened.click()
    await coach.check("new-client")
    assert "keittiötöitä" in await coach.page.locator("#assessment").inner_text()
    # The assessment beside the client's own view.
    await coach.page.locator("#assessment summary").click()
    await coach.page.locator("textarea[name=area_competence]").fill(
        "Kokemusta keittiöstä, ei tutkintoa: osaamiskartoitus ja tutkinnon osia."
    )
    await coach.page.locator("#effort_level").select_option("situation_dependent")
    await coach.page.locator("#main_goal").select_option("get_work")
    await coach.page.locator("textarea[name=rationale]").fill("Selvä tavoite, osaamista puuttuu.")
    await coach.page.locator("input[name=sources][value=self_assessment]").check()
    async with coach.page.expect_navigation():
        await coach.page.locator("form[action$='/path/assessment'] [type=submit]").click()
    await coach.check("assessed")
    # The plan's job-search obligation.
    await coach.page.locator("input[name=applications_per_month]").fill("4")
    async with coach.page.expect_navigation():
        await coach.page.locator("form[action$='/path/obligation'] [type=submit]").click()
    await coach.check("obligation")
    # The skills gap proposes competence mappings near the client; one click refers.
    await coach.goto(f"/coach/clients/{person_id}/offers", "skills-gap")
    offer = coach.page.locator("main li.card", has_text="Osaamiskartoitus").first
    await offer.wait_for()
    service_name = (await offer.locator("h4").inner_text()).strip()
    async with coach.page.expect_navigation():
        await offer.locator("button[type=submit]").click()
    await coach.check("referred")
    assert service_name in await coach.page.locator("#referrals ~ div table").inner_text()
    coach.assert_clean()

    # A meeting: the invitations go out by e-mail with an .ics.
    await coach.goto(f"/coach/clients/{person_id}/path", "path-with-referral")
    assert service_name in await coach.page.locator("#plan").inner_text()
    await coach.page.locator("details:has(form[action$='/path/meetings']) > summary").click()
    await coach.page.locator("input[name=date]").fill("2027-01-05")
    await coach.page.locator("input[name=time]").fill("10:00")
    await coach.page.locator("#channel").select_option("in_person")
    await coach.page.locator("input[name=address]").fill("Hatanpään valtatie 1, Tampere")
    async with coach.page.expect_navigation():
        await coach.page.locator("form[action$='/path/meetings'] [type=submit]").click()
    await coach.check("meeting")
    coach.assert_clean()

    await client.goto("/jobseeker/referrals", "consent")
    card = client.page.locator("main section.card", has_text=service_name)
    # The client keeps the name and contact, but not the skills list.
    skills = card.locator("input[name=items][value=skills]")
    if await skills.count():
        await skills.uncheck()
    async with client.page.expect_navigation():
        await card.locator("button[value=send]").click()
    await client.check("sent")

    # The worker mails the one-time link to the service's contact.
    counts = await world.run_jobs()
    assert counts["failed"] == 0, counts
    links = [m for m in smtp if service_name in str(m["Subject"])]
    assert links, [str(m["Subject"]) for m in smtp]
    invitations = [
        part for m in smtp for part in m.walk() if part.get_content_type() == "text/calendar"
    ]
    assert invitations, [str(m["Subject"]) for m in smtp]
    from icalendar import Calendar

    calendar = Calendar.from_ical(invitations[0].get_payload(decode=True))
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert events and "Hatanp" in str(events[0].get("LOCATION"))
    plain = links[-1].get_body(preferencelist=("plain",))
    assert plain is not None
    body = plain.get_content()
    link = re.search(r"https?://\S+/r/([A-Za-z0-9_-]+)", body)
    assert link is not None, body
    token = link.group(1)
    async with session_scope() as session:
        stored = await session.scalar(
            select(Referral.token_hash).where(Referral.token_hash.is_not(None))
        )
        assert stored is not None and token not in stored

    partner = await journey("referral-partner")  # no account: a fresh browser context
    await partner.goto(f"/r/{token}", "link")
    text = await partner.page.locator("main").inner_text()
    assert "Osaamiskartoitus" in text
    await partner.page.locator("input[name=status][value=accepted]").check()
    await partner.page.locator("input[name=start_date]").fill("2027-01-11")
    async with partner.page.expect_navigation():
        await partner.page.locator("main form button[type=submit]").click()
    await partner.check("answered")
    assert partner.page.url.endswith(f"/r/{token}")
    again = await partner.page.goto(partner.url(f"/r/{token}"))
    assert again is not None and again.status == 404  # used up
    partner.assert_clean()

    await client.goto("/jobseeker/referrals", "accepted")
    card_text = await client.page.locator("main section.card", has_text=service_name).inner_text()
    assert "11.01.2027" in card_text
    # Two applications reported; the plan shows them and the referral's activity.
    for title, employer in (("Kokki", "Ravintola Näsi"), ("Keittiöapulainen", "Hotelli Tammer")):
        await client.goto("/jobseeker/plan")
        await client.page.locator(
            "summary", has_text=re.compile("Ilmoita hakemus|Report an")
        ).click()
        await client.page.locator("#app_title").fill(title)
        await client.page.locator("#organisation").fill(employer)
        async with client.page.expect_navigation():
            await client.page.locator(
                "form[action='/jobseeker/plan/applications'] [type=submit]"
            ).last.click()
    await client.check("plan-updated")
    plan_text = await client.page.locator("main").inner_text()
    assert "Ravintola Näsi" in plan_text and "Hotelli Tammer" in plan_text
    assert service_name in plan_text
    client.assert_clean()

    async with session_scope() as session:
        referral = await session.scalar(select(Referral).where(Referral.jobseeker_id == person_id))
        assert referral is not None and referral.status is ReferralStatus.ACCEPTED
        assert (
            referral.shared.keys() == {"name", "email", "phone"} or "skills" not in referral.shared
        )
    assert await _accepted_at_tredu() == accepted_before + 1

    manager = await journey("referral-manager")
    await manager.login("manager")
    await manager.goto("/manager", "report")
    assert await manager.page.locator("#referrals-by-partner, [id*=referrals-by-partner]").count()
    manager.assert_clean()
