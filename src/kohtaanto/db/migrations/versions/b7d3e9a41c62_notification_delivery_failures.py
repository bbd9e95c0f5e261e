"""notification delivery failures recorded (e-mail tries, last error)

Revision ID: b7d3e9a41c62
Revises: a3c81f0e7d21
Create Date: 2026-11-30 03:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b7d3e9a41c62"
down_revision = "a3c81f0e7d21"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.add_column(
            sa.Column("email_attempts", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("delivery_error", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("delivery_error")
        batch.drop_column("email_attempts")
