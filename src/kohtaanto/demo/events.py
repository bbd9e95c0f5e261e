"""Demo recruitment events: a past speed-interview day in Tampere with its check-ins and
outcomes, and an online one in ten days with open slots, both run by the named demo
coordinator with two of the employers they serve.

The people invited stand on small shortlists of those employers' vacancies with their
consent given (the worker's shortlist build later keeps these worked entries and adds
its own suggestions around them).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    Attendance,
    BookingStatus,
    Employer,
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
    Shortlist,
    ShortlistEntry,
    ShortlistEvent,
    SlotOutcome,
    User,
    Vacancy,
    VacancyStatus,
)
from kohtaanto.domain.disclosure import SHARED_FIELDS

S = EntryStatus


# The shortlist an event's seeded entries sit on before the worker ranks the vacancy:
# the demo still queues the vacancy (kohtaanto.demo.run.queue_shortlists), and the
# build keeps these worked entries and adds the model's suggestions.
EVENT_SHORTLIST_VERSION = "demo-event"


async def seed_events(
    session: AsyncSession, rng: random.Random, now: datetime, coordinator_email: str
) -> int:
    """Write the two demo events; returns how many were written (0 when the named
    coordinator serves fewer than two employers with open vacancies)."""
    coordinator = await session.scalar(select(User).where(User.email == coordinator_email))
    if coordinator is None:
        return 0
    rows = (
        await session.execute(
            select(Vacancy)
            .join(Employer, Employer.id == Vacancy.employer_id)
            .where(Employer.coordinator_id == coordinator.id, Vacancy.status == VacancyStatus.OPEN)
            .order_by(Employer.name, Vacancy.title)
        )
    ).scalars()
    first: dict[Any, Vacancy] = {}
    for vacancy in rows:
        first.setdefault(vacancy.employer_id, vacancy)
    chosen = list(first.values())[:2]
    if len(chosen) < 2:
        return 0
    tampere = await session.scalar(select(Municipality).where(Municipality.code == "837"))
    candidates = await session.execute(
        select(Jobseeker.id, Jobseeker.languages)
        .where(
            Jobseeker.visible_to_employers.is_(True),
            Jobseeker.available.is_(True),
            Jobseeker.user_id.is_not(None),
        )
        .order_by(Jobseeker.id)
        .limit(1000)
    )
    people = [j for j, languages in candidates.all() if "fi" in (languages or [])]
    rng.shuffle(people)
    per_vacancy = 6
    if len(people) < per_vacancy * 2 * len(chosen):
        return 0
    day = (now - timedelta(days=14)).replace(hour=8, minute=0, second=0, microsecond=0)
    past = RecruitmentEvent(
        title="Pikahaastattelupäivä: kauppa ja palvelut",
        description="Tapaa työnantajia 15 minuutin haastatteluissa.",
        kind=EventKind.SPEED_INTERVIEWS,
        online=False,
        place="Tampereen työllisyyspalvelut, Hämeenkatu 9",
        municipality_id=tampere.id if tampere else None,
        starts_at=day,
        ends_at=day + timedelta(hours=2),
        reply_deadline=day - timedelta(days=2),
        capacity=40,
        languages=["fi", "en"],
        status=EventStatus.COMPLETED,
        organiser_id=coordinator.id,
        sub_region=coordinator.sub_region,
    )
    soon = (now + timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0)
    upcoming = RecruitmentEvent(
        title="Etärekrytointi: pikahaastattelut verkossa",
        description="Haastattelut videoyhteydellä; linkki tulee varauksen mukana.",
        kind=EventKind.SPEED_INTERVIEWS,
        online=True,
        video_link="https://meet.example.fi/kohtaanto-etarekry",
        starts_at=soon,
        ends_at=soon + timedelta(hours=2),
        reply_deadline=soon - timedelta(days=2),
        capacity=30,
        languages=["fi"],
        status=EventStatus.PUBLISHED,
        organiser_id=coordinator.id,
        sub_region=coordinator.sub_region,
    )
    session.add_all([past, upcoming])
    await session.flush()
    cursor = 0
    for vacancy in chosen:
        shortlist = await session.scalar(
            select(Shortlist).where(Shortlist.vacancy_id == vacancy.id)
        )
        if shortlist is None:
            shortlist = Shortlist(
                vacancy_id=vacancy.id, model_version=EVENT_SHORTLIST_VERSION, retrieved=0
            )
            session.add(shortlist)
            await session.flush()
        for event, is_past in ((past, True), (upcoming, False)):
            participant = EventEmployer(
                event_id=event.id,
                employer_id=vacancy.employer_id,
                status=ParticipationStatus.CONFIRMED,
                vacancy_ids=[str(vacancy.id)],
                headcount=2,
                instruments=["wage_subsidy", "work_trial"] if is_past else ["apprenticeship"],
                slot_minutes=15,
                break_minutes=5,
                tables=1,
            )
            session.add(participant)
            await session.flush()
            slots = []
            at = event.starts_at
            while at + timedelta(minutes=15) <= event.ends_at:
                slot = EventSlot(
                    event_id=event.id,
                    participant_id=participant.id,
                    table_no=1,
                    starts_at=at,
                    ends_at=at + timedelta(minutes=15),
                )
                slots.append(slot)
                at += timedelta(minutes=20)
            session.add_all(slots)
            await session.flush()
            group = people[cursor : cursor + per_vacancy]
            cursor += per_vacancy
            booked = per_vacancy if is_past else 2
            for i, person in enumerate(group):
                outcome = None
                status = S.CONSENTED
                if is_past and i < booked:
                    outcome = SlotOutcome.INTERESTED if i % 3 == 0 else SlotOutcome.NOT_THIS_TIME
                    status = (
                        (S.HIRED if i == 0 else S.INTERVIEW)
                        if outcome is SlotOutcome.INTERESTED
                        else S.CONSENTED
                    )
                # Booked while the consent held; the hire is recorded after the event.
                entry = ShortlistEntry(
                    shortlist_id=shortlist.id,
                    jobseeker_id=person,
                    rank=100 + cursor + i,
                    score=0.5,
                    status=S.INTERVIEW if status is S.HIRED else status,
                    status_changed_at=now,
                    source="coordinator",
                    consent_requested_at=day - timedelta(days=10),
                    consent_answered_at=day - timedelta(days=9),
                    shared_at=now if status in (S.INTERVIEW, S.HIRED) else None,
                    shared_until=now + timedelta(days=30)
                    if status in (S.INTERVIEW, S.HIRED)
                    else None,
                    shared_fields=list(SHARED_FIELDS) if status in (S.INTERVIEW, S.HIRED) else [],
                )
                session.add(entry)
                await session.flush()
                session.add(
                    ShortlistEvent(
                        entry_id=entry.id,
                        from_status=S.CONSENT_REQUESTED,
                        to_status=S.CONSENTED,
                        at=day - timedelta(days=9),
                    )
                )
                invitation = EventInvitation(
                    event_id=event.id,
                    participant_id=participant.id,
                    jobseeker_id=person,
                    entry_id=entry.id,
                    status=InvitationStatus.BOOKED if i < booked else InvitationStatus.INVITED,
                    invited_by_id=coordinator.id,
                )
                session.add(invitation)
                await session.flush()
                if i >= booked:
                    continue
                slot = slots[i]
                session.add(
                    EventBooking(
                        event_id=event.id,
                        slot_id=slot.id,
                        invitation_id=invitation.id,
                        jobseeker_id=person,
                        entry_id=entry.id,
                        starts_at=slot.starts_at,
                        ends_at=slot.ends_at,
                        status=BookingStatus.BOOKED,
                        booked_by_id=coordinator.id,
                        attendance=(
                            Attendance.NO_SHOW
                            if is_past and i == booked - 1
                            else Attendance.ATTENDED
                        )
                        if is_past
                        else None,
                        outcome=outcome if is_past and i < booked - 1 else None,
                        outcome_reason="other_candidate"
                        if outcome is SlotOutcome.NOT_THIS_TIME and i < booked - 1
                        else None,
                    )
                )
                if status in (S.INTERVIEW, S.HIRED):
                    for frm, to in ((S.CONSENTED, S.SHARED), (S.SHARED, S.INTERVIEW)):
                        session.add(
                            ShortlistEvent(entry_id=entry.id, from_status=frm, to_status=to, at=day)
                        )
                    if status is S.HIRED:
                        await session.flush()
                        entry.status = S.HIRED
                        session.add(
                            ShortlistEvent(
                                entry_id=entry.id,
                                from_status=S.INTERVIEW,
                                to_status=S.HIRED,
                                at=day + timedelta(days=5),
                            )
                        )
            await session.flush()
    return 2
