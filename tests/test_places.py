"""Municipalities and employment areas against PostgreSQL, in a schema of its own."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from kohtaanto.db.models import EmploymentArea, Municipality, metadata
from kohtaanto.domain.places import TAMPERE_AREA, import_places, read_municipalities

DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
# A schema of its own per run, so parallel runs and other modules never meet.
SCHEMA = f"t_places_{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
async def engine() -> AsyncIterator[AsyncEngine]:
    base = create_async_engine(DATABASE_URL)
    engine = base.execution_options(schema_translate_map={None: SCHEMA})
    async with base.begin() as conn:
        await conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        await conn.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    async with base.begin() as conn:
        # Fail rather than wait forever behind a session a failed test left open.
        await conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
        await conn.exec_driver_sql(f"DROP SCHEMA {SCHEMA} CASCADE")
    await base.dispose()


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
