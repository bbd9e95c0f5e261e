"""The seam to the client's service plan (issue: the coach's service paths).

When ``kohtaanto.domain.service_paths`` provides its add-activity use case, a booked
slot becomes an activity in the client's plan here; until then this does nothing.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import EventBooking, RecruitmentEvent


async def add_to_client_plan(
    session: AsyncSession, booking: EventBooking, event: RecruitmentEvent
) -> None:
    """Put the booked interview into the client's service plan (a seam for now)."""
    return None
