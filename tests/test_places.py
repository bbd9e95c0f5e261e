"""Municipalities and employment areas against PostgreSQL, in a schema of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
)

from kohtaanto.db.models import EmploymentArea, Municipality
from kohtaanto.domain.places import TAMPERE_AREA, import_places, read_municipalities
from tests.isolation import schema_engine


@pytest.fixture(scope="module")
async def engine() -> AsyncIterator[AsyncEngine]:
    async with schema_engine("t_places") as engine:
        yield engine


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        yield session


def test_file_keeps_leading_zeros() -> None:
    codes = {r.code: r for r in read_municipalities()}
    assert len(codes) == 23
    assert codes["020"].name == "Akaa"
    assert all(len(code) == 3 for code in codes)


async def test_import_places_is_idempotent(session: AsyncSession) -> None:
    for _ in range(2):
        await import_places(session)
        await session.commit()

    assert await session.scalar(select(func.count()).select_from(Municipality)) == 23
    municipalities = {m.code: m for m in await session.scalars(select(Municipality))}
    tampere = municipalities["837"]
    assert tampere.name == "Tampere"
    assert tampere.sub_region == "Tampere"
    assert tampere.area is not None and tampere.area.name == TAMPERE_AREA
    assert abs(tampere.lat - 61.498) < 1e-6 and abs(tampere.lon - 23.761) < 1e-6
    assert municipalities["020"].name == "Akaa"

    in_tampere_area = [m for m in municipalities.values() if m.area and m.area.name == TAMPERE_AREA]
    assert len(in_tampere_area) == 16
    areas = set(await session.scalars(select(EmploymentArea.name)))
    assert areas == {
        TAMPERE_AREA,
        "Läntisen Pirkanmaan työllisyysalue",
        "Ylä-Pirkanmaan työllisyysalue",
    }
    assert municipalities["508"].area is not None
    assert municipalities["508"].area.name == "Ylä-Pirkanmaan työllisyysalue"  # Mänttä-Vilppula
