"""Employer self-registration and the employer's own organisation."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.params import JSONBody
from sqlalchemy import select

from kohtaanto.api.auth import AuthRequest, requires
from kohtaanto.api.errors import invalid, not_found
from kohtaanto.api.schemas import Db, MunicipalityCode, Place
from kohtaanto.db.models import Employer, Role, User
from kohtaanto.domain import employers, vocabulary
from kohtaanto.domain.business_id import validate_business_id
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


def employer_out(e: Employer) -> EmployerOut:
    m = e.municipality
    return EmployerOut(
        id=e.id,
        business_id=e.business_id,
        name=e.name,
        municipality=Place(code=m.code, name=m.name, sub_region=m.sub_region),
        has_coordinator=e.coordinator_id is not None,
    )


class EmployerController(Controller):
    path = "/api/employers"
    tags = ["employers"]

    @post("/register", operation_id="registerEmployer")
    async def register(self, db_session: Db, data: JSONBody[EmployerRegistration]) -> EmployerOut:
        """Register an organisation and its first user; a coordinator is assigned by sub-region."""
        try:
            business_id = validate_business_id(data.business_id)
        except ValueError as e:
            raise invalid("business_id", str(e)) from e
        try:
            place = await vocabulary.municipality(db_session, data.municipality_code)
        except UnknownReference as e:
            raise invalid(e.field, e.message) from e
        if await db_session.scalar(select(Employer.id).where(Employer.business_id == business_id)):
            raise invalid("business_id", "this organisation is already registered")
        email = data.email.strip().lower()
        if await db_session.scalar(select(User.id).where(User.email == email)):
            raise invalid("email", "this e-mail address is already in use")
        employer = Employer(
            business_id=business_id,
            name=data.name,
            municipality_id=place.id,
            municipality=place,
            coordinator_id=await employers.coordinator_for(db_session, place),
        )
        db_session.add(employer)
        await db_session.flush()
        db_session.add(
            User(
                email=email,
                password_hash=await hash_password_async(data.password),
                name=data.contact_name,
                role=Role.EMPLOYER,
                employer_id=employer.id,
            )
        )
        await db_session.flush()
        return employer_out(employer)

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
