"""Schema migrations (Alembic), callable from the CLI, the demo and the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

_MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    """Alembic configuration pointing at the packaged migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def upgrade(revision: str = "head") -> None:
    """Bring the database named by the settings up to ``revision``."""
    command.upgrade(alembic_config(), revision)


def downgrade(revision: str) -> None:
    """Step the database back to ``revision``."""
    command.downgrade(alembic_config(), revision)


def revision(message: str) -> None:
    """Autogenerate a new migration from the models (developers only)."""
    command.revision(alembic_config(), message=message, autogenerate=True)
