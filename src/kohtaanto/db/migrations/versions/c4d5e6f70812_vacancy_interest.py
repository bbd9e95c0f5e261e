"""vacancy interest: a jobseeker's "I'm interested", once per vacancy

Revision ID: c4d5e6f70812
Revises: b7d3e9a41c62
Create Date: 2026-11-30 02:30:00
"""

from __future__ import annotations

import advanced_alchemy
import sqlalchemy as sa
from alembic import op

revision = "c4d5e6f70812"
down_revision = "b7d3e9a41c62"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vacancy_interest",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("jobseeker_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("vacancy_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["jobseeker_id"],
            ["jobseeker.id"],
            name=op.f("fk_vacancy_interest_jobseeker_id_jobseeker"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vacancy_id"],
            ["vacancy.id"],
            name=op.f("fk_vacancy_interest_vacancy_id_vacancy"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vacancy_interest")),
        sa.UniqueConstraint(
            "jobseeker_id", "vacancy_id", name=op.f("uq_vacancy_interest_jobseeker_id")
        ),
    )
    op.create_index(op.f("ix_vacancy_interest_jobseeker_id"), "vacancy_interest", ["jobseeker_id"])
    op.create_index(op.f("ix_vacancy_interest_vacancy_id"), "vacancy_interest", ["vacancy_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_vacancy_interest_vacancy_id"), table_name="vacancy_interest")
    op.drop_index(op.f("ix_vacancy_interest_jobseeker_id"), table_name="vacancy_interest")
    op.drop_table("vacancy_interest")
