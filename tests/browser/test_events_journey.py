"""Recruitment events end to end in Chromium on the real stack (issue 13).

The coordinator plans an online speed-interview event for two employers and invites
the people matching proposes; a jobseeker books the only slot of the first employer
and receives its calendar entry at a real SMTP server; a second one joins the waiting
list and gets the slot when the first cancels (whose calendar entry is cancelled); the
employer marks the second interested, which moves the shortlist entry to interview;
the manager's funnel counts it. Every page is axe-scanned and photographed.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar
from sqlalchemy import select, update

from jobs import delivery
from kohtaanto.db import session_scope
from kohtaanto.db.models import (
    Employer,
    EntryStatus,
    EventBooking,
    EventInvitation,
    Jobseeker,
    Notification,
    Role,
    Shortlist,
    ShortlistEntry,
    User,
    Vacancy,
    VacancyStatus,
)
from kohtaanto.demo.seed import DEMO_PASSWORD
from kohtaanto.domain.events.reports import event_funnel
from kohtaanto.settings import get_settings
from tests.browser.conftest import Journey, World

HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.fixture
def smtp() -> Iterator[list[EmailMessage]]:
    """A real SMTP server on a free loopback port, and this process's delivery settings
    pointing at it (the delivery job runs here, as the worker would run it)."""
    received: list[EmailMessage] = []

    class Collect:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            message = message_from_bytes(envelope.original_content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            received.append(message)
            return "250 Message accepted for delivery"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    values = {
        "KOHTAANTO_SMTP_HOST": "127.0.0.1",
        "KOHTAANTO_SMTP_PORT": str(port),
        "KOHTAANTO_SMTP_SECURITY": "none",
        "KOHTAANTO_MAIL_FROM": "Kohtaanto <no-reply@kohtaanto.test>",
    }
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    get_settings.cache_clear()
    yield received
    controller.stop()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    get_settings.cache_clear()


async def login_as(walk: Journey, email: str, step: str) -> None:
    """Sign in through the login form as any seeded account (password ``demo``)."""
    await walk.goto("/login")
    await walk.page.locator("input[name=email]").fill(email)
    await walk.page.locator("input[name=password]").fill(DEMO_PASSWORD)
    async with walk.page.expect_navigation():
        await walk.page.locator("form:has(input[name=password]) [type=submit]").click()
    assert "/login" not in walk.page.url, f"login as {email} failed"
    await walk.check(step)


async def submit(walk: Journey, form: Any, step: str | None = None) -> None:
    async with walk.page.expect_navigation():
        await form.locator("[type=submit]").first.click()
    await walk.page.wait_for_load_state("networkidle")
    if step:
        await walk.check(step)


async def _prepare(world: World) -> dict[str, Any]:
    """Two employers of the named coordinator, each with an open vacancy whose shortlist
    has people speaking Finnish; three of them consent (two for the first employer)."""
    coordinator_email = world.users["coordinator"]
    async with session_scope() as session:
        coordinator = await session.scalar(select(User).where(User.email == coordinator_email))
        assert coordinator is not None
        rows = (
            await session.execute(
                select(Vacancy.id, Vacancy.employer_id, Employer.coordinator_id)
                .join(Employer, Employer.id == Vacancy.employer_id)
                .join(Shortlist, Shortlist.vacancy_id == Vacancy.id)
                .where(Vacancy.status == VacancyStatus.OPEN)
                .order_by(Employer.coordinator_id != coordinator.id, Vacancy.created_at)
            )
        ).all()
        chosen: dict[UUID, UUID] = {}
        for vacancy_id, employer_id, _ in rows:
            if employer_id not in chosen:
                chosen[employer_id] = vacancy_id
            if len(chosen) == 2:
                break
        assert len(chosen) == 2, "the world has no two employers with shortlists"
        # The named coordinator serves both (as an admin would assign on the admin page).
        await session.execute(
            update(Employer)
            .where(Employer.id.in_(list(chosen)))
            .values(coordinator_id=coordinator.id)
        )
        picks: dict[UUID, list[tuple[str, str]]] = {}
        taken: set[UUID] = set()
        for employer_id, vacancy_id in chosen.items():
            entries = (
                await session.execute(
                    select(
                        ShortlistEntry.id,
                        ShortlistEntry.jobseeker_id,
                        User.email,
                        Jobseeker.languages,
                    )
                    .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
                    .join(Jobseeker, Jobseeker.id == ShortlistEntry.jobseeker_id)
                    .join(User, User.id == Jobseeker.user_id)
                    .where(
                        Shortlist.vacancy_id == vacancy_id,
                        ShortlistEntry.status.in_([EntryStatus.SUGGESTED, EntryStatus.CONTACTED]),
                    )
                    .order_by(ShortlistEntry.rank)
                )
            ).all()
            want = 2 if not picks else 1
            speakers = [(e, j, email) for e, j, email, langs in entries if "fi" in (langs or [])]
            mine = [(e, j, email) for e, j, email in speakers if j not in taken][:want]
            got = [(str(e), email) for e, _, email in mine]
            taken |= {j for _, j, _ in mine}
            assert len(got) == want, "too few Finnish speakers on the shortlist"
            picks[employer_id] = got
    for people in picks.values():
        for entry_id, email in people:
            await world.move(entry_id, "consent_requested", "coordinator")
            await world.move(entry_id, "consented", email)
    first, second = list(picks)
    async with session_scope() as session:
        names = {
            e.id: e.name
            for e in await session.scalars(select(Employer).where(Employer.id.in_(list(picks))))
        }
        employer_user = await session.scalar(
            select(User.email).where(User.employer_id == first, User.role == Role.EMPLOYER)
        )
    assert employer_user
    return {
        "first": first,
        "second": second,
        "names": names,
        "vacancies": chosen,
        "people": picks,
        "employer_user": employer_user,
    }


async def _deliver(kind: str, email: str) -> list[UUID]:
    """Run the e-mail delivery job, as the worker would, for ``email``'s ``kind``."""
    async with session_scope() as session:
        ids = list(
            await session.scalars(
                select(Notification.id)
                .join(User, User.id == Notification.recipient_id)
                .where(User.email == email, Notification.kind == kind)
            )
        )
    ctx = {"settings": get_settings()}
    for notification_id in ids:
        assert await delivery._email(ctx, notification_id) == "sent"
    return ids


def _calendar(message: EmailMessage) -> Any:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert parts, f"no calendar in {message['Subject']}"
    return Calendar.from_ical(parts[0].get_content())


def _local(at: datetime) -> str:
    return at.astimezone(HELSINKI).strftime("%Y-%m-%dT%H:%M")


async def test_coordinator_plans_invites_and_the_slot_goes_round(
    journey: Any, world: World, smtp: list[EmailMessage]
) -> None:
    plan = await _prepare(world)
    (entry1, person1), (entry2, person2) = plan["people"][plan["first"]]
    (entry3, _) = plan["people"][plan["second"]][0]

    # --- the coordinator plans the event
    walk = await journey("events-coordinator")
    await login_as(walk, world.users["coordinator"], "login")
    await walk.goto("/events", "events")
    start = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)
    form = walk.page.locator("main form[action='/events']")
    await form.locator("#title").fill("Pikahaastattelut verkossa (selaintesti)")
    await form.locator("#kind").select_option("speed_interviews")
    await form.locator("input[name=online][value='1']").check()
    await form.locator("#video_link").fill("https://meet.example.fi/selaintesti")
    await form.locator("#starts_at").fill(_local(start))
    # One 15-minute slot per table.
    await form.locator("#ends_at").fill(_local(start + timedelta(minutes=20)))
    await form.locator("#reply_deadline").fill(_local(start - timedelta(days=1)))
    await form.locator("#capacity").fill("10")
    await walk.check("new-event-filled-in")
    await submit(walk, form, "event-created")
    event_id = walk.page.url.rstrip("/").split("/")[-1].split("?")[0]
    UUID(event_id)

    for employer_id in (plan["first"], plan["second"]):
        form = walk.page.locator(f"main form[action='/events/{event_id}/employers']")
        await form.locator("#employer_id").select_option(str(employer_id))
        vacancy = str(plan["vacancies"][employer_id])
        await form.locator(f"input[name=vacancy_ids][value='{vacancy}']").check()
        await form.locator("input[name=instruments][value=wage_subsidy]").check()
        await submit(walk, form)
    await walk.check("two-employers")
    await submit(walk, walk.page.locator("main form:has(input[name=status][value=published])"))
    await walk.check("published")

    # Matching proposes the consented people; the coordinator invites them.
    for entry in (entry1, entry2, entry3):
        box = walk.page.locator(f"#invite-{entry}")
        await box.check()
    await walk.check("proposals-chosen")
    await submit(walk, walk.page.locator(f"main form[action='/events/{event_id}/invitations']"))
    await walk.check("invited")
    async with session_scope() as session:
        count = len(
            list(
                await session.scalars(
                    select(EventInvitation.id).where(EventInvitation.event_id == event_id)
                )
            )
        )
    assert count == 3

    # --- the first jobseeker books the only slot and gets it in their calendar
    first = await journey("events-jobseeker-1")
    await login_as(first, person1, "login")
    await first.goto("/jobseeker/events", "invitations")
    card = first.page.locator(f"main section:has-text('{plan['names'][plan['first']]}')").first
    await submit(first, card.locator("form[action$='/book']"), "booked")
    download_link = first.page.locator("main a[href$='calendar.ics']").first
    async with first.page.expect_download() as waiting:
        await download_link.click()
    downloaded = await waiting.value
    ics = Calendar.from_ical(await asyncio.to_thread(Path(await downloaded.path()).read_bytes))
    assert str(ics["METHOD"]) == "REQUEST"
    await _deliver("event_booked", person1)
    booked_mail = _calendar(smtp[-1])
    booked_event = next(iter(booked_mail.walk("VEVENT")))
    uid = str(booked_event["UID"])
    assert str(booked_mail["METHOD"]) == "REQUEST" and int(booked_event["SEQUENCE"]) == 0
    assert "meet.example.fi" in str(booked_event["LOCATION"])

    # --- the second is wait-listed
    second = await journey("events-jobseeker-2")
    await login_as(second, person2, "login")
    await second.goto("/jobseeker/events", "invitations")
    card = second.page.locator(f"main section:has-text('{plan['names'][plan['first']]}')").first
    assert await card.locator("form[action$='/book']").count() == 0
    await submit(second, card.locator("form[action$='/wait']"), "waiting")

    # --- the first cancels: their calendar entry is cancelled, the slot goes to the second
    await first.goto("/jobseeker/events")
    card = first.page.locator(f"main section:has-text('{plan['names'][plan['first']]}')").first
    await submit(first, card.locator("form[action$='/cancel']"), "cancelled")
    await _deliver("event_cancelled", person1)
    cancelled = _calendar(smtp[-1])
    cancelled_event = next(iter(cancelled.walk("VEVENT")))
    assert str(cancelled["METHOD"]) == "CANCEL"
    assert str(cancelled_event["UID"]) == uid and int(cancelled_event["SEQUENCE"]) == 1
    await _deliver("event_waitlist", person2)
    assert str(_calendar(smtp[-1])["METHOD"]) == "REQUEST"
    await second.goto("/jobseeker/events", "got-the-slot")
    async with session_scope() as session:
        live = (
            (
                await session.execute(
                    select(EventBooking.entry_id).where(
                        EventBooking.event_id == event_id, EventBooking.status == "booked"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert [str(e) for e in live] == [entry2]

    # --- the employer marks the second interested: the shortlist entry moves
    async with session_scope() as session:
        before = await event_funnel(session)
    name = plan["names"][plan["first"]]
    interviews_before = int(before.loc[before["group"] == name, "interviews"].sum())
    employer = await journey("events-employer")
    await login_as(employer, plan["employer_user"], "login")
    await employer.goto("/employer/events", "events")
    await employer.goto(f"/employer/events/{event_id}", "tables")
    row = employer.page.locator("main tr:has(form[action$='/outcome'])").first
    await row.locator("input[name=attended][value='1']").check()
    await row.locator("select[name=outcome]").select_option("interested")
    await submit(employer, row.locator("form"), "interested")
    async with session_scope() as session:
        status = await session.scalar(
            select(ShortlistEntry.status).where(ShortlistEntry.id == entry2)
        )
        after = await event_funnel(session)
    assert status is EntryStatus.INTERVIEW
    assert int(after.loc[after["group"] == name, "interviews"].sum()) == interviews_before + 1

    # --- the manager's funnel counts it (small numbers are shown as "<5")
    manager = await journey("events-manager")
    await manager.login("manager")
    await manager.goto("/manager", "reports")
    table = manager.page.locator("main table:has(th:has-text('Kutsuttu'))").first
    row = table.locator(f"tr:has-text('{name}')").first
    assert await row.count() == 1
    cells = [c.strip() for c in await row.locator("td").all_inner_texts()]
    assert cells[-2] == "<5" or (cells[-2].isdigit() and int(cells[-2]) >= 1), cells

    # --- the coach sees the client's booking
    async with session_scope() as session:
        person = await session.scalar(
            select(Jobseeker).join(User, User.id == Jobseeker.user_id).where(User.email == person2)
        )
        assert person is not None
        client = person.id
        coach_email = (
            await session.scalar(select(User.email).where(User.id == person.coach_id))
            if person.coach_id
            else None
        )
    if coach_email:
        coach = await journey("events-coach")
        await login_as(coach, coach_email, "login")
        await coach.goto(f"/coach/clients/{client}", "client-events")
        assert await coach.page.locator("main .client-events li").count() >= 1
        coach.assert_clean()

    for walk_ in (walk, first, second, employer, manager):
        walk_.assert_clean()
