"""Turning the codes clients send (ESCO URIs, municipality codes) into rows.

Each lookup names the request field it checks, so bad input gets a ``DomainError``
(a 400 at the API, the form's message on a page) that says which field and which value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import EscoOccupation, EscoSkill, Municipality
from kohtaanto.domain.errors import DomainError
from kohtaanto.i18n import N_

Concept = TypeVar("Concept", EscoSkill, EscoOccupation)


class UnknownReference(DomainError):
    """A code that names nothing we know; ``field`` is the request field it came from."""


async def municipality(
    session: AsyncSession, code: str, field: str = "municipality_code"
) -> Municipality:
    row = await session.scalar(select(Municipality).where(Municipality.code == code))
    if row is None:
        raise UnknownReference(
            "unknown_municipality",
            N_("No municipality has the code {municipality_code}."),
            field=field,
            municipality_code=code,
        )
    return row


async def occupation(
    session: AsyncSession, uri: str, field: str = "occupation_uri"
) -> EscoOccupation:
    row = await session.scalar(select(EscoOccupation).where(EscoOccupation.uri == uri))
    if row is None:
        raise UnknownReference(
            "unknown_occupation", N_("No ESCO occupation {uri}."), field=field, uri=uri
        )
    return row


async def occupations(
    session: AsyncSession, uris: Sequence[str], field: str
) -> list[EscoOccupation]:
    return await _all(session, EscoOccupation, uris, field, "unknown_occupation")


async def skills(session: AsyncSession, uris: Sequence[str], field: str) -> list[EscoSkill]:
    return await _all(session, EscoSkill, uris, field, "unknown_skill")


async def _all(
    session: AsyncSession,
    model: type[Concept],
    uris: Sequence[str],
    field: str,
    code: str,
) -> list[Concept]:
    wanted = list(dict.fromkeys(uris))  # keep order, drop repeats
    if not wanted:
        return []
    found = await session.scalars(select(model).where(model.uri.in_(wanted)))
    rows = {r.uri: r for r in found.all()}
    missing = [u for u in wanted if u not in rows]
    if missing:
        raise UnknownReference(
            code, N_("Unknown ESCO concepts: {uris}"), field=field, uris=", ".join(missing[:5])
        )
    return [rows[u] for u in wanted]
