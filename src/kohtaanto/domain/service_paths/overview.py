"""One client's service path as a reader may see it: the coach all of it, the client
their own, a team specialist only the opened parts. Reading it is logged for staff
and marks the plan seen (what changed since the coach last looked is shown first)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    JobApplication,
    Jobseeker,
    Meeting,
    PlanActivity,
    PlanEvent,
    Role,
    ServiceAssessment,
    ServicePlan,
    TeamMember,
    User,
)
from kohtaanto.domain.service_paths import assessment as assessments
from kohtaanto.domain.service_paths import meetings as meeting_rules
from kohtaanto.domain.service_paths import obligation, plan, team
from kohtaanto.domain.service_paths.access import (
    ASSESSMENT,
    MEETINGS,
    PLAN,
    WORK_ABILITY,
    log_read,
    own_profile,
    readable,
)


@dataclass
class ServicePath:
    jobseeker: Jobseeker
    name: str | None
    parts: frozenset[str]
    assessment: ServiceAssessment | None = None
    assessment_areas: dict[str, dict[str, str]] = field(default_factory=dict)
    deadlines: assessments.Deadlines | None = None
    plan: ServicePlan | None = None
    activities: list[PlanActivity] = field(default_factory=list)
    month: obligation.MonthStatus | None = None
    applications: list[JobApplication] = field(default_factory=list)
    history: list[PlanEvent] = field(default_factory=list)
    changed_since_seen: list[PlanEvent] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    team: list[tuple[TeamMember, User]] = field(default_factory=list)


async def for_reader(
    session: AsyncSession, reader: User, jobseeker_id: UUID, *, now: datetime | None = None
) -> ServicePath:
    """The client's service path as ``reader`` may see it (404 for anyone who may see none)."""
    now = now or datetime.now(UTC)
    parts = await readable(session, reader, jobseeker_id)
    person = await session.get(Jobseeker, jobseeker_id)
    assert person is not None
    account = await session.get(User, person.user_id) if person.user_id else None
    view = ServicePath(jobseeker=person, name=account.name if account else None, parts=parts)
    if parts & {ASSESSMENT, WORK_ABILITY}:
        view.assessment = await assessments.current(session, person.id)
        if view.assessment is not None:
            view.assessment_areas = assessments.visible_areas(view.assessment.areas, parts)
    if reader.role is Role.COACH:
        view.deadlines = await assessments.deadlines(session, person)
    if PLAN in parts:
        view.plan = await plan.plan_of(session, person)
        view.activities = await plan.activities(session, view.plan)
        view.month = await obligation.month_status(session, person)
        view.applications = await obligation.applications(session, person.id)
        view.history = await plan.history(session, view.plan, limit=50)
        if reader.role is Role.COACH:
            view.changed_since_seen = await plan.changes_since_seen(session, view.plan)
        plan.mark_seen(view.plan, reader, now)
    if MEETINGS in parts:
        view.meetings = await meeting_rules.of_client(session, person.id)
        if reader.role is not Role.COACH:
            for m in view.meetings:
                session.expunge(m)  # hide unpublished minutes without writing them away
                if m.minutes_published_at is None:
                    m.minutes = ""
    if reader.role in (Role.COACH, Role.JOBSEEKER):
        view.team = await team.members(session, person.id)
    log_read(session, reader, person.id, parts)
    return view


async def mine(session: AsyncSession, client: User) -> ServicePath:
    """The client's own service path."""
    person = await own_profile(session, client)
    return await for_reader(session, client, person.id)
