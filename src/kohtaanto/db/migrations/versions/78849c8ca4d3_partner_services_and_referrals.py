"""partner services and referrals

Revision ID: 78849c8ca4d3
Revises: 3dac83393170
Create Date: 2026-11-30 05:02:39.053235
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "78849c8ca4d3"
down_revision = "3dac83393170"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "partner_organisation",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("business_id", sa.String(length=9), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("website", sa.String(length=512), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column(
            "municipality_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_partner_organisation_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_organisation")),
        sa.UniqueConstraint("source_id", name=op.f("uq_partner_organisation_source_id")),
    )
    op.create_table(
        "partner_service",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("organisation_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "types",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "themes",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "audiences",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "access_conditions",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "reception_modes",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "referral_methods",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "municipality_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("address", sa.String(length=255), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column(
            "area_codes",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("contact_name", sa.String(length=255), nullable=True),
        sa.Column("contact_email", sa.String(length=255), nullable=True),
        sa.Column("contact_phone", sa.String(length=32), nullable=True),
        sa.Column("opening_hours", sa.String(length=255), nullable=True),
        sa.Column(
            "hours_per_week", sa.Numeric(precision=4, scale=1, asdecimal=False), nullable=True
        ),
        sa.Column("weeks", sa.Integer(), nullable=True),
        sa.Column("fee", sa.String(length=16), nullable=False),
        sa.Column("fee_details", sa.String(length=255), nullable=True),
        sa.Column(
            "skill_uris",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "occupation_uris",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_partner_service_municipality_id_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["partner_organisation.id"],
            name=op.f("fk_partner_service_organisation_id_partner_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_service")),
        sa.UniqueConstraint("source_id", name=op.f("uq_partner_service_source_id")),
    )
    op.create_index(
        op.f("ix_partner_service_organisation_id"),
        "partner_service",
        ["organisation_id"],
        unique=False,
    )
    op.create_table(
        "referral",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("jobseeker_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("service_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("coach_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("activity_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "awaiting_consent",
                "sent",
                "accepted",
                "refused",
                "started",
                "completed",
                "dropped_out",
                "expired",
                "cancelled",
                name="referral_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column(
            "requested_items",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "consented_items",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "shared",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "consented_at",
            advanced_alchemy.types.datetime.DateTimeUTC(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "sent_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True
        ),
        sa.Column(
            "expires_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True
        ),
        sa.Column(
            "reminded_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True
        ),
        sa.Column(
            "answered_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True
        ),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("partner_note", sa.Text(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column(
            "token_expires_at",
            advanced_alchemy.types.datetime.DateTimeUTC(timezone=True),
            nullable=True,
        ),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["coach_id"], ["user_account.id"], name=op.f("fk_referral_coach_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["jobseeker_id"],
            ["jobseeker.id"],
            name=op.f("fk_referral_jobseeker_id_jobseeker"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["partner_service.id"],
            name=op.f("fk_referral_service_id_partner_service"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_referral_token_hash")),
    )
    op.create_index(op.f("ix_referral_activity_id"), "referral", ["activity_id"], unique=False)
    op.create_index(op.f("ix_referral_coach_id"), "referral", ["coach_id"], unique=False)
    op.create_index(op.f("ix_referral_jobseeker_id"), "referral", ["jobseeker_id"], unique=False)
    op.create_index(op.f("ix_referral_service_id"), "referral", ["service_id"], unique=False)
    op.create_index(op.f("ix_referral_status"), "referral", ["status"], unique=False)
    op.create_table(
        "referral_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("referral_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "awaiting_consent",
                "sent",
                "accepted",
                "refused",
                "started",
                "completed",
                "dropped_out",
                "expired",
                "cancelled",
                name="referral_status",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "awaiting_consent",
                "sent",
                "accepted",
                "refused",
                "started",
                "completed",
                "dropped_out",
                "expired",
                "cancelled",
                name="referral_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user_account.id"], name=op.f("fk_referral_event_actor_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referral.id"],
            name=op.f("fk_referral_event_referral_id_referral"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_event")),
    )
    op.create_index(
        op.f("ix_referral_event_referral_id"), "referral_event", ["referral_id"], unique=False
    )
    op.add_column(
        "user_account",
        sa.Column(
            "partner_organisation_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True
        ),
    )
    op.create_index(
        op.f("ix_user_account_partner_organisation_id"),
        "user_account",
        ["partner_organisation_id"],
        unique=False,
    )
    op.create_foreign_key(
        op.f("fk_user_account_partner_organisation_id_partner_organisation"),
        "user_account",
        "partner_organisation",
        ["partner_organisation_id"],
        ["id"],
    )


def downgrade() -> None:

    op.drop_constraint(
        op.f("fk_user_account_partner_organisation_id_partner_organisation"),
        "user_account",
        type_="foreignkey",
    )
    op.drop_index(op.f("ix_user_account_partner_organisation_id"), table_name="user_account")
    op.drop_column("user_account", "partner_organisation_id")
    op.drop_index(op.f("ix_referral_event_referral_id"), table_name="referral_event")
    op.drop_table("referral_event")
    op.drop_index(op.f("ix_referral_status"), table_name="referral")
    op.drop_index(op.f("ix_referral_service_id"), table_name="referral")
    op.drop_index(op.f("ix_referral_jobseeker_id"), table_name="referral")
    op.drop_index(op.f("ix_referral_coach_id"), table_name="referral")
    op.drop_index(op.f("ix_referral_activity_id"), table_name="referral")
    op.drop_table("referral")
    op.drop_index(op.f("ix_partner_service_organisation_id"), table_name="partner_service")
    op.drop_table("partner_service")
    op.drop_table("partner_organisation")
