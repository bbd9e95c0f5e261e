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
    # Work-ability coordinator, psychologist, study counsellor: joins a client's team with
    # the client's consent and sees only the parts the client opened (domain.service_paths).
    SPECIALIST = "specialist"
    PARTNER = "partner"  # a partner organisation's worker: its services and referrals to them


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
    # The language of their e-mails (fi, sv, en): the one they last chose in the
    # interface, or registered with.
    language: Mapped[str] = mapped_column(String(2), default="fi", server_default="fi")
    # Tokens carry the version they were issued under; logout, a password change and
    # a reset raise it, which revokes every earlier token.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A partner user works for one partner organisation (domain.partners).
    partner_organisation_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("partner_organisation.id", use_alter=True), index=True
    )


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
    # A digest of what the last build ranked (RankingModel.fingerprint: the model
    # version, the vacancy, its candidates' profiles and search scores, the day's
    # instrument thresholds): the nightly refresh skips a list whose inputs are unchanged.
    fingerprint: Mapped[str | None] = mapped_column(String(64))
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
    """An in-app message, stored as what happened (``kind``) and its ``params`` (JSON,
    ids as strings), never as prose: the inbox, the e-mail and the webhook render it in
    the reader's language (``domain.notifications.KINDS``). Never twice for the same
    thing (``dedup_key``)."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("recipient_id", "dedup_key"),)
    recipient_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    # What makes two notifications the same one, e.g. "match:<vacancy>": never sent twice.
    dedup_key: Mapped[str] = mapped_column(String(160))
    vacancy_id: Mapped[UUID | None] = mapped_column(ForeignKey("vacancy.id", ondelete="CASCADE"))
    params: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
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


# --- Service paths (the coach's work with a client: domain.service_paths) ----------


class ServiceRules(BigIntBase):
    """An employment area's service rhythm, as data (the law's defaults apply where an
    area has no row): days to the initial interview, how often the assessment is
    reviewed, the job-search obligation."""

    __tablename__ = "service_rules"
    area_id: Mapped[int | None] = mapped_column(ForeignKey("employment_area.id"), unique=True)
    initial_assessment_working_days: Mapped[int] = mapped_column(Integer, default=5)
    assessment_review_weeks: Mapped[int] = mapped_column(Integer, default=12)
    applications_per_month: Mapped[int] = mapped_column(Integer, default=4)
    # Under this age and without a vocational qualification: study places to apply for.
    study_place_age_limit: Mapped[int] = mapped_column(Integer, default=25)
    study_places_per_month: Mapped[int] = mapped_column(Integer, default=2)
    source: Mapped[str] = mapped_column(String(255), default="")


class ServiceAssessment(BigIntBase):
    """One version of a client's service-needs assessment (palvelutarvearvio). Never
    updated: every change is a new version with who and when."""

    __tablename__ = "service_assessment"
    __table_args__ = (UniqueConstraint("jobseeker_id", "version"),)
    jobseeker_id: Mapped[UUID] = mapped_column(
        ForeignKey("jobseeker.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    # {area: {"client": text, "coach": text}} for the areas of domain.service_paths.
    areas: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    effort_level: Mapped[str | None] = mapped_column(String(32))
    main_goal: Mapped[str | None] = mapped_column(String(32))
    rationale: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list[str]] = mapped_column(JsonB, default=list)
    reviewer_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    author_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))
    author_role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class ServicePlan(UUIDAuditBase):
    """The client's service path / employment plan (työllistymissuunnitelma): one per
    client, visible to the client."""

    __tablename__ = "service_plan"
    jobseeker_id: Mapped[UUID] = mapped_column(
        ForeignKey("jobseeker.id", ondelete="CASCADE"), unique=True
    )
    plan_type: Mapped[str] = mapped_column(String(32), default="employment")
    # The job-search obligation: None until set; the area's default applies then.
    applications_per_month: Mapped[int | None] = mapped_column(Integer)
    obligation_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # When the coach last looked: changes by others after it are "new".
    coach_seen_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    client_seen_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class PlanActivity(UUIDAuditBase):
    """One activity of a plan (NAV's activity card): a type, dates, a status, the
    "agreed" flag that locks it from the client's edits, a version for optimistic
    locking."""

    __tablename__ = "plan_activity"
    plan_id: Mapped[UUID] = mapped_column(
        ForeignKey("service_plan.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="planned", index=True)
    agreed: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    shortlist_entry_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("shortlist_entry.id", ondelete="SET NULL")
    )
    # Type-specific facts (a referral's service, a meeting's id...), plain JSON.
    details: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    created_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))
    # Who changed it last: the coach, the client, or None for the service (a partner's link).
    changed_by_role: Mapped[Role | None] = mapped_column(_enum(Role, "role"))


class PlanEvent(BigIntBase):
    """One change of a plan or an activity: who, when, what changed (old → new)."""

    __tablename__ = "plan_event"
    plan_id: Mapped[UUID] = mapped_column(
        ForeignKey("service_plan.id", ondelete="CASCADE"), index=True
    )
    activity_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("plan_activity.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))
    actor_role: Mapped[Role | None] = mapped_column(_enum(Role, "role"))
    action: Mapped[str] = mapped_column(String(32))
    changes: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)


class JobApplication(BigIntBase):
    """An application the client reports (job or study place), for the obligation."""

    __tablename__ = "job_application"
    jobseeker_id: Mapped[UUID] = mapped_column(
        ForeignKey("jobseeker.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="job")  # job | study_place
    applied_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(255))
    organisation: Mapped[str] = mapped_column(String(255), default="")
    vacancy_id: Mapped[UUID | None] = mapped_column(ForeignKey("vacancy.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16), default="manual")  # manual | match
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class Meeting(UUIDAuditBase):
    """A meeting of the coach and the client: in person, by phone or video."""

    __tablename__ = "meeting"
    jobseeker_id: Mapped[UUID] = mapped_column(
        ForeignKey("jobseeker.id", ondelete="CASCADE"), index=True
    )
    coach_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    activity_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("plan_activity.id", ondelete="SET NULL")
    )
    starts_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=45)
    channel: Mapped[str] = mapped_column(String(16))  # in_person | phone | video
    address: Mapped[str | None] = mapped_column(String(255))
    video_url: Mapped[str | None] = mapped_column(String(1024))
    preparation: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    minutes_published_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    # iCalendar SEQUENCE: raised on every change sent to the participants.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    invited_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class TeamMember(UUIDAuditBase):
    """A specialist in a client's multiprofessional team. Sees nothing until the client
    consents, and then only the parts the client opened."""

    __tablename__ = "team_member"
    __table_args__ = (UniqueConstraint("jobseeker_id", "specialist_id"),)
    jobseeker_id: Mapped[UUID] = mapped_column(
        ForeignKey("jobseeker.id", ondelete="CASCADE"), index=True
    )
    specialist_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    profession: Mapped[str] = mapped_column(String(32))
    parts: Mapped[list[str]] = mapped_column(JsonB, default=list)
    added_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))
    consented_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


# --- Partner services and referrals (domain.partners) -----------------------------


class ReferralStatus(enum.StrEnum):
    """Where a referral to a partner service is (see domain.partners.referrals for the moves)."""

    AWAITING_CONSENT = "awaiting_consent"  # the client has not yet said what may be sent
    SENT = "sent"  # waiting for the partner's answer
    ACCEPTED = "accepted"
    REFUSED = "refused"
    STARTED = "started"
    COMPLETED = "completed"
    DROPPED_OUT = "dropped_out"
    EXPIRED = "expired"  # no answer in time
    CANCELLED = "cancelled"  # by the coach, or the client refused to share


class PartnerOrganisation(UUIDAuditBase):
    """An organisation offering services to jobseekers: a college, an NGO, Kela, a firm."""

    __tablename__ = "partner_organisation"
    # The key of an imported row (catalogue CSV/JSON), so a re-import updates it.
    source_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))  # domain.partners.vocabulary.ORG_KINDS
    business_id: Mapped[str | None] = mapped_column(String(9))
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str | None] = mapped_column(String(512))
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    municipality: Mapped[Municipality | None] = relationship(lazy="joined")


class PartnerService(UUIDAuditBase):
    """One service of a partner, modelled on the data·inclusion service schema."""

    __tablename__ = "partner_service"
    organisation_id: Mapped[UUID] = mapped_column(
        ForeignKey("partner_organisation.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    # Codes of domain.partners.vocabulary: types, two-level themes, audiences, access
    # conditions, reception modes and how the service is mobilised.
    types: Mapped[list[str]] = mapped_column(JsonB, default=list)
    themes: Mapped[list[str]] = mapped_column(JsonB, default=list)
    audiences: Mapped[list[str]] = mapped_column(JsonB, default=list)
    access_conditions: Mapped[list[str]] = mapped_column(JsonB, default=list)
    reception_modes: Mapped[list[str]] = mapped_column(JsonB, default=list)
    referral_methods: Mapped[list[str]] = mapped_column(JsonB, default=list)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    address: Mapped[str | None] = mapped_column(String(255))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    # The area served: official municipality codes (empty: the whole region).
    area_codes: Mapped[list[str]] = mapped_column(JsonB, default=list)
    contact_name: Mapped[str | None] = mapped_column(String(255))
    contact_email: Mapped[str | None] = mapped_column(String(255))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    opening_hours: Mapped[str | None] = mapped_column(String(255))
    hours_per_week: Mapped[float | None] = mapped_column(Numeric(4, 1, asdecimal=False))
    weeks: Mapped[int | None] = mapped_column(Integer)
    fee: Mapped[str] = mapped_column(String(16), default="free")  # free, paid, partly
    fee_details: Mapped[str | None] = mapped_column(String(255))
    # The ESCO skills and occupations the service trains for (skills gap → offers).
    skill_uris: Mapped[list[str]] = mapped_column(JsonB, default=list)
    occupation_uris: Mapped[list[str]] = mapped_column(JsonB, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    organisation: Mapped[PartnerOrganisation] = relationship(lazy="joined")
    municipality: Mapped[Municipality | None] = relationship(lazy="joined")


class Referral(UUIDAuditBase):
    """A coach's referral of a client to a partner service, and the partner's answer."""

    __tablename__ = "referral"
    jobseeker_id: Mapped[UUID] = mapped_column(
        ForeignKey("jobseeker.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[UUID] = mapped_column(ForeignKey("partner_service.id"), index=True)
    coach_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The activity in the client's plan that this referral is (domain.service_paths).
    activity_id: Mapped[UUID | None] = mapped_column(index=True)
    status: Mapped[ReferralStatus] = mapped_column(
        _enum(ReferralStatus, "referral_status"),
        default=ReferralStatus.AWAITING_CONSENT,
        index=True,
    )
    message: Mapped[str] = mapped_column(Text, default="")
    # The items the coach proposes to send, those the client consented to, and what
    # was sent (a snapshot of the consented items only).
    requested_items: Mapped[list[str]] = mapped_column(JsonB, default=list)
    consented_items: Mapped[list[str]] = mapped_column(JsonB, default=list)
    shared: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    consented_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    start_date: Mapped[date | None] = mapped_column(Date)
    # A code: the refusal's or the drop-out's reason (domain.partners.vocabulary).
    reason: Mapped[str | None] = mapped_column(String(64))
    partner_note: Mapped[str | None] = mapped_column(Text)
    # The one-time answer link: only its SHA-256 is kept; each answer uses it up.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))

    # Loaded apart (not joined), so a referral can be locked FOR UPDATE on its own.
    service: Mapped[PartnerService] = relationship(lazy="selectin")


class ReferralEvent(BigIntBase):
    """One move of a referral: who (or which link), when, from what to what, and why."""

    __tablename__ = "referral_event"
    referral_id: Mapped[UUID] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[ReferralStatus | None] = mapped_column(
        _enum(ReferralStatus, "referral_status")
    )
    to_status: Mapped[ReferralStatus] = mapped_column(_enum(ReferralStatus, "referral_status"))
    actor_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))
    via: Mapped[str] = mapped_column(String(16))  # coach, client, partner, link, system
    reason: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


# --- Recruitment events (issue 13) ---------------------------------------------------


class EventKind(enum.StrEnum):
    """What kind of meeting a recruitment event is (rekrytointitapahtuma)."""

    FAIR = "fair"  # rekrytointimessut
    SPEED_INTERVIEWS = "speed_interviews"  # pikahaastattelut
    INFO_SESSION = "info_session"  # infotilaisuus
    COMPANY_VISIT = "company_visit"  # yritysvierailu


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ParticipationStatus(enum.StrEnum):
    """An employer at an event: invited by the organiser, or asked to take part itself."""

    INVITED = "invited"
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


class InvitationStatus(enum.StrEnum):
    INVITED = "invited"
    BOOKED = "booked"
    WAITING = "waiting"  # on the waiting list of the employer's tables
    DECLINED = "declined"


class BookingStatus(enum.StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"


class Attendance(enum.StrEnum):
    ATTENDED = "attended"
    NO_SHOW = "no_show"


class SlotOutcome(enum.StrEnum):
    INTERESTED = "interested"
    NOT_THIS_TIME = "not_this_time"


class RecruitmentEvent(UUIDAuditBase):
    """A fair, speed-interview day, info session or company visit, in a hall or online."""

    __tablename__ = "recruitment_event"
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind, "event_kind"))
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    place: Mapped[str | None] = mapped_column(String(255))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    video_link: Mapped[str | None] = mapped_column(String(1024))
    starts_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    reply_deadline: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    capacity: Mapped[int] = mapped_column(Integer)
    languages: Mapped[list[str]] = mapped_column(JsonB, default=list)
    status: Mapped[EventStatus] = mapped_column(
        _enum(EventStatus, "event_status"), default=EventStatus.DRAFT, index=True
    )
    organiser_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The organiser's area: the coordinators of this sub-region run the event together.
    sub_region: Mapped[str | None] = mapped_column(String(64))
    municipality: Mapped[Municipality | None] = relationship(lazy="joined")


class EventEmployer(UUIDAuditBase):
    """An employer taking part in an event, with its needs and its tables."""

    __tablename__ = "event_employer"
    __table_args__ = (UniqueConstraint("event_id", "employer_id"),)
    event_id: Mapped[UUID] = mapped_column(
        ForeignKey("recruitment_event.id", ondelete="CASCADE"), index=True
    )
    employer_id: Mapped[UUID] = mapped_column(ForeignKey("employer.id"), index=True)
    status: Mapped[ParticipationStatus] = mapped_column(
        _enum(ParticipationStatus, "participation_status")
    )
    vacancy_ids: Mapped[list[str]] = mapped_column(JsonB, default=list)
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    # What the employer offers: wage_subsidy, work_trial, apprenticeship.
    instruments: Mapped[list[str]] = mapped_column(JsonB, default=list)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=15)
    break_minutes: Mapped[int] = mapped_column(Integer, default=5)
    tables: Mapped[int] = mapped_column(Integer, default=1)
    employer: Mapped[Employer] = relationship(lazy="joined")


class EventSlot(UUIDAuditBase):
    """One interview time at one of an employer's tables."""

    __tablename__ = "event_slot"
    __table_args__ = (UniqueConstraint("participant_id", "table_no", "starts_at"),)
    event_id: Mapped[UUID] = mapped_column(
        ForeignKey("recruitment_event.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[UUID] = mapped_column(
        ForeignKey("event_employer.id", ondelete="CASCADE"), index=True
    )
    table_no: Mapped[int] = mapped_column(Integer, default=1)
    starts_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class EventInvitation(UUIDAuditBase):
    """A jobseeker invited to meet one employer at an event, through a shortlist entry
    (whose consent decides whether they may book)."""

    __tablename__ = "event_invitation"
    __table_args__ = (UniqueConstraint("participant_id", "jobseeker_id"),)
    event_id: Mapped[UUID] = mapped_column(
        ForeignKey("recruitment_event.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[UUID] = mapped_column(
        ForeignKey("event_employer.id", ondelete="CASCADE"), index=True
    )
    jobseeker_id: Mapped[UUID] = mapped_column(
        ForeignKey("jobseeker.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[UUID] = mapped_column(ForeignKey("shortlist_entry.id", ondelete="CASCADE"))
    status: Mapped[InvitationStatus] = mapped_column(
        _enum(InvitationStatus, "invitation_status"), default=InvitationStatus.INVITED
    )
    waiting_since: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    invited_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))


class EventBooking(UUIDAuditBase):
    """A jobseeker's booking of a slot. The database refuses a second live booking of a
    slot (unique index), two overlapping live bookings of one person (exclusion
    constraint) and a booking without consent to meet the slot's employer (trigger)."""

    __tablename__ = "event_booking"
    __table_args__ = (
        Index(
            "uq_event_booking_live_slot",
            "slot_id",
            unique=True,
            postgresql_where="status = 'booked'",
        ),
    )
    event_id: Mapped[UUID] = mapped_column(
        ForeignKey("recruitment_event.id", ondelete="CASCADE"), index=True
    )
    slot_id: Mapped[UUID] = mapped_column(
        ForeignKey("event_slot.id", ondelete="CASCADE"), index=True
    )
    invitation_id: Mapped[UUID] = mapped_column(
        ForeignKey("event_invitation.id", ondelete="CASCADE"), index=True
    )
    jobseeker_id: Mapped[UUID] = mapped_column(
        ForeignKey("jobseeker.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[UUID] = mapped_column(ForeignKey("shortlist_entry.id", ondelete="CASCADE"))
    # The slot's time, copied so the database can refuse overlapping bookings.
    starts_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    status: Mapped[BookingStatus] = mapped_column(
        _enum(BookingStatus, "booking_status"), default=BookingStatus.BOOKED
    )
    booked_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    attendance: Mapped[Attendance | None] = mapped_column(_enum(Attendance, "attendance"))
    outcome: Mapped[SlotOutcome | None] = mapped_column(_enum(SlotOutcome, "slot_outcome"))
    outcome_reason: Mapped[str | None] = mapped_column(String(64))
    # The calendar entry's SEQUENCE: raised on every change, so calendars update.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
