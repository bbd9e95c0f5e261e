"""Recruitment events for the tenants of tests/tenants.py, and people who consented to
meet a tenant's employer: the objects the event tests and the access matrices use."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import select

from kohtaanto.db import session_scope
from kohtaanto.db.models import (
    BookingStatus,
    EducationLevel,
    EntryStatus,
    EventBooking,
    EventEmployer,
    EventInvitation,
    EventKind,
    EventSlot,
    EventStatus,
    InvitationStatus,
    Jobseeker,
    Municipality,
    ParticipationStatus,
    RecruitmentEvent,
    Role,
    Shortlist,
    ShortlistEntry,
    User,
)
from tests.conftest import _PASSWORD_HASH as PASSWORD_HASH


async def add_events(tenants: dict) -> None:  # type: ignore[type-arg]
    """Each tenant's coordinator runs a published online event tomorrow where the
    tenant's employer has two slots; the tenant's jobseeker is invited and booked the
    first."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    async with session_scope() as session:
        for tenant in tenants.values():
            event = RecruitmentEvent(
                title=f"Pikahaastattelut {tenant.name.upper()}",
                kind=EventKind.SPEED_INTERVIEWS,
                online=True,
                video_link="https://meet.example.fi/kohtaanto",
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                reply_deadline=start - timedelta(hours=2),
                capacity=20,
                languages=["fi"],
                status=EventStatus.PUBLISHED,
                organiser_id=tenant.users[Role.COORDINATOR].id,
            )
            session.add(event)
            await session.flush()
            participant = EventEmployer(
                event_id=event.id,
                employer_id=tenant.employer_id,
                status=ParticipationStatus.CONFIRMED,
                vacancy_ids=[str(tenant.vacancy_id)],
            )
            session.add(participant)
            await session.flush()
            slots = [
                EventSlot(
                    event_id=event.id,
                    participant_id=participant.id,
                    table_no=1,
                    starts_at=start + timedelta(minutes=20 * i),
                    ends_at=start + timedelta(minutes=20 * i + 15),
                )
                for i in range(2)
            ]
            session.add_all(slots)
            invitation = EventInvitation(
                event_id=event.id,
                participant_id=participant.id,
                jobseeker_id=tenant.jobseeker_id,
                entry_id=tenant.entry_id,
                status=InvitationStatus.BOOKED,
            )
            session.add(invitation)
            await session.flush()
            booking = EventBooking(
                event_id=event.id,
                slot_id=slots[0].id,
                invitation_id=invitation.id,
                jobseeker_id=tenant.jobseeker_id,
                entry_id=tenant.entry_id,
                starts_at=slots[0].starts_at,
                ends_at=slots[0].ends_at,
                status=BookingStatus.BOOKED,
            )
            session.add(booking)
            await session.flush()
            tenant.event_id, tenant.slot_id = event.id, slots[0].id
            tenant.invitation_id, tenant.booking_id = invitation.id, booking.id


async def consenting_people(
    vacancy_id: UUID,
    n: int,
    *,
    status: EntryStatus = EntryStatus.CONSENTED,
    languages: tuple[str, ...] = ("fi",),
    municipality_code: str = "837",
    max_travel_km: int = 40,
) -> list[tuple[User, UUID, UUID]]:
    """``n`` jobseekers (with accounts) on the vacancy's shortlist whose entries are in
    ``status``: (user, jobseeker id, entry id) each."""
    out = []
    now = datetime.now(UTC)
    async with session_scope() as session:
        shortlist = await session.scalar(
            select(Shortlist).where(Shortlist.vacancy_id == vacancy_id)
        )
        home = await session.scalar(
            select(Municipality).where(Municipality.code == municipality_code)
        )
        assert shortlist is not None and home is not None
        for i in range(n):
            user = User(
                role=Role.JOBSEEKER,
                email=f"js-{uuid.uuid4().hex[:8]}@example.fi",
                name=f"Hakija {i + 1}",
                password_hash=PASSWORD_HASH,
            )
            session.add(user)
            await session.flush()
            person = Jobseeker(
                user_id=user.id,
                municipality_id=home.id,
                max_travel_km=max_travel_km,
                languages=list(languages),
                education=EducationLevel.UPPER_SECONDARY,
                birth_year=1991,
                visible_to_employers=True,
            )
            session.add(person)
            await session.flush()
            entry = ShortlistEntry(
                shortlist_id=shortlist.id,
                jobseeker_id=person.id,
                rank=10 + i,
                score=0.5,
                status=status,
                status_changed_at=now,
                consent_requested_at=now,
                consent_answered_at=now if status is EntryStatus.CONSENTED else None,
            )
            session.add(entry)
            await session.flush()
            out.append((user, person.id, entry.id))
    return out
