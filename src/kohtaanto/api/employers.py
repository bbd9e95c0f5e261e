"""Employer self-registration and the employer's own organisation: the JSON door of
``kohtaanto.domain.employers``."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath, JSONBody

from kohtaanto.api.schemas import Db, Place, place_of
from kohtaanto.auth import AuthRequest, requires
from kohtaanto.db.models import Employer, EmployerStatus, Role
from kohtaanto.domain import employers
from kohtaanto.domain.employers import EmployerRegistration, EmployerReview
from kohtaanto.mail import send


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
    return EmployerOut(
        id=e.id,
        business_id=e.business_id,
        name=e.name,
        municipality=place_of(e.municipality),
        has_coordinator=e.coordinator_id is not None,
        status=e.status,
        rejection_reason=e.rejection_reason,
    )


class RegistrationReceived(msgspec.Struct):
    """The same answer whether or not the address already has an account."""

    status: str
    detail: str


RECEIVED = RegistrationReceived(
    status="received",
    detail="Check your e-mail. A new account can log in at once and draft vacancies; "
    "publishing waits for the company coordinator's approval.",
)


class Rejection(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=3, max_length=1000)]


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
        _, mail = await employers.register(db_session, data)
        return Response(RECEIVED, status_code=202, background=BackgroundTask(send, mail))

    @get(
        "/pending",
        operation_id="listPendingEmployers",
        guards=[requires(Role.COORDINATOR, Role.ADMIN)],
    )
    async def pending(self, request: AuthRequest, db_session: Db) -> list[EmployerReview]:
        """Registrations of the coordinator's area waiting for verification, oldest first."""
        return await employers.pending_for(db_session, request.user)

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
        return await employers.decide(db_session, request.user, employer_id, approve=True)

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
        return await employers.decide(
            db_session, request.user, employer_id, approve=False, reason=data.reason
        )

    @get("/me", operation_id="getMyEmployer", guards=[requires(Role.EMPLOYER)])
    async def mine(self, request: AuthRequest, db_session: Db) -> EmployerOut:
        """The employer user's own organisation."""
        return employer_out(await employers.of_user(db_session, request.user))
