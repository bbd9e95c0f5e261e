"""Employers: registration, its verification by the coordinator, the organisation of an
employer user, and which company coordinator serves them.

The use cases both doors call (``api/employers.py``, ``web/employer.py``,
``web/verification.py``); refusals are ``DomainError`` with a code and a field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import Employer, EmployerStatus, Municipality, Role, User
from kohtaanto.domain import account_mail, vocabulary
from kohtaanto.domain.business_id import validate_business_id
from kohtaanto.domain.errors import DomainError, Forbidden, NotFound
from kohtaanto.domain.notifications import notify_once
from kohtaanto.domain.schemas import MunicipalityCode, Place, place_of
from kohtaanto.i18n import N_
from kohtaanto.security import hash_password_async

Email = Annotated[str, msgspec.Meta(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=255)]
Password = Annotated[str, msgspec.Meta(min_length=8, max_length=128)]
Name = Annotated[str, msgspec.Meta(min_length=2, max_length=255)]

# The notification kind telling a coordinator of a registration to verify.
EMPLOYER_REGISTRATION = "employer_registration"


class EmployerRegistration(msgspec.Struct, forbid_unknown_fields=True):
    business_id: Annotated[
        str,
        msgspec.Meta(max_length=16, description="Finnish business ID (Y-tunnus), e.g. 0737546-2"),
    ]
    name: Name
    municipality_code: MunicipalityCode
    contact_name: Name
    email: Email
    password: Password
    # The language of the account's e-mails (and the interface's, until they choose).
    language: Literal["fi", "sv", "en"] = "fi"


class Contact(msgspec.Struct):
    name: str
    email: str


class EmployerReview(msgspec.Struct):
    """A registration as the coordinator verifies it: who registered, and as what."""

    id: UUID
    business_id: str
    name: str
    municipality: Place
    status: EmployerStatus
    registered_at: datetime
    contacts: list[Contact]
    rejection_reason: str | None


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


async def find_of_user(session: AsyncSession, user: User) -> Employer | None:
    """The organisation of the employer user ``user``, if the account has one."""
    return await session.get(Employer, user.employer_id) if user.employer_id else None


async def of_user(session: AsyncSession, user: User) -> Employer:
    """The organisation of the employer user ``user`` (``NotFound`` without one)."""
    employer = await find_of_user(session, user)
    if employer is None:
        raise NotFound("employer_not_found", N_("No such employer."), field="employer_id")
    return employer


async def coordinator_of(session: AsyncSession, employer: Employer) -> User | None:
    """The company coordinator who serves ``employer`` (shown by name and contact, never id)."""
    if employer.coordinator_id is None:
        return None
    return await session.get(User, employer.coordinator_id)


class NotApproved(Forbidden):
    """The organisation's registration is not (yet) verified by its coordinator."""

    def __init__(self, employer: Employer) -> None:
        if employer.status is EmployerStatus.REJECTED:
            super().__init__(
                "employer_rejected",
                N_("Your organisation's registration was rejected by the company coordinator."),
            )
        else:
            super().__init__(
                "employer_not_approved",
                N_(
                    "Your organisation's registration waits for the company coordinator's approval."
                ),
            )


def require_approved(employer: Employer) -> None:
    """Publishing and candidates need a verified organisation: a business ID is public,
    so typing one proves nothing until the coordinator has checked who registered."""
    if employer.status is not EmployerStatus.APPROVED:
        raise NotApproved(employer)


async def register(
    session: AsyncSession, data: EmployerRegistration
) -> tuple[Employer | None, EmailMessage]:
    """Register the organisation and its first user, pending the coordinator's approval.

    Returns the new organisation (None when the address already has an account: nothing
    is written) and the e-mail to send, either way, after the answer.
    """
    try:
        business_id = validate_business_id(data.business_id)
    except ValueError as e:
        raise DomainError(
            "invalid_business_id",
            N_("Not a valid Finnish business ID: {business_id}"),
            field="business_id",
            business_id=data.business_id,
        ) from e
    place = await vocabulary.municipality(session, data.municipality_code)
    if await session.scalar(select(Employer.id).where(Employer.business_id == business_id)):
        # Says only that the organisation is registered (its users can add colleagues
        # through the coordinator), not who registered it or with which address.
        raise DomainError(
            "already_registered",
            N_("This organisation is already registered."),
            field="business_id",
        )
    email = data.email.strip().lower()
    # Hashed either way, so both answers take as long.
    password_hash = await hash_password_async(data.password)
    existing = await session.scalar(select(User.language).where(User.email == email))
    if existing is not None:
        return None, account_mail.address_already_registered(email, existing)
    employer = Employer(
        business_id=business_id,
        name=data.name,
        municipality_id=place.id,
        municipality=place,
        coordinator_id=await coordinator_for(session, place),
        status=EmployerStatus.PENDING,
    )
    session.add(employer)
    await session.flush()
    session.add(
        User(
            email=email,
            password_hash=password_hash,
            name=data.contact_name,
            role=Role.EMPLOYER,
            employer_id=employer.id,
            language=data.language,
        )
    )
    await session.flush()
    if employer.coordinator_id is not None:
        # The coordinator learns there is a registration to verify (inbox, and e-mail or
        # webhook as they chose).
        await notify_once(
            session,
            recipient_id=employer.coordinator_id,
            kind=EMPLOYER_REGISTRATION,
            params={"employer_id": str(employer.id), "name": employer.name},
            key=f"{EMPLOYER_REGISTRATION}:{employer.id}",
        )
    return employer, account_mail.registration_received(
        email, data.name, data.language, data.contact_name
    )


def reviewable_by(user: User) -> Select[tuple[Employer]]:
    """Organisations the user may verify: a coordinator those of their sub-region,
    an admin all."""
    query = select(Employer)
    if user.role is Role.ADMIN:
        return query
    if user.role is not Role.COORDINATOR:
        return query.where(Employer.id.is_(None))
    return query.join(Municipality, Municipality.id == Employer.municipality_id).where(
        Municipality.sub_region == user.sub_region
    )


async def review(session: AsyncSession, employer: Employer) -> EmployerReview:
    """The registration as the coordinator reads it, with the accounts that made it."""
    users = await session.scalars(
        select(User).where(User.employer_id == employer.id).order_by(User.email)
    )
    return EmployerReview(
        id=employer.id,
        business_id=employer.business_id,
        name=employer.name,
        municipality=place_of(employer.municipality),
        status=employer.status,
        registered_at=employer.created_at,
        contacts=[Contact(name=u.name, email=u.email) for u in users],
        rejection_reason=employer.rejection_reason,
    )


async def pending_for(session: AsyncSession, user: User) -> list[EmployerReview]:
    """Registrations waiting for ``user``'s verification, oldest first."""
    rows = await session.scalars(
        reviewable_by(user)
        .where(Employer.status == EmployerStatus.PENDING)
        .order_by(Employer.created_at, Employer.name)
    )
    return [await review(session, e) for e in rows.all()]


async def reviewable(session: AsyncSession, user: User, employer_id: UUID) -> Employer:
    """The organisation if ``user`` may verify it; ``NotFound`` as for any foreign id."""
    employer = await session.scalar(reviewable_by(user).where(Employer.id == employer_id))
    if employer is None:
        raise NotFound("employer_not_found", N_("No such employer."), field="employer_id")
    return employer


async def decide(
    session: AsyncSession,
    reviewer: User,
    employer_id: UUID,
    approve: bool,
    reason: str | None = None,
) -> EmployerReview:
    """Approve or reject a pending registration; a rejection says why."""
    employer = await reviewable(session, reviewer, employer_id)
    if employer.status is not EmployerStatus.PENDING:
        raise DomainError(
            "already_decided",
            N_("The registration has already been decided."),
            field="status",
            status=employer.status.value,
        )
    reason = (reason or "").strip()
    if not approve and len(reason) < 3:
        raise DomainError(
            "reason_required", N_("Give the reason the employer will see."), field="reason"
        )
    employer.status = EmployerStatus.APPROVED if approve else EmployerStatus.REJECTED
    employer.rejection_reason = None if approve else reason
    employer.reviewed_at = datetime.now(UTC)
    employer.reviewed_by_id = reviewer.id
    await session.flush()
    return await review(session, employer)
