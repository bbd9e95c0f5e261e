"""Vacancy endpoints: employers write their own, coordinators read their employers'.
The JSON door of ``kohtaanto.domain.vacancies``."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec
from advanced_alchemy.service import OffsetPagination
from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from kohtaanto.api.schemas import (
    Concept,
    Db,
    PageLimit,
    PageOffset,
    Place,
    page_of,
    page_out,
    place_of,
)
from kohtaanto.auth import AuthRequest, requires
from kohtaanto.db.models import Role, Vacancy, VacancyStatus
from kohtaanto.domain import vacancies
from kohtaanto.domain.vacancies import VacancyCreate, VacancyUpdate

__all__ = ["VacancyController", "VacancyCreate", "VacancyOut", "VacancyUpdate", "vacancy_out"]


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
        municipality=place_of(v.municipality),
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
        page = await vacancies.list_visible(
            db_session, request.user, page_of(limit, offset), status
        )
        return page_out(page, vacancy_out)

    @get("/{vacancy_id:uuid}", operation_id="getVacancy")
    async def get_vacancy(
        self, request: AuthRequest, db_session: Db, vacancy_id: FromPath[UUID]
    ) -> VacancyOut:
        return vacancy_out(await vacancies.visible(db_session, request.user, vacancy_id))

    @post("/", operation_id="createVacancy", guards=[requires(Role.EMPLOYER)])
    async def create_vacancy(
        self, request: AuthRequest, db_session: Db, data: JSONBody[VacancyCreate]
    ) -> VacancyOut:
        """Create a draft vacancy for the employer's organisation."""
        return vacancy_out(await vacancies.create(db_session, request.user, data))

    @patch("/{vacancy_id:uuid}", operation_id="updateVacancy", guards=[requires(Role.EMPLOYER)])
    async def update_vacancy(
        self,
        request: AuthRequest,
        db_session: Db,
        vacancy_id: FromPath[UUID],
        data: JSONBody[VacancyUpdate],
    ) -> VacancyOut:
        """Change the fields sent; an open vacancy is reindexed and reshortlisted."""
        return vacancy_out(await vacancies.update(db_session, request.user, vacancy_id, data))

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
        return vacancy_out(await vacancies.publish(db_session, request.user, vacancy_id))

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
        return vacancy_out(await vacancies.close(db_session, request.user, vacancy_id, data.filled))
