"""vacancy hours per week as a decimal (37.5)

Revision ID: 5e7a1c2d9b40
Revises: 9db36e1fbe94
Create Date: 2026-11-30 02:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "5e7a1c2d9b40"
down_revision = "9db36e1fbe94"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode so SQLite (which cannot ALTER a column type) copies the table.
    with op.batch_alter_table("vacancy") as batch:
        batch.alter_column(
            "hours_per_week",
            existing_type=sa.Integer(),
            type_=sa.Numeric(4, 2, asdecimal=False),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("vacancy") as batch:
        batch.alter_column(
            "hours_per_week",
            existing_type=sa.Numeric(4, 2, asdecimal=False),
            type_=sa.Integer(),
            existing_nullable=False,
            postgresql_using="round(hours_per_week)::integer",
        )
