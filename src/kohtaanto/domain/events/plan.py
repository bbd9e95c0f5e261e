"""A booked recruitment-event slot in the client's service plan (issue 10's plan).

The booking becomes an "application" activity tied to the shortlist entry, added by
the service itself; a cancelled booking cancels the activity. Found again by the
booking id in the activity's details.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    Employer,
    EventBooking,
    EventEmployer,
    EventSlot,
    PlanActivity,
    RecruitmentEvent,
)
from kohtaanto.domain.service_paths import plan as service_plan
from kohtaanto.domain.service_paths.plan import FINAL

BOOKING_KEY = "event_booking_id"


async def add_to_client_plan(
    session: AsyncSession, booking: EventBooking, event: RecruitmentEvent
) -> None:
    """Put the booked interview into the client's service plan."""
    employer = await session.scalar(
        select(Employer.name)
        .join(EventEmployer, EventEmployer.employer_id == Employer.id)
        .join(EventSlot, EventSlot.participant_id == EventEmployer.id)
        .where(EventSlot.id == booking.slot_id)
    )
    day = booking.starts_at.date()
    await service_plan.add_activity(
        session,
        booking.jobseeker_id,
        actor=None,
        kind="application",
        title=f"{event.title}: {employer or ''}".strip(": ")[:255],
        starts_on=day,
        ends_on=day,
        shortlist_entry_id=booking.entry_id,
        details={BOOKING_KEY: str(booking.id), "event_id": str(event.id)},
    )


async def cancel_in_client_plan(session: AsyncSession, booking: EventBooking) -> None:
    """The booking was cancelled: so is its activity (unless already done or cancelled)."""
    activities = await session.scalars(
        select(PlanActivity).where(PlanActivity.details[BOOKING_KEY].as_string() == str(booking.id))
    )
    for activity in activities.all():
        if activity.status not in FINAL:
            await service_plan.set_status(session, activity.id, "cancelled", actor=None)
