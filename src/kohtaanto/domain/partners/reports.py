"""Referral reports for managers: acceptance and completion per partner organisation
and per service type. Registered in ``kohtaanto.domain.reports`` (suppression of
small counts, CSV, the dashboard's charts come from there).

A referral counts in the period it was sent (the client's consent); it is *accepted*
when the partner accepted it (whatever followed: started, completed or dropped out),
*refused*, *expired* without an answer, *completed*. Counts only, no person."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    Jobseeker,
    PartnerOrganisation,
    PartnerService,
    Referral,
    ReferralStatus,
)
from kohtaanto.domain import reports

R = ReferralStatus
ACCEPTED = frozenset({R.ACCEPTED, R.STARTED, R.COMPLETED, R.DROPPED_OUT})
ANSWERED = ACCEPTED | {R.REFUSED}
COUNTS: tuple[str, ...] = ("referrals", "accepted", "refused", "expired", "completed")
DERIVED: dict[str, tuple[str, ...]] = {
    "accepted": ("acceptance_rate",),
    "completed": ("completion_rate",),
}


async def _sent(session: AsyncSession, where: reports.ReportFilter) -> pd.DataFrame:
    rows = (
        await session.execute(
            select(
                PartnerOrganisation.name,
                PartnerService.types,
                Referral.status,
            )
            .join(PartnerService, PartnerService.id == Referral.service_id)
            .join(PartnerOrganisation, PartnerOrganisation.id == PartnerService.organisation_id)
            .join(Jobseeker, Jobseeker.id == Referral.jobseeker_id)
            .where(
                Referral.sent_at.is_not(None),
                where.period(Referral.sent_at),
                where.place(Jobseeker.municipality_id),
            )
        )
    ).all()
    frame = pd.DataFrame(
        [
            (
                name,
                (types or ["other"])[0],
                R(status).value,
            )
            for name, types, status in rows
        ],
        columns=["partner", "service_type", "status"],
    )
    return frame


def _summary(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    def counts(group: pd.DataFrame) -> dict[str, Any]:
        status = group["status"]
        return {
            "referrals": len(group),
            "accepted": int(status.isin([s.value for s in ACCEPTED]).sum()),
            "refused": int((status == R.REFUSED.value).sum()),
            "expired": int((status == R.EXPIRED.value).sum()),
            "completed": int((status == R.COMPLETED.value).sum()),
            "answered": int(status.isin([s.value for s in ANSWERED]).sum()),
        }

    rows = [{key: name, **counts(group)} for name, group in frame.groupby(key, sort=True)]
    rows.append({key: reports.TOTAL, **counts(frame)})
    out = pd.DataFrame(rows, columns=[key, *COUNTS, "answered"])
    answered = out["answered"].where(out["answered"] > 0)
    out["acceptance_rate"] = (out["accepted"] / answered).round(3)
    accepted = out["accepted"].where(out["accepted"] > 0)
    out["completion_rate"] = (out["completed"] / accepted).round(3)
    return out.drop(columns=["answered"])


async def by_partner(
    session: AsyncSession, where: reports.ReportFilter = reports.EVERYTHING
) -> pd.DataFrame:
    """Per partner organisation: referrals sent in the period, accepted, refused,
    expired, completed; the share accepted of those answered and the share completed
    of those accepted; a total row."""
    return _summary(await _sent(session, where), "partner")


async def by_service_type(
    session: AsyncSession, where: reports.ReportFilter = reports.EVERYTHING
) -> pd.DataFrame:
    """The same per service type (a service's first type)."""
    return _summary(await _sent(session, where), "service_type")
