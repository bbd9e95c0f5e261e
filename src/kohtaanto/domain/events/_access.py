"""Who may see and run an event, a slot, an invitation or a booking.

The organiser (a coordinator, or a coach for a group) runs their event; admins any.
An employer sees the events it takes part in, and published ones it may ask to join;
a jobseeker the events they are invited to; a coach those of their clients. Anyone
else gets a 404, so ids cannot be probed.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    EventBooking,
    EventEmployer,
    EventInvitation,
    EventSlot,
    EventStatus,
    Jobseeker,
    RecruitmentEvent,
    Role,
    User,
)
from kohtaanto.domain.errors import Forbidden, NotFound
from kohtaanto.i18n import N_

ORGANISERS = frozenset({Role.COORDINATOR, Role.COACH, Role.ADMIN})


def _not_found(what: str) -> NotFound:
    return NotFound("event_not_found", N_("No such event: {what}"), what=what)


def visible_events(user: User) -> Select[tuple[RecruitmentEvent]]:
    """The events ``user`` may read."""
    query = select(RecruitmentEvent)
    if user.role is Role.ADMIN:
        return query
    if user.role in (Role.COORDINATOR, Role.COACH):
        mine = RecruitmentEvent.organiser_id == user.id
        if user.role is Role.COACH:
            clients = (
                select(EventInvitation.event_id)
                .join(Jobseeker, Jobseeker.id == EventInvitation.jobseeker_id)
                .where(Jobseeker.coach_id == user.id)
            )
            return query.where(or_(mine, RecruitmentEvent.id.in_(clients)))
        return query.where(mine)
    if user.role is Role.EMPLOYER:
        taking_part = exists().where(
            EventEmployer.event_id == RecruitmentEvent.id,
            EventEmployer.employer_id == user.employer_id,
        )
        return query.where(or_(taking_part, RecruitmentEvent.status == EventStatus.PUBLISHED))
    if user.role is Role.JOBSEEKER:
        invited = (
            select(EventInvitation.event_id)
            .join(Jobseeker, Jobseeker.id == EventInvitation.jobseeker_id)
            .where(Jobseeker.user_id == user.id)
        )
        return query.where(
            RecruitmentEvent.id.in_(invited), RecruitmentEvent.status != EventStatus.DRAFT
        )
    return query.where(RecruitmentEvent.id.is_(None))  # managers: reports only


async def event_for(session: AsyncSession, user: User, event_id: UUID) -> RecruitmentEvent:
    """The event if ``user`` may read it, else ``NotFound``."""
    event = await session.scalar(visible_events(user).where(RecruitmentEvent.id == event_id))
    if event is None:
        raise _not_found("event")
    return event


def runs(user: User, event: RecruitmentEvent) -> bool:
    return user.role is Role.ADMIN or (user.role in ORGANISERS and event.organiser_id == user.id)


async def event_to_run(
    session: AsyncSession, user: User, event_id: UUID, *, lock: bool = False
) -> RecruitmentEvent:
    """The event if ``user`` organises it (admins any); 404 to everyone else."""
    query = select(RecruitmentEvent).where(RecruitmentEvent.id == event_id)
    if lock:
        query = query.with_for_update(of=RecruitmentEvent)
    event = await session.scalar(query)
    if event is None or not runs(user, event):
        raise _not_found("event")
    return event


async def slot_for(
    session: AsyncSession, user: User, slot_id: UUID, *, lock: bool = False
) -> tuple[EventSlot, EventEmployer, RecruitmentEvent]:
    """A slot with its employer and event, for the organiser or the slot's employer."""
    query = (
        select(EventSlot, EventEmployer, RecruitmentEvent)
        .join(EventEmployer, EventEmployer.id == EventSlot.participant_id)
        .join(RecruitmentEvent, RecruitmentEvent.id == EventSlot.event_id)
        .where(EventSlot.id == slot_id)
    )
    if lock:
        query = query.with_for_update(of=EventSlot)
    row = (await session.execute(query)).first()
    if row is None:
        raise _not_found("slot")
    slot, participant, event = row
    if not (runs(user, event) or participant.employer_id == _employer(user)):
        raise _not_found("slot")
    return slot, participant, event


def _employer(user: User) -> UUID | None:
    return user.employer_id if user.role is Role.EMPLOYER else None


async def invitation_for(
    session: AsyncSession, user: User, invitation_id: UUID, *, lock: bool = False
) -> tuple[EventInvitation, Jobseeker, RecruitmentEvent]:
    """An invitation, for the person invited, the event's organiser (admins any)."""
    query = (
        select(EventInvitation, Jobseeker, RecruitmentEvent)
        .join(Jobseeker, Jobseeker.id == EventInvitation.jobseeker_id)
        .join(RecruitmentEvent, RecruitmentEvent.id == EventInvitation.event_id)
        .where(EventInvitation.id == invitation_id)
    )
    if lock:
        query = query.with_for_update(of=EventInvitation)
    row = (await session.execute(query)).first()
    if row is None:
        raise _not_found("invitation")
    invitation, person, event = row
    if not (runs(user, event) or (user.role is Role.JOBSEEKER and person.user_id == user.id)):
        raise _not_found("invitation")
    return invitation, person, event


async def booking_for(
    session: AsyncSession, user: User, booking_id: UUID, *, lock: bool = False
) -> tuple[EventBooking, Jobseeker, EventEmployer, RecruitmentEvent]:
    """A booking, for its person, the slot's employer and the organiser (admins any)."""
    query = (
        select(EventBooking, Jobseeker, EventEmployer, RecruitmentEvent)
        .join(Jobseeker, Jobseeker.id == EventBooking.jobseeker_id)
        .join(EventSlot, EventSlot.id == EventBooking.slot_id)
        .join(EventEmployer, EventEmployer.id == EventSlot.participant_id)
        .join(RecruitmentEvent, RecruitmentEvent.id == EventBooking.event_id)
        .where(EventBooking.id == booking_id)
    )
    if lock:
        query = query.with_for_update(of=EventBooking)
    row = (await session.execute(query)).first()
    if row is None:
        raise _not_found("booking")
    booking, person, participant, event = row
    allowed = (
        runs(user, event)
        or (user.role is Role.JOBSEEKER and person.user_id == user.id)
        or participant.employer_id == _employer(user)
    )
    if not allowed:
        raise _not_found("booking")
    return booking, person, participant, event


def require_organiser(user: User) -> None:
    if user.role not in ORGANISERS:
        raise Forbidden()
