"""Recruitment events over JSON: thin controllers over ``kohtaanto.domain.events``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, JSONBody

from kohtaanto.api.auth import AuthRequest, requires
from kohtaanto.api.schemas import Db, Languages, MunicipalityCode
from kohtaanto.db.models import EventBooking, EventInvitation, RecruitmentEvent, Role
from kohtaanto.domain import events

Title = Annotated[str, msgspec.Meta(min_length=3, max_length=255)]
Text = Annotated[str, msgspec.Meta(max_length=5000)]
Link = Annotated[str, msgspec.Meta(max_length=1024)]
Count = Annotated[int, msgspec.Meta(ge=0, le=100_000)]
Minutes = Annotated[int, msgspec.Meta(ge=0, le=1440)]
Instrument = Literal["wage_subsidy", "work_trial", "apprenticeship"]
ORGANISERS = (Role.COORDINATOR, Role.COACH, Role.ADMIN)


class Taken(HTTPException):
    """Someone else was first (the slot, the last place) or the booking changed: 409."""

    status_code = 409
    detail = "Conflict"


class EventCreate(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    kind: Literal["fair", "speed_interviews", "info_session", "company_visit"]
    starts_at: datetime
    ends_at: datetime
    reply_deadline: datetime
    capacity: Count
    online: bool = False
    place: Annotated[str, msgspec.Meta(max_length=255)] | None = None
    municipality_code: MunicipalityCode | None = None
    video_link: Link | None = None
    languages: Languages = msgspec.field(default_factory=lambda: ["fi"])
    description: Text = ""


class EventOut(msgspec.Struct):
    id: UUID
    title: str
    kind: str
    status: str
    online: bool
    place: str | None
    video_link: str | None
    starts_at: datetime
    ends_at: datetime
    reply_deadline: datetime
    capacity: int
    languages: list[str]


class StatusChange(msgspec.Struct, forbid_unknown_fields=True):
    status: Literal["published", "completed", "cancelled"]


class EmployerIn(msgspec.Struct, forbid_unknown_fields=True):
    employer_id: UUID
    vacancy_ids: Annotated[list[UUID], msgspec.Meta(max_length=50)] = []
    headcount: Count = 1
    instruments: Annotated[list[Instrument], msgspec.Meta(max_length=3)] = []
    slot_minutes: Minutes = 15
    break_minutes: Minutes = 5
    tables: Count = 1


class ParticipantOut(msgspec.Struct):
    id: UUID
    employer_id: UUID
    status: str


class InviteIn(msgspec.Struct, forbid_unknown_fields=True):
    entry_ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=200)]


class InvitationOut(msgspec.Struct):
    id: UUID
    event_id: UUID
    jobseeker_id: UUID
    status: str


class BookIn(msgspec.Struct, forbid_unknown_fields=True):
    slot_id: UUID | None = None


class BookingOut(msgspec.Struct):
    id: UUID
    event_id: UUID
    slot_id: UUID
    status: str
    starts_at: datetime
    ends_at: datetime
    attendance: str | None
    outcome: str | None
    sequence: int


class OutcomeIn(msgspec.Struct, forbid_unknown_fields=True):
    outcome: Literal["interested", "not_this_time"] | None = None
    attended: bool | None = None
    reason: Annotated[str, msgspec.Meta(max_length=64)] | None = None


def event_out(e: RecruitmentEvent) -> EventOut:
    return EventOut(
        id=e.id,
        title=e.title,
        kind=e.kind.value,
        status=e.status.value,
        online=e.online,
        place=e.place,
        video_link=e.video_link,
        starts_at=e.starts_at,
        ends_at=e.ends_at,
        reply_deadline=e.reply_deadline,
        capacity=e.capacity,
        languages=list(e.languages),
    )


def invitation_out(i: EventInvitation) -> InvitationOut:
    return InvitationOut(
        id=i.id, event_id=i.event_id, jobseeker_id=i.jobseeker_id, status=i.status.value
    )


def booking_out(b: EventBooking) -> BookingOut:
    return BookingOut(
        id=b.id,
        event_id=b.event_id,
        slot_id=b.slot_id,
        status=b.status.value,
        starts_at=b.starts_at,
        ends_at=b.ends_at,
        attendance=b.attendance.value if b.attendance else None,
        outcome=b.outcome.value if b.outcome else None,
        sequence=b.sequence,
    )


class EventController(Controller):
    path = "/api/events"
    tags = ["events"]

    @get("/", operation_id="listEvents")
    async def list_events(self, request: AuthRequest, db_session: Db) -> list[EventOut]:
        """The events the caller may see: organised, taking part, invited, a client's."""
        return [event_out(e) for e in await events.list_events(db_session, request.user)]

    @post("/", operation_id="createEvent", guards=[requires(*ORGANISERS)])
    async def create(
        self, request: AuthRequest, db_session: Db, data: JSONBody[EventCreate]
    ) -> EventOut:
        """Plan an event (a draft); the organiser is the caller."""
        fields = events.EventFields(**msgspec.structs.asdict(data))
        return event_out(await events.create_event(db_session, request.user, fields))

    @get("/{event_id:uuid}", operation_id="getEvent")
    async def get_event(
        self, request: AuthRequest, db_session: Db, event_id: FromPath[UUID]
    ) -> EventOut:
        return event_out(await events.event_for(db_session, request.user, event_id))

    @post("/{event_id:uuid}/status", operation_id="setEventStatus", guards=[requires(*ORGANISERS)])
    async def set_status(
        self,
        request: AuthRequest,
        db_session: Db,
        event_id: FromPath[UUID],
        data: JSONBody[StatusChange],
    ) -> EventOut:
        """Publish, complete or cancel (cancelling cancels every booking)."""
        return event_out(await events.set_status(db_session, request.user, event_id, data.status))

    @post(
        "/{event_id:uuid}/employers",
        operation_id="addEventEmployer",
        guards=[requires(*ORGANISERS)],
    )
    async def add_employer(
        self,
        request: AuthRequest,
        db_session: Db,
        event_id: FromPath[UUID],
        data: JSONBody[EmployerIn],
    ) -> ParticipantOut:
        """Invite an employer with its needs; its slots are made from the event's time."""
        needs = events.Needs(
            vacancy_ids=list(data.vacancy_ids),
            headcount=data.headcount,
            instruments=list(data.instruments),
            slot_minutes=data.slot_minutes,
            break_minutes=data.break_minutes,
            tables=data.tables,
        )
        p = await events.add_employer(db_session, request.user, event_id, data.employer_id, needs)
        return ParticipantOut(id=p.id, employer_id=p.employer_id, status=p.status.value)

    @post(
        "/{event_id:uuid}/invitations", operation_id="inviteToEvent", guards=[requires(*ORGANISERS)]
    )
    async def invite(
        self,
        request: AuthRequest,
        db_session: Db,
        event_id: FromPath[UUID],
        data: JSONBody[InviteIn],
    ) -> list[InvitationOut]:
        """Invite the people of these shortlist entries (their consent must hold)."""
        made = await events.invite(db_session, request.user, event_id, data.entry_ids)
        return [invitation_out(i) for i in made]


class EventBookingController(Controller):
    path = "/api"
    tags = ["events"]

    @post(
        "/event-invitations/{invitation_id:uuid}/book",
        operation_id="bookEventSlot",
        guards=[requires(Role.JOBSEEKER, *ORGANISERS)],
        raises=[Taken],
    )
    async def book(
        self,
        request: AuthRequest,
        db_session: Db,
        invitation_id: FromPath[UUID],
        data: JSONBody[BookIn],
    ) -> BookingOut:
        """Book a slot (or the earliest free one); 409 when taken or full."""
        booking = await events.book(db_session, request.user, invitation_id, data.slot_id)
        return booking_out(booking)

    @post(
        "/event-bookings/{booking_id:uuid}/cancel",
        operation_id="cancelEventBooking",
        guards=[requires(Role.JOBSEEKER, *ORGANISERS)],
        raises=[Taken],
    )
    async def cancel(
        self, request: AuthRequest, db_session: Db, booking_id: FromPath[UUID]
    ) -> BookingOut:
        """Cancel a booking; the slot goes to the first on the waiting list."""
        return booking_out(await events.cancel(db_session, request.user, booking_id))

    @post(
        "/event-bookings/{booking_id:uuid}/outcome",
        operation_id="recordEventOutcome",
        guards=[requires(Role.EMPLOYER, *ORGANISERS)],
        raises=[Taken],
    )
    async def outcome(
        self,
        request: AuthRequest,
        db_session: Db,
        booking_id: FromPath[UUID],
        data: JSONBody[OutcomeIn],
    ) -> BookingOut:
        """Check-in (``attended``) and the employer's outcome for one slot."""
        booking = None
        if data.attended is not None:
            booking = await events.check_in(db_session, request.user, booking_id, data.attended)
        if data.outcome is not None:
            booking = await events.record_outcome(
                db_session, request.user, booking_id, data.outcome, data.reason
            )
        if booking is None:
            booking, *_ = await events.booking_for(db_session, request.user, booking_id)
        return booking_out(booking)

    @get(
        "/event-bookings/{booking_id:uuid}/calendar",
        operation_id="eventBookingCalendar",
        guards=[requires(Role.JOBSEEKER)],
        media_type="text/calendar",
    )
    async def calendar(
        self, request: AuthRequest, db_session: Db, booking_id: FromPath[UUID]
    ) -> Response[bytes]:
        """The booking's iCalendar entry (a cancellation once cancelled)."""
        booking, *_ = await events.booking_for(db_session, request.user, booking_id)
        ics = await events.booking_ics(
            db_session, booking, cancel=booking.status.value == "cancelled"
        )
        return Response(
            ics.encode(),
            media_type="text/calendar",
            headers={"Content-Disposition": f'attachment; filename="kohtaanto-{booking.id}.ics"'},
        )
