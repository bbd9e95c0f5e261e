"""What events tell people: in the inbox always, by e-mail as they prefer, in their own
language, with the slot's calendar entry attached (``body["ics"]``, which the e-mail
delivery attaches as text/calendar)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    Employer,
    EventBooking,
    EventEmployer,
    EventInvitation,
    EventSlot,
    Jobseeker,
    Municipality,
    RecruitmentEvent,
    Role,
    User,
)
from kohtaanto.domain.events.calendar import SlotEntry, ics
from kohtaanto.domain.notifications import notify_once
from kohtaanto.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, translations
from kohtaanto.settings import get_settings

HELSINKI = ZoneInfo("Europe/Helsinki")

DESCRIPTION = N_("Interview with {employer} at table {table}. Kohtaanto recruitment event.")


def language_of(user: User) -> str:
    """The recipient's language (when the account keeps one; Finnish first otherwise)."""
    lang = getattr(user, "language", None)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def when(at: datetime) -> str:
    local = at.astimezone(HELSINKI)
    return f"{local.day}.{local.month}.{local.year} {local:%H.%M}"


async def _place(session: AsyncSession, event: RecruitmentEvent) -> str:
    if event.online:
        return event.video_link or ""
    town = (
        await session.scalar(
            select(Municipality.name).where(Municipality.id == event.municipality_id)
        )
        if event.municipality_id
        else None
    )
    return ", ".join(p for p in (event.place, town) if p)


async def booking_ics(
    session: AsyncSession, booking: EventBooking, *, cancel: bool = False, lang: str | None = None
) -> str:
    """The booking's calendar entry now (a cancellation when ``cancel``)."""
    slot = await session.get(EventSlot, booking.slot_id)
    event = await session.get(RecruitmentEvent, booking.event_id)
    assert slot is not None and event is not None
    participant = await session.get(EventEmployer, slot.participant_id)
    assert participant is not None
    employer = await session.get(Employer, participant.employer_id)
    person = await session.get(Jobseeker, booking.jobseeker_id)
    user = await session.get(User, person.user_id) if person and person.user_id else None
    lang = lang or (language_of(user) if user else DEFAULT_LANGUAGE)
    gettext = translations(lang).gettext
    name = employer.name if employer else ""
    mail_from = parseaddr(get_settings().delivery.mail_from)[1] or "no-reply@kohtaanto.invalid"
    entry = SlotEntry(
        booking_id=booking.id,
        sequence=booking.sequence,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        summary=f"{event.title}: {name}",
        description=gettext(DESCRIPTION).format(employer=name, table=slot.table_no),
        location=await _place(session, event),
        url=event.video_link if event.online else None,
        organiser_email=mail_from,
        attendee_email=user.email if user else "",
        attendee_name=user.name if user else "",
        domain=mail_from.rpartition("@")[2] or "kohtaanto",
    )
    return ics(entry, cancel=cancel, stamp=datetime.now(UTC))


async def tell_booking(session: AsyncSession, booking: EventBooking, kind: str) -> None:
    """Tell the booked person (and their coach) about their slot, with its calendar entry."""
    person = await session.get(Jobseeker, booking.jobseeker_id)
    if person is None or person.user_id is None:
        return
    user = await session.get(User, person.user_id)
    if user is None:
        return
    event = await session.get(RecruitmentEvent, booking.event_id)
    slot = await session.get(EventSlot, booking.slot_id)
    assert event is not None and slot is not None
    participant = await session.get(EventEmployer, slot.participant_id)
    assert participant is not None
    employer = await session.get(Employer, participant.employer_id)
    lang = language_of(user)
    params = {
        "event_id": str(event.id),
        "employer": employer.name if employer else "",
        "event": event.title,
        "when": when(booking.starts_at),
    }
    await notify_once(
        session,
        recipient_id=user.id,
        kind=kind,
        params={
            **params,
            "booking_id": str(booking.id),
            # The e-mail delivery attaches it as text/calendar.
            "ics": await booking_ics(session, booking, cancel=kind == "event_cancelled", lang=lang),
            "ics_name": f"kohtaanto-{event.id}.ics",
        },
        key=f"{kind}:{booking.id}:{booking.sequence}",
    )
    if person.coach_id:
        coach = await session.get(User, person.coach_id)
        if coach is not None:
            await notify_once(
                session,
                recipient_id=coach.id,
                kind=kind,
                params={**params, "client": str(person.id)},
                key=f"{kind}:{booking.id}:{booking.sequence}:coach",
            )


async def tell_invited(
    session: AsyncSession, invitation: EventInvitation, event: RecruitmentEvent
) -> None:
    person = await session.get(Jobseeker, invitation.jobseeker_id)
    if person is None or person.user_id is None:
        return
    user = await session.get(User, person.user_id)
    participant = await session.get(EventEmployer, invitation.participant_id)
    if user is None or participant is None:
        return
    employer = await session.get(Employer, participant.employer_id)
    await notify_once(
        session,
        recipient_id=user.id,
        kind="event_invitation",
        params={
            "event_id": str(event.id),
            "invitation_id": str(invitation.id),
            "employer": employer.name if employer else "",
            "event": event.title,
            "when": when(event.starts_at),
        },
        key=f"event_invitation:{invitation.id}",
    )


async def _employer_users(session: AsyncSession, employer_id: Any) -> list[User]:
    return list(
        await session.scalars(
            select(User).where(
                User.employer_id == employer_id,
                User.role == Role.EMPLOYER,
                User.is_active.is_(True),
            )
        )
    )


async def tell_employer(
    session: AsyncSession, event: RecruitmentEvent, participant: EventEmployer, kind: str = ""
) -> None:
    kind = kind or "event_employer"
    params = {"event_id": str(event.id), "event": event.title, "when": when(event.starts_at)}
    for user in await _employer_users(session, participant.employer_id):
        await notify_once(
            session, recipient_id=user.id, kind=kind, params=params, key=f"{kind}:{event.id}"
        )


async def tell_employers(session: AsyncSession, event: RecruitmentEvent) -> None:
    participants = await session.scalars(
        select(EventEmployer).where(EventEmployer.event_id == event.id)
    )
    for participant in participants.all():
        await tell_employer(session, event, participant, "event_published")
