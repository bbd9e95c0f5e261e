"""Filling an event from matching: for each taking-part employer's vacancies, whom the
shortlist and the ranking propose to invite.

The shortlist's order is the ranking's. People are left out when they do not speak
any of the event's languages, when an event in person is beyond their travel limit,
and when they already have as many live invitations to coming events as the exposure
cap allows (the same cap that limits shortlists). People whose consent does not hold
yet are proposed too, after those who consented and marked: the coordinator asks for
consent on the board first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    Employer,
    EventEmployer,
    EventInvitation,
    EventStatus,
    InvitationStatus,
    Jobseeker,
    Municipality,
    ParticipationStatus,
    RecruitmentEvent,
    Shortlist,
    ShortlistEntry,
    User,
    Vacancy,
    VacancyStatus,
)
from kohtaanto.domain.events._access import event_to_run
from kohtaanto.domain.events._booking import CONSENT_HOLDS
from kohtaanto.domain.geo import haversine_km
from kohtaanto.domain.shortlists import ACTIVE
from kohtaanto.settings import get_settings

OPEN_INVITATIONS = (InvitationStatus.INVITED, InvitationStatus.BOOKED, InvitationStatus.WAITING)


@dataclass(frozen=True)
class Proposal:
    participant_id: UUID
    employer: str
    vacancy_id: UUID
    vacancy_title: str
    entry_id: UUID
    jobseeker_id: UUID
    name: str
    rank: int
    status: str
    consent: bool  # whether the person may be invited (and book) now


async def exposure(
    session: AsyncSession, jobseeker_ids: list[UUID], *, excluding_event: UUID, now: datetime
) -> dict[UUID, int]:
    """Live invitations of each person to other coming events."""
    if not jobseeker_ids:
        return {}
    rows = await session.execute(
        select(EventInvitation.jobseeker_id, func.count())
        .join(RecruitmentEvent, RecruitmentEvent.id == EventInvitation.event_id)
        .where(
            EventInvitation.jobseeker_id.in_(jobseeker_ids),
            EventInvitation.status.in_(OPEN_INVITATIONS),
            EventInvitation.event_id != excluding_event,
            RecruitmentEvent.starts_at > now,
            RecruitmentEvent.status.in_((EventStatus.DRAFT, EventStatus.PUBLISHED)),
        )
        .group_by(EventInvitation.jobseeker_id)
    )
    return {j: int(n) for j, n in rows.all()}


async def proposals(
    session: AsyncSession,
    user: User,
    event_id: UUID,
    *,
    per_vacancy: int = 20,
    now: datetime | None = None,
) -> list[Proposal]:
    """Whom to invite, per employer and vacancy, best ranked first."""
    now = now or datetime.now(UTC)
    event = await event_to_run(session, user, event_id)
    cap = get_settings().workflow.exposure_cap
    here = (
        await session.get(Municipality, event.municipality_id)
        if event.municipality_id and not event.online
        else None
    )
    participants = (
        await session.execute(
            select(EventEmployer, Employer.name)
            .join(Employer, Employer.id == EventEmployer.employer_id)
            .where(
                EventEmployer.event_id == event.id,
                EventEmployer.status != ParticipationStatus.DECLINED,
            )
            .order_by(Employer.name)
        )
    ).all()
    out: list[Proposal] = []
    for participant, employer_name in participants:
        vacancy_filter = (
            Vacancy.id.in_([UUID(v) for v in participant.vacancy_ids])
            if participant.vacancy_ids
            else Vacancy.status == VacancyStatus.OPEN
        )
        invited = set(
            await session.scalars(
                select(EventInvitation.jobseeker_id).where(
                    EventInvitation.participant_id == participant.id
                )
            )
        )
        rows = (
            await session.execute(
                select(ShortlistEntry, Vacancy.id, Vacancy.title, Jobseeker, User.name)
                .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
                .join(Vacancy, Vacancy.id == Shortlist.vacancy_id)
                .join(Jobseeker, Jobseeker.id == ShortlistEntry.jobseeker_id)
                .outerjoin(User, User.id == Jobseeker.user_id)
                .where(
                    Vacancy.employer_id == participant.employer_id,
                    vacancy_filter,
                    ShortlistEntry.status.in_(ACTIVE),
                    Jobseeker.available.is_(True),
                    Jobseeker.anonymised_at.is_(None),
                )
                .order_by(Vacancy.title, ShortlistEntry.rank)
            )
        ).all()
        # Those who may be invited now first, each group in the ranking's order.
        rows = sorted(rows, key=lambda r: (r[2], r[0].status not in CONSENT_HOLDS, r[0].rank))
        people = [j.id for _, _, _, j, _ in rows]
        counts = await exposure(session, people, excluding_event=event.id, now=now)
        per: dict[UUID, int] = {}
        seen: set[UUID] = set()
        for entry, vacancy_id, title, person, name in rows:
            if person.id in invited or person.id in seen:
                continue
            if per.get(vacancy_id, 0) >= per_vacancy:
                continue
            if event.languages and not set(event.languages) & set(person.languages or []):
                continue
            if here is not None:
                distance = haversine_km(
                    here.lat, here.lon, person.municipality.lat, person.municipality.lon
                )
                if distance > person.max_travel_km:
                    continue
            if counts.get(person.id, 0) >= cap:
                continue
            seen.add(person.id)
            per[vacancy_id] = per.get(vacancy_id, 0) + 1
            out.append(
                Proposal(
                    participant_id=participant.id,
                    employer=employer_name,
                    vacancy_id=vacancy_id,
                    vacancy_title=title,
                    entry_id=entry.id,
                    jobseeker_id=person.id,
                    name=name or "",
                    rank=entry.rank,
                    status=entry.status.value,
                    consent=entry.status in CONSENT_HOLDS,
                )
            )
    return out
