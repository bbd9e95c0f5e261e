"""Recruitment events on real PostgreSQL: planning, invitations, booking, the waiting
list, the calendar entries, outcomes moving the shortlist, and the database's own
refusals of double bookings and of bookings without consent, under real concurrency."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from icalendar import Calendar
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from kohtaanto.db import session_scope
from kohtaanto.db.models import (
    BookingStatus,
    EntryStatus,
    EventBooking,
    EventInvitation,
    EventSlot,
    InvitationStatus,
    Notification,
    RecruitmentEvent,
    Role,
    ShortlistEntry,
    User,
)
from kohtaanto.domain import events, notifications, shortlists
from kohtaanto.domain.errors import Conflict, DomainError, NotFound
from tests.event_tenants import consenting_people
from tests.tenants import Tenant, make_tenants

pytestmark = pytest.mark.usefixtures("clean")


async def _user(session: Any, user_id: UUID) -> User:
    user = await session.get(User, user_id)
    assert user is not None
    return user


async def _event(
    tenant: Tenant, *, slots: int = 1, tables: int = 1, capacity: int = 50, **kw: Any
) -> tuple[UUID, UUID]:
    """A published online speed-interview event of the tenant's coordinator, the tenant's
    employer with ``slots`` slots per table; returns (event id, participant id)."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    async with session_scope() as session:
        coordinator = await _user(session, tenant.users[Role.COORDINATOR].id)
        fields = events.EventFields(
            title="Pikahaastattelupäivä",
            kind="speed_interviews",
            starts_at=start,
            ends_at=start + timedelta(minutes=20 * slots),
            reply_deadline=start - timedelta(days=1),
            capacity=capacity,
            online=True,
            video_link="https://meet.example.fi/abc",
            **kw,
        )
        event = await events.create_event(session, coordinator, fields)
        participant = await events.add_employer(
            session,
            coordinator,
            event.id,
            tenant.employer_id,  # type: ignore[arg-type]
            events.Needs(
                vacancy_ids=[tenant.vacancy_id], slot_minutes=15, break_minutes=5, tables=tables
            ),  # type: ignore[list-item]
        )
        await events.set_status(session, coordinator, event.id, "published")
        return event.id, participant.id


async def _invite(tenant: Tenant, event_id: UUID, entry_ids: list[UUID]) -> list[UUID]:
    async with session_scope() as session:
        coordinator = await _user(session, tenant.users[Role.COORDINATOR].id)
        made = await events.invite(session, coordinator, event_id, entry_ids)
        return [i.id for i in made]


async def _book(user_id: UUID, invitation_id: UUID, slot_id: UUID | None = None) -> UUID:
    async with session_scope() as session:
        user = await _user(session, user_id)
        booking = await events.book(session, user, invitation_id, slot_id)
        return booking.id


async def _notes(user_id: UUID, kind: str) -> list[Notification]:
    async with session_scope() as session:
        return list(
            await session.scalars(
                select(Notification)
                .where(Notification.recipient_id == user_id, Notification.kind == kind)
                .order_by(Notification.created_at)
            )
        )


def _vevent(ics: str) -> tuple[str, Any]:
    calendar = Calendar.from_ical(ics)
    event = next(c for c in calendar.walk("VEVENT"))
    return str(calendar["METHOD"]), event


async def test_book_wait_cancel_and_the_slot_goes_to_the_first_waiting() -> None:
    tenants = await make_tenants()
    a = tenants["a"]
    event_id, _ = await _event(a, slots=1)
    (u1, _, e1), (u2, _, e2) = await consenting_people(a.vacancy_id, 2)  # type: ignore[arg-type]
    inv1, inv2 = await _invite(a, event_id, [e1, e2])
    note = (await _notes(u1.id, "event_invitation"))[0]
    assert "legacy_title" not in note.params  # a registered kind, said in the reader's language
    invited = notifications.title(note.kind, note.params, "fi")
    assert invited.startswith("Sinut on kutsuttu") and "Pikahaastattelupäivä" in invited
    swedish = notifications.title(note.kind, note.params, "sv")
    assert swedish != invited and "Pikahaastattelupäivä" in swedish

    first = await _book(u1.id, inv1)
    with pytest.raises(Conflict) as refused:
        await _book(u2.id, inv2)
    assert refused.value.code == "no_free_slot"
    async with session_scope() as session:
        await events.wait(session, await _user(session, u2.id), inv2)

    booked = (await _notes(u1.id, "event_booked"))[0]
    method, vevent = _vevent(booked.params["ics"])
    assert method == "REQUEST" and int(vevent["SEQUENCE"]) == 0
    uid = str(vevent["UID"])
    assert str(first) in uid

    async with session_scope() as session:
        await events.cancel(session, await _user(session, u1.id), first)

    cancelled = (await _notes(u1.id, "event_cancelled"))[0]
    method, vevent = _vevent(cancelled.params["ics"])
    assert method == "CANCEL" and str(vevent["UID"]) == uid and int(vevent["SEQUENCE"]) == 1
    assert (await _notes(u2.id, "event_waitlist"))[0].params["ics"]
    async with session_scope() as session:
        live = (
            (
                await session.execute(
                    select(EventBooking.invitation_id).where(
                        EventBooking.status == BookingStatus.BOOKED,
                        EventBooking.event_id == event_id,
                    )
                )
            )
            .scalars()
            .all()
        )
        assert live == [inv2]
        assert (await session.get(EventInvitation, inv2)).status is InvitationStatus.BOOKED  # type: ignore[union-attr]
        assert (await session.get(EventInvitation, inv1)).status is InvitationStatus.INVITED  # type: ignore[union-attr]
        # Each booking was an activity in the client's service plan; the cancelled one
        # is cancelled there too.
        from kohtaanto.db.models import PlanActivity

        activities = {
            a.details["event_booking_id"]: a.status
            for a in await session.scalars(select(PlanActivity))
            if "event_booking_id" in a.details
        }
        assert activities[str(first)] == "cancelled"
        assert sorted(activities.values()) == ["cancelled", "planned"]


async def test_two_people_booking_the_last_slot_at_once_exactly_one_gets_it() -> None:
    tenants = await make_tenants()
    a = tenants["a"]
    event_id, _ = await _event(a, slots=1)
    people = await consenting_people(a.vacancy_id, 2)  # type: ignore[arg-type]
    invitations = await _invite(a, event_id, [e for _, _, e in people])
    async with session_scope() as session:
        slot_id = await session.scalar(select(EventSlot.id).where(EventSlot.event_id == event_id))
    for _ in range(3):  # several rounds: the race must never go both ways
        results = await asyncio.gather(
            *(
                _book(u.id, inv, slot_id)
                for (u, _, _), inv in zip(people, invitations, strict=True)
            ),
            return_exceptions=True,
        )
        won = [r for r in results if isinstance(r, UUID)]
        lost = [r for r in results if isinstance(r, Conflict)]
        assert len(won) == 1 and len(lost) == 1, results
        assert lost[0].code == "slot_taken"
        async with session_scope() as session:
            live = await session.scalar(
                select(func.count()).where(
                    EventBooking.slot_id == slot_id, EventBooking.status == BookingStatus.BOOKED
                )
            )
            assert live == 1
            await session.execute(
                text("UPDATE event_booking SET status = 'cancelled' WHERE slot_id = :s"),
                {"s": slot_id},
            )
            await session.execute(text("UPDATE event_invitation SET status = 'invited'"))


async def test_the_database_refuses_double_bookings_and_bookings_without_consent() -> None:
    """Past the use cases: rows written straight into the tables."""
    tenants = await make_tenants()
    a = tenants["a"]
    event_id, participant_id = await _event(a, slots=2)
    (_u1, j1, e1), (_u2, j2, e2) = await consenting_people(a.vacancy_id, 2)  # type: ignore[arg-type]
    ((_, j3, e3),) = await consenting_people(a.vacancy_id, 1, status=EntryStatus.CONSENT_REQUESTED)  # type: ignore[arg-type]
    async with session_scope() as session:
        slots = list(
            await session.scalars(
                select(EventSlot)
                .where(EventSlot.event_id == event_id)
                .order_by(EventSlot.starts_at)
            )
        )
        invs = {}
        for j, e in ((j1, e1), (j2, e2), (j3, e3)):
            inv = EventInvitation(
                event_id=event_id, participant_id=participant_id, jobseeker_id=j, entry_id=e
            )
            session.add(inv)
            await session.flush()
            invs[j] = inv.id

    def row(j: UUID, e: UUID, slot: EventSlot, **kw: Any) -> EventBooking:
        return EventBooking(
            event_id=event_id,
            slot_id=slot.id,
            invitation_id=invs[j],
            jobseeker_id=j,
            entry_id=e,
            starts_at=kw.get("starts_at", slot.starts_at),
            ends_at=kw.get("ends_at", slot.ends_at),
            status=BookingStatus.BOOKED,
        )

    async with session_scope() as session:
        session.add(row(j1, e1, slots[0]))
    # A second person in the same slot.
    with pytest.raises(IntegrityError, match="uq_event_booking_live_slot"):
        async with session_scope() as session:
            session.add(row(j2, e2, slots[0]))
    # The same person in two overlapping slots (another employer's table, say).
    with pytest.raises(IntegrityError, match="ex_event_booking_person_overlap"):
        async with session_scope() as session:
            session.add(
                row(j1, e1, slots[1], starts_at=slots[0].starts_at, ends_at=slots[1].ends_at)
            )
    # Someone whose consent is only requested.
    with pytest.raises(IntegrityError, match="no consent"):
        async with session_scope() as session:
            session.add(row(j3, e3, slots[1]))
    # A cancelled booking frees the slot for someone else.
    async with session_scope() as session:
        await session.execute(text("UPDATE event_booking SET status = 'cancelled'"))
        session.add(row(j2, e2, slots[0]))


async def test_no_slot_for_someone_without_consent_even_when_consent_is_taken_back_meanwhile() -> (
    None
):
    tenants = await make_tenants()
    a = tenants["a"]
    event_id, _ = await _event(a, slots=3)
    ((_asked_user, _, asked),) = await consenting_people(
        a.vacancy_id, 1, status=EntryStatus.CONSENT_REQUESTED
    )  # type: ignore[arg-type]
    with pytest.raises(DomainError) as refused:
        await _invite(a, event_id, [asked])
    assert refused.value.code == "no_consent"

    people = await consenting_people(a.vacancy_id, 4)  # type: ignore[arg-type]
    invitations = await _invite(a, event_id, [e for _, _, e in people])

    async def revoke(user_id: UUID, entry_id: UUID) -> None:
        async with session_scope() as session:
            user = await _user(session, user_id)
            entry = await session.scalar(
                select(ShortlistEntry).where(ShortlistEntry.id == entry_id).with_for_update()
            )
            assert entry is not None
            await shortlists.apply(session, entry, shortlists.Move(EntryStatus.DECLINED), user)

    # Booking and taking consent back at the same moment, for each person.
    for (user, _, entry_id), invitation in zip(people[:3], invitations[:3], strict=True):
        await asyncio.gather(
            revoke(user.id, entry_id), _book(user.id, invitation), return_exceptions=True
        )
    # Consent taken back before: refused.
    await revoke(people[3][0].id, people[3][2])
    with pytest.raises(DomainError) as refused:
        await _book(people[3][0].id, invitations[3])
    assert refused.value.code == "no_consent"
    async with session_scope() as session:
        live_without_consent = await session.scalar(
            select(func.count())
            .select_from(EventBooking)
            .join(ShortlistEntry, ShortlistEntry.id == EventBooking.entry_id)
            .where(
                EventBooking.status == BookingStatus.BOOKED,
                ShortlistEntry.status == EntryStatus.DECLINED,
            )
        )
        declined = await session.scalar(
            select(func.count())
            .select_from(ShortlistEntry)
            .where(ShortlistEntry.status == EntryStatus.DECLINED)
        )
    # Whichever came first, a consent taken back leaves no live booking behind (a
    # booking made first is cancelled by the withdrawal, one made after is refused).
    assert declined == 4
    assert live_without_consent == 0


async def test_employer_outcome_moves_the_shortlist_entry() -> None:
    tenants = await make_tenants()
    a = tenants["a"]
    event_id, _ = await _event(a, slots=3)
    (u1, _, e1), (u2, _, e2) = await consenting_people(a.vacancy_id, 2)  # type: ignore[arg-type]
    inv1, inv2 = await _invite(a, event_id, [e1, e2])
    b1, b2 = await _book(u1.id, inv1), await _book(u2.id, inv2)
    async with session_scope() as session:
        employer = await _user(session, a.users[Role.EMPLOYER].id)
        await events.check_in(session, employer, b1, attended=True)
        await events.record_outcome(session, employer, b1, "interested")
        with pytest.raises(DomainError) as refused:
            await events.record_outcome(session, employer, b2, "not_this_time")
        assert refused.value.field == "reason"
        await events.record_outcome(session, employer, b2, "not_this_time", "skills")
    async with session_scope() as session:
        assert (await session.get(ShortlistEntry, e1)).status is EntryStatus.INTERVIEW  # type: ignore[union-attr]
        # Only consented, never shared: the outcome is on the booking, the entry stays.
        assert (await session.get(ShortlistEntry, e2)).status is EntryStatus.CONSENTED  # type: ignore[union-attr]
        other = await _user(session, tenants["b"].users[Role.EMPLOYER].id)
        with pytest.raises(NotFound):
            await events.record_outcome(session, other, b1, "interested")


async def test_proposals_respect_language_travel_and_exposure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenants = await make_tenants()
    a = tenants["a"]
    async with session_scope() as session:
        coordinator = await _user(session, a.users[Role.COORDINATOR].id)
        start = datetime.now(UTC) + timedelta(days=3)
        event = await events.create_event(
            session,
            coordinator,
            events.EventFields(
                title="Messut",
                kind="fair",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                reply_deadline=start - timedelta(days=1),
                capacity=100,
                place="Tampere-talo",
                municipality_code="837",
                languages=["fi"],
            ),
        )
        await events.add_employer(session, coordinator, event.id, a.employer_id, events.Needs())  # type: ignore[arg-type]
        event_id = event.id
    ((_, near, _),) = await consenting_people(a.vacancy_id, 1)  # type: ignore[arg-type]
    ((_, swedish, _),) = await consenting_people(a.vacancy_id, 1, languages=("sv",))  # type: ignore[arg-type]
    ((_, far, _),) = await consenting_people(
        a.vacancy_id, 1, municipality_code="020", max_travel_km=10
    )  # type: ignore[arg-type]
    async with session_scope() as session:
        coordinator = await _user(session, a.users[Role.COORDINATOR].id)
        proposed = {
            p.jobseeker_id: p for p in await events.proposals(session, coordinator, event_id)
        }
    assert near in proposed and proposed[near].consent
    assert swedish not in proposed and far not in proposed
    # The tenant's own jobseeker is already invited to another coming event: at a cap of
    # one they are not proposed again.
    monkeypatch.setenv("KOHTAANTO_EXPOSURE_CAP", "1")
    from kohtaanto.settings import get_settings

    get_settings.cache_clear()
    try:
        async with session_scope() as session:
            coordinator = await _user(session, a.users[Role.COORDINATOR].id)
            ids = {p.jobseeker_id for p in await events.proposals(session, coordinator, event_id)}
        assert a.jobseeker_id not in ids and near in ids
    finally:
        monkeypatch.delenv("KOHTAANTO_EXPOSURE_CAP")
        get_settings.cache_clear()


async def test_a_moved_slot_updates_the_calendar_entry_and_reminders_go_once() -> None:
    tenants = await make_tenants()
    a = tenants["a"]
    event_id, _ = await _event(a, slots=2)
    ((u1, _, e1),) = await consenting_people(a.vacancy_id, 1)  # type: ignore[arg-type]
    (inv,) = await _invite(a, event_id, [e1])
    booking_id = await _book(u1.id, inv)
    async with session_scope() as session:
        coordinator = await _user(session, a.users[Role.COORDINATOR].id)
        booking = await session.get(EventBooking, booking_id)
        assert booking is not None
        await events.move_slot(
            session, coordinator, booking.slot_id, booking.starts_at + timedelta(minutes=5)
        )
    changed = (await _notes(u1.id, "event_changed"))[0]
    method, vevent = _vevent(changed.params["ics"])
    assert method == "REQUEST" and int(vevent["SEQUENCE"]) == 1
    assert str(booking_id) in str(vevent["UID"])
    async with session_scope() as session:
        booking = await session.get(EventBooking, booking_id)
        assert booking is not None
        day_before = booking.starts_at - timedelta(hours=20)
        assert await events.remind(session, day_before) >= 1
    async with session_scope() as session:
        assert await events.remind(session, day_before) == 0
    assert len(await _notes(u1.id, "event_reminder")) == 1


async def test_bad_event_input_names_the_field() -> None:
    tenants = await make_tenants()
    start = datetime.now(UTC) + timedelta(days=1)
    base = dict(
        title="X",
        kind="fair",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        reply_deadline=start,
        capacity=10,
    )
    cases = [
        ({"kind": "party"}, "kind"),
        ({"ends_at": start}, "ends_at"),
        ({"reply_deadline": start + timedelta(hours=2)}, "reply_deadline"),
        ({"capacity": 0}, "capacity"),
        ({"online": True, "video_link": "http://x"}, "video_link"),
        ({"place": "Hall", "municipality_code": "999"}, "municipality_code"),
        ({"place": ""}, "place"),
        ({"languages": ["de"], "place": "Hall", "municipality_code": "837"}, "languages"),
    ]
    async with session_scope() as session:
        coordinator = await _user(session, tenants["a"].users[Role.COORDINATOR].id)
        for change, field in cases:
            with pytest.raises(DomainError) as refused:
                await events.create_event(
                    session, coordinator, events.EventFields(**{**base, **change})
                )  # type: ignore[arg-type]
            assert refused.value.field == field, (change, refused.value)


async def test_the_demo_has_a_past_event_with_outcomes_and_an_upcoming_one_with_open_slots() -> (
    None
):
    from kohtaanto.demo.seed import seed_demo

    async with session_scope() as session:
        await seed_demo(session, jobseekers=300, employers=20, vacancies=40, seed=7)
    async with session_scope() as session:
        found = list(
            await session.scalars(select(RecruitmentEvent).order_by(RecruitmentEvent.starts_at))
        )
        assert [e.status.value for e in found] == ["completed", "published"]
        past, upcoming = found
        outcomes = list(
            await session.scalars(
                select(EventBooking.outcome).where(
                    EventBooking.event_id == past.id, EventBooking.outcome.is_not(None)
                )
            )
        )
        assert {o.value for o in outcomes} == {"interested", "not_this_time"}
        taken = select(EventBooking.slot_id).where(EventBooking.status == BookingStatus.BOOKED)
        free = await session.scalar(
            select(func.count()).where(
                EventSlot.event_id == upcoming.id, EventSlot.id.not_in(taken)
            )
        )
        assert free and free > 5
        from kohtaanto.domain.events.reports import event_funnel

        funnel = await event_funnel(session)
        total = funnel[funnel["group"] == "all"].iloc[0]
        assert total["invited"] == 24 and total["booked"] == 16 and total["interviews"] >= 2
