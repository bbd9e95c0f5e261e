"""Look-ups in the ESCO vocabulary (ESCO classification, European Commission)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter
from sqlalchemy import func, select

from kohtaanto.api.schemas import Concept, Db
from kohtaanto.db.models import EscoOccupation, EscoSkill

Query = Annotated[
    str, QueryParameter(min_length=2, max_length=100, description="Part of the label")
]
Limit = Annotated[int, QueryParameter(ge=1, le=50)]


class EscoController(Controller):
    path = "/api/esco"
    tags = ["esco"]

    @get("/skills", operation_id="findSkills")
    async def find_skills(self, db_session: Db, q: Query, limit: Limit = 10) -> list[Concept]:
        """ESCO skills whose preferred label contains ``q``, shortest first."""
        rows = await db_session.execute(
            select(EscoSkill.uri, EscoSkill.label)
            .where(func.lower(EscoSkill.label).contains(q.lower()))
            .order_by(func.length(EscoSkill.label))
            .limit(limit)
        )
        return [Concept(uri=u, label=label) for u, label in rows]

    @get("/occupations", operation_id="findOccupations")
    async def find_occupations(self, db_session: Db, q: Query, limit: Limit = 10) -> list[Concept]:
        """ESCO occupations whose preferred label contains ``q``, shortest first."""
        rows = await db_session.execute(
            select(EscoOccupation.uri, EscoOccupation.label)
            .where(func.lower(EscoOccupation.label).contains(q.lower()))
            .order_by(func.length(EscoOccupation.label))
            .limit(limit)
        )
        return [Concept(uri=u, label=label) for u, label in rows]
