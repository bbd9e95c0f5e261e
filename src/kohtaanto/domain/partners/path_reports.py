"""Manager reports on the coach's work (issue 10, item 10), from the service paths'
rows: time from registration to the first assessment, the share of clients with an
agreed plan, job-search obligation fulfilment, and outcomes (work, training) by the
plan's type. Registered in ``kohtaanto.domain.reports`` (suppression, CSV, charts).
Counts and durations only; never a person."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import cast, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    EntryStatus,
    JobApplication,
    Jobseeker,
    PartnerService,
    PlanActivity,
    Referral,
    ReferralStatus,
    ServiceAssessment,
    ServicePlan,
    ShortlistEntry,
)
from kohtaanto.domain import reports

# The law's default where the plan sets none (the area's rules may differ: an estimate).
DEFAULT_APPLICATIONS = 4
TRAINING_DONE = (ReferralStatus.ACCEPTED, ReferralStatus.STARTED, ReferralStatus.COMPLETED)


async def time_to_assessment(
    session: AsyncSession, where: reports.ReportFilter = reports.EVERYTHING
) -> pd.DataFrame:
    """Clients registered in the period by month, how many have been assessed, and the
    median and 90th percentile of days from registration to the first assessment."""
    first = (
        select(ServiceAssessment.jobseeker_id, func.min(ServiceAssessment.at).label("at"))
        .group_by(ServiceAssessment.jobseeker_id)
        .subquery()
    )
    rows = (
        await session.execute(
            select(Jobseeker.created_at, first.c.at)
            .outerjoin(first, first.c.jobseeker_id == Jobseeker.id)
            .where(
                Jobseeker.anonymised_at.is_(None),
                Jobseeker.coach_id.is_not(None),
                where.period(Jobseeker.created_at),
                where.place(Jobseeker.municipality_id),
            )
        )
    ).all()
    frame = pd.DataFrame(rows, columns=["registered", "assessed_at"])
    if frame.empty:
        return pd.DataFrame(columns=["month", "clients", "assessed", "median_days", "p90_days"])
    frame["registered"] = pd.to_datetime(frame["registered"], utc=True)
    frame["assessed_at"] = pd.to_datetime(frame["assessed_at"], utc=True)
    frame["month"] = frame["registered"].dt.tz_convert("Europe/Helsinki").dt.strftime("%Y-%m")
    frame["days"] = (frame["assessed_at"] - frame["registered"]).dt.total_seconds() / 86400
    out = []
    for month, group in frame.groupby("month", sort=True):
        days = group["days"].dropna().clip(lower=0)
        out.append(
            {
                "month": month,
                "clients": len(group),
                "assessed": int(days.size),
                "median_days": round(float(days.median()), 1) if days.size else float("nan"),
                "p90_days": round(float(days.quantile(0.9)), 1) if days.size else float("nan"),
            }
        )
    return pd.DataFrame(out)


async def _plans(session: AsyncSession, where: reports.ReportFilter) -> pd.DataFrame:
    agreed = (
        select(PlanActivity.plan_id)
        .where(PlanActivity.agreed.is_(True), PlanActivity.status != "cancelled")
        .distinct()
        .subquery()
    )
    rows = (
        await session.execute(
            select(
                Jobseeker.id,
                ServicePlan.plan_type,
                ServicePlan.applications_per_month,
                agreed.c.plan_id.is_not(None),
            )
            .join(ServicePlan, ServicePlan.jobseeker_id == Jobseeker.id)
            .outerjoin(agreed, agreed.c.plan_id == ServicePlan.id)
            .where(Jobseeker.anonymised_at.is_(None), where.place(Jobseeker.municipality_id))
        )
    ).all()
    return pd.DataFrame(rows, columns=["jobseeker_id", "plan_type", "required", "agreed"])


async def agreed_plans(
    session: AsyncSession, where: reports.ReportFilter = reports.EVERYTHING
) -> pd.DataFrame:
    """Coaches' clients, those with a plan and those with an agreed activity in it, by
    plan type, with the share agreed of all clients; a total row."""
    plans = await _plans(session, where)
    clients = int(
        await session.scalar(
            select(func.count())
            .select_from(Jobseeker)
            .where(
                Jobseeker.coach_id.is_not(None),
                Jobseeker.anonymised_at.is_(None),
                where.place(Jobseeker.municipality_id),
            )
        )
        or 0
    )
    rows = [
        {
            "plan_type": plan_type,
            "with_plan": len(group),
            "with_agreed_plan": int(group["agreed"].sum()),
        }
        for plan_type, group in plans.groupby("plan_type", sort=True)
    ]
    rows.append(
        {
            "plan_type": reports.TOTAL,
            "with_plan": len(plans),
            "with_agreed_plan": int(plans["agreed"].sum()) if len(plans) else 0,
        }
    )
    out = pd.DataFrame(rows, columns=["plan_type", "with_plan", "with_agreed_plan"])
    out["share_of_clients"] = (
        (out["with_agreed_plan"] / clients).round(3) if clients else float("nan")
    )
    return out


async def job_search(
    session: AsyncSession, where: reports.ReportFilter = reports.EVERYTHING
) -> pd.DataFrame:
    """By month of the period's applications: clients with a plan, how many reported any
    application and how many reached their month's obligation (the plan's number, or
    the default 4), with the share. Information for the coaches, never a sanction."""
    plans = await _plans(session, where)
    rows = (
        await session.execute(
            select(JobApplication.jobseeker_id, JobApplication.applied_on)
            .join(Jobseeker, Jobseeker.id == JobApplication.jobseeker_id)
            .where(JobApplication.kind == "job", where.place(Jobseeker.municipality_id))
        )
    ).all()
    apps = pd.DataFrame(rows, columns=["jobseeker_id", "applied_on"])
    if where.since:
        apps = apps[apps["applied_on"] >= where.since]
    if where.until:
        apps = apps[apps["applied_on"] <= where.until]
    columns = ["month", "clients_with_plan", "reported", "fulfilled", "share_fulfilled"]
    if apps.empty or plans.empty:
        return pd.DataFrame(columns=columns)
    apps["month"] = apps["applied_on"].map(lambda d: date.strftime(d, "%Y-%m"))
    counts = apps.groupby(["month", "jobseeker_id"]).size().rename("n").reset_index()
    required = plans.set_index("jobseeker_id")["required"].fillna(DEFAULT_APPLICATIONS)
    counts = counts[counts["jobseeker_id"].isin(required.index)]
    counts["required"] = counts["jobseeker_id"].map(required)
    out = []
    for month, group in counts.groupby("month", sort=True):
        fulfilled = int((group["n"] >= group["required"]).sum())
        out.append(
            {
                "month": month,
                "clients_with_plan": len(plans),
                "reported": len(group),
                "fulfilled": fulfilled,
                "share_fulfilled": round(fulfilled / len(plans), 3) if len(plans) else float("nan"),
            }
        )
    return pd.DataFrame(out, columns=columns)


async def outcomes_by_path(
    session: AsyncSession, where: reports.ReportFilter = reports.EVERYTHING
) -> pd.DataFrame:
    """By plan type: clients with a plan, how many were hired (a shortlist entry hired
    in the period) and how many entered training (a referral to a training service
    accepted, started or completed in the period), with shares; a total row."""
    plans = await _plans(session, where)
    hired = set(
        await session.scalars(
            select(ShortlistEntry.jobseeker_id).where(
                ShortlistEntry.status == EntryStatus.HIRED,
                where.period(ShortlistEntry.status_changed_at),
            )
        )
    )
    trained = set(
        await session.scalars(
            select(Referral.jobseeker_id)
            .join(PartnerService, PartnerService.id == Referral.service_id)
            .where(
                Referral.status.in_(TRAINING_DONE),
                cast(PartnerService.types, JSONB).op("?")("training"),
                where.period(Referral.answered_at),
            )
        )
    )
    plans["work"] = plans["jobseeker_id"].isin(hired)
    plans["training"] = plans["jobseeker_id"].isin(trained)
    rows = [
        {
            "plan_type": plan_type,
            "clients": len(group),
            "to_work": int(group["work"].sum()),
            "to_training": int(group["training"].sum()),
        }
        for plan_type, group in plans.groupby("plan_type", sort=True)
    ]
    rows.append(
        {
            "plan_type": reports.TOTAL,
            "clients": len(plans),
            "to_work": int(plans["work"].sum()) if len(plans) else 0,
            "to_training": int(plans["training"].sum()) if len(plans) else 0,
        }
    )
    out = pd.DataFrame(rows, columns=["plan_type", "clients", "to_work", "to_training"])
    clients = out["clients"].where(out["clients"] > 0)
    out["share_to_work"] = (out["to_work"] / clients).round(3)
    out["share_to_training"] = (out["to_training"] / clients).round(3)
    return out
