"""Employers: registration, its verification by the coordinator, and which company
coordinator serves them."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import Employer, EmployerStatus, Municipality, Role, User


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


class NotApproved(Exception):
    """The organisation's registration is not (yet) verified by its coordinator."""

    def __init__(self, employer: Employer) -> None:
        self.status = employer.status
        message = (
            "your organisation's registration was rejected by the company coordinator"
            if employer.status is EmployerStatus.REJECTED
            else "your organisation's registration waits for the company coordinator's approval"
        )
        super().__init__(message)


def require_approved(employer: Employer) -> None:
    """Publishing and candidates need a verified organisation: a business ID is public,
    so typing one proves nothing until the coordinator has checked who registered."""
    if employer.status is not EmployerStatus.APPROVED:
        raise NotApproved(employer)


def reviewable_by(user: User) -> Select[tuple[Employer]]:
    """Organisations the user may verify: a coordinator those of their sub-region,
    an admin all."""
    query = select(Employer)
    if user.role is Role.ADMIN:
        return query
    return query.join(Municipality, Municipality.id == Employer.municipality_id).where(
        Municipality.sub_region == user.sub_region
    )


async def pending_for(session: AsyncSession, user: User) -> list[Employer]:
    """Registrations waiting for ``user``'s verification, oldest first."""
    rows = await session.scalars(
        reviewable_by(user)
        .where(Employer.status == EmployerStatus.PENDING)
        .order_by(Employer.created_at, Employer.name)
    )
    return list(rows)


async def reviewable(session: AsyncSession, user: User, employer_id: UUID) -> Employer | None:
    """The organisation if ``user`` may verify it (else None: a 404, as for any foreign id)."""
    return await session.scalar(reviewable_by(user).where(Employer.id == employer_id))


class ReviewError(ValueError):
    """A decision that cannot be made (already decided, or no reason given)."""


def decide(employer: Employer, reviewer: User, approve: bool, reason: str | None = None) -> None:
    """Approve or reject a pending registration; a rejection says why."""
    if employer.status is not EmployerStatus.PENDING:
        raise ReviewError(f"the registration is already {employer.status.value}")
    if not approve and not (reason and reason.strip()):
        raise ReviewError("a rejection needs a reason")
    employer.status = EmployerStatus.APPROVED if approve else EmployerStatus.REJECTED
    employer.rejection_reason = None if approve else (reason or "").strip()
    employer.reviewed_at = datetime.now(UTC)
    employer.reviewed_by_id = reviewer.id
