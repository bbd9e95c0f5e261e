"""Employer self-registration and the employer's own organisation."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath, JSONBody
from sqlalchemy import select

from kohtaanto.api.auth import AuthRequest, requires
from kohtaanto.api.errors import invalid, not_found
from kohtaanto.api.schemas import Db, MunicipalityCode, Place
from kohtaanto.db.models import Employer, EmployerStatus, Role, User
from kohtaanto.domain import account_mail, employers, vocabulary
from kohtaanto.domain.business_id import validate_business_id
from kohtaanto.domain.notifications import notify_once
from kohtaanto.domain.vocabulary import UnknownReference
from kohtaanto.security import hash_password_async

Email = Annotated[str, msgspec.Meta(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=255)]
Password = Annotated[str, msgspec.Meta(min_length=8, max_length=128)]
Name = Annotated[str, msgspec.Meta(min_length=2, max_length=255)]


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


class EmployerOut(msgspec.Struct):
    id: UUID
    business_id: str
    name: str
    municipality: Place
    # Whether a company coordinator serves the organisation; never the coordinator's id
    # (an employer can do nothing with it, and ids are what a forged token needs).
    has_coordinator: bool
    # pending: may draft vacancies, not publish them or see candidates, until the area's
    # coordinator approves; rejected: with the coordinator's reason.
    status: EmployerStatus
    rejection_reason: str | None


def employer_out(e: Employer) -> EmployerOut:
    m = e.municipality
    return EmployerOut(
        id=e.id,
        business_id=e.business_id,
        name=e.name,
        municipality=Place(code=m.code, name=m.name, sub_region=m.sub_region),
        has_coordinator=e.coordinator_id is not None,
        status=e.status,
        rejection_reason=e.rejection_reason,
    )


# The notification kind telling a coordinator of a registration to verify.
EMPLOYER_REGISTRATION = "employer_registration"


class RegistrationReceived(msgspec.Struct):
    """The same answer whether or not the address already has an account."""

    status: str
    detail: str


RECEIVED = RegistrationReceived(
    status="received",
    detail="Check your e-mail. A new account can log in at once and draft vacancies; "
    "publishing waits for the company coordinator's approval.",
)


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


class Rejection(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=3, max_length=1000)]


async def employer_review(db: Db, e: Employer) -> EmployerReview:
    m = e.municipality
    users = await db.scalars(select(User).where(User.employer_id == e.id).order_by(User.email))
    return EmployerReview(
        id=e.id,
        business_id=e.business_id,
        name=e.name,
        municipality=Place(code=m.code, name=m.name, sub_region=m.sub_region),
        status=e.status,
        registered_at=e.created_at,
        contacts=[Contact(name=u.name, email=u.email) for u in users],
        rejection_reason=e.rejection_reason,
    )


async def register_employer(
    db: Db, data: EmployerRegistration
) -> tuple[Employer | None, EmailMessage]:
    """Register the organisation and its first user, pending the coordinator's approval.

    Returns the new organisation (None when the address already has an account: nothing
    is written) and the e-mail to send, either way, after the answer.
    """
    try:
        business_id = validate_business_id(data.business_id)
    except ValueError as e:
        raise invalid("business_id", str(e)) from e
    try:
        place = await vocabulary.municipality(db, data.municipality_code)
    except UnknownReference as e:
        raise invalid(e.field, e.message) from e
    if await db.scalar(select(Employer.id).where(Employer.business_id == business_id)):
        # Says only that the organisation is registered (its users can add colleagues
        # through the coordinator), not who registered it or with which address.
        raise invalid("business_id", "this organisation is already registered")
    email = data.email.strip().lower()
    # Hashed either way, so both answers take as long.
    password_hash = await hash_password_async(data.password)
    if await db.scalar(select(User.id).where(User.email == email)):
        return None, account_mail.address_already_registered(email)
    employer = Employer(
        business_id=business_id,
        name=data.name,
        municipality_id=place.id,
        municipality=place,
        coordinator_id=await employers.coordinator_for(db, place),
        status=EmployerStatus.PENDING,
    )
    db.add(employer)
    await db.flush()
    db.add(
        User(
            email=email,
            password_hash=password_hash,
            name=data.contact_name,
            role=Role.EMPLOYER,
            employer_id=employer.id,
        )
    )
    await db.flush()
    if employer.coordinator_id is not None:
        # The coordinator learns there is a registration to verify (inbox, and e-mail or
        # webhook as they chose).
        await notify_once(
            db,
            recipient_id=employer.coordinator_id,
            kind=EMPLOYER_REGISTRATION,
            vacancy_id=None,
            title=f"An employer to verify: {employer.name}",
            body={"employer_id": str(employer.id), "name": employer.name},
            key=f"{EMPLOYER_REGISTRATION}:{employer.id}",
        )
    return employer, account_mail.registration_received(email, data.name)


class EmployerController(Controller):
    path = "/api/employers"
    tags = ["employers"]

    @post("/register", operation_id="registerEmployer", status_code=202)
    async def register(
        self, db_session: Db, data: JSONBody[EmployerRegistration]
    ) -> Response[RegistrationReceived]:
        """Register an organisation and its first user. The account waits for the area's
        company coordinator's approval before it can publish. The answer is the same
        whether or not the address already has an account (its owner gets an e-mail)."""
        _, mail = await register_employer(db_session, data)
        return Response(
            RECEIVED, status_code=202, background=BackgroundTask(account_mail.send, mail)
        )

    @get(
        "/pending",
        operation_id="listPendingEmployers",
        guards=[requires(Role.COORDINATOR, Role.ADMIN)],
    )
    async def pending(self, request: AuthRequest, db_session: Db) -> list[EmployerReview]:
        """Registrations of the coordinator's area waiting for verification, oldest first."""
        return [
            await employer_review(db_session, e)
            for e in await employers.pending_for(db_session, request.user)
        ]

    @post(
        "/{employer_id:uuid}/approve",
        operation_id="approveEmployer",
        guards=[requires(Role.COORDINATOR, Role.ADMIN)],
        status_code=200,
    )
    async def approve(
        self, request: AuthRequest, db_session: Db, employer_id: FromPath[UUID]
    ) -> EmployerReview:
        """Verify the registration: the organisation may publish and see candidates."""
        return await _decide(db_session, request, employer_id, approve=True)

    @post(
        "/{employer_id:uuid}/reject",
        operation_id="rejectEmployer",
        guards=[requires(Role.COORDINATOR, Role.ADMIN)],
        status_code=200,
    )
    async def reject(
        self,
        request: AuthRequest,
        db_session: Db,
        employer_id: FromPath[UUID],
        data: JSONBody[Rejection],
    ) -> EmployerReview:
        """Refuse the registration with a reason the employer sees."""
        return await _decide(db_session, request, employer_id, approve=False, reason=data.reason)

    @get("/me", operation_id="getMyEmployer", guards=[requires(Role.EMPLOYER)])
    async def mine(self, request: AuthRequest, db_session: Db) -> EmployerOut:
        """The employer user's own organisation."""
        employer = (
            await db_session.get(Employer, request.user.employer_id)
            if request.user.employer_id
            else None
        )
        if employer is None:
            raise not_found("Employer")
        return employer_out(employer)


async def _decide(
    db: Db, request: AuthRequest, employer_id: UUID, *, approve: bool, reason: str | None = None
) -> EmployerReview:
    employer = await employers.reviewable(db, request.user, employer_id)
    if employer is None:
        raise not_found("Employer")
    try:
        employers.decide(employer, request.user, approve, reason)
    except employers.ReviewError as e:
        raise invalid("reason" if "reason" in str(e) else "status", str(e)) from e
    await db.flush()
    return await employer_review(db, employer)
