"""Vacancy endpoints: employers write their own, coordinators read their employers'."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from advanced_alchemy.service import OffsetPagination
from litestar import Controller, get, patch, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.api.auth import AuthRequest, requires
from kohtaanto.api.errors import invalid, not_found
from kohtaanto.api.schemas import (
    Concept,
    Db,
    EscoUri,
    EscoUris,
    Languages,
    MunicipalityCode,
    PageLimit,
    PageOffset,
    Place,
    paginate,
)
from kohtaanto.db.models import Role, Vacancy, VacancyStatus
from kohtaanto.domain import employers, vacancies
from kohtaanto.domain.vocabulary import FieldError

Title = Annotated[str, msgspec.Meta(min_length=3, max_length=255)]
# Quarter hours, so 37.5 (the Finnish full-time week) and 38.25 fit and the stored
# Numeric(4, 2) holds the value exactly.
Hours = Annotated[
    float,
    msgspec.Meta(
        ge=1, le=60, multiple_of=0.25, description="Hours per week, in quarter hours (37.5)"
    ),
]
Pay = Annotated[int, msgspec.Meta(ge=0, le=100_000, description="Gross monthly pay, euros")]
Description = Annotated[str, msgspec.Meta(max_length=20_000)]


class VacancyCreate(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    occupation_uri: EscoUri
    municipality_code: MunicipalityCode
    hours_per_week: Hours
    essential_skill_uris: EscoUris = []
    optional_skill_uris: EscoUris = []
    description: Description = ""
    start_date: date | None = None
    monthly_pay_eur: Pay | None = None
    languages: Languages = msgspec.field(default_factory=lambda: ["fi"])
    open_to_wage_subsidy: bool = False
    open_to_work_trial: bool = False
    open_to_apprenticeship: bool = False


class VacancyUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent are changed."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    occupation_uri: EscoUri | msgspec.UnsetType = msgspec.UNSET
    municipality_code: MunicipalityCode | msgspec.UnsetType = msgspec.UNSET
    hours_per_week: Hours | msgspec.UnsetType = msgspec.UNSET
    essential_skill_uris: EscoUris | msgspec.UnsetType = msgspec.UNSET
    optional_skill_uris: EscoUris | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    start_date: date | msgspec.UnsetType | None = msgspec.UNSET
    monthly_pay_eur: Pay | msgspec.UnsetType | None = msgspec.UNSET
    languages: Languages | msgspec.UnsetType = msgspec.UNSET
    open_to_wage_subsidy: bool | msgspec.UnsetType = msgspec.UNSET
    open_to_work_trial: bool | msgspec.UnsetType = msgspec.UNSET
    open_to_apprenticeship: bool | msgspec.UnsetType = msgspec.UNSET


class VacancyClose(msgspec.Struct, forbid_unknown_fields=True):
    filled: bool = False


class VacancyOut(msgspec.Struct):
    id: UUID
    employer_id: UUID
    employer_name: str
    title: str
    description: str
    occupation: Concept
    isco_code: str
    municipality: Place
    hours_per_week: float
    start_date: date | None
    monthly_pay_eur: int | None
    languages: list[str]
    status: VacancyStatus
    open_to_wage_subsidy: bool
    open_to_work_trial: bool
    open_to_apprenticeship: bool
    essential_skills: list[Concept]
    optional_skills: list[Concept]
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime


def vacancy_out(v: Vacancy) -> VacancyOut:
    links = sorted(v.skill_links, key=lambda link: link.skill.label)
    return VacancyOut(
        id=v.id,
        employer_id=v.employer_id,
        employer_name=v.employer.name,
        title=v.title,
        description=v.description,
        occupation=Concept(uri=v.occupation.uri, label=v.occupation.label),
        isco_code=v.occupation.isco_code,
        municipality=Place(
            code=v.municipality.code, name=v.municipality.name, sub_region=v.municipality.sub_region
        ),
        hours_per_week=v.hours_per_week,
        start_date=v.start_date,
        monthly_pay_eur=v.monthly_pay_eur,
        languages=list(v.languages),
        status=v.status,
        open_to_wage_subsidy=v.open_to_wage_subsidy,
        open_to_work_trial=v.open_to_work_trial,
        open_to_apprenticeship=v.open_to_apprenticeship,
        essential_skills=[
            Concept(uri=k.skill.uri, label=k.skill.label) for k in links if k.essential
        ],
        optional_skills=[
            Concept(uri=k.skill.uri, label=k.skill.label) for k in links if not k.essential
        ],
        published_at=v.published_at,
        created_at=v.created_at,
        updated_at=v.updated_at,
    )


def _sent(data: VacancyCreate | VacancyUpdate) -> dict[str, Any]:
    """The fields the client sent."""
    fields = msgspec.structs.asdict(data)
    return {k: v for k, v in fields.items() if not isinstance(v, msgspec.UnsetType)}


async def _mine(session: AsyncSession, request: AuthRequest, vacancy_id: FromPath[UUID]) -> Vacancy:
    vacancy = await vacancies.get_visible(session, request.user, vacancy_id)
    if vacancy is None:
        raise not_found("Vacancy")
    return vacancy


class VacancyController(Controller):
    path = "/api/vacancies"
    tags = ["vacancies"]

    @get("/", operation_id="listVacancies")
    async def list_vacancies(
        self,
        request: AuthRequest,
        db_session: Db,
        status: FromQuery[VacancyStatus | None] = None,
        limit: PageLimit = 50,
        offset: PageOffset = 0,
    ) -> OffsetPagination[VacancyOut]:
        """Vacancies this user may see, newest first."""
        query = vacancies.visible_to(request.user)
        if status is not None:
            query = query.where(Vacancy.status == status)
        return await paginate(
            db_session, query, Vacancy.created_at.desc(), limit, offset, vacancy_out
        )

    @get("/{vacancy_id:uuid}", operation_id="getVacancy")
    async def get_vacancy(
        self, request: AuthRequest, db_session: Db, vacancy_id: FromPath[UUID]
    ) -> VacancyOut:
        return vacancy_out(await _mine(db_session, request, vacancy_id))

    @post("/", operation_id="createVacancy", guards=[requires(Role.EMPLOYER)])
    async def create_vacancy(
        self, request: AuthRequest, db_session: Db, data: JSONBody[VacancyCreate]
    ) -> VacancyOut:
        """Create a draft vacancy for the employer's organisation."""
        try:
            vacancy = await vacancies.create(db_session, request.user, _sent(data))
        except FieldError as e:
            raise invalid(e.field, e.message) from e
        return vacancy_out(vacancy)

    @patch("/{vacancy_id:uuid}", operation_id="updateVacancy", guards=[requires(Role.EMPLOYER)])
    async def update_vacancy(
        self,
        request: AuthRequest,
        db_session: Db,
        vacancy_id: FromPath[UUID],
        data: JSONBody[VacancyUpdate],
    ) -> VacancyOut:
        """Change the fields sent; an open vacancy is reindexed and reshortlisted."""
        vacancy = await _mine(db_session, request, vacancy_id)
        try:
            await vacancies.update(db_session, vacancy, _sent(data))
        except FieldError as e:
            raise invalid(e.field, e.message) from e
        return vacancy_out(vacancy)

    @post(
        "/{vacancy_id:uuid}/publish",
        operation_id="publishVacancy",
        guards=[requires(Role.EMPLOYER)],
        status_code=200,
    )
    async def publish_vacancy(
        self, request: AuthRequest, db_session: Db, vacancy_id: FromPath[UUID]
    ) -> VacancyOut:
        """Open the vacancy: it is indexed, shortlisted and pushed to the coordinator."""
        vacancy = await _mine(db_session, request, vacancy_id)
        try:
            vacancies.publish(db_session, vacancy)
        except employers.NotApproved as e:
            raise PermissionDeniedException(detail=f"Cannot publish: {e}") from e
        except vacancies.VacancyStateError as e:
            field = "essential_skill_uris" if "skill" in str(e) else "status"
            raise invalid(field, str(e)) from e
        await db_session.flush()
        return vacancy_out(vacancy)

    @post(
        "/{vacancy_id:uuid}/close",
        operation_id="closeVacancy",
        guards=[requires(Role.EMPLOYER)],
        status_code=200,
    )
    async def close_vacancy(
        self,
        request: AuthRequest,
        db_session: Db,
        vacancy_id: FromPath[UUID],
        data: JSONBody[VacancyClose],
    ) -> VacancyOut:
        """Close the vacancy, filled or not."""
        vacancy = await _mine(db_session, request, vacancy_id)
        try:
            vacancies.close(db_session, vacancy, data.filled)
        except vacancies.VacancyStateError as e:
            raise invalid("status", str(e)) from e
        await db_session.flush()
        return vacancy_out(vacancy)
