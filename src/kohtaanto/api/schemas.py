"""Shared pieces of the API's msgspec schemas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from advanced_alchemy.filters import LimitOffset
from advanced_alchemy.service import OffsetPagination
from litestar.params import QueryParameter

from kohtaanto.db import Db
from kohtaanto.domain.schemas import (
    Concept,
    CostEstimate,
    EscoUri,
    EscoUris,
    InstrumentEstimate,
    Language,
    Languages,
    MunicipalityCode,
    Place,
    cost_estimate,
    place_of,
)

# The shared shapes are the domain's (kohtaanto.domain.schemas); re-exported for the API.
__all__ = [
    "Concept",
    "CostEstimate",
    "Db",
    "EscoUri",
    "EscoUris",
    "InstrumentEstimate",
    "Language",
    "Languages",
    "MunicipalityCode",
    "PageLimit",
    "PageOffset",
    "Place",
    "cost_estimate",
    "page_of",
    "page_out",
    "place_of",
]

# Offset pagination, the same on every list.
PageLimit = Annotated[int, QueryParameter(ge=1, le=200)]
# PostgreSQL takes a 64-bit offset; a larger one is a 400 naming the field, not a 500.
PageOffset = Annotated[int, QueryParameter(ge=0, le=2**63 - 1)]


def page_of(limit: int, offset: int) -> LimitOffset:
    """The page the query parameters ask for."""
    return LimitOffset(limit=limit, offset=offset)


Row = TypeVar("Row")
Item = TypeVar("Item")


def page_out(page: OffsetPagination[Row], out: Callable[[Row], Item]) -> OffsetPagination[Item]:
    """A use case's page of rows as the API answers it, each row through ``out``."""
    return OffsetPagination(
        items=[out(r) for r in page.items], limit=page.limit, offset=page.offset, total=page.total
    )
