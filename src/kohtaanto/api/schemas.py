"""Shared pieces of the API's msgspec schemas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import msgspec
from advanced_alchemy.service import OffsetPagination
from litestar.params import QueryParameter
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db import Db  # noqa: F401 - the API modules take it from here

# ISO 639-1 language codes, lower case.
Language = Annotated[
    str, msgspec.Meta(pattern=r"^[a-z]{2}$", max_length=2, description="ISO 639-1 code, e.g. fi")
]
MunicipalityCode = Annotated[
    str, msgspec.Meta(pattern=r"^\d{3}$", max_length=3, description="Official 3-digit code")
]
EscoUri = Annotated[str, msgspec.Meta(min_length=10, max_length=255)]
# Every list a client sends is capped (tests/test_security_auth.py checks each schema):
# more skills than ESCO gives any occupation, more languages than anyone lists.
EscoUris = Annotated[list[EscoUri], msgspec.Meta(max_length=100)]
Languages = Annotated[list[Language], msgspec.Meta(max_length=20)]


class Concept(msgspec.Struct):
    """An ESCO concept as clients see it."""

    uri: str
    label: str


class InstrumentEstimate(msgspec.Struct):
    """A support instrument the person is likely eligible for; the authority decides."""

    code: str
    label: str
    rate: float | None  # None for a fixed monthly amount
    monthly_cap_eur: float
    months: int
    monthly_pay_costs_eur: float
    monthly_subsidy_eur: float
    net_monthly_cost_eur: float
    total_saving_eur: float
    rule_id: str
    valid_from: str
    note: str


class CostEstimate(msgspec.Struct):
    """What hiring this person would cost the employer a month, before and after support."""

    monthly_pay_costs_eur: float | None
    lowest_net_monthly_cost_eur: float | None
    best_saving_eur: float
    instruments: list[InstrumentEstimate]
    note: str


def cost_estimate(explanation: dict[str, Any]) -> CostEstimate:
    """The instrument part of a match explanation, typed for the API."""
    instruments = [
        InstrumentEstimate(**{f: e[f] for f in InstrumentEstimate.__struct_fields__})
        for e in explanation.get("instruments", [])
    ]
    # A work trial is not employment (no wage), so it says nothing of the cost of a hire.
    paid = [i for i in instruments if i.monthly_pay_costs_eur > 0 and i.code != "work_trial"]
    return CostEstimate(
        monthly_pay_costs_eur=paid[0].monthly_pay_costs_eur if paid else None,
        lowest_net_monthly_cost_eur=min((i.net_monthly_cost_eur for i in paid), default=None),
        best_saving_eur=float(explanation.get("best_saving_eur", 0.0)),
        instruments=instruments,
        note=str(
            explanation.get("estimate_note", "Estimate only — the employment authority decides.")
        ),
    )


class Place(msgspec.Struct):
    code: str
    name: str
    sub_region: str


# The request's database session, provided by the advanced-alchemy plugin.


# Offset pagination, the same on every list.
PageLimit = Annotated[int, QueryParameter(ge=1, le=200)]
# PostgreSQL takes a 64-bit offset; a larger one is a 400 naming the field, not a 500.
PageOffset = Annotated[int, QueryParameter(ge=0, le=2**63 - 1)]
Row = TypeVar("Row")
Item = TypeVar("Item")


async def paginate(
    db: AsyncSession,
    query: Select[tuple[Row]],
    order_by: Any,
    limit: int,
    offset: int,
    out: Callable[[Row], Item],
) -> OffsetPagination[Item]:
    """One page of ``query`` in ``order_by`` order, with the total, each row through ``out``."""
    total = await db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = (await db.scalars(query.order_by(order_by).limit(limit).offset(offset))).all()
    return OffsetPagination(items=[out(r) for r in rows], limit=limit, offset=offset, total=total)
