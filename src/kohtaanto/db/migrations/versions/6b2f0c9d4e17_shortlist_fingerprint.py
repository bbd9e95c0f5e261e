"""shortlist fingerprint: what the last build ranked, so the nightly refresh skips
unchanged shortlists

Revision ID: 6b2f0c9d4e17
Revises: d1a9c3e5f702
Create Date: 2026-11-30 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "6b2f0c9d4e17"
down_revision = "d1a9c3e5f702"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing shortlists have none: the first refresh rebuilds them and stores one.
    with op.batch_alter_table("shortlist") as batch:
        batch.add_column(sa.Column("fingerprint", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shortlist") as batch:
        batch.drop_column("fingerprint")
