"""What the pages and the API read: an organiser's slot board, an employer's tables,
a jobseeker's invitations and a coach's view of their clients'."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    BookingStatus,
    Employer,
    EventBooking,
    EventEmployer,
    EventInvitation,
    EventSlot,
    Jobseeker,
    ParticipationStatus,
    RecruitmentEvent,
    Role,
    Shortlist,
    ShortlistEntry,
    User,
)
from kohtaanto.domain import shortlists
from kohtaanto.domain.errors import Forbidden, NotFound
from kohtaanto.domain.events._access import event_for, event_to_run, visible_events

LIVE = BookingStatus.BOOKED


@dataclass
class SlotRow:
    slot: EventSlot
    booking: EventBooking | None
    name: str | None


@dataclass
class Table:
    participant: EventEmployer
    employer: str
    slots: list[SlotRow] = field(default_factory=list)
    waiting: list[tuple[EventInvitation, str]] = field(default_factory=list)

    @property
    def free(self) -> int:
        return sum(1 for s in self.slots if s.booking is None)


@dataclass
class Board:
    event: RecruitmentEvent
    tables: list[Table]
    invitations: list[dict[str, Any]]

    @property
    def booked(self) -> int:
        return sum(1 for t in self.tables for s in t.slots if s.booking is not None)


async def list_events(session: AsyncSession, user: User) -> list[RecruitmentEvent]:
    return list(
        await session.scalars(visible_events(user).order_by(RecruitmentEvent.starts_at.desc()))
    )


async def _tables(
    session: AsyncSession, event: RecruitmentEvent, employer_id: UUID | None = None
) -> list[Table]:
    query = (
        select(EventEmployer, Employer.name)
        .join(Employer, Employer.id == EventEmployer.employer_id)
        .where(EventEmployer.event_id == event.id)
        .order_by(Employer.name)
    )
    if employer_id is not None:
        query = query.where(EventEmployer.employer_id == employer_id)
    tables = [Table(p, name) for p, name in (await session.execute(query)).all()]
    by_id = {t.participant.id: t for t in tables}
    if not tables:
        return tables
    rows = (
        await session.execute(
            select(EventSlot, EventBooking, User.name)
            .outerjoin(
                EventBooking,
                (EventBooking.slot_id == EventSlot.id) & (EventBooking.status == LIVE),
            )
            .outerjoin(Jobseeker, Jobseeker.id == EventBooking.jobseeker_id)
            .outerjoin(User, User.id == Jobseeker.user_id)
            .where(EventSlot.participant_id.in_(by_id))
            .order_by(EventSlot.starts_at, EventSlot.table_no)
        )
    ).all()
    for slot, booking, name in rows:
        by_id[slot.participant_id].slots.append(SlotRow(slot, booking, name))
    waiting = (
        await session.execute(
            select(EventInvitation, User.name)
            .join(Jobseeker, Jobseeker.id == EventInvitation.jobseeker_id)
            .outerjoin(User, User.id == Jobseeker.user_id)
            .where(
                EventInvitation.participant_id.in_(by_id),
                EventInvitation.status == "waiting",
            )
            .order_by(EventInvitation.waiting_since)
        )
    ).all()
    for invitation, name in waiting:
        by_id[invitation.participant_id].waiting.append((invitation, name or ""))
    return tables


async def board(session: AsyncSession, user: User, event_id: UUID) -> Board:
    """The organiser's view: every employer's tables with their slots, bookings and
    waiting list, and everyone invited."""
    event = await event_to_run(session, user, event_id)
    tables = await _tables(session, event)
    rows = (
        await session.execute(
            select(EventInvitation, User.name, Employer.name)
            .join(Jobseeker, Jobseeker.id == EventInvitation.jobseeker_id)
            .outerjoin(User, User.id == Jobseeker.user_id)
            .join(EventEmployer, EventEmployer.id == EventInvitation.participant_id)
            .join(Employer, Employer.id == EventEmployer.employer_id)
            .where(EventInvitation.event_id == event.id)
            .order_by(Employer.name, User.name)
        )
    ).all()
    invitations = [
        {"invitation": i, "name": name or "", "employer": employer} for i, name, employer in rows
    ]
    return Board(event, tables, invitations)


async def employer_tables(
    session: AsyncSession, user: User, event_id: UUID
) -> tuple[RecruitmentEvent, Table | None]:
    """The employer's own tables at an event (None until it takes part). Seeing the
    booked people's names is logged in their access log, as any profile view."""
    if user.role is not Role.EMPLOYER:
        raise Forbidden()
    if user.employer_id is None:
        raise NotFound()
    event = await event_for(session, user, event_id)
    tables = await _tables(session, event, user.employer_id)
    table = tables[0] if tables else None
    if table is not None:
        booked = [s.booking for s in table.slots if s.booking is not None]
        if booked:
            employer = await session.get(Employer, user.employer_id)
            rows = await session.execute(
                select(ShortlistEntry.jobseeker_id, Shortlist.vacancy_id)
                .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
                .where(ShortlistEntry.id.in_([b.entry_id for b in booked]))
            )
            vacancies: dict[UUID, UUID] = {j: v for j, v in rows.all()}
            for b in booked:
                await shortlists.log_views(
                    session,
                    user,
                    employer.name if employer else "",
                    [b.jobseeker_id],
                    vacancy_id=vacancies.get(b.jobseeker_id),
                )
    return event, table


async def my_invitations(session: AsyncSession, user: User) -> list[dict[str, Any]]:
    """A jobseeker's invitations: the event, the employer, their booking and the free
    slots they could take."""
    person = await session.scalar(select(Jobseeker).where(Jobseeker.user_id == user.id))
    if person is None:
        return []
    rows = (
        await session.execute(
            select(EventInvitation, RecruitmentEvent, EventEmployer, Employer.name)
            .join(RecruitmentEvent, RecruitmentEvent.id == EventInvitation.event_id)
            .join(EventEmployer, EventEmployer.id == EventInvitation.participant_id)
            .join(Employer, Employer.id == EventEmployer.employer_id)
            .where(
                EventInvitation.jobseeker_id == person.id,
                RecruitmentEvent.status != "draft",
            )
            .order_by(RecruitmentEvent.starts_at.desc(), Employer.name)
        )
    ).all()
    now = datetime.now(UTC)
    out = []
    for invitation, event, participant, employer in rows:
        booking = await session.scalar(
            select(EventBooking).where(
                EventBooking.invitation_id == invitation.id, EventBooking.status == LIVE
            )
        )
        free: list[EventSlot] = []
        if booking is None and event.status.value == "published" and event.starts_at > now:
            taken = select(EventBooking.slot_id).where(EventBooking.status == LIVE)
            free = list(
                await session.scalars(
                    select(EventSlot)
                    .where(
                        EventSlot.participant_id == participant.id,
                        EventSlot.starts_at > now,
                        EventSlot.id.not_in(taken),
                    )
                    .order_by(EventSlot.starts_at, EventSlot.table_no)
                    .limit(40)
                )
            )
        out.append(
            {
                "invitation": invitation,
                "event": event,
                "employer": employer,
                "booking": booking,
                "free": free,
                "open": event.status.value == "published"
                and now <= event.reply_deadline
                and participant.status is not ParticipationStatus.DECLINED,
            }
        )
    return out


async def client_events(
    session: AsyncSession, user: User, jobseeker_id: UUID
) -> list[dict[str, Any]]:
    """A coach's client's invitations and bookings (the coach page shows them)."""
    person = await session.get(Jobseeker, jobseeker_id)
    if person is None or (user.role is not Role.ADMIN and person.coach_id != user.id):
        raise NotFound()
    rows = (
        await session.execute(
            select(EventInvitation, RecruitmentEvent, Employer.name, EventBooking)
            .join(RecruitmentEvent, RecruitmentEvent.id == EventInvitation.event_id)
            .join(EventEmployer, EventEmployer.id == EventInvitation.participant_id)
            .join(Employer, Employer.id == EventEmployer.employer_id)
            .outerjoin(
                EventBooking,
                (EventBooking.invitation_id == EventInvitation.id) & (EventBooking.status == LIVE),
            )
            .where(EventInvitation.jobseeker_id == jobseeker_id)
            .order_by(RecruitmentEvent.starts_at.desc())
        )
    ).all()
    return [{"invitation": i, "event": e, "employer": name, "booking": b} for i, e, name, b in rows]
