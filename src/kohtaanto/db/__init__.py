"""Database access: one configuration, one way to get a session.

HTTP handlers receive a session from the advanced-alchemy plugin built on
``alchemy_config()``; jobs, the CLI and benchmarks use ``session_scope()`` on the
same configuration, so there is one way to reach the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

from advanced_alchemy.extensions.litestar import (
    AsyncSessionConfig,
    EngineConfig,
    SQLAlchemyAsyncConfig,
)
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import NullPool

from kohtaanto.settings import get_settings

# A handler's database session, injected by the advanced-alchemy plugin (API and pages).
Db = NamedDependency[AsyncSession]


@lru_cache(maxsize=1)
def alchemy_config() -> SQLAlchemyAsyncConfig:
    """The SQLAlchemy configuration for this process."""
    settings = get_settings().database
    options: dict[str, Any] = {"echo": settings.echo}
    if settings.pool == "null":
        options["poolclass"] = NullPool
    else:
        options["pool_size"] = settings.pool_size
        options["max_overflow"] = settings.pool_overflow
    if settings.lock_timeout:
        options["connect_args"] = {"server_settings": {"lock_timeout": settings.lock_timeout}}
    engine = EngineConfig(**options)
    return SQLAlchemyAsyncConfig(
        connection_string=settings.url,
        session_config=AsyncSessionConfig(expire_on_commit=False),
        engine_config=engine,
        # Pages answer a successful form post with a redirect (303): commit those too.
        before_send_handler="autocommit_include_redirects",
        create_all=False,
    )


@asynccontextmanager
async def session_scope() -> AsyncIterator[AsyncSession]:
    """A session for work outside HTTP; commits on success, rolls back on error."""
    async with alchemy_config().get_session() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
