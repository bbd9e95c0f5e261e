"""Look-ups in the ESCO vocabulary (ESCO classification, European Commission)."""

from __future__ import annotations

from functools import partial
from typing import Annotated

import anyio.to_thread
import msgspec
from litestar import Controller, get, post
from litestar.params import JSONBody, QueryParameter
from sqlalchemy import func, select

from kohtaanto.api.errors import invalid
from kohtaanto.api.schemas import Concept, Db
from kohtaanto.db.models import EscoOccupation, EscoSkill
from ml.suggest import has_words
from ml.suggest_hybrid import MAX_TEXT_CHARS, Found, get_suggester

Query = Annotated[
    str, QueryParameter(min_length=2, max_length=100, description="Part of the label")
]
Limit = Annotated[int, QueryParameter(ge=1, le=50)]


class SuggestRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A vacancy's title and description, or a CV, as plain text."""

    text: Annotated[str, msgspec.Meta(min_length=3, max_length=MAX_TEXT_CHARS)]
    skills: Annotated[int, msgspec.Meta(ge=1, le=50)] = 10
    occupations: Annotated[int, msgspec.Meta(ge=1, le=20)] = 3


class SuggestedConcept(msgspec.Struct):
    uri: str
    label: str
    score: float  # similarity + weighted TF-IDF score; only the order means something
    # cosine of the sentence and the concept's closest label, minus the cosine of the
    # sentence and the closest sentence that names no skill
    similarity: float
    span: str  # the sentence of the text the concept was recognised in


class SuggestResponse(msgspec.Struct):
    recognised: bool  # False: no ESCO skill or occupation is close to anything in the text
    skills: list[SuggestedConcept]
    occupations: list[SuggestedConcept]


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

    @post("/suggest", operation_id="suggestSkills", status_code=200)
    async def suggest(self, db_session: Db, data: JSONBody[SuggestRequest]) -> SuggestResponse:
        """ESCO skills and occupations that a vacancy text or a CV names, best first.

        Finnish, Swedish or English. Each sentence is compared by meaning
        (multilingual-e5-small) and by words (TF-IDF) with the ESCO labels; only
        concepts close enough are returned, each with the sentence it came from, and
        ``recognised`` is false when nothing is. The first call in a process builds
        the suggester (a few seconds).
        """
        if not has_words(data.text):
            raise invalid("text", "has no words to match")
        suggester = await get_suggester(db_session)
        # Embedding and scoring are CPU work: off the event loop.
        found = await anyio.to_thread.run_sync(
            partial(suggester.suggest, data.text, skills=data.skills, occupations=data.occupations)
        )
        return SuggestResponse(
            recognised=found.recognised,
            skills=[_concept(s) for s in found.skills],
            occupations=[_concept(o) for o in found.occupations],
        )


def _concept(found: Found) -> SuggestedConcept:
    return SuggestedConcept(found.uri, found.label, found.score, found.similarity, found.span)
