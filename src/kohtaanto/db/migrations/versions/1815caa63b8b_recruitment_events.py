"""recruitment events: events, employers taking part, slots, invitations, bookings

The database itself refuses double bookings (a unique index on a slot's live booking,
an exclusion constraint on a person's overlapping live bookings) and a booking without
the person's consent to meet the slot's employer (a trigger reading the shortlist entry).

Revision ID: 1815caa63b8b
Revises: 78849c8ca4d3
Create Date: 2026-11-30 05:03:22.418094
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "1815caa63b8b"
down_revision = "78849c8ca4d3"
branch_labels = None
depends_on = None


# A live booking needs a shortlist entry of the same person, for a vacancy of the slot's
# employer, whose consent holds (consented, shared or interview). The entry row is locked
# for share, so a consent taken back at the same moment waits for this booking or makes
# it fail: never a slot for someone who has not consented.
CONSENT_FUNCTION = """
CREATE FUNCTION event_booking_requires_consent() RETURNS trigger AS $$
BEGIN
  IF NEW.status = 'booked' THEN
    PERFORM 1
      FROM shortlist_entry e
      JOIN shortlist s ON s.id = e.shortlist_id
      JOIN vacancy v ON v.id = s.vacancy_id
      JOIN event_slot t ON t.id = NEW.slot_id
      JOIN event_employer p ON p.id = t.participant_id
     WHERE e.id = NEW.entry_id
       AND e.jobseeker_id = NEW.jobseeker_id
       AND v.employer_id = p.employer_id
       AND e.status IN ('consented', 'shared', 'interview')
       FOR SHARE OF e;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'event_booking: no consent to meet this employer'
        USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    # gist on a uuid column with = needs btree_gist (a contrib extension, in every build).
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table(
        "recruitment_event",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "fair",
                "speed_interviews",
                "info_session",
                "company_visit",
                name="event_kind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("place", sa.String(length=255), nullable=True),
        sa.Column(
            "municipality_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("video_link", sa.String(length=1024), nullable=True),
        sa.Column(
            "starts_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.Column(
            "ends_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.Column(
            "reply_deadline",
            advanced_alchemy.types.datetime.DateTimeUTC(timezone=True),
            nullable=False,
        ),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column(
            "languages",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "published",
                "completed",
                "cancelled",
                name="event_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("organiser_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("sub_region", sa.String(length=64), nullable=True),
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
            name=op.f("fk_recruitment_event_municipality_id_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["organiser_id"],
            ["user_account.id"],
            name=op.f("fk_recruitment_event_organiser_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recruitment_event")),
    )
    op.create_index(
        op.f("ix_recruitment_event_organiser_id"),
        "recruitment_event",
        ["organiser_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_recruitment_event_starts_at"), "recruitment_event", ["starts_at"], unique=False
    )
    op.create_index(
        op.f("ix_recruitment_event_status"), "recruitment_event", ["status"], unique=False
    )
    op.create_table(
        "event_employer",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("event_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("employer_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "invited",
                "requested",
                "confirmed",
                "declined",
                name="participation_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "vacancy_ids",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column(
            "instruments",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("break_minutes", sa.Integer(), nullable=False),
        sa.Column("tables", sa.Integer(), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employer.id"], name=op.f("fk_event_employer_employer_id_employer")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["recruitment_event.id"],
            name=op.f("fk_event_employer_event_id_recruitment_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_employer")),
        sa.UniqueConstraint("event_id", "employer_id", name=op.f("uq_event_employer_event_id")),
    )
    op.create_index(
        op.f("ix_event_employer_employer_id"), "event_employer", ["employer_id"], unique=False
    )
    op.create_index(
        op.f("ix_event_employer_event_id"), "event_employer", ["event_id"], unique=False
    )
    op.create_table(
        "event_invitation",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("event_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("participant_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("jobseeker_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("entry_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "invited",
                "booked",
                "waiting",
                "declined",
                name="invitation_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "waiting_since",
            advanced_alchemy.types.datetime.DateTimeUTC(timezone=True),
            nullable=True,
        ),
        sa.Column("invited_by_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["shortlist_entry.id"],
            name=op.f("fk_event_invitation_entry_id_shortlist_entry"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["recruitment_event.id"],
            name=op.f("fk_event_invitation_event_id_recruitment_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["user_account.id"],
            name=op.f("fk_event_invitation_invited_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["jobseeker_id"],
            ["jobseeker.id"],
            name=op.f("fk_event_invitation_jobseeker_id_jobseeker"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["event_employer.id"],
            name=op.f("fk_event_invitation_participant_id_event_employer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_invitation")),
        sa.UniqueConstraint(
            "participant_id", "jobseeker_id", name=op.f("uq_event_invitation_participant_id")
        ),
    )
    op.create_index(
        op.f("ix_event_invitation_event_id"), "event_invitation", ["event_id"], unique=False
    )
    op.create_index(
        op.f("ix_event_invitation_jobseeker_id"), "event_invitation", ["jobseeker_id"], unique=False
    )
    op.create_index(
        op.f("ix_event_invitation_participant_id"),
        "event_invitation",
        ["participant_id"],
        unique=False,
    )
    op.create_table(
        "event_slot",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("event_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("participant_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("table_no", sa.Integer(), nullable=False),
        sa.Column(
            "starts_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.Column(
            "ends_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["recruitment_event.id"],
            name=op.f("fk_event_slot_event_id_recruitment_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["event_employer.id"],
            name=op.f("fk_event_slot_participant_id_event_employer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_slot")),
        sa.UniqueConstraint(
            "participant_id", "table_no", "starts_at", name=op.f("uq_event_slot_participant_id")
        ),
    )
    op.create_index(op.f("ix_event_slot_event_id"), "event_slot", ["event_id"], unique=False)
    op.create_index(
        op.f("ix_event_slot_participant_id"), "event_slot", ["participant_id"], unique=False
    )
    op.create_table(
        "event_booking",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("event_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("slot_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("invitation_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("jobseeker_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("entry_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column(
            "starts_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.Column(
            "ends_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.Column(
            "status",
            sa.Enum("booked", "cancelled", name="booking_status", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("booked_by_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column(
            "cancelled_at",
            advanced_alchemy.types.datetime.DateTimeUTC(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "attendance",
            sa.Enum("attended", "no_show", name="attendance", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column(
            "outcome",
            sa.Enum(
                "interested", "not_this_time", name="slot_outcome", native_enum=False, length=32
            ),
            nullable=True,
        ),
        sa.Column("outcome_reason", sa.String(length=64), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column(
            "reminded_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True
        ),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["booked_by_id"],
            ["user_account.id"],
            name=op.f("fk_event_booking_booked_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["shortlist_entry.id"],
            name=op.f("fk_event_booking_entry_id_shortlist_entry"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["recruitment_event.id"],
            name=op.f("fk_event_booking_event_id_recruitment_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["event_invitation.id"],
            name=op.f("fk_event_booking_invitation_id_event_invitation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["jobseeker_id"],
            ["jobseeker.id"],
            name=op.f("fk_event_booking_jobseeker_id_jobseeker"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["event_slot.id"],
            name=op.f("fk_event_booking_slot_id_event_slot"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_booking")),
    )
    op.create_index(op.f("ix_event_booking_event_id"), "event_booking", ["event_id"], unique=False)
    op.create_index(
        op.f("ix_event_booking_invitation_id"), "event_booking", ["invitation_id"], unique=False
    )
    op.create_index(
        op.f("ix_event_booking_jobseeker_id"), "event_booking", ["jobseeker_id"], unique=False
    )
    op.create_index(op.f("ix_event_booking_slot_id"), "event_booking", ["slot_id"], unique=False)
    op.create_index(
        "uq_event_booking_live_slot",
        "event_booking",
        ["slot_id"],
        unique=True,
        postgresql_where="status = 'booked'",
    )
    op.execute(
        "ALTER TABLE event_booking ADD CONSTRAINT ex_event_booking_person_overlap "
        "EXCLUDE USING gist (jobseeker_id WITH =, tstzrange(starts_at, ends_at) WITH &&) "
        "WHERE (status = 'booked')"
    )
    op.execute(CONSENT_FUNCTION)
    op.execute(
        "CREATE TRIGGER event_booking_consent BEFORE INSERT OR UPDATE OF "
        "status, slot_id, entry_id, jobseeker_id "
        "ON event_booking "
        "FOR EACH ROW EXECUTE FUNCTION event_booking_requires_consent()"
    )
    # ### end Alembic commands ###


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS event_booking_consent ON event_booking")
    op.execute("DROP FUNCTION IF EXISTS event_booking_requires_consent()")
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_index(
        "uq_event_booking_live_slot",
        table_name="event_booking",
        postgresql_where="status = 'booked'",
    )
    op.drop_index(op.f("ix_event_booking_slot_id"), table_name="event_booking")
    op.drop_index(op.f("ix_event_booking_jobseeker_id"), table_name="event_booking")
    op.drop_index(op.f("ix_event_booking_invitation_id"), table_name="event_booking")
    op.drop_index(op.f("ix_event_booking_event_id"), table_name="event_booking")
    op.drop_table("event_booking")
    op.drop_index(op.f("ix_event_slot_participant_id"), table_name="event_slot")
    op.drop_index(op.f("ix_event_slot_event_id"), table_name="event_slot")
    op.drop_table("event_slot")
    op.drop_index(op.f("ix_event_invitation_participant_id"), table_name="event_invitation")
    op.drop_index(op.f("ix_event_invitation_jobseeker_id"), table_name="event_invitation")
    op.drop_index(op.f("ix_event_invitation_event_id"), table_name="event_invitation")
    op.drop_table("event_invitation")
    op.drop_index(op.f("ix_event_employer_event_id"), table_name="event_employer")
    op.drop_index(op.f("ix_event_employer_employer_id"), table_name="event_employer")
    op.drop_table("event_employer")
    op.drop_index(op.f("ix_recruitment_event_status"), table_name="recruitment_event")
    op.drop_index(op.f("ix_recruitment_event_starts_at"), table_name="recruitment_event")
    op.drop_index(op.f("ix_recruitment_event_organiser_id"), table_name="recruitment_event")
    op.drop_table("recruitment_event")
    # ### end Alembic commands ###
