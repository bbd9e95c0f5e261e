"""user token version: logout and password changes revoke earlier tokens

Revision ID: a3c81f0e7d21
Revises: 5e7a1c2d9b40
Create Date: 2026-11-30 02:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a3c81f0e7d21"
down_revision = "5e7a1c2d9b40"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(
            sa.Column("token_version", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("token_version")
