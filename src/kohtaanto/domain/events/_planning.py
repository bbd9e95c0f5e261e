"""Planning an event: its details and status, the employers taking part and their slots."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    Employer,
    EmployerStatus,
    EventBooking,
    EventEmployer,
    EventKind,
    EventSlot,
    EventStatus,
    Municipality,
    ParticipationStatus,
    RecruitmentEvent,
    Role,
    User,
    Vacancy,
)
from kohtaanto.domain.errors import DomainError, Forbidden, NotFound
from kohtaanto.domain.events._access import event_for, event_to_run, require_organiser
from kohtaanto.i18n import N_

E = EventStatus
# (from, to): the status moves of an event.
STATUS_MOVES = {
    (E.DRAFT, E.PUBLISHED),
    (E.DRAFT, E.CANCELLED),
    (E.PUBLISHED, E.COMPLETED),
    (E.PUBLISHED, E.CANCELLED),
}
INSTRUMENTS = ("wage_subsidy", "work_trial", "apprenticeship")
LANGUAGES = ("fi", "sv", "en")
MAX_SLOTS_PER_TABLE = 96


def _invalid(field_name: str, code: str, message: str, **params: object) -> DomainError:
    return DomainError(code, message, field=field_name, **params)


@dataclass
class EventFields:
    """What the organiser types when planning an event."""

    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    reply_deadline: datetime
    capacity: int
    online: bool = False
    place: str | None = None
    municipality_code: str | None = None
    video_link: str | None = None
    languages: list[str] = field(default_factory=lambda: ["fi"])
    description: str = ""


async def _check(session: AsyncSession, f: EventFields) -> int | None:
    """Validate ``f``; returns the municipality's id (None online)."""
    for name in ("title", "place", "video_link", "description"):
        if "\x00" in (getattr(f, name) or ""):
            raise _invalid(name, "invalid", N_("Remove the control characters"))
    if not f.title.strip() or len(f.title) > 255:
        raise _invalid("title", "required", N_("Give a title of at most 255 characters"))
    if f.kind not in {k.value for k in EventKind}:
        raise _invalid("kind", "invalid", N_("Choose the kind of event"))
    for name in ("starts_at", "ends_at", "reply_deadline"):
        if getattr(f, name).tzinfo is None:
            raise _invalid(name, "invalid", N_("Give a time with its time zone"))
    now = datetime.now(UTC)
    if not now - timedelta(days=366) <= f.starts_at <= now + timedelta(days=3 * 366):
        raise _invalid("starts_at", "out_of_range", N_("Plan the event within three years"))
    if f.ends_at <= f.starts_at:
        raise _invalid("ends_at", "before_start", N_("The event must end after it starts"))
    if f.ends_at - f.starts_at > timedelta(days=3):
        raise _invalid("ends_at", "too_long", N_("An event lasts at most three days"))
    if f.reply_deadline > f.starts_at:
        raise _invalid(
            "reply_deadline", "after_start", N_("The reply deadline must be before the event")
        )
    if not 1 <= f.capacity <= 5000:
        raise _invalid("capacity", "invalid", N_("Capacity is between 1 and 5000 people"))
    if not f.languages or any(lang not in LANGUAGES for lang in f.languages):
        raise _invalid("languages", "invalid", N_("Choose the event's languages (fi, sv, en)"))
    if len(f.description) > 5000:
        raise _invalid("description", "too_long", N_("The description is too long"))
    if f.online:
        link = (f.video_link or "").strip()
        if not link.startswith("https://") or len(link) > 1024 or any(c.isspace() for c in link):
            raise _invalid(
                "video_link", "invalid", N_("An online event needs a video link (https://…)")
            )
        return None
    if not (f.place or "").strip() or len(f.place or "") > 255:
        raise _invalid("place", "required", N_("An event in person needs a place"))
    municipality = await session.scalar(
        select(Municipality.id).where(Municipality.code == (f.municipality_code or ""))
    )
    if municipality is None:
        raise _invalid("municipality_code", "invalid", N_("Choose the municipality"))
    return municipality


async def create_event(session: AsyncSession, user: User, f: EventFields) -> RecruitmentEvent:
    """A new event in draft, organised by ``user`` (a coordinator, or a coach for a group)."""
    require_organiser(user)
    municipality_id = await _check(session, f)
    event = RecruitmentEvent(
        title=f.title.strip(),
        description=f.description.strip(),
        kind=EventKind(f.kind),
        online=f.online,
        place=None if f.online else (f.place or "").strip(),
        municipality_id=municipality_id,
        video_link=(f.video_link or "").strip() if f.online else None,
        starts_at=f.starts_at,
        ends_at=f.ends_at,
        reply_deadline=f.reply_deadline,
        capacity=f.capacity,
        languages=list(dict.fromkeys(f.languages)),
        status=E.DRAFT,
        organiser_id=user.id,
        sub_region=user.sub_region,
    )
    session.add(event)
    await session.flush()
    return event


async def set_status(
    session: AsyncSession, user: User, event_id: UUID, to: str
) -> RecruitmentEvent:
    """Publish, complete or cancel an event; cancelling cancels its bookings too."""
    event = await event_to_run(session, user, event_id, lock=True)
    if to not in {s.value for s in EventStatus}:
        raise _invalid("status", "invalid", N_("Choose a status"))
    target = EventStatus(to)
    if (event.status, target) not in STATUS_MOVES:
        raise _invalid(
            "status",
            "not_allowed",
            N_("An event that is {current} cannot become {target}"),
            current=event.status.value,
            target=target.value,
        )
    if target is E.COMPLETED and datetime.now(UTC) < event.starts_at:
        raise _invalid("status", "not_started", N_("An event can be completed once it has begun"))
    event.status = target
    if target is E.CANCELLED:
        from kohtaanto.domain.events._booking import cancel_all

        await cancel_all(session, event, user)
    if target is E.PUBLISHED:
        from kohtaanto.domain.events._notify import tell_employers

        await tell_employers(session, event)
    return event


@dataclass
class Needs:
    """What an employer brings to an event: its vacancies, headcount, instruments, tables."""

    vacancy_ids: list[UUID] = field(default_factory=list)
    headcount: int = 1
    instruments: list[str] = field(default_factory=list)
    slot_minutes: int = 15
    break_minutes: int = 5
    tables: int = 1


async def _check_needs(session: AsyncSession, employer_id: UUID, needs: Needs) -> None:
    if not 1 <= needs.headcount <= 500:
        raise _invalid("headcount", "invalid", N_("Headcount is between 1 and 500"))
    if any(i not in INSTRUMENTS for i in needs.instruments):
        raise _invalid("instruments", "invalid", N_("Unknown support instrument"))
    if not 5 <= needs.slot_minutes <= 240:
        raise _invalid("slot_minutes", "invalid", N_("A slot lasts 5 to 240 minutes"))
    if not 0 <= needs.break_minutes <= 120:
        raise _invalid("break_minutes", "invalid", N_("A break lasts 0 to 120 minutes"))
    if not 1 <= needs.tables <= 20:
        raise _invalid("tables", "invalid", N_("An employer has 1 to 20 tables"))
    if needs.vacancy_ids:
        found = set(
            await session.scalars(
                select(Vacancy.id).where(
                    Vacancy.id.in_(needs.vacancy_ids), Vacancy.employer_id == employer_id
                )
            )
        )
        if found != set(needs.vacancy_ids):
            raise _invalid("vacancy_ids", "invalid", N_("Choose vacancies of this employer"))


def _apply_needs(participant: EventEmployer, needs: Needs) -> None:
    participant.vacancy_ids = [str(v) for v in dict.fromkeys(needs.vacancy_ids)]
    participant.headcount = needs.headcount
    participant.instruments = list(dict.fromkeys(needs.instruments))
    participant.slot_minutes = needs.slot_minutes
    participant.break_minutes = needs.break_minutes
    participant.tables = needs.tables


async def add_employer(
    session: AsyncSession, user: User, event_id: UUID, employer_id: UUID, needs: Needs
) -> EventEmployer:
    """The organiser invites an employer (one they serve; a coach or admin any approved
    one) with its needs; its slots are made at once from the event's time."""
    event = await event_to_run(session, user, event_id, lock=True)
    if event.status not in (E.DRAFT, E.PUBLISHED):
        raise _invalid("status", "closed", N_("This event no longer takes employers"))
    employer = await session.get(Employer, employer_id)
    if (
        employer is None
        or employer.status is not EmployerStatus.APPROVED
        or (user.role is Role.COORDINATOR and employer.coordinator_id != user.id)
    ):
        raise _invalid("employer_id", "invalid", N_("Choose an approved employer you serve"))
    await _check_needs(session, employer_id, needs)
    participant = await session.scalar(
        select(EventEmployer).where(
            EventEmployer.event_id == event.id, EventEmployer.employer_id == employer_id
        )
    )
    if participant is None:
        participant = EventEmployer(
            event_id=event.id, employer_id=employer_id, status=ParticipationStatus.INVITED
        )
        session.add(participant)
    elif participant.status is ParticipationStatus.REQUESTED:
        participant.status = ParticipationStatus.CONFIRMED
    _apply_needs(participant, needs)
    await session.flush()
    await make_slots(session, event, participant)
    from kohtaanto.domain.events._notify import tell_employer

    await tell_employer(session, event, participant)
    return participant


async def employer_answer(
    session: AsyncSession, user: User, event_id: UUID, needs: Needs, *, take_part: bool = True
) -> EventEmployer:
    """The employer accepts an invitation, asks to take part in a published event, or
    declines; with its needs."""
    if user.role is not Role.EMPLOYER:
        raise Forbidden()
    if user.employer_id is None:
        raise NotFound()
    event = await event_for(session, user, event_id)
    if event.status not in (E.DRAFT, E.PUBLISHED) or event.starts_at <= datetime.now(UTC):
        raise _invalid("status", "closed", N_("This event no longer takes employers"))
    await _check_needs(session, user.employer_id, needs)
    participant = await session.scalar(
        select(EventEmployer)
        .where(EventEmployer.event_id == event.id, EventEmployer.employer_id == user.employer_id)
        .with_for_update(of=EventEmployer)
    )
    if participant is None:
        if not take_part:
            raise _invalid("take_part", "not_invited", N_("Your organisation is not invited"))
        participant = EventEmployer(
            event_id=event.id,
            employer_id=user.employer_id,
            status=ParticipationStatus.REQUESTED,
        )
        session.add(participant)
    elif not take_part:
        participant.status = ParticipationStatus.DECLINED
    elif participant.status in (ParticipationStatus.INVITED, ParticipationStatus.DECLINED):
        participant.status = ParticipationStatus.CONFIRMED
    _apply_needs(participant, needs)
    await session.flush()
    if participant.status is ParticipationStatus.CONFIRMED:
        await make_slots(session, event, participant)
    return participant


async def make_slots(
    session: AsyncSession, event: RecruitmentEvent, participant: EventEmployer
) -> int:
    """The employer's slots from the event's start to its end: ``slot_minutes`` each,
    ``break_minutes`` between them, at each of its parallel tables. Slots already
    made stay (a booked one is never moved by this); returns how many were added."""
    existing = set(
        (
            await session.execute(
                select(EventSlot.table_no, EventSlot.starts_at).where(
                    EventSlot.participant_id == participant.id
                )
            )
        ).all()
    )
    length = timedelta(minutes=participant.slot_minutes)
    step = length + timedelta(minutes=participant.break_minutes)
    added = 0
    for table in range(1, participant.tables + 1):
        at = event.starts_at
        count = 0
        while at + length <= event.ends_at and count < MAX_SLOTS_PER_TABLE:
            if (table, at) not in existing:
                session.add(
                    EventSlot(
                        event_id=event.id,
                        participant_id=participant.id,
                        table_no=table,
                        starts_at=at,
                        ends_at=at + length,
                    )
                )
                added += 1
            at += step
            count += 1
    await session.flush()
    return added


async def live_bookings(session: AsyncSession, event_id: UUID) -> int:
    """How many people hold a live booking at the event (against its capacity)."""
    from kohtaanto.db.models import BookingStatus

    return int(
        await session.scalar(
            select(func.count(func.distinct(EventBooking.jobseeker_id))).where(
                EventBooking.event_id == event_id, EventBooking.status == BookingStatus.BOOKED
            )
        )
        or 0
    )
