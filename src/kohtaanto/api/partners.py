"""Partner services and referrals over the API: thin doors onto ``domain.partners``.

The catalogue is searched in Meilisearch (text, themes, audiences, types, skills,
distance from a client); the answer link a partner gets by e-mail is a page
(``/r/{token}``), so the API answers partner users only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, get, post, put
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from kohtaanto.auth import AuthRequest, requires
from kohtaanto.db import Db
from kohtaanto.db.models import PartnerService, Referral, ReferralStatus, Role
from kohtaanto.domain.errors import DomainError
from kohtaanto.domain.partners import catalogue, referrals
from kohtaanto.domain.schemas import MunicipalityCode
from kohtaanto.i18n import N_
from kohtaanto.offers import gap_with_offers, search_services
from search.partners import municipality_point

H, P, J, A, M, C = (
    Role.COACH,
    Role.PARTNER,
    Role.JOBSEEKER,
    Role.ADMIN,
    Role.MANAGER,
    Role.COORDINATOR,
)

Code = Annotated[str, msgspec.Meta(max_length=64)]
Codes = Annotated[list[Code], msgspec.Meta(max_length=30)]
Uris = Annotated[list[Annotated[str, msgspec.Meta(max_length=255)]], msgspec.Meta(max_length=2000)]
Short = Annotated[str, msgspec.Meta(max_length=255)]
Long = Annotated[str, msgspec.Meta(max_length=5000)]


class Conflicting(HTTPException):
    """Someone or something changed the referral first (its status no longer allows it)."""

    status_code = 409
    detail = "Conflict"


class ServiceWrite(msgspec.Struct, forbid_unknown_fields=True):
    """A service in the data·inclusion-like schema (codes: see the catalogue's vocabularies)."""

    name: Short
    types: Codes
    description: Long = ""
    themes: Codes = []
    audiences: Codes = []
    access_conditions: Codes = []
    reception_modes: Codes = []
    referral_methods: Codes = msgspec.field(default_factory=lambda: ["kohtaanto"])
    municipality_code: MunicipalityCode | None = None
    address: Short | None = None
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None
    area_codes: Annotated[list[MunicipalityCode], msgspec.Meta(max_length=400)] = []
    contact_name: Short | None = None
    contact_email: Short | None = None
    contact_phone: Annotated[str, msgspec.Meta(max_length=32)] | None = None
    opening_hours: Short | None = None
    hours_per_week: Annotated[float, msgspec.Meta(gt=0, le=60)] | None = None
    weeks: Annotated[int, msgspec.Meta(ge=1, le=260)] | None = None
    fee: Literal["free", "partly", "paid"] = "free"
    fee_details: Short | None = None
    skill_uris: Uris = []
    occupation_uris: Uris = []
    active: bool = True


class ServiceCreate(ServiceWrite, forbid_unknown_fields=True):
    organisation_id: UUID | None = None


class ServiceOut(msgspec.Struct):
    id: UUID
    organisation_id: UUID
    organisation: str
    organisation_kind: str
    name: str
    description: str
    types: list[str]
    themes: list[str]
    audiences: list[str]
    access_conditions: list[str]
    reception_modes: list[str]
    referral_methods: list[str]
    municipality_code: str | None
    address: str | None
    lat: float | None
    lon: float | None
    area_codes: list[str]
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    opening_hours: str | None
    hours_per_week: float | None
    weeks: int | None
    fee: str
    fee_details: str | None
    skill_uris: list[str]
    occupation_uris: list[str]
    active: bool
    distance_km: float | None = None


def service_out(s: PartnerService, distance_km: float | None = None) -> ServiceOut:
    return ServiceOut(
        id=s.id,
        organisation_id=s.organisation_id,
        organisation=s.organisation.name,
        organisation_kind=s.organisation.kind,
        name=s.name,
        description=s.description,
        types=s.types,
        themes=s.themes,
        audiences=s.audiences,
        access_conditions=s.access_conditions,
        reception_modes=s.reception_modes,
        referral_methods=s.referral_methods,
        municipality_code=s.municipality.code if s.municipality else None,
        address=s.address,
        lat=s.lat,
        lon=s.lon,
        area_codes=s.area_codes,
        contact_name=s.contact_name,
        contact_email=s.contact_email,
        contact_phone=s.contact_phone,
        opening_hours=s.opening_hours,
        hours_per_week=s.hours_per_week,
        weeks=s.weeks,
        fee=s.fee,
        fee_details=s.fee_details,
        skill_uris=s.skill_uris,
        occupation_uris=s.occupation_uris,
        active=s.active,
        distance_km=distance_km,
    )


def _input(data: ServiceWrite) -> catalogue.ServiceInput:
    fields = msgspec.structs.asdict(data)
    fields.pop("organisation_id", None)
    return catalogue.ServiceInput(**fields)


class ReferralOut(msgspec.Struct):
    id: UUID
    jobseeker_id: UUID | None
    service_id: UUID
    service: str
    organisation: str
    status: ReferralStatus
    requested_items: list[str]
    consented_items: list[str]
    shared: dict[str, Any]
    message: str | None
    sent_at: datetime | None
    expires_at: datetime | None
    answered_at: datetime | None
    start_date: date | None
    reason: str | None
    partner_note: str | None
    activity_id: UUID | None


def referral_out(r: Referral, role: Role) -> ReferralOut:
    """A partner sees only what the client consented to send (the snapshot)."""
    partner = role is Role.PARTNER
    return ReferralOut(
        id=r.id,
        jobseeker_id=None if partner else r.jobseeker_id,
        service_id=r.service_id,
        service=r.service.name,
        organisation=r.service.organisation.name,
        status=r.status,
        requested_items=[] if partner else r.requested_items,
        consented_items=r.consented_items,
        shared=r.shared,
        message=None if partner else r.message,
        sent_at=r.sent_at,
        expires_at=r.expires_at,
        answered_at=r.answered_at,
        start_date=r.start_date,
        reason=r.reason,
        partner_note=r.partner_note,
        activity_id=None if partner else r.activity_id,
    )


class ReferralCreate(msgspec.Struct, forbid_unknown_fields=True):
    jobseeker_id: UUID
    service_id: UUID
    items: Codes
    message: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    activity_id: UUID | None = None


class ConsentWrite(msgspec.Struct, forbid_unknown_fields=True):
    """The items the client lets be sent; ``send`` false refuses the referral."""

    items: Codes
    send: bool = True


class AnswerWrite(msgspec.Struct, forbid_unknown_fields=True):
    status: Literal["accepted", "refused", "started", "completed", "dropped_out"]
    start_date: date | None = None
    reason: Code | None = None
    note: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class SkillOut(msgspec.Struct):
    uri: str
    label: str


class SkillsGapOut(msgspec.Struct):
    target: str
    target_kind: str
    missing: list[SkillOut]
    have: list[SkillOut]
    offers: list[ServiceOut]


class PartnerServiceController(Controller):
    path = "/api/partner-services"
    tags = ["partners"]

    @get("/", operation_id="findPartnerServices", guards=[requires(H, P, A, M, C)])
    async def find(
        self,
        db_session: Db,
        q: Annotated[str, QueryParameter(max_length=200)] = "",
        theme: Annotated[list[str] | None, QueryParameter(max_items=20)] = None,
        audience: Annotated[list[str] | None, QueryParameter(max_items=20)] = None,
        type_: Annotated[list[str] | None, QueryParameter(name="type", max_items=20)] = None,
        municipality: Annotated[str | None, QueryParameter(pattern=r"^\d{3}$")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> list[ServiceOut]:
        """Active services by text, theme (with its sub-themes), audience and type; with
        ``municipality`` those serving it, nearest first."""
        near = None
        if municipality:
            near = await municipality_point(db_session, municipality)
        found = await search_services(
            db_session,
            q=q,
            themes=theme,
            audiences=audience,
            types=type_,
            municipality_code=municipality,
            near=near,
            limit=limit,
        )
        return [service_out(s, d) for s, d in found]

    @post(
        "/",
        operation_id="createPartnerService",
        guards=[requires(P, A)],
        raises=[NotFoundException],
    )
    async def create(
        self, request: AuthRequest, db_session: Db, data: JSONBody[ServiceCreate]
    ) -> ServiceOut:
        """A new service: a partner user's for their own organisation; an admin names it."""
        organisation = data.organisation_id or request.user.partner_organisation_id
        if organisation is None:
            raise DomainError("required", N_("This field is required"), field="organisation_id")
        service = await catalogue.create_service(
            db_session, request.user, organisation, _input(data)
        )
        return service_out(service)

    @put("/{service_id:uuid}", operation_id="updatePartnerService", guards=[requires(P, A)])
    async def update(
        self,
        request: AuthRequest,
        db_session: Db,
        service_id: FromPath[UUID],
        data: JSONBody[ServiceWrite],
    ) -> ServiceOut:
        """Replace a service's description (its organisation's partner users, admins)."""
        service = await catalogue.update_service(db_session, request.user, service_id, _input(data))
        return service_out(service)


class ReferralController(Controller):
    path = "/api/referrals"
    tags = ["partners"]

    @get("/", operation_id="listReferrals", guards=[requires(P, J)])
    async def list_referrals(self, request: AuthRequest, db_session: Db) -> list[ReferralOut]:
        """A partner user's incoming referrals (consented items only), or a client's own."""
        user = request.user
        if user.role is Role.PARTNER:
            found = await referrals.for_partner(db_session, user)
            for r in found:
                referrals.log_partner_read(db_session, r, user)
        else:
            found = await referrals.for_client(db_session, user)
        return [referral_out(r, user.role) for r in found]

    @post(
        "/",
        operation_id="createReferral",
        guards=[requires(H)],
        raises=[NotFoundException, Conflicting],
    )
    async def create(
        self, request: AuthRequest, db_session: Db, data: JSONBody[ReferralCreate]
    ) -> ReferralOut:
        """The coach refers their client; nothing is sent before the client consents."""
        referral = await referrals.create_referral(
            db_session,
            request.user,
            data.jobseeker_id,
            data.service_id,
            items=data.items,
            message=data.message,
            activity_id=data.activity_id,
        )
        return referral_out(referral, Role.COACH)

    @get("/{referral_id:uuid}", operation_id="getReferral", guards=[requires(H, P, J)])
    async def get_one(
        self, request: AuthRequest, db_session: Db, referral_id: FromPath[UUID]
    ) -> ReferralOut:
        user = request.user
        if user.role is Role.PARTNER:
            referral = await referrals.read_as_partner(db_session, user, referral_id)
        elif user.role is Role.COACH:
            referral = await referrals.for_coach(db_session, user, referral_id)
        else:
            referral = await referrals.for_client_one(db_session, user, referral_id)
        return referral_out(referral, user.role)

    @post(
        "/{referral_id:uuid}/consent",
        operation_id="consentToReferral",
        guards=[requires(J)],
        raises=[Conflicting],
    )
    async def consent(
        self,
        request: AuthRequest,
        db_session: Db,
        referral_id: FromPath[UUID],
        data: JSONBody[ConsentWrite],
    ) -> ReferralOut:
        referral = await referrals.consent(
            db_session, request.user, referral_id, items=data.items, send=data.send
        )
        return referral_out(referral, Role.JOBSEEKER)

    @post(
        "/{referral_id:uuid}/answer",
        operation_id="answerReferral",
        guards=[requires(P)],
        raises=[Conflicting],
    )
    async def answer(
        self,
        request: AuthRequest,
        db_session: Db,
        referral_id: FromPath[UUID],
        data: JSONBody[AnswerWrite],
    ) -> ReferralOut:
        referral = await referrals.answer_as_partner(
            db_session,
            request.user,
            referral_id,
            ReferralStatus(data.status),
            start_date=data.start_date,
            reason=data.reason,
            note=data.note,
        )
        return referral_out(referral, Role.PARTNER)

    @post(
        "/{referral_id:uuid}/cancel",
        operation_id="cancelReferral",
        guards=[requires(H)],
        raises=[Conflicting],
    )
    async def cancel(
        self, request: AuthRequest, db_session: Db, referral_id: FromPath[UUID]
    ) -> ReferralOut:
        referral = await referrals.cancel(db_session, request.user, referral_id)
        return referral_out(referral, Role.COACH)


class SkillsGapController(Controller):
    path = "/api/coach/clients"
    tags = ["coach"]
    guards = [requires(H)]

    @get("/{jobseeker_id:uuid}/skills-gap", operation_id="getSkillsGap")
    async def gap(
        self,
        request: AuthRequest,
        db_session: Db,
        jobseeker_id: FromPath[UUID],
        occupation_uri: Annotated[str | None, QueryParameter(max_length=255)] = None,
        vacancy_id: FromQuery[UUID | None] = None,
    ) -> SkillsGapOut:
        """The essential skills of the client's target occupation (or a vacancy) that they
        lack, and the partner services near them that teach those skills."""
        gap, offers = await gap_with_offers(
            db_session,
            request.user,
            jobseeker_id,
            occupation_uri=occupation_uri,
            vacancy_id=vacancy_id,
        )
        return SkillsGapOut(
            target=gap.target,
            target_kind=gap.target_kind,
            missing=[SkillOut(u, label) for u, label in gap.missing],
            have=[SkillOut(u, label) for u, label in gap.have],
            offers=[service_out(s, d) for s, d in offers],
        )
