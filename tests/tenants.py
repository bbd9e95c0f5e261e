"""Two tenants side by side, made directly in the database: each with an employer
(organisation and account), its coordinator, an open vacancy with a shortlist, a coach
with a client (a jobseeker) whose entry on that shortlist is shared with the employer,
and a notification for every user. Object-level tests ask each role for its own
tenant's objects and the other tenant's.

Tenant "a"'s jobseeker has reduced work ability (health data) and their entry carries
the instrument estimates the ranking would give, so tests can check nothing of it
reaches an employer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select

from kohtaanto.db import session_scope
from kohtaanto.db.models import (
    EducationLevel,
    Employer,
    EmployerStatus,
    EntryStatus,
    EscoOccupation,
    EscoSkill,
    Jobseeker,
    Meeting,
    Municipality,
    Notification,
    PartnerOrganisation,
    PartnerService,
    PlanActivity,
    Referral,
    ReferralStatus,
    Role,
    ServicePlan,
    Shortlist,
    ShortlistEntry,
    ShortlistEvent,
    TeamMember,
    User,
    Vacancy,
    VacancyStatus,
)
from kohtaanto.domain.disclosure import SHARED_FIELDS
from kohtaanto.domain.instruments import (
    TAMPERE_AREA,
    InstrumentEstimator,
    JobFacts,
    PersonFacts,
)
from tests.conftest import _PASSWORD_HASH as PASSWORD_HASH
from tests.conftest import PASSWORD

NOTE = "Told me about her back surgery; wants part-time only"  # a coordinator's note


@dataclass
class Tenant:
    name: str
    users: dict[Role, User] = field(default_factory=dict)
    employer_id: UUID | None = None
    vacancy_id: UUID | None = None
    entry_id: UUID | None = None  # the client's entry, shared with the employer
    hand_entry_id: UUID | None = None  # a second entry, added by hand with a note
    jobseeker_id: UUID | None = None
    # The client's service path: a plan activity (not agreed), a meeting, and a
    # specialist in the team with the plan opened to them.
    activity_id: UUID | None = None
    meeting_id: UUID | None = None
    member_id: UUID | None = None
    notifications: dict[Role, UUID] = field(default_factory=dict)
    organisation_id: UUID | None = None  # a partner organisation, its service and user
    service_id: UUID | None = None
    referral_id: UUID | None = None  # the client's referral to it, sent (name consented)
    # A recruitment event of the tenant's coordinator (tests/event_tenants.py).
    event_id: UUID | None = None
    slot_id: UUID | None = None  # booked by the tenant's jobseeker
    invitation_id: UUID | None = None
    booking_id: UUID | None = None


def instruments_for(reduced_work_ability: bool, pay: int = 2300) -> list[dict[str, Any]]:
    """The instrument estimates the ranking stores in an explanation, for a shop job."""
    job = JobFacts(open_to_wage_subsidy=True, open_to_work_trial=True, monthly_pay_eur=pay)
    person = PersonFacts(
        birth_year=1990,
        unemployed_since=date(2026, 1, 1),  # long enough for the general wage subsidy
        reduced_work_ability=reduced_work_ability,
        area=TAMPERE_AREA,
    )
    estimates = InstrumentEstimator(job, on=date(2026, 11, 30)).estimate(person)
    return [e.to_dict() for e in estimates]


def explanation(reduced_work_ability: bool) -> dict[str, Any]:
    instruments = instruments_for(reduced_work_ability)
    return {
        "matched_essential": [{"uri": "http://example.org/skill/1", "label": "serve customers"}],
        "missing_essential": [{"uri": "http://example.org/skill/2", "label": "use cash register"}],
        "matched_optional": 0,
        "optional_total": 2,
        "essential_coverage": 0.5,
        "distance_km": 3.2,
        "travel_limit_km": 40.0,
        "within_travel_limit": True,
        "languages_missing": [],
        "instruments": instruments,
        "best_saving_eur": max((i["total_saving_eur"] for i in instruments), default=0.0),
        "top_factors": [
            {
                "feature": "instrument_saving",
                "label": "Reduced work ability wage subsidy saves 12 000 €",
                "direction": "+",
                "weight": 0.9,
            }
        ],
        "factors_method": "exact",
        "estimate_note": "Estimate only — the employment authority decides.",
        "model_version": "test",
    }


async def make_tenants() -> dict[str, Tenant]:
    """Tenants "a" and "b", plus a manager and an admin in tenant "a"'s users."""
    tenants = {"a": Tenant("a"), "b": Tenant("b")}
    now = datetime.now(UTC)
    async with session_scope() as session:
        occupation = await session.scalar(select(EscoOccupation).order_by(EscoOccupation.id))
        skills = (await session.scalars(select(EscoSkill).order_by(EscoSkill.id).limit(3))).all()
        assert occupation is not None
        # Tenant "b" lies in another sub-region with a coordinator of its own.
        for (key, tenant), business_id, (code, sub_region) in zip(
            tenants.items(),
            ("0737546-2", "1572860-0"),
            (("837", "Tampere"), ("790", "Läntinen Pirkanmaa")),
            strict=True,
        ):
            home = await session.scalar(select(Municipality).where(Municipality.code == code))
            assert home is not None

            def user(role: Role, key: str = key, **fields: Any) -> User:
                u = User(
                    role=role,
                    email=f"{role.value}-{key}@tenant.example.fi",
                    name=f"{role.value.title()} {key.upper()}",
                    password_hash=PASSWORD_HASH,
                    **fields,
                )
                session.add(u)
                tenant.users[role] = u  # noqa: B023 (called at once, in this loop)
                return u

            coordinator = user(Role.COORDINATOR, sub_region=sub_region)
            coach = user(Role.COACH)
            await session.flush()
            employer = Employer(
                business_id=business_id,
                name=f"Kauppa {key.upper()}",
                municipality_id=home.id,
                coordinator_id=coordinator.id,
                status=EmployerStatus.APPROVED,  # verified by its coordinator
            )
            session.add(employer)
            await session.flush()
            user(Role.EMPLOYER, employer_id=employer.id)
            person_user = user(Role.JOBSEEKER, phone="+358401234567")
            await session.flush()
            person = Jobseeker(
                user_id=person_user.id,
                coach_id=coach.id,
                municipality_id=home.id,
                max_travel_km=40,
                languages=["fi"],
                education=EducationLevel.UPPER_SECONDARY,
                unemployed_since=date(2026, 6, 1),
                reduced_work_ability=key == "a",
                integration_plan=key == "a",
                birth_year=1990,
                visible_to_employers=True,
                skills=list(skills),
            )
            # Someone else on the shortlist, added by hand with the coordinator's note.
            other = Jobseeker(
                municipality_id=home.id,
                languages=["fi"],
                education=EducationLevel.BASIC,
                birth_year=1985,
                visible_to_employers=True,
            )
            vacancy = Vacancy(
                employer_id=employer.id,
                title=f"Myyjä {key.upper()}",
                occupation_id=occupation.id,
                municipality_id=home.id,
                hours_per_week=30,
                monthly_pay_eur=2300,
                languages=["fi"],
                status=VacancyStatus.OPEN,
                open_to_wage_subsidy=True,
                open_to_work_trial=True,
                published_at=now,
            )
            session.add_all([person, other, vacancy])
            await session.flush()
            shortlist = Shortlist(vacancy_id=vacancy.id, model_version="test", retrieved=2)
            session.add(shortlist)
            await session.flush()
            entry = ShortlistEntry(
                shortlist_id=shortlist.id,
                jobseeker_id=person.id,
                rank=1,
                score=0.8,
                explanation=explanation(reduced_work_ability=key == "a"),
                status=EntryStatus.SHARED,
                status_changed_at=now,
                consent_requested_at=now - timedelta(days=2),
                consent_answered_at=now - timedelta(days=1),
                shared_at=now,
                shared_until=now + timedelta(days=30),
                shared_fields=list(SHARED_FIELDS),
            )
            by_hand = ShortlistEntry(
                shortlist_id=shortlist.id,
                jobseeker_id=other.id,
                rank=2,
                score=0.0,
                explanation={"added_by_hand": True, "note": NOTE},
                source="coordinator",
                status=EntryStatus.SHARED,
                status_changed_at=now,
                shared_at=now,
                shared_until=now + timedelta(days=30),
                shared_fields=list(SHARED_FIELDS),
            )
            session.add_all([entry, by_hand])
            await session.flush()
            history = [
                (None, EntryStatus.SUGGESTED, coordinator.id, NOTE, 4),
                (EntryStatus.SUGGESTED, EntryStatus.CONSENT_REQUESTED, coordinator.id, None, 3),
                (EntryStatus.CONSENT_REQUESTED, EntryStatus.CONSENTED, person_user.id, None, 2),
                (EntryStatus.CONSENTED, EntryStatus.SHARED, coordinator.id, NOTE, 1),
            ]
            for e in (entry, by_hand):
                session.add_all(
                    ShortlistEvent(
                        entry_id=e.id,
                        from_status=f,
                        to_status=t,
                        actor_id=actor,
                        reason=reason,
                        at=now - timedelta(hours=hours),
                    )
                    for f, t, actor, reason, hours in history
                )
            specialist = user(Role.SPECIALIST)
            plan = ServicePlan(jobseeker_id=person.id)
            session.add(plan)
            await session.flush()
            activity = PlanActivity(
                plan_id=plan.id,
                kind="job_search",
                title="Hae neljää työpaikkaa",
                status="planned",
                changed_by_role=Role.COACH,
                created_by_id=coach.id,
            )
            session.add(activity)
            await session.flush()
            meeting = Meeting(
                jobseeker_id=person.id,
                coach_id=coach.id,
                activity_id=activity.id,
                starts_at=now + timedelta(days=2),
                channel="phone",
            )
            member = TeamMember(
                jobseeker_id=person.id,
                specialist_id=specialist.id,
                profession="psychologist",
                parts=["plan"],
                added_by_id=coach.id,
                consented_at=now,
            )
            session.add_all([meeting, member])
            await session.flush()
            tenant.activity_id, tenant.meeting_id, tenant.member_id = (
                activity.id,
                meeting.id,
                member.id,
            )
            tenant.employer_id, tenant.vacancy_id = employer.id, vacancy.id
            tenant.entry_id, tenant.hand_entry_id = entry.id, by_hand.id
            tenant.jobseeker_id = person.id
            organisation = PartnerOrganisation(
                name=f"Opisto {key.upper()}", kind="education", municipality_id=home.id
            )
            session.add(organisation)
            await session.flush()
            user(Role.PARTNER, partner_organisation_id=organisation.id)
            service = PartnerService(
                organisation_id=organisation.id,
                name=f"Osaamiskartoitus {key.upper()}",
                types=["assessment"],
                themes=["choose-a-job--competence-mapping"],
                referral_methods=["kohtaanto"],
                municipality_id=home.id,
                lat=home.lat,
                lon=home.lon,
                contact_email=f"ohjaus-{key}@opisto.example.fi",
            )
            session.add(service)
            await session.flush()
            referral = Referral(
                jobseeker_id=person.id,
                service_id=service.id,
                coach_id=coach.id,
                status=ReferralStatus.SENT,
                requested_items=["name", "work_ability"],
                consented_items=["name"],
                shared={"name": person_user.name},
                sent_at=now,
                expires_at=now + timedelta(days=14),
            )
            session.add(referral)
            await session.flush()
            tenant.organisation_id, tenant.service_id = organisation.id, service.id
            tenant.referral_id = referral.id
        manager = User(
            role=Role.MANAGER,
            email="manager@tenant.example.fi",
            name="Manager",
            password_hash=PASSWORD_HASH,
        )
        admin = User(
            role=Role.ADMIN,
            email="admin@tenant.example.fi",
            name="Admin",
            password_hash=PASSWORD_HASH,
        )
        session.add_all([manager, admin])
        await session.flush()
        for tenant in tenants.values():
            tenant.users.setdefault(Role.MANAGER, manager)
            tenant.users.setdefault(Role.ADMIN, admin)
            for role, u in tenant.users.items():
                if role in (Role.MANAGER, Role.ADMIN) and tenant.name == "b":
                    continue
                n = Notification(
                    recipient_id=u.id,
                    kind="outcome",
                    dedup_key=f"tenant:{tenant.name}:{role.value}",
                    params={"vacancy_title": "Test", "status": "hired"},
                )
                session.add(n)
                await session.flush()
                tenant.notifications[role] = n.id
    from tests.event_tenants import add_events

    await add_events(tenants)
    return tenants


__all__ = ["NOTE", "PASSWORD", "Tenant", "make_tenants"]
