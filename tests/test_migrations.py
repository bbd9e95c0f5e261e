"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from kohtaanto.db import alchemy_config
from kohtaanto.db.models import metadata


async def test_models_and_migrations_agree(database: None) -> None:
    async with alchemy_config().get_engine().connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
        )
    assert diff == [], f"models differ from the migrations; write a migration: {diff}"
