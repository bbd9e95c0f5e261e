"""Recruitment events' pages: the organiser's plan, invitations and slot board; the
employer's tables and outcomes; the jobseeker's invitations, bookings and calendar file.

Every handler reads the form, calls one use case of ``kohtaanto.domain.events`` and
redirects back (a refusal is shown translated by the global handler).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select

from kohtaanto.auth import AuthRequest, requires
from kohtaanto.db import Db
from kohtaanto.db.models import (
    Employer,
    EmployerStatus,
    EventKind,
    Municipality,
    Role,
    Vacancy,
    VacancyStatus,
)
from kohtaanto.domain import events
from kohtaanto.domain.errors import DomainError
from kohtaanto.domain.shortlists import NOT_HIRED_REASONS
from kohtaanto.i18n import N_
from kohtaanto.web.forms import int_field, time_field, uuid_field, uuid_list
from kohtaanto.web.rendering import page

ORGANISERS = (Role.COORDINATOR, Role.COACH, Role.ADMIN)


def _int(form: Any, name: str, default: int) -> int:
    found = int_field(form.get(name), name)
    return default if found is None else found


def _needs(form: Any) -> events.Needs:
    return events.Needs(
        vacancy_ids=uuid_list(form, "vacancy_ids"),
        headcount=_int(form, "headcount", 1),
        instruments=[str(i) for i in form.getall("instruments", [])],
        slot_minutes=_int(form, "slot_minutes", 15),
        break_minutes=_int(form, "break_minutes", 5),
        tables=_int(form, "tables", 1),
    )


class EventPages(Controller):
    """The organiser's pages: a coordinator, or a coach organising for a group."""

    path = "/events"
    guards = [requires(*ORGANISERS)]
    include_in_schema = False

    @get("/", operation_id="pageEvents")
    async def index(self, request: AuthRequest, db_session: Db) -> Template:
        """My events, and the form to plan a new one."""
        mine = await events.list_events(db_session, request.user)
        mine = [e for e in mine if events.runs(request.user, e)]
        municipalities = (
            await db_session.execute(
                select(Municipality.code, Municipality.name).order_by(Municipality.name)
            )
        ).all()
        return page(
            request,
            "events/index.html",
            events=mine,
            kinds=[k.value for k in EventKind],
            municipalities=municipalities,
        )

    @post("/", operation_id="pageEventCreate", status_code=303)
    async def create(self, request: AuthRequest, db_session: Db) -> Redirect:
        form = await request.form()
        online = form.get("online") == "1"
        fields = events.EventFields(
            title=str(form.get("title") or ""),
            kind=str(form.get("kind") or ""),
            starts_at=time_field(form.get("starts_at"), "starts_at"),
            ends_at=time_field(form.get("ends_at"), "ends_at"),
            reply_deadline=time_field(form.get("reply_deadline"), "reply_deadline"),
            capacity=_int(form, "capacity", 0),
            online=online,
            place=str(form.get("place") or "") or None,
            municipality_code=str(form.get("municipality_code") or "") or None,
            video_link=str(form.get("video_link") or "") or None,
            languages=[str(v) for v in form.getall("languages", [])] or ["fi"],
            description=str(form.get("description") or ""),
        )
        event = await events.create_event(db_session, request.user, fields)
        return Redirect(f"/events/{event.id}", status_code=303)

    @get("/{event_id:uuid}", operation_id="pageEventBoard")
    async def board(
        self, request: AuthRequest, db_session: Db, event_id: FromPath[UUID]
    ) -> Template:
        """Plan, invite and follow: employers and their needs, whom matching proposes,
        everyone invited, and the slot board with check-in and outcomes."""
        board = await events.board(db_session, request.user, event_id)
        proposals = await events.proposals(db_session, request.user, event_id)
        employers_query = select(Employer).where(Employer.status == EmployerStatus.APPROVED)
        if request.user.role is Role.COORDINATOR:
            employers_query = employers_query.where(Employer.coordinator_id == request.user.id)
        employers = list(await db_session.scalars(employers_query.order_by(Employer.name)))
        vacancies = (
            await db_session.execute(
                select(Vacancy.id, Vacancy.title, Vacancy.employer_id)
                .where(
                    Vacancy.employer_id.in_([e.id for e in employers]),
                    Vacancy.status == VacancyStatus.OPEN,
                )
                .order_by(Vacancy.title)
            )
        ).all()
        return page(
            request,
            "events/board.html",
            board=board,
            event=board.event,
            proposals=proposals,
            employers=employers,
            vacancies=vacancies,
            instruments=events.INSTRUMENTS,
            reasons=list(NOT_HIRED_REASONS),
            done=request.query_params.get("done"),
        )

    @post("/{event_id:uuid}/status", operation_id="pageEventStatus", status_code=303)
    async def status(
        self, request: AuthRequest, db_session: Db, event_id: FromPath[UUID]
    ) -> Redirect:
        form = await request.form()
        await events.set_status(db_session, request.user, event_id, str(form.get("status") or ""))
        return Redirect(f"/events/{event_id}?done=status", status_code=303)

    @post("/{event_id:uuid}/employers", operation_id="pageEventAddEmployer", status_code=303)
    async def add_employer(
        self, request: AuthRequest, db_session: Db, event_id: FromPath[UUID]
    ) -> Redirect:
        form = await request.form()
        employer_id = uuid_field(form.get("employer_id"), "employer_id")
        await events.add_employer(db_session, request.user, event_id, employer_id, _needs(form))
        return Redirect(f"/events/{event_id}?done=employer", status_code=303)

    @post("/{event_id:uuid}/invitations", operation_id="pageEventInvite", status_code=303)
    async def invite(
        self, request: AuthRequest, db_session: Db, event_id: FromPath[UUID]
    ) -> Redirect:
        form = await request.form()
        made = await events.invite(db_session, request.user, event_id, uuid_list(form, "entry_ids"))
        return Redirect(f"/events/{event_id}?done=invited&n={len(made)}", status_code=303)

    @post(
        "/invitations/{invitation_id:uuid}/book",
        operation_id="pageEventBookFor",
        status_code=303,
    )
    async def book_for(
        self, request: AuthRequest, db_session: Db, invitation_id: FromPath[UUID]
    ) -> Redirect:
        """The organiser books the earliest free slot for an invited person."""
        booking = await events.book(db_session, request.user, invitation_id)
        return Redirect(f"/events/{booking.event_id}?done=booked", status_code=303)

    @post("/bookings/{booking_id:uuid}/cancel", operation_id="pageEventCancelFor", status_code=303)
    async def cancel_for(
        self, request: AuthRequest, db_session: Db, booking_id: FromPath[UUID]
    ) -> Redirect:
        booking = await events.cancel(db_session, request.user, booking_id)
        return Redirect(f"/events/{booking.event_id}?done=cancelled", status_code=303)

    @post("/bookings/{booking_id:uuid}/outcome", operation_id="pageEventOutcome", status_code=303)
    async def outcome(
        self, request: AuthRequest, db_session: Db, booking_id: FromPath[UUID]
    ) -> Redirect:
        booking = await _outcome(request, db_session, booking_id)
        return Redirect(f"/events/{booking.event_id}?done=outcome#slots", status_code=303)


async def _outcome(request: AuthRequest, db: Db, booking_id: UUID) -> Any:
    """Check-in (``attended`` = 1/0) and the outcome, as the table's form sends them."""
    form = await request.form()
    attended = str(form.get("attended") or "")
    outcome = str(form.get("outcome") or "")
    booking = None
    if attended in ("1", "0"):
        booking = await events.check_in(db, request.user, booking_id, attended == "1")
    if outcome:
        reason = str(form.get("reason") or "") or None
        booking = await events.record_outcome(db, request.user, booking_id, outcome, reason)
    if booking is None:
        if attended or outcome:
            raise DomainError("invalid", N_("Choose what to record"), field="outcome")
        booking, *_ = await events.booking_for(db, request.user, booking_id)
    return booking


class EmployerEventPages(Controller):
    """The employer's tables: take part with its needs, the slots and the outcomes."""

    path = "/employer/events"
    guards = [requires(Role.EMPLOYER)]
    include_in_schema = False

    @get("/", operation_id="pageEmployerEvents")
    async def index(self, request: AuthRequest, db_session: Db) -> Template:
        return page(
            request,
            "events/employer_index.html",
            events=await events.list_events(db_session, request.user),
        )

    @get("/{event_id:uuid}", operation_id="pageEmployerEvent")
    async def event(
        self, request: AuthRequest, db_session: Db, event_id: FromPath[UUID]
    ) -> Template:
        event, table = await events.employer_tables(db_session, request.user, event_id)
        vacancies = (
            await db_session.execute(
                select(Vacancy.id, Vacancy.title)
                .where(
                    Vacancy.employer_id == request.user.employer_id,
                    Vacancy.status == VacancyStatus.OPEN,
                )
                .order_by(Vacancy.title)
            )
        ).all()
        return page(
            request,
            "events/employer_event.html",
            event=event,
            table=table,
            vacancies=vacancies,
            instruments=events.INSTRUMENTS,
            reasons=list(NOT_HIRED_REASONS),
            done=request.query_params.get("done"),
        )

    @post("/{event_id:uuid}/answer", operation_id="pageEmployerEventAnswer", status_code=303)
    async def answer(
        self, request: AuthRequest, db_session: Db, event_id: FromPath[UUID]
    ) -> Redirect:
        """Take part (accept the invitation or ask to join) with the needs, or decline."""
        form = await request.form()
        take_part = form.get("take_part") != "0"
        await events.employer_answer(
            db_session, request.user, event_id, _needs(form), take_part=take_part
        )
        return Redirect(f"/employer/events/{event_id}?done=answer", status_code=303)

    @post(
        "/bookings/{booking_id:uuid}/outcome",
        operation_id="pageEmployerEventOutcome",
        status_code=303,
    )
    async def outcome(
        self, request: AuthRequest, db_session: Db, booking_id: FromPath[UUID]
    ) -> Redirect:
        booking = await _outcome(request, db_session, booking_id)
        return Redirect(f"/employer/events/{booking.event_id}?done=outcome#slots", status_code=303)


class JobseekerEventPages(Controller):
    """The jobseeker's invitations: book a slot, wait for one, cancel, add to calendar."""

    path = "/jobseeker/events"
    guards = [requires(Role.JOBSEEKER)]
    include_in_schema = False

    @get("/", operation_id="pageJobseekerEvents")
    async def index(self, request: AuthRequest, db_session: Db) -> Template:
        return page(
            request,
            "events/jobseeker.html",
            items=await events.my_invitations(db_session, request.user),
            done=request.query_params.get("done"),
        )

    @post(
        "/invitations/{invitation_id:uuid}/book",
        operation_id="pageJobseekerEventBook",
        status_code=303,
    )
    async def book(
        self, request: AuthRequest, db_session: Db, invitation_id: FromPath[UUID]
    ) -> Redirect:
        form = await request.form()
        raw = form.get("slot_id")
        slot_id = uuid_field(raw, "slot_id") if raw else None
        await events.book(db_session, request.user, invitation_id, slot_id)
        return Redirect("/jobseeker/events?done=booked", status_code=303)

    @post(
        "/invitations/{invitation_id:uuid}/wait",
        operation_id="pageJobseekerEventWait",
        status_code=303,
    )
    async def wait(
        self, request: AuthRequest, db_session: Db, invitation_id: FromPath[UUID]
    ) -> Redirect:
        await events.wait(db_session, request.user, invitation_id)
        return Redirect("/jobseeker/events?done=waiting", status_code=303)

    @post(
        "/invitations/{invitation_id:uuid}/decline",
        operation_id="pageJobseekerEventDecline",
        status_code=303,
    )
    async def decline(
        self, request: AuthRequest, db_session: Db, invitation_id: FromPath[UUID]
    ) -> Redirect:
        await events.decline(db_session, request.user, invitation_id)
        return Redirect("/jobseeker/events?done=declined", status_code=303)

    @post(
        "/bookings/{booking_id:uuid}/cancel",
        operation_id="pageJobseekerEventCancel",
        status_code=303,
    )
    async def cancel(
        self, request: AuthRequest, db_session: Db, booking_id: FromPath[UUID]
    ) -> Redirect:
        await events.cancel(db_session, request.user, booking_id)
        return Redirect("/jobseeker/events?done=cancelled", status_code=303)

    @get("/bookings/{booking_id:uuid}/calendar.ics", operation_id="pageJobseekerEventIcs")
    async def calendar(
        self, request: AuthRequest, db_session: Db, booking_id: FromPath[UUID]
    ) -> Response[bytes]:
        """The slot as an iCalendar file: add it to a calendar (a cancellation once
        cancelled, so the same file removes it)."""
        booking, *_ = await events.booking_for(db_session, request.user, booking_id)
        ics = await events.booking_ics(
            db_session, booking, cancel=booking.status.value == "cancelled"
        )
        return Response(
            ics.encode(),
            media_type="text/calendar",
            headers={"Content-Disposition": f'attachment; filename="kohtaanto-{booking.id}.ics"'},
        )
