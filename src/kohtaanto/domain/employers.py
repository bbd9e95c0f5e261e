"""Employers: registration and which company coordinator serves them."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import Employer, Municipality, Role, User


async def coordinator_for(session: AsyncSession, municipality: Municipality) -> UUID | None:
    """The coordinator of the municipality's sub-region who serves the fewest employers."""
    load = (
        select(User.id, func.count(Employer.id).label("n"))
        .outerjoin(Employer, Employer.coordinator_id == User.id)
        .where(
            User.role == Role.COORDINATOR,
            User.sub_region == municipality.sub_region,
            User.is_active,
        )
        .group_by(User.id)
        .order_by("n", User.id)
        .limit(1)
    )
    row = (await session.execute(load)).first()
    return row[0] if row else None
