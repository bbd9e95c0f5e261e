"""employer verification: self-registered organisations wait for the coordinator

Revision ID: ef3f77a2b79b
Revises: c4d5e6f70812
Create Date: 2026-11-30 02:31:34.632297
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "ef3f77a2b79b"
down_revision = "c4d5e6f70812"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Organisations already here were registered before verification existed, or by
    # staff: they stay approved (the server default).
    with op.batch_alter_table("employer") as batch:
        batch.add_column(
            sa.Column(
                "status",
                sa.Enum(
                    "pending",
                    "approved",
                    "rejected",
                    name="employer_status",
                    native_enum=False,
                    length=32,
                ),
                server_default="approved",
                nullable=False,
            )
        )
        batch.add_column(sa.Column("rejection_reason", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column(
                "reviewed_at",
                advanced_alchemy.types.datetime.DateTimeUTC(timezone=True),
                nullable=True,
            )
        )
        batch.add_column(
            sa.Column("reviewed_by_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True)
        )
        batch.create_index(batch.f("ix_employer_status"), ["status"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_employer_reviewed_by_id_user_account"),
            "user_account",
            ["reviewed_by_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("employer") as batch:
        batch.drop_constraint(
            batch.f("fk_employer_reviewed_by_id_user_account"), type_="foreignkey"
        )
        batch.drop_index(batch.f("ix_employer_status"))
        batch.drop_column("reviewed_by_id")
        batch.drop_column("reviewed_at")
        batch.drop_column("rejection_reason")
        batch.drop_column("status")
