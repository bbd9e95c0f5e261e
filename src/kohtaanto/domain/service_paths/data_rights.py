"""The client's service path in their data copy, and its erasure (``domain.privacy``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    JobApplication,
    Jobseeker,
    Meeting,
    PlanActivity,
    ServiceAssessment,
    ServicePlan,
    TeamMember,
)


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


async def export(session: AsyncSession, person: Jobseeker) -> dict[str, Any]:
    """Everything of the client's service path: every assessment version, the plan and
    its activities, applications, meetings (minutes once published) and the team."""
    assessments = await session.scalars(
        select(ServiceAssessment)
        .where(ServiceAssessment.jobseeker_id == person.id)
        .order_by(ServiceAssessment.version)
    )
    plan = await session.scalar(select(ServicePlan).where(ServicePlan.jobseeker_id == person.id))
    activities: list[PlanActivity] = (
        list(await session.scalars(select(PlanActivity).where(PlanActivity.plan_id == plan.id)))
        if plan
        else []
    )
    applications = await session.scalars(
        select(JobApplication).where(JobApplication.jobseeker_id == person.id)
    )
    meetings = await session.scalars(select(Meeting).where(Meeting.jobseeker_id == person.id))
    team = await session.scalars(select(TeamMember).where(TeamMember.jobseeker_id == person.id))
    return {
        "assessments": [
            {
                "version": a.version,
                "areas": a.areas,
                "effort_level": a.effort_level,
                "main_goal": a.main_goal,
                "rationale": a.rationale,
                "sources": a.sources,
                "by": a.author_role.value,
                "at": _iso(a.at),
            }
            for a in assessments
        ],
        "plan": {
            "plan_type": plan.plan_type,
            "applications_per_month": plan.applications_per_month,
            "obligation_reason": plan.obligation_reason,
        }
        if plan
        else None,
        "activities": [
            {
                "kind": a.kind,
                "title": a.title,
                "description": a.description,
                "starts_on": _iso(a.starts_on),
                "ends_on": _iso(a.ends_on),
                "status": a.status,
                "agreed": a.agreed,
            }
            for a in activities
        ],
        "applications": [
            {
                "kind": a.kind,
                "applied_on": _iso(a.applied_on),
                "title": a.title,
                "organisation": a.organisation,
            }
            for a in applications
        ],
        "meetings": [
            {
                "starts_at": _iso(m.starts_at),
                "channel": m.channel,
                "address": m.address,
                "minutes": m.minutes if m.minutes_published_at else None,
                "cancelled": m.cancelled_at is not None,
            }
            for m in meetings
        ],
        "team": [
            {"profession": t.profession, "parts": t.parts, "consented": _iso(t.consented_at)}
            for t in team
        ],
    }


async def erase(session: AsyncSession, person: Jobseeker) -> None:
    """Delete the client's service path (assessments hold health and life facts)."""
    for model in (ServiceAssessment, JobApplication, Meeting, TeamMember, ServicePlan):
        await session.execute(delete(model).where(model.jobseeker_id == person.id))
