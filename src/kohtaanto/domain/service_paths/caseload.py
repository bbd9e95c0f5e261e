"""The coach's caseload as a work list (as NAV's adviser lists): ready filters with a
count each, and the clients under one filter.

The filters are about the work to do — never about who the client is: nothing here
filters, sorts or flags by age, gender, mother tongue or nationality (the under-25
study-place rule only changes how many applications the obligation asks for).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    JobApplication,
    Jobseeker,
    Meeting,
    Municipality,
    PlanActivity,
    PlanEvent,
    Role,
    ServiceAssessment,
    ServicePlan,
    TeamMember,
    User,
)
from kohtaanto.domain.errors import DomainError
from kohtaanto.domain.service_paths import rules as service_rules
from kohtaanto.domain.service_paths.obligation import _expected_by, month_bounds
from kohtaanto.domain.service_paths.plan import OPEN, PLANNED
from kohtaanto.i18n import N_

# The ready filters, in the order the work list shows them, with their labels.
FILTERS: dict[str, str] = {
    "no_assessment": N_("New, no assessment yet"),
    "review_due": N_("Assessment due for review"),
    "waiting_for_coach": N_("Waiting for my answer"),
    "waiting_for_client": N_("Waiting for the client"),
    "overdue": N_("Overdue activities"),
    "no_agreed_activity": N_("No agreed activity"),
    "meetings_today": N_("Meetings today"),
    "behind_job_search": N_("Behind on job search"),
    "referrals_waiting": N_("Referrals awaiting a partner"),
}
# A referral activity awaits the partner while planned and its ``details["state"]`` is
# missing or one of these (the referral flow sets e.g. "accepted" when answered).
REFERRAL_AWAITING_STATES = ("sent", "open")


@dataclass
class ClientRow:
    id: UUID
    name: str | None
    municipality: str
    flags: list[str] = field(default_factory=list)
    next_meeting: datetime | None = None


@dataclass
class WorkList:
    counts: dict[str, int]
    total: int
    selected: str | None
    clients: list[ClientRow]


async def work_list(
    session: AsyncSession,
    coach: User,
    selected: str | None = None,
    *,
    now: datetime | None = None,
) -> WorkList:
    """Every filter's count over the coach's clients, and the clients under ``selected``
    (all clients when None), each with the filters that apply to them."""
    if selected is not None and selected not in FILTERS:
        raise DomainError("unknown_filter", N_("Unknown filter"), field="filter")
    now = now or datetime.now(UTC)
    today = service_rules.local_day(now)
    mine = and_(Jobseeker.coach_id == coach.id, Jobseeker.anonymised_at.is_(None))
    people = (
        await session.execute(
            select(Jobseeker.id, User.name, Municipality.name, Municipality.area_id)
            .join(Municipality, Municipality.id == Jobseeker.municipality_id)
            .outerjoin(User, User.id == Jobseeker.user_id)
            .where(mine)
            .order_by(User.name, Jobseeker.id)
        )
    ).all()
    ids = [p[0] for p in people]
    area_of = {p[0]: p[3] for p in people}
    sets: dict[str, set[UUID]] = {k: set() for k in FILTERS}
    if ids:
        await _fill(session, coach, ids, area_of, sets, now, today)
    rows = {
        pid: ClientRow(id=pid, name=name, municipality=municipality)
        for pid, name, municipality, _ in people
    }
    for key, members in sets.items():
        for pid in members:
            rows[pid].flags.append(key)
    if ids:
        nexts = await session.execute(
            select(Meeting.jobseeker_id, func.min(Meeting.starts_at))
            .where(
                Meeting.jobseeker_id.in_(ids),
                Meeting.cancelled_at.is_(None),
                Meeting.starts_at >= now - timedelta(hours=1),
            )
            .group_by(Meeting.jobseeker_id)
        )
        for pid, at in nexts.all():
            rows[pid].next_meeting = at
    chosen = [r for r in rows.values() if selected is None or r.id in sets[selected]]
    return WorkList(
        counts={k: len(v) for k, v in sets.items()},
        total=len(ids),
        selected=selected,
        clients=chosen,
    )


async def _ids(session: AsyncSession, query) -> set[UUID]:  # type: ignore[no-untyped-def]
    return set((await session.scalars(query)).all())


async def _fill(
    session: AsyncSession,
    coach: User,
    ids: list[UUID],
    area_of: dict[UUID, int | None],
    sets: dict[str, set[UUID]],
    now: datetime,
    today: date,
) -> None:
    rules_by_area: dict[int | None, service_rules.Rules] = {}
    for area in set(area_of.values()):
        rules_by_area[area] = await service_rules.for_area(session, area)
    # Assessments: none by a coach yet, or the last one older than the area's review rhythm.
    last: dict[UUID, datetime] = dict(
        (
            await session.execute(
                select(ServiceAssessment.jobseeker_id, func.max(ServiceAssessment.at))
                .where(
                    ServiceAssessment.jobseeker_id.in_(ids),
                    ServiceAssessment.author_role == Role.COACH,
                )
                .group_by(ServiceAssessment.jobseeker_id)
            )
        )
        .tuples()
        .all()
    )
    for pid in ids:
        if pid not in last:
            sets["no_assessment"].add(pid)
        elif service_rules.review_due(rules_by_area[area_of[pid]], last[pid]) < today:
            sets["review_due"].add(pid)
    plan_of = ServicePlan.jobseeker_id.in_(ids)
    # Changes by the client or a partner since the coach last looked.
    sets["waiting_for_coach"] = await _ids(
        session,
        select(ServicePlan.jobseeker_id).where(
            plan_of,
            exists().where(
                PlanEvent.plan_id == ServicePlan.id,
                or_(PlanEvent.actor_role.is_(None), PlanEvent.actor_role != Role.COACH),
                or_(ServicePlan.coach_seen_at.is_(None), PlanEvent.at > ServicePlan.coach_seen_at),
            ),
        ),
    )
    # A team proposal the client has not answered.
    sets["waiting_for_client"] = await _ids(
        session,
        select(TeamMember.jobseeker_id).where(
            TeamMember.jobseeker_id.in_(ids),
            TeamMember.consented_at.is_(None),
            TeamMember.ended_at.is_(None),
        ),
    )
    activity_of = select(ServicePlan.jobseeker_id).join(
        PlanActivity, PlanActivity.plan_id == ServicePlan.id
    )
    sets["overdue"] = await _ids(
        session,
        activity_of.where(plan_of, PlanActivity.status.in_(OPEN), PlanActivity.ends_on < today),
    )
    agreed = await _ids(
        session,
        activity_of.where(plan_of, PlanActivity.status.in_(OPEN), PlanActivity.agreed.is_(True)),
    )
    sets["no_agreed_activity"] = set(ids) - agreed
    start = datetime.combine(today, time(), tzinfo=service_rules.HELSINKI)
    sets["meetings_today"] = await _ids(
        session,
        select(Meeting.jobseeker_id).where(
            Meeting.jobseeker_id.in_(ids),
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at >= start,
            Meeting.starts_at < start + timedelta(days=1),
        ),
    )
    state = PlanActivity.details["state"].as_string()
    sets["referrals_waiting"] = await _ids(
        session,
        activity_of.where(
            plan_of,
            PlanActivity.kind == "referral",
            PlanActivity.status == PLANNED,
            or_(state.is_(None), state.in_(REFERRAL_AWAITING_STATES)),
        ),
    )
    # Job search: the month's pace so far against the obligation (information only).
    first, last_day = month_bounds(today)
    counts: dict[tuple[UUID, str], int] = {
        (pid, kind): int(n)
        for pid, kind, n in (
            await session.execute(
                select(JobApplication.jobseeker_id, JobApplication.kind, func.count())
                .where(
                    JobApplication.jobseeker_id.in_(ids),
                    JobApplication.applied_on.between(first, last_day),
                )
                .group_by(JobApplication.jobseeker_id, JobApplication.kind)
            )
        ).all()
    }
    plans: dict[UUID, int | None] = dict(
        (
            await session.execute(
                select(ServicePlan.jobseeker_id, ServicePlan.applications_per_month).where(plan_of)
            )
        )
        .tuples()
        .all()
    )
    people = {
        p.id: p
        for p in await session.scalars(select(Jobseeker).where(Jobseeker.id.in_(list(plans))))
    }
    for pid, agreed_number in plans.items():
        duty = service_rules.obligation(
            rules_by_area[area_of[pid]], people[pid], agreed_number, today
        )
        if counts.get((pid, "job"), 0) < _expected_by(duty.applications, today) or counts.get(
            (pid, "study_place"), 0
        ) < _expected_by(duty.study_places, today):
            sets["behind_job_search"].add(pid)
