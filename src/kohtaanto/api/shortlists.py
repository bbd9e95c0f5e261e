"""A vacancy's ranked shortlist, for its company coordinator."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, get
from litestar.params import FromPath
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kohtaanto.api.auth import AuthRequest, requires
from kohtaanto.api.errors import not_found
from kohtaanto.api.schemas import CostEstimate, Db, Place, cost_estimate
from kohtaanto.db.models import (
    EducationLevel,
    EntryStatus,
    Jobseeker,
    Role,
    Shortlist,
    ShortlistEntry,
)
from kohtaanto.domain import vacancies


class Candidate(msgspec.Struct):
    """What a coordinator sees of a shortlisted jobseeker: no name, no birth year."""

    id: UUID
    municipality: Place
    education: EducationLevel
    languages: list[str]
    max_travel_km: int


class RankedEntry(msgspec.Struct):
    rank: int
    score: float
    status: EntryStatus
    source: str
    candidate: Candidate
    cost: CostEstimate
    explanation: dict[str, Any]


class ShortlistOut(msgspec.Struct):
    vacancy_id: UUID
    model_version: str
    retrieved: int
    built_at: datetime
    entries: list[RankedEntry]


def _entry(e: ShortlistEntry, j: Jobseeker) -> RankedEntry:
    m = j.municipality
    return RankedEntry(
        rank=e.rank,
        score=round(e.score, 4),
        status=e.status,
        source=e.source,
        candidate=Candidate(
            id=j.id,
            municipality=Place(code=m.code, name=m.name, sub_region=m.sub_region),
            education=j.education,
            languages=list(j.languages),
            max_travel_km=j.max_travel_km,
        ),
        cost=cost_estimate(e.explanation),
        explanation=e.explanation,
    )


class ShortlistController(Controller):
    path = "/api/vacancies/{vacancy_id:uuid}/shortlist"
    tags = ["shortlists"]
    guards = [requires(Role.COORDINATOR, Role.ADMIN)]

    @get("/", operation_id="getShortlist")
    async def get_shortlist(
        self, request: AuthRequest, db_session: Db, vacancy_id: FromPath[UUID]
    ) -> ShortlistOut:
        """The ranked candidates with why each is there. 404 until the first one is built."""
        if await vacancies.get_visible(db_session, request.user, vacancy_id) is None:
            raise not_found("Vacancy")
        shortlist = await db_session.scalar(
            select(Shortlist).where(Shortlist.vacancy_id == vacancy_id)
        )
        if shortlist is None:
            raise not_found("Shortlist")
        ids = [e.jobseeker_id for e in shortlist.entries]
        people = {
            j.id: j
            for j in (
                await db_session.scalars(
                    select(Jobseeker)
                    .where(Jobseeker.id.in_(ids))
                    .options(selectinload(Jobseeker.skills))
                )
            ).all()
        }
        return ShortlistOut(
            vacancy_id=vacancy_id,
            model_version=shortlist.model_version,
            retrieved=shortlist.retrieved,
            built_at=shortlist.updated_at,
            entries=[
                _entry(e, people[e.jobseeker_id])
                for e in shortlist.entries
                if e.jobseeker_id in people
            ],
        )
