"""A schema of its own for tests that need a database but not the app's one."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from kohtaanto.db.models import metadata


@asynccontextmanager
async def schema_engine(name: str) -> AsyncIterator[AsyncEngine]:
    """An engine whose tables live in a fresh schema ``<name>_<random>``, dropped afterwards.

    A new name per run, so parallel runs and other modules never meet.
    """
    schema = f"{name}_{uuid.uuid4().hex[:8]}"
    base = create_async_engine(os.environ["KOHTAANTO_DATABASE_URL"], poolclass=NullPool)
    engine = base.execution_options(schema_translate_map={None: schema})
    async with base.begin() as conn:
        await conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    try:
        yield engine
    finally:
        async with base.begin() as conn:
            # Fail rather than wait forever behind a session a failed test left open.
            await conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
            await conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        await base.dispose()
