"""The relational truth: every table of Kohtaanto.

PostgreSQL everywhere: production, the tests and the demo (its own server under
``var/postgres``). Search indexes and shortlists are derived from
these rows and can always be rebuilt.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.base import BigIntBase, UUIDAuditBase, orm_registry
from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

metadata = orm_registry.metadata


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Store the value (lower-case text) so reports and SQL read naturally.
    return Enum(
        cls, name=name, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]
    )


class Role(enum.StrEnum):
    EMPLOYER = "employer"
    COORDINATOR = "coordinator"
    COACH = "coach"
    JOBSEEKER = "jobseeker"
    MANAGER = "manager"  # analyst or manager: aggregate reports, no individual profiles
    ADMIN = "admin"


class VacancyStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    FILLED = "filled"


class EmployerKind(enum.StrEnum):
    """Decides which wage-subsidy rules can apply (associations get 100 %, households none)."""

    BUSINESS = "business"
    ASSOCIATION = "association"  # association, foundation or religious community, no business
    HOUSEHOLD = "household"


class EmployerStatus(enum.StrEnum):
    """Whether the area's coordinator has verified a self-registered organisation."""

    PENDING = "pending"  # may draft vacancies; may not publish or see candidates
    APPROVED = "approved"
    REJECTED = "rejected"


class EntryStatus(enum.StrEnum):
    """Where a shortlisted person is in the recruitment (see domain.shortlists for the moves)."""

    SUGGESTED = "suggested"
    CONTACTED = "contacted"
    CONSENT_REQUESTED = "consent_requested"
    CONSENTED = "consented"
    DECLINED = "declined"
    EXPIRED = "expired"
    SHARED = "shared"
    INTERVIEW = "interview"
    HIRED = "hired"
    NOT_HIRED = "not_hired"
    REMOVED = "removed"


class NotifyFrequency(enum.StrEnum):
    """How a user wants their notifications by e-mail; the in-app inbox always has them."""

    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"


class EducationLevel(enum.StrEnum):
    """Highest completed education, coarse as in the Finnish classification."""

    BASIC = "basic"  # peruskoulu only
    UPPER_SECONDARY = "upper_secondary"  # lukio or vocational qualification
    BACHELOR = "bachelor"
    MASTER = "master"
    DOCTORATE = "doctorate"

    @property
    def rank(self) -> int:
        return list(EducationLevel).index(self)


# --- ESCO vocabulary -------------------------------------------------------------


class IscoGroup(BigIntBase):
    """An ISCO-08 group (1 to 4 digits) as published with ESCO."""

    __tablename__ = "isco_group"
    code: Mapped[str] = mapped_column(String(8), unique=True)
    label: Mapped[str] = mapped_column(String(512))


class EscoSkill(BigIntBase):
    """An ESCO skill or knowledge concept (ESCO classification, European Commission)."""

    __tablename__ = "esco_skill"
    uri: Mapped[str] = mapped_column(String(255), unique=True)
    label: Mapped[str] = mapped_column(String(512))
    alt_labels: Mapped[list[str]] = mapped_column(JsonB, default=list)
    skill_type: Mapped[str] = mapped_column(String(64), default="")
    reuse_level: Mapped[str] = mapped_column(String(64), default="")
    description: Mapped[str] = mapped_column(Text, default="")


class EscoOccupation(BigIntBase):
    """An ESCO occupation with its ISCO-08 unit group."""

    __tablename__ = "esco_occupation"
    uri: Mapped[str] = mapped_column(String(255), unique=True)
    label: Mapped[str] = mapped_column(String(512))
    alt_labels: Mapped[list[str]] = mapped_column(JsonB, default=list)
    isco_code: Mapped[str] = mapped_column(String(8), index=True)
    description: Mapped[str] = mapped_column(Text, default="")


class OccupationSkill(BigIntBase):
    """ESCO's occupation → skill relation, essential or optional."""

    __tablename__ = "esco_occupation_skill"
    __table_args__ = (UniqueConstraint("occupation_id", "skill_id"),)
    occupation_id: Mapped[int] = mapped_column(
        ForeignKey("esco_occupation.id", ondelete="CASCADE"), index=True
    )
    skill_id: Mapped[int] = mapped_column(ForeignKey("esco_skill.id", ondelete="CASCADE"))
    essential: Mapped[bool] = mapped_column(Boolean)


# --- Places -----------------------------------------------------------------------


class EmploymentArea(BigIntBase):
    """A municipal employment area (työllisyysalue), 45 of them since 2025."""

    __tablename__ = "employment_area"
    name: Mapped[str] = mapped_column(String(128), unique=True)


class Municipality(BigIntBase):
    """A municipality with its official code and town-centre coordinates."""

    __tablename__ = "municipality"
    code: Mapped[str] = mapped_column(String(3), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    sub_region: Mapped[str] = mapped_column(String(64))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("employment_area.id"))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    area: Mapped[EmploymentArea | None] = relationship(lazy="joined")


# --- People and organisations ----------------------------------------------------


class User(UUIDAuditBase):
    """Anyone who logs in. The role decides what they may see."""

    __tablename__ = "user_account"
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    employer_id: Mapped[UUID | None] = mapped_column(ForeignKey("employer.id"), index=True)
    # Coordinators serve the employers of a sub-region.
    sub_region: Mapped[str | None] = mapped_column(String(64))
    # Where a coordinator's shortlists are POSTed, when set, signed with the secret.
    webhook_url: Mapped[str | None] = mapped_column(String(1024))
    webhook_secret: Mapped[str | None] = mapped_column(String(128))
    phone: Mapped[str | None] = mapped_column(String(32))
    notify_frequency: Mapped[NotifyFrequency] = mapped_column(
        _enum(NotifyFrequency, "notify_frequency"), default=NotifyFrequency.IMMEDIATE
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Tokens carry the version they were issued under; logout, a password change and
    # a reset raise it, which revokes every earlier token.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Employer(UUIDAuditBase):
    """An employing organisation, identified by its Finnish business ID (Y-tunnus)."""

    __tablename__ = "employer"
    business_id: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    coordinator_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("user_account.id", use_alter=True), index=True
    )
    kind: Mapped[EmployerKind] = mapped_column(
        _enum(EmployerKind, "employer_kind"), default=EmployerKind.BUSINESS
    )
    # Self-registration sets PENDING (anyone can type a public business ID); rows
    # made by staff, the demo and migrations of existing data are verified already.
    status: Mapped[EmployerStatus] = mapped_column(
        _enum(EmployerStatus, "employer_status"),
        default=EmployerStatus.APPROVED,
        server_default=EmployerStatus.APPROVED.value,
        index=True,
    )
    # Told to the employer when the coordinator rejects the registration.
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    reviewed_by_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("user_account.id", use_alter=True)
    )
    municipality: Mapped[Municipality] = relationship(lazy="joined")


class Jobseeker(UUIDAuditBase):
    """A jobseeker's profile. Birth year only, never a personal identity code."""

    __tablename__ = "jobseeker"
    user_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    coach_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    max_travel_km: Mapped[int] = mapped_column(Integer, default=30)
    languages: Mapped[list[str]] = mapped_column(JsonB, default=list)
    education: Mapped[EducationLevel] = mapped_column(_enum(EducationLevel, "education_level"))
    unemployed_since: Mapped[date | None] = mapped_column(Date)
    reduced_work_ability: Mapped[bool] = mapped_column(Boolean, default=False)
    integration_plan: Mapped[bool] = mapped_column(Boolean, default=False)
    birth_year: Mapped[int] = mapped_column(Integer)
    min_hours_per_week: Mapped[int] = mapped_column(Integer, default=0)
    max_hours_per_week: Mapped[int] = mapped_column(Integer, default=40)
    # Consent to be found by employers' coordinators at all.
    visible_to_employers: Mapped[bool] = mapped_column(Boolean, default=False)
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    # For the retention rule: profiles untouched this long are anonymised.
    last_active_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))

    municipality: Mapped[Municipality] = relationship(lazy="joined")
    skills: Mapped[list[EscoSkill]] = relationship(
        secondary="jobseeker_skill", lazy="selectin", order_by="EscoSkill.label"
    )
    occupations: Mapped[list[EscoOccupation]] = relationship(
        secondary="jobseeker_occupation", lazy="selectin", order_by="EscoOccupation.label"
    )


class JobseekerSkill(BigIntBase):
    __tablename__ = "jobseeker_skill"
    __table_args__ = (UniqueConstraint("jobseeker_id", "skill_id"),)
    jobseeker_id: Mapped[UUID] = mapped_column(
        ForeignKey("jobseeker.id", ondelete="CASCADE"), index=True
    )
    skill_id: Mapped[int] = mapped_column(ForeignKey("esco_skill.id"), index=True)


class JobseekerOccupation(BigIntBase):
    __tablename__ = "jobseeker_occupation"
    __table_args__ = (UniqueConstraint("jobseeker_id", "occupation_id"),)
    jobseeker_id: Mapped[UUID] = mapped_column(
        ForeignKey("jobseeker.id", ondelete="CASCADE"), index=True
    )
    occupation_id: Mapped[int] = mapped_column(ForeignKey("esco_occupation.id"), index=True)


# --- Vacancies --------------------------------------------------------------------


class Vacancy(UUIDAuditBase):
    """An open position posted by an employer (avoin työpaikka)."""

    __tablename__ = "vacancy"
    employer_id: Mapped[UUID] = mapped_column(ForeignKey("employer.id"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    occupation_id: Mapped[int] = mapped_column(ForeignKey("esco_occupation.id"))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    # Hours as a decimal: 37.5 is the Finnish full-time week. Read as float (asdecimal=False)
    # so the matching and instrument code keep working with plain numbers.
    hours_per_week: Mapped[float] = mapped_column(Numeric(4, 2, asdecimal=False))
    start_date: Mapped[date | None] = mapped_column(Date)
    monthly_pay_eur: Mapped[int | None] = mapped_column(Integer)
    languages: Mapped[list[str]] = mapped_column(JsonB, default=list)
    status: Mapped[VacancyStatus] = mapped_column(
        _enum(VacancyStatus, "vacancy_status"), default=VacancyStatus.DRAFT, index=True
    )
    open_to_wage_subsidy: Mapped[bool] = mapped_column(Boolean, default=False)
    open_to_work_trial: Mapped[bool] = mapped_column(Boolean, default=False)
    open_to_apprenticeship: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))

    employer: Mapped[Employer] = relationship(lazy="joined")
    occupation: Mapped[EscoOccupation] = relationship(lazy="joined")
    municipality: Mapped[Municipality] = relationship(lazy="joined")
    skill_links: Mapped[list[VacancySkill]] = relationship(
        lazy="selectin", cascade="all, delete-orphan"
    )


class VacancySkill(BigIntBase):
    __tablename__ = "vacancy_skill"
    __table_args__ = (UniqueConstraint("vacancy_id", "skill_id"),)
    vacancy_id: Mapped[UUID] = mapped_column(
        ForeignKey("vacancy.id", ondelete="CASCADE"), index=True
    )
    skill_id: Mapped[int] = mapped_column(ForeignKey("esco_skill.id"))
    essential: Mapped[bool] = mapped_column(Boolean, default=True)
    skill: Mapped[EscoSkill] = relationship(lazy="joined")


# --- Matching results -------------------------------------------------------------


class Shortlist(UUIDAuditBase):
    """The ranked candidates for one vacancy, rebuilt when the vacancy changes."""

    __tablename__ = "shortlist"
    vacancy_id: Mapped[UUID] = mapped_column(
        ForeignKey("vacancy.id", ondelete="CASCADE"), unique=True
    )
    model_version: Mapped[str] = mapped_column(String(64))
    retrieved: Mapped[int] = mapped_column(Integer, default=0)
    entries: Mapped[list[ShortlistEntry]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="ShortlistEntry.rank"
    )


class ShortlistEntry(UUIDAuditBase):
    __tablename__ = "shortlist_entry"
    __table_args__ = (UniqueConstraint("shortlist_id", "jobseeker_id"),)
    shortlist_id: Mapped[UUID] = mapped_column(
        ForeignKey("shortlist.id", ondelete="CASCADE"), index=True
    )
    jobseeker_id: Mapped[UUID] = mapped_column(ForeignKey("jobseeker.id"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    search_score: Mapped[float] = mapped_column(Float, default=0.0)
    # The model's inputs when the entry was ranked: with the outcome, a training row
    # that does not change when the profile changes later.
    features: Mapped[dict[str, float]] = mapped_column(JsonB, default=dict)
    status: Mapped[EntryStatus] = mapped_column(
        _enum(EntryStatus, "entry_status"), default=EntryStatus.SUGGESTED, index=True
    )
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    # Why the person was not hired, declined or removed: a code from domain.shortlists.
    outcome_reason: Mapped[str | None] = mapped_column(String(64))
    # "model" when ranked, "coordinator" when added by hand.
    source: Mapped[str] = mapped_column(String(16), default="model")
    # Consent is per vacancy, asked with a deadline, and can be taken back.
    consent_requested_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    consent_deadline: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    consent_answered_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    # Sharing with the employer: which profile fields, until when.
    shared_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    shared_until: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    shared_fields: Mapped[list[str]] = mapped_column(JsonB, default=list)


class ShortlistEvent(BigIntBase):
    """One move of a shortlist entry: who, when, from what to what, and why."""

    __tablename__ = "shortlist_event"
    entry_id: Mapped[UUID] = mapped_column(
        ForeignKey("shortlist_entry.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[EntryStatus | None] = mapped_column(_enum(EntryStatus, "entry_status"))
    to_status: Mapped[EntryStatus] = mapped_column(_enum(EntryStatus, "entry_status"))
    actor_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str | None] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class Notification(UUIDAuditBase):
    """An in-app message. One per (recipient, kind, vacancy): never twice for the same vacancy."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("recipient_id", "dedup_key"),)
    recipient_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    # What makes two notifications the same one, e.g. "match:<vacancy>": never sent twice.
    dedup_key: Mapped[str] = mapped_column(String(160))
    vacancy_id: Mapped[UUID | None] = mapped_column(ForeignKey("vacancy.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    read_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    # Delivery beyond the inbox: e-mail (immediately or in a digest) and the webhook.
    emailed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    webhook_status: Mapped[int | None] = mapped_column(Integer)
    webhook_attempts: Mapped[int] = mapped_column(Integer, default=0)
    webhook_delivered_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    email_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Why the last try of a delivery (e-mail or webhook) failed: a failure is recorded,
    # never dropped silently.
    delivery_error: Mapped[str | None] = mapped_column(String(255))


class ProfileView(BigIntBase):
    """Someone saw or shortlisted a jobseeker's profile; the jobseeker can read these."""

    __tablename__ = "profile_view"
    jobseeker_id: Mapped[UUID] = mapped_column(
        ForeignKey("jobseeker.id", ondelete="CASCADE"), index=True
    )
    viewer_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))
    viewer_role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    # The viewer's organisation as the jobseeker sees it: the employer, or the service.
    viewer_organisation: Mapped[str] = mapped_column(String(255))
    vacancy_id: Mapped[UUID | None] = mapped_column(ForeignKey("vacancy.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))  # "viewed", "shortlisted", "shared"
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class VacancyInterest(BigIntBase):
    """A jobseeker said "I'm interested" in a vacancy: the vacancy's coordinator is told
    and the board can show it. Once per jobseeker and vacancy."""

    __tablename__ = "vacancy_interest"
    __table_args__ = (UniqueConstraint("jobseeker_id", "vacancy_id"),)
    jobseeker_id: Mapped[UUID] = mapped_column(
        ForeignKey("jobseeker.id", ondelete="CASCADE"), index=True
    )
    vacancy_id: Mapped[UUID] = mapped_column(
        ForeignKey("vacancy.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class OutboxMessage(BigIntBase):
    """A job to run, committed in the same transaction as the write that needs it.

    A relay moves pending messages to the queue, so a write is never lost when
    Redis or Meilisearch is down.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "dispatched_at"),)
    task: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
