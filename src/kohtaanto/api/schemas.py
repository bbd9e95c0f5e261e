"""Shared pieces of the API's msgspec schemas."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

# ISO 639-1 language codes, lower case.
Language = Annotated[
    str, msgspec.Meta(pattern=r"^[a-z]{2}$", description="ISO 639-1 code, e.g. fi")
]
MunicipalityCode = Annotated[
    str, msgspec.Meta(pattern=r"^\d{3}$", description="Official 3-digit code")
]
EscoUri = Annotated[str, msgspec.Meta(min_length=10, max_length=255)]


class Concept(msgspec.Struct):
    """An ESCO concept as clients see it."""

    uri: str
    label: str


class Place(msgspec.Struct):
    code: str
    name: str
    sub_region: str


# The request's database session, provided by the advanced-alchemy plugin.
Db = NamedDependency[AsyncSession]
