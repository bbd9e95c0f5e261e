"""The bridge from referrals to the client's plan (``domain.service_paths.plan``): a
referral is an activity of kind "referral" whose status follows the referral's, with
the partner's answer in its details. The plan's own rules (versions, history, locks)
apply; the partner's answers are the service's own moves (actor None)."""

from __future__ import annotations

import logging
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import Referral, ReferralStatus, User
from kohtaanto.domain.errors import DomainError
from kohtaanto.domain.service_paths import plan as service_plan

log = logging.getLogger(__name__)

R = ReferralStatus

# The plan activity's status for each referral status.
ACTIVITY_STATUS: dict[ReferralStatus, str] = {
    R.AWAITING_CONSENT: "planned",
    R.SENT: "planned",
    R.ACCEPTED: "planned",
    R.STARTED: "in_progress",
    R.COMPLETED: "done",
    R.REFUSED: "cancelled",
    R.DROPPED_OUT: "cancelled",
    R.EXPIRED: "cancelled",
    R.CANCELLED: "cancelled",
}


def _details(referral: Referral) -> dict[str, object]:
    return {
        "referral_id": str(referral.id),
        "service_id": str(referral.service_id),
        "service": referral.service.name,
        "organisation": referral.service.organisation.name,
        # The caseload reads "state" (a referral awaits the partner while "sent").
        "state": referral.status.value,
        "start_date": referral.start_date.isoformat() if referral.start_date else None,
        "reason": referral.reason,
    }


async def referral_created(
    session: AsyncSession, referral: Referral, *, coach: User, activity_id: UUID | None
) -> UUID | None:
    """The plan activity the referral is: ``activity_id`` (one the plan has) or a new one."""
    if activity_id is not None:
        await service_plan.set_status(
            session, activity_id, "planned", actor=coach, details=_details(referral)
        )
        return activity_id
    activity = await service_plan.add_activity(
        session,
        referral.jobseeker_id,
        actor=coach,
        kind="referral",
        title=referral.service.name[:255],
        description=referral.service.organisation.name,
        details=_details(referral),
    )
    return activity.id


async def referral_moved(session: AsyncSession, referral: Referral) -> None:
    """Bring the plan activity to the referral's status, the answer in its details."""
    if referral.activity_id is None:
        return
    details = _details(referral)
    status = ACTIVITY_STATUS[referral.status]
    try:
        async with session.begin_nested():
            await service_plan.set_status(
                session, referral.activity_id, status, actor=None, details=details
            )
    except DomainError as e:
        # A locked (done or cancelled) activity keeps its state; the referral's history
        # still has the answer.
        log.info("plan activity %s not moved to %s: %s", referral.activity_id, status, e.code)
