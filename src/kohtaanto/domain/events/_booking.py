"""Invitations, bookings, the waiting list, check-in and outcomes.

Every write locks the event row first, then the shortlist entry (for share), the
invitation or booking and the slot, in that order (taking consent back locks the entry,
then its bookings and invitations, and never the event). The database has the
last word on double booking (a unique index on a slot's live booking, an exclusion
constraint on a person's overlapping live bookings) and on consent (a trigger): a
refusal there becomes a ``Conflict`` or a ``DomainError`` with its code, never a 500.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import and_, exists, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    Attendance,
    BookingStatus,
    EntryStatus,
    EventBooking,
    EventEmployer,
    EventInvitation,
    EventSlot,
    EventStatus,
    InvitationStatus,
    ParticipationStatus,
    RecruitmentEvent,
    Role,
    Shortlist,
    ShortlistEntry,
    SlotOutcome,
    User,
    Vacancy,
)
from kohtaanto.domain import shortlists
from kohtaanto.domain.errors import Conflict, DomainError, Forbidden
from kohtaanto.domain.events import _notify
from kohtaanto.domain.events._access import (
    booking_for,
    event_to_run,
    invitation_for,
    runs,
)
from kohtaanto.domain.events._planning import live_bookings
from kohtaanto.domain.events.plan import add_to_client_plan, cancel_in_client_plan
from kohtaanto.i18n import N_

S = EntryStatus
# The entry statuses in which the person's consent to meet the employer holds.
CONSENT_HOLDS = frozenset({S.CONSENTED, S.SHARED, S.INTERVIEW})
LIVE = BookingStatus.BOOKED


def _no_consent() -> DomainError:
    return DomainError(
        "no_consent",
        N_("This jobseeker has not agreed to meet this employer"),
        field="entry_id",
    )


async def _lock_event(session: AsyncSession, event_id: UUID) -> RecruitmentEvent:
    event = await session.scalar(
        select(RecruitmentEvent)
        .where(RecruitmentEvent.id == event_id)
        .with_for_update(of=RecruitmentEvent)
    )
    assert event is not None
    return event


# ------------------------------------------------------------------------ invitations


async def invite(
    session: AsyncSession, user: User, event_id: UUID, entry_ids: Sequence[UUID]
) -> list[EventInvitation]:
    """Invite the people of these shortlist entries to meet the entry's employer at the
    event. Only people whose consent holds are invited (ask for consent on the board
    first); someone already invited to meet that employer is not invited twice."""
    await event_to_run(session, user, event_id)
    event = await _lock_event(session, event_id)
    if event.status is not EventStatus.PUBLISHED:
        raise DomainError(
            "not_published", N_("Publish the event before inviting people"), field="status"
        )
    if not entry_ids:
        raise DomainError("required", N_("Choose whom to invite"), field="entry_ids")
    rows = (
        await session.execute(
            select(ShortlistEntry, Vacancy.employer_id)
            .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
            .join(Vacancy, Vacancy.id == Shortlist.vacancy_id)
            .where(ShortlistEntry.id.in_(entry_ids))
            .with_for_update(of=ShortlistEntry, read=True)
        )
    ).all()
    if len(rows) != len(set(entry_ids)):
        raise DomainError("invalid", N_("No such shortlist entry"), field="entry_ids")
    order = {e: i for i, e in enumerate(entry_ids)}
    rows = sorted(rows, key=lambda r: order[r[0].id])
    participants = {
        p.employer_id: p
        for p in await session.scalars(
            select(EventEmployer).where(
                EventEmployer.event_id == event.id,
                EventEmployer.status != ParticipationStatus.DECLINED,
            )
        )
    }
    made = []
    for entry, employer_id in rows:
        participant = participants.get(employer_id)
        if participant is None:
            raise DomainError(
                "employer_not_taking_part",
                N_("The employer of this vacancy does not take part in the event"),
                field="entry_ids",
            )
        if entry.status not in CONSENT_HOLDS:
            raise _no_consent()
        already = await session.scalar(
            select(EventInvitation.id).where(
                EventInvitation.participant_id == participant.id,
                EventInvitation.jobseeker_id == entry.jobseeker_id,
            )
        )
        if already is not None:
            continue
        invitation = EventInvitation(
            event_id=event.id,
            participant_id=participant.id,
            jobseeker_id=entry.jobseeker_id,
            entry_id=entry.id,
            status=InvitationStatus.INVITED,
            invited_by_id=user.id,
        )
        session.add(invitation)
        await session.flush()
        await _notify.tell_invited(session, invitation, event)
        made.append(invitation)
    return made


# --------------------------------------------------------------------------- booking


async def _free_slot(
    session: AsyncSession, invitation: EventInvitation, now: datetime
) -> EventSlot | None:
    """The earliest free slot of the invitation's employer that does not overlap the
    person's other bookings, locked (slots another booking holds are passed over)."""
    taken = exists().where(EventBooking.slot_id == EventSlot.id, EventBooking.status == LIVE)
    overlapping = exists().where(
        EventBooking.jobseeker_id == invitation.jobseeker_id,
        EventBooking.status == LIVE,
        EventBooking.starts_at < EventSlot.ends_at,
        EventBooking.ends_at > EventSlot.starts_at,
    )
    slot: EventSlot | None = await session.scalar(
        select(EventSlot)
        .where(
            EventSlot.participant_id == invitation.participant_id,
            EventSlot.starts_at > now,
            ~taken,
            ~overlapping,
        )
        .order_by(EventSlot.starts_at, EventSlot.table_no)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return slot


def _refusal(error: DBAPIError) -> DomainError:
    """What the database refused, as the use case's error."""
    text = str(error.orig)
    if "uq_event_booking_live_slot" in text:
        return Conflict("slot_taken", N_("Someone booked this slot first"), field="slot_id")
    if "ex_event_booking_person_overlap" in text:
        return Conflict("overlap", N_("You already have a slot at this time"), field="slot_id")
    if "no consent" in text:
        return _no_consent()
    raise error


async def _place(
    session: AsyncSession,
    invitation: EventInvitation,
    event: RecruitmentEvent,
    actor: User | None,
    slot_id: UUID | None,
    now: datetime,
) -> EventBooking:
    """Book a slot for the invited person (the event and the invitation are locked)."""
    if event.status is not EventStatus.PUBLISHED:
        raise DomainError("not_published", N_("This event is not open for booking"), field="status")
    live = await session.scalar(
        select(EventBooking.id).where(
            EventBooking.invitation_id == invitation.id, EventBooking.status == LIVE
        )
    )
    if live is not None:
        raise Conflict(
            "already_booked", N_("You already have a slot with this employer"), field="slot_id"
        )
    entry = await session.scalar(
        select(ShortlistEntry)
        .where(ShortlistEntry.id == invitation.entry_id)
        .with_for_update(read=True)
    )
    if entry is None or entry.status not in CONSENT_HOLDS:
        raise _no_consent()
    holds = await session.scalar(
        select(EventBooking.id).where(
            EventBooking.event_id == event.id,
            EventBooking.jobseeker_id == invitation.jobseeker_id,
            EventBooking.status == LIVE,
        )
    )
    if holds is None and await live_bookings(session, event.id) >= event.capacity:
        raise Conflict(
            "event_full", N_("The event is full: join the waiting list"), field="slot_id"
        )
    if slot_id is None:
        slot = await _free_slot(session, invitation, now)
        if slot is None:
            raise Conflict(
                "no_free_slot", N_("No free slot: join the waiting list"), field="slot_id"
            )
    else:
        slot = await session.scalar(
            select(EventSlot)
            .where(EventSlot.id == slot_id, EventSlot.participant_id == invitation.participant_id)
            .with_for_update()
        )
        if slot is None:
            raise DomainError("invalid", N_("Choose one of this employer's slots"), field="slot_id")
        if slot.starts_at <= now:
            raise DomainError("past", N_("This slot has already begun"), field="slot_id")
        taken = await session.scalar(
            select(EventBooking.id).where(
                EventBooking.slot_id == slot.id, EventBooking.status == LIVE
            )
        )
        if taken is not None:
            raise Conflict("slot_taken", N_("Someone booked this slot first"), field="slot_id")
    booking = EventBooking(
        event_id=event.id,
        slot_id=slot.id,
        invitation_id=invitation.id,
        jobseeker_id=invitation.jobseeker_id,
        entry_id=invitation.entry_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        status=LIVE,
        booked_by_id=actor.id if actor else None,
        sequence=0,
    )
    try:
        async with session.begin_nested():
            session.add(booking)
            await session.flush()
    except (IntegrityError, DBAPIError) as e:
        raise _refusal(e) from e
    invitation.status = InvitationStatus.BOOKED
    invitation.waiting_since = None
    await add_to_client_plan(session, booking, event)
    return booking


async def book(
    session: AsyncSession,
    user: User,
    invitation_id: UUID,
    slot_id: UUID | None = None,
    *,
    now: datetime | None = None,
) -> EventBooking:
    """Book a slot (``slot_id``, or the earliest free one) for an invited person: the
    person themselves until the reply deadline, or the organiser for them."""
    now = now or datetime.now(UTC)
    invitation, _, event = await invitation_for(session, user, invitation_id)
    if user.role is Role.JOBSEEKER and now > event.reply_deadline:
        raise DomainError("deadline", N_("The reply deadline has passed"), field="invitation_id")
    event = await _lock_event(session, event.id)
    # The entry before the invitation: taking consent back locks them in that order.
    await session.execute(
        select(ShortlistEntry.id)
        .where(ShortlistEntry.id == invitation.entry_id)
        .with_for_update(read=True)
    )
    invitation, _, _ = await invitation_for(session, user, invitation_id, lock=True)
    booking = await _place(session, invitation, event, user, slot_id, now)
    await _notify.tell_booking(session, booking, "event_booked")
    return booking


async def wait(
    session: AsyncSession, user: User, invitation_id: UUID, *, now: datetime | None = None
) -> EventInvitation:
    """Join the waiting list of the invitation's employer: the next freed slot is booked
    for the first in the list."""
    now = now or datetime.now(UTC)
    invitation, _, event = await invitation_for(session, user, invitation_id)
    await _lock_event(session, event.id)
    invitation, _, event = await invitation_for(session, user, invitation_id, lock=True)
    if event.status is not EventStatus.PUBLISHED or event.starts_at <= now:
        raise DomainError("not_published", N_("This event is not open for booking"), field="status")
    entry = await session.get(ShortlistEntry, invitation.entry_id)
    if entry is None or entry.status not in CONSENT_HOLDS:
        raise _no_consent()
    if invitation.status is InvitationStatus.BOOKED:
        raise Conflict("already_booked", N_("You already have a slot with this employer"))
    if invitation.status is not InvitationStatus.WAITING:
        invitation.status = InvitationStatus.WAITING
        invitation.waiting_since = now
    return invitation


async def decline(session: AsyncSession, user: User, invitation_id: UUID) -> EventInvitation:
    """The person says no to the invitation (a live booking is cancelled first)."""
    invitation, _, event = await invitation_for(session, user, invitation_id)
    await _lock_event(session, event.id)
    invitation, _, event = await invitation_for(session, user, invitation_id, lock=True)
    live = await session.scalar(
        select(EventBooking.id).where(
            EventBooking.invitation_id == invitation.id, EventBooking.status == LIVE
        )
    )
    if live is not None:
        await _cancel(session, live, user, event)
    invitation.status = InvitationStatus.DECLINED
    invitation.waiting_since = None
    return invitation


async def _cancel(
    session: AsyncSession, booking_id: UUID, user: User | None, event: RecruitmentEvent
) -> EventBooking:
    booking = await session.scalar(
        select(EventBooking).where(EventBooking.id == booking_id).with_for_update()
    )
    assert booking is not None
    if booking.status is not LIVE:
        raise Conflict("not_booked", N_("This booking is already cancelled"), field="booking_id")
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = datetime.now(UTC)
    booking.sequence += 1
    await cancel_in_client_plan(session, booking)
    invitation = await session.get(EventInvitation, booking.invitation_id)
    if invitation is not None and invitation.status is InvitationStatus.BOOKED:
        invitation.status = InvitationStatus.INVITED
    await session.flush()
    await _notify.tell_booking(session, booking, "event_cancelled")
    return booking


async def cancel(
    session: AsyncSession, user: User, booking_id: UUID, *, now: datetime | None = None
) -> EventBooking:
    """Cancel a booking (the person before the slot begins, or the organiser); the freed
    slot goes to the first on the employer's waiting list."""
    now = now or datetime.now(UTC)
    booking, _, participant, event = await booking_for(session, user, booking_id)
    if user.role is Role.EMPLOYER:
        raise Forbidden()
    if user.role is Role.JOBSEEKER and booking.starts_at <= now:
        raise DomainError("past", N_("This slot has already begun"), field="booking_id")
    event = await _lock_event(session, event.id)
    booking = await _cancel(session, booking_id, user, event)
    if event.status is EventStatus.PUBLISHED and booking.starts_at > now:
        await offer(session, event, booking.slot_id, participant.id, now)
    return booking


async def offer(
    session: AsyncSession,
    event: RecruitmentEvent,
    slot_id: UUID,
    participant_id: UUID,
    now: datetime,
) -> EventBooking | None:
    """Give a freed slot to the first on the waiting list who can still take it."""
    waiting = (
        await session.scalars(
            select(EventInvitation)
            .where(
                EventInvitation.participant_id == participant_id,
                EventInvitation.status == InvitationStatus.WAITING,
            )
            .order_by(EventInvitation.waiting_since, EventInvitation.id)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for invitation in waiting:
        try:
            async with session.begin_nested():
                booking = await _place(session, invitation, event, None, slot_id, now)
        except DomainError:
            continue
        await _notify.tell_booking(session, booking, "event_waitlist")
        return booking
    return None


async def consent_withdrawn(session: AsyncSession, entry: ShortlistEntry) -> int:
    """The person took their consent back (the entry, locked by the caller, is declined):
    their live bookings with that employer are cancelled and their calendar entries
    removed, and the invitation is declined. The event row is not locked here (the
    booking path locks the event before the entry), so the freed slot is not offered
    on: the organiser sees it free on the board, with the waiting list beside it."""
    bookings = (
        await session.scalars(
            select(EventBooking)
            .where(EventBooking.entry_id == entry.id, EventBooking.status == LIVE)
            .with_for_update()
        )
    ).all()
    now = datetime.now(UTC)
    for booking in bookings:
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
        booking.sequence += 1
        await cancel_in_client_plan(session, booking)
        await session.flush()
        await _notify.tell_booking(session, booking, "event_cancelled")
    invitations = (
        await session.scalars(
            select(EventInvitation).where(
                EventInvitation.entry_id == entry.id,
                EventInvitation.status != InvitationStatus.DECLINED,
            )
        )
    ).all()
    for invitation in invitations:
        invitation.status = InvitationStatus.DECLINED
        invitation.waiting_since = None
    return len(bookings)


async def cancel_all(session: AsyncSession, event: RecruitmentEvent, user: User) -> int:
    """An event cancelled: every live booking is cancelled and its person told."""
    ids = list(
        await session.scalars(
            select(EventBooking.id).where(
                EventBooking.event_id == event.id, EventBooking.status == LIVE
            )
        )
    )
    for booking_id in ids:
        await _cancel(session, booking_id, user, event)
    return len(ids)


async def move_slot(
    session: AsyncSession, user: User, slot_id: UUID, starts_at: datetime
) -> EventSlot:
    """The organiser moves a slot; its booking's calendar entry is updated (SEQUENCE + 1)."""
    from kohtaanto.domain.events._access import slot_for

    slot, _, event = await slot_for(session, user, slot_id)
    if not runs(user, event):
        raise Forbidden()
    await _lock_event(session, event.id)
    if starts_at.tzinfo is None:
        raise DomainError("invalid", N_("Give a time with its time zone"), field="starts_at")
    length = slot.ends_at - slot.starts_at
    slot.starts_at, slot.ends_at = starts_at, starts_at + length
    booking = await session.scalar(
        select(EventBooking)
        .where(EventBooking.slot_id == slot.id, EventBooking.status == LIVE)
        .with_for_update()
    )
    if booking is not None:
        booking.starts_at, booking.ends_at = slot.starts_at, slot.ends_at
        booking.sequence += 1
        try:
            async with session.begin_nested():
                await session.flush()
        except (IntegrityError, DBAPIError) as e:
            raise _refusal(e) from e
        await _notify.tell_booking(session, booking, "event_changed")
    await session.flush()
    return slot


# ------------------------------------------------------------------------ on the day


async def check_in(
    session: AsyncSession, user: User, booking_id: UUID, attended: bool
) -> EventBooking:
    """The table's check-in list: the person came, or did not."""
    booking, _, _, _ = await booking_for(session, user, booking_id, lock=True)
    if user.role is Role.JOBSEEKER:
        raise Forbidden()
    if booking.status is not LIVE:
        raise Conflict("not_booked", N_("This booking is cancelled"), field="booking_id")
    booking.attendance = Attendance.ATTENDED if attended else Attendance.NO_SHOW
    if not attended:
        booking.outcome = None
    return booking


async def record_outcome(
    session: AsyncSession,
    user: User,
    booking_id: UUID,
    outcome: str,
    reason: str | None = None,
) -> EventBooking:
    """The employer's word after the interview. Interested: the shortlist entry moves to
    interview (through shared, when it was only consented). Not this time: with a
    reason, and the entry becomes not hired when the employer already had it. Either
    way the event feeds the same workflow, and the same model training, as the board."""
    booking, _, _, _ = await booking_for(session, user, booking_id, lock=True)
    if user.role is Role.JOBSEEKER:
        raise Forbidden()
    if outcome not in {o.value for o in SlotOutcome}:
        raise DomainError("invalid", N_("Choose interested or not this time"), field="outcome")
    if booking.status is not LIVE:
        raise Conflict("not_booked", N_("This booking is cancelled"), field="booking_id")
    if booking.attendance is Attendance.NO_SHOW:
        raise DomainError(
            "no_show", N_("The person did not come: no outcome to note"), field="outcome"
        )
    result = SlotOutcome(outcome)
    if result is SlotOutcome.NOT_THIS_TIME and reason not in shortlists.NOT_HIRED_REASONS:
        raise DomainError(
            "reason",
            N_("Give one of: {reasons}"),
            field="reason",
            reasons=", ".join(shortlists.NOT_HIRED_REASONS),
        )
    entry = await session.scalar(
        select(ShortlistEntry).where(ShortlistEntry.id == booking.entry_id).with_for_update()
    )
    assert entry is not None
    booking.attendance = Attendance.ATTENDED
    booking.outcome = result
    booking.outcome_reason = reason if result is SlotOutcome.NOT_THIS_TIME else None
    if result is SlotOutcome.INTERESTED:
        if entry.status is S.CONSENTED:
            await _move(session, entry, S.SHARED, user, "event")
        if entry.status is S.SHARED:
            await _move(session, entry, S.INTERVIEW, user, "event")
    elif entry.status in (S.SHARED, S.INTERVIEW):
        await _move(session, entry, S.NOT_HIRED, user, reason)
    return booking


async def _move(
    session: AsyncSession, entry: ShortlistEntry, to: EntryStatus, user: User, reason: str | None
) -> None:
    """A workflow move on the user's behalf; the system's when their role may not make it
    on the board (a coach organiser, the consented → shared step the event implies)."""
    allowed = shortlists.MOVES.get((entry.status, to), frozenset())
    actor = user if user.role in allowed else None
    move = shortlists.Move(to, reason=reason if to is S.NOT_HIRED else None, note=None)
    await shortlists.apply(session, entry, move, actor)


# --------------------------------------------------------------------------- reminders


async def remind(session: AsyncSession, now: datetime | None = None) -> int:
    """The day before: remind everyone with a live booking in the next 24 hours (once)."""
    now = now or datetime.now(UTC)
    due = (
        await session.scalars(
            select(EventBooking)
            .join(RecruitmentEvent, RecruitmentEvent.id == EventBooking.event_id)
            .where(
                and_(
                    EventBooking.status == LIVE,
                    EventBooking.reminded_at.is_(None),
                    EventBooking.starts_at > now,
                    EventBooking.starts_at <= now + timedelta(hours=24),
                    RecruitmentEvent.status == EventStatus.PUBLISHED,
                )
            )
            .with_for_update(of=EventBooking, skip_locked=True)
        )
    ).all()
    for booking in due:
        booking.reminded_at = now
        await _notify.tell_booking(session, booking, "event_reminder")
    return len(due)
