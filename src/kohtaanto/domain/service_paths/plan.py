"""The service path / employment plan (työllistymissuunnitelma): one per client.

Activities have a kind, dates, a status and an "agreed" flag. Once agreed, the client
can no longer edit an activity (only report its progress); done and cancelled
activities are locked for everyone. Every write names the version it was based on
and is refused with ``Conflict`` (409) when someone changed the activity meanwhile,
so no edit is lost; every change is a ``PlanEvent`` (who, when, old → new). The coach
sees which changes others made since they last looked.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    Jobseeker,
    PlanActivity,
    PlanEvent,
    Role,
    ServicePlan,
    ShortlistEntry,
    User,
)
from kohtaanto.domain.errors import Conflict, DomainError, Forbidden, NotFound
from kohtaanto.domain.service_paths.access import own_client, own_profile
from kohtaanto.i18n import N_

KINDS = (
    "job_search",
    "application",  # an application to a vacancy (shortlist_entry_id when there is one)
    "competence_mapping",
    "training",
    "work_trial",
    "wage_subsidy",
    "apprenticeship",
    "rehabilitative_work",
    "referral",  # to a partner service (the partners' referral flow sets its status)
    "meeting",
    "own_activity",
)
# What the client may add themselves.
CLIENT_KINDS = ("own_activity", "job_search", "application", "training")
PLAN_TYPES = ("employment", "activation", "integration", "multisectoral")

PLANNED, IN_PROGRESS, DONE, CANCELLED = "planned", "in_progress", "done", "cancelled"
STATUSES = (PLANNED, IN_PROGRESS, DONE, CANCELLED)
FINAL = frozenset({DONE, CANCELLED})
OPEN = (PLANNED, IN_PROGRESS)
# The fields an edit may change (status and agreed have their own moves).
EDITABLE = ("title", "description", "starts_on", "ends_on")


async def plan_of(session: AsyncSession, person: Jobseeker) -> ServicePlan:
    """The client's plan, made empty on first use."""
    plan = await session.scalar(select(ServicePlan).where(ServicePlan.jobseeker_id == person.id))
    if plan is None:
        plan = ServicePlan(jobseeker_id=person.id)
        session.add(plan)
        await session.flush()
    return plan


async def activities(session: AsyncSession, plan: ServicePlan) -> list[PlanActivity]:
    """The plan's activities: open ones first by start date, then the finished."""
    rows = await session.scalars(
        select(PlanActivity)
        .where(PlanActivity.plan_id == plan.id)
        .order_by(PlanActivity.starts_on.nulls_last(), PlanActivity.created_at)
    )
    found = list(rows)
    return [a for a in found if a.status not in FINAL] + [a for a in found if a.status in FINAL]


def _event(
    session: AsyncSession,
    plan_id: UUID,
    activity_id: UUID | None,
    actor: User | None,
    action: str,
    changes: Mapping[str, Any],
    now: datetime,
) -> None:
    session.add(
        PlanEvent(
            plan_id=plan_id,
            activity_id=activity_id,
            actor_id=actor.id if actor else None,
            actor_role=actor.role if actor else None,
            action=action,
            changes={k: [_plain(a), _plain(b)] for k, (a, b) in changes.items()},
            at=now,
        )
    )


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _check_fields(fields: Mapping[str, Any]) -> None:
    title = fields.get("title")
    if "title" in fields and (not isinstance(title, str) or not title.strip()):
        raise DomainError("title_required", N_("Give the activity a title"), field="title")
    if isinstance(title, str) and len(title) > 255:
        raise DomainError("title_too_long", N_("The title is too long"), field="title")
    starts, ends = fields.get("starts_on"), fields.get("ends_on")
    if starts and ends and ends < starts:
        raise DomainError(
            "ends_before_start", N_("The activity cannot end before it starts"), field="ends_on"
        )


async def _person_for(session: AsyncSession, actor: User | None, jobseeker_id: UUID) -> Jobseeker:
    """The client whose plan ``actor`` may change: the coach's client or the client
    themselves; ``None`` is the service itself (a partner's answer through its link)."""
    if actor is None:
        person = await session.get(Jobseeker, jobseeker_id)
        if person is None:
            raise NotFound("client_not_found", N_("Client not found"), field="jobseeker_id")
        return person
    if actor.role is Role.JOBSEEKER:
        person = await own_profile(session, actor)
        if person.id != jobseeker_id:
            raise NotFound("client_not_found", N_("Client not found"), field="jobseeker_id")
        return person
    return await own_client(session, actor, jobseeker_id)


async def add_activity(
    session: AsyncSession,
    jobseeker_id: UUID,
    *,
    actor: User | None,
    kind: str,
    title: str,
    description: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    agreed: bool = False,
    shortlist_entry_id: UUID | None = None,
    details: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> PlanActivity:
    """Add an activity to the client's plan (made on first use).

    ``actor``: the client's coach (any kind, may mark it agreed), the client (their
    own kinds, never agreed) or None for the service itself.
    """
    now = now or datetime.now(UTC)
    if kind not in KINDS:
        raise DomainError("unknown_kind", N_("Unknown activity type"), field="kind")
    person = await _person_for(session, actor, jobseeker_id)
    if actor is not None and actor.role is Role.JOBSEEKER:
        if kind not in CLIENT_KINDS:
            raise Forbidden(
                "kind_for_coach", N_("Only your coach can add this type of activity"), field="kind"
            )
        agreed = False
    fields = {
        "title": title,
        "description": description,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }
    _check_fields(fields)
    if shortlist_entry_id is not None:
        entry = await session.get(ShortlistEntry, shortlist_entry_id)
        if entry is None or entry.jobseeker_id != person.id:
            raise DomainError(
                "not_clients_entry",
                N_("The client is not on this shortlist"),
                field="shortlist_entry_id",
            )
    plan = await plan_of(session, person)
    activity = PlanActivity(
        plan_id=plan.id,
        kind=kind,
        title=title.strip(),
        description=description,
        starts_on=starts_on,
        ends_on=ends_on,
        status=PLANNED,
        agreed=agreed,
        version=1,
        shortlist_entry_id=shortlist_entry_id,
        details=dict(details or {}),
        created_by_id=actor.id if actor else None,
        changed_by_role=actor.role if actor else None,
    )
    session.add(activity)
    await session.flush()
    _event(
        session,
        plan.id,
        activity.id,
        actor,
        "added",
        {"kind": (None, kind), "title": (None, activity.title), "agreed": (None, agreed)},
        now,
    )
    return activity


async def activity_for(
    session: AsyncSession, actor: User | None, activity_id: UUID
) -> tuple[PlanActivity, ServicePlan]:
    """The activity and its plan, if ``actor`` may change it (404 otherwise)."""
    activity = await session.get(PlanActivity, activity_id)
    if activity is None:
        raise NotFound("activity_not_found", N_("Activity not found"), field="activity_id")
    plan = await session.get(ServicePlan, activity.plan_id)
    assert plan is not None
    try:
        await _person_for(session, actor, plan.jobseeker_id)
    except NotFound:
        raise NotFound(
            "activity_not_found", N_("Activity not found"), field="activity_id"
        ) from None
    return activity, plan


async def _write(
    session: AsyncSession,
    activity: PlanActivity,
    expected_version: int | None,
    values: dict[str, Any],
    actor: User | None,
    now: datetime,
) -> None:
    """Write ``values`` only if the activity is still at ``expected_version``."""
    version = activity.version if expected_version is None else expected_version
    if version != activity.version:
        raise _changed()
    result = await session.execute(
        update(PlanActivity)
        .where(PlanActivity.id == activity.id, PlanActivity.version == version)
        .values(
            **values,
            version=version + 1,
            updated_at=now,
            changed_by_role=actor.role if actor else None,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _changed()
    await session.refresh(activity)


def _changed() -> Conflict:
    return Conflict(
        "activity_changed",
        N_("Someone changed this activity meanwhile: reload it and try again"),
        field="version",
    )


async def update_activity(
    session: AsyncSession,
    activity_id: UUID,
    *,
    actor: User,
    expected_version: int,
    changes: Mapping[str, Any],
    now: datetime | None = None,
) -> PlanActivity:
    """Edit an activity's title, description, dates (and, for the coach, ``agreed``),
    based on ``expected_version``. The client cannot edit an agreed activity; nobody
    edits a done or cancelled one."""
    now = now or datetime.now(UTC)
    activity, plan = await activity_for(session, actor, activity_id)
    allowed = (*EDITABLE, "agreed") if actor.role is Role.COACH else EDITABLE
    unknown = [k for k in changes if k not in allowed]
    if unknown:
        raise DomainError(
            "not_editable",
            N_("This field cannot be changed: {name}"),
            field=unknown[0],
            name=unknown[0],
        )
    if activity.status in FINAL:
        raise DomainError("activity_closed", N_("A done or cancelled activity is locked"))
    if actor.role is Role.JOBSEEKER and activity.agreed:
        raise Forbidden(
            "activity_agreed",
            N_("This activity is agreed with your coach: ask your coach to change it"),
        )
    merged = {k: changes.get(k, getattr(activity, k)) for k in EDITABLE}
    _check_fields(merged)
    diff = {k: (getattr(activity, k), v) for k, v in changes.items() if getattr(activity, k) != v}
    if "title" in changes:
        changes = {**changes, "title": str(changes["title"]).strip()}
    await _write(session, activity, expected_version, dict(changes), actor, now)
    if diff:
        _event(session, plan.id, activity.id, actor, "edited", diff, now)
    return activity


# Status moves each side may make; done and cancelled are final for everyone.
_MOVES = {PLANNED: (IN_PROGRESS, DONE, CANCELLED), IN_PROGRESS: (DONE, CANCELLED)}


async def set_status(
    session: AsyncSession,
    activity_id: UUID,
    status: str,
    *,
    actor: User | None,
    expected_version: int | None = None,
    details: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> PlanActivity:
    """Move an activity to ``status`` (planned, in_progress, done, cancelled), merging
    ``details`` into its type-specific facts (e.g. a referral's answer).

    ``actor``: the coach, the client (who reports progress but cannot cancel an agreed
    activity) or None for the service itself (a partner's answer through its link).
    ``expected_version``: the version the caller saw; None takes the current one.
    The status may stay the same when only ``details`` change.
    """
    now = now or datetime.now(UTC)
    if status not in STATUSES:
        raise DomainError("unknown_status", N_("Unknown status"), field="status")
    activity, plan = await activity_for(session, actor, activity_id)
    if activity.status in FINAL:
        raise DomainError("activity_closed", N_("A done or cancelled activity is locked"))
    if status != activity.status and status not in _MOVES.get(activity.status, ()):
        raise DomainError("bad_move", N_("The activity cannot move to this status"), field="status")
    if (
        actor is not None
        and actor.role is Role.JOBSEEKER
        and activity.agreed
        and status == CANCELLED
    ):
        raise Forbidden(
            "activity_agreed",
            N_("This activity is agreed with your coach: ask your coach to change it"),
        )
    values: dict[str, Any] = {"status": status}
    changes: dict[str, tuple[Any, Any]] = {}
    if status != activity.status:
        changes["status"] = (activity.status, status)
    if details:
        values["details"] = {**activity.details, **details}
        for k, v in details.items():
            if activity.details.get(k) != v:
                changes[f"details.{k}"] = (activity.details.get(k), v)
    await _write(session, activity, expected_version, values, actor, now)
    _event(session, plan.id, activity.id, actor, "status", changes, now)
    return activity


async def set_obligation(
    session: AsyncSession,
    coach: User,
    jobseeker_id: UUID,
    *,
    applications_per_month: int | None,
    reason: str | None,
    plan_type: str | None = None,
    expected_version: int,
    now: datetime | None = None,
) -> ServicePlan:
    """Agree the job-search obligation (applications a month; None: the area's default)
    and the plan type, based on the plan's ``expected_version``."""
    now = now or datetime.now(UTC)
    person = await own_client(session, coach, jobseeker_id)
    plan = await plan_of(session, person)
    if applications_per_month is not None and not 0 <= applications_per_month <= 30:
        raise DomainError(
            "bad_obligation",
            N_("Applications a month must be between 0 and 30"),
            field="applications_per_month",
        )
    if plan_type is not None and plan_type not in PLAN_TYPES:
        raise DomainError("unknown_plan_type", N_("Unknown plan type"), field="plan_type")
    values: dict[str, Any] = {
        "applications_per_month": applications_per_month,
        "obligation_reason": (reason or "").strip() or None,
    }
    if plan_type is not None:
        values["plan_type"] = plan_type
    diff = {k: (getattr(plan, k), v) for k, v in values.items() if getattr(plan, k) != v}
    result = await session.execute(
        update(ServicePlan)
        .where(ServicePlan.id == plan.id, ServicePlan.version == expected_version)
        .values(**values, version=ServicePlan.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            "plan_changed",
            N_("Someone changed this plan meanwhile: reload it and try again"),
            field="version",
        )
    await session.refresh(plan)
    if diff:
        _event(session, plan.id, None, coach, "obligation", diff, now)
    return plan


async def history(session: AsyncSession, plan: ServicePlan, limit: int = 200) -> list[PlanEvent]:
    """Every change of the plan, newest first."""
    return list(
        await session.scalars(
            select(PlanEvent)
            .where(PlanEvent.plan_id == plan.id)
            .order_by(PlanEvent.at.desc(), PlanEvent.id.desc())
            .limit(limit)
        )
    )


async def changes_since_seen(session: AsyncSession, plan: ServicePlan) -> list[PlanEvent]:
    """What others (the client, the service, partners) changed since the coach last looked."""
    query = select(PlanEvent).where(
        PlanEvent.plan_id == plan.id,
        (PlanEvent.actor_role.is_(None)) | (PlanEvent.actor_role != Role.COACH),
    )
    if plan.coach_seen_at is not None:
        query = query.where(PlanEvent.at > plan.coach_seen_at)
    return list(await session.scalars(query.order_by(PlanEvent.at.desc(), PlanEvent.id.desc())))


def mark_seen(plan: ServicePlan, reader: User, now: datetime | None = None) -> None:
    """The coach (or the client) has looked at the plan now."""
    now = now or datetime.now(UTC)
    if reader.role is Role.COACH:
        plan.coach_seen_at = now
    elif reader.role is Role.JOBSEEKER:
        plan.client_seen_at = now
