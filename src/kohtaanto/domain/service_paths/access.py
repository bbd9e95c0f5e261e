"""Who may read or change which part of a client's service path, and the read log.

The client's coach reads and writes everything; a specialist in the client's team
reads only the parts the client opened to them, after the client consented; the
client reads their own. Everyone else (another coach, coordinators, employers,
managers) is told the client does not exist. Every read by staff is written to the
profile-view log the client reads (``ProfileView``, action ``read_<part>``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import Jobseeker, ProfileView, Role, TeamMember, User
from kohtaanto.domain.errors import NotFound
from kohtaanto.i18n import N_

# The parts a client can open to a team member.
ASSESSMENT = "assessment"  # the assessment, without work ability and health
WORK_ABILITY = "work_ability"  # the work ability and health area (special-category data)
PLAN = "plan"  # the plan, its activities and the job-search obligation
MEETINGS = "meetings"  # meetings and their published minutes
PARTS = (ASSESSMENT, WORK_ABILITY, PLAN, MEETINGS)

SERVICE = "Employment services"


def _no_client() -> NotFound:
    return NotFound("client_not_found", N_("Client not found"), field="jobseeker_id")


async def own_client(session: AsyncSession, coach: User, jobseeker_id: UUID) -> Jobseeker:
    """The coach's own client (404 for anyone else's, so ids cannot be probed)."""
    person = await session.get(Jobseeker, jobseeker_id)
    if person is None or coach.role is not Role.COACH or person.coach_id != coach.id:
        raise _no_client()
    return person


async def own_profile(session: AsyncSession, user: User) -> Jobseeker:
    """The jobseeker's own profile (404 when they have not made one)."""
    person = await session.scalar(select(Jobseeker).where(Jobseeker.user_id == user.id))
    if person is None or user.role is not Role.JOBSEEKER:
        raise NotFound("profile_not_found", N_("Make your profile first"))
    return person


async def opened_parts(session: AsyncSession, user: User, jobseeker_id: UUID) -> frozenset[str]:
    """The parts ``user`` may read of this client: all for their coach and themselves,
    the opened ones for a consenting team's specialist, none for anyone else."""
    person = await session.get(Jobseeker, jobseeker_id)
    if person is None:
        return frozenset()
    if user.role is Role.COACH and person.coach_id == user.id:
        return frozenset(PARTS)
    if user.role is Role.JOBSEEKER and person.user_id == user.id:
        return frozenset(PARTS)
    if user.role is Role.SPECIALIST:
        member = await session.scalar(
            select(TeamMember).where(
                TeamMember.jobseeker_id == jobseeker_id,
                TeamMember.specialist_id == user.id,
                TeamMember.consented_at.is_not(None),
                TeamMember.ended_at.is_(None),
            )
        )
        if member is not None:
            return frozenset(p for p in member.parts if p in PARTS)
    return frozenset()


async def readable(session: AsyncSession, user: User, jobseeker_id: UUID) -> frozenset[str]:
    """``opened_parts``, refusing (404) anyone who may read nothing."""
    parts = await opened_parts(session, user, jobseeker_id)
    if not parts:
        raise _no_client()
    return parts


def log_read(
    session: AsyncSession, reader: User, jobseeker_id: UUID, parts: set[str] | frozenset[str]
) -> None:
    """Record that staff read these parts of the client's service path (the client reads
    the log). The client's own reads are not logged."""
    if reader.role is Role.JOBSEEKER:
        return
    now = datetime.now(UTC)
    session.add_all(
        ProfileView(
            jobseeker_id=jobseeker_id,
            viewer_id=reader.id,
            viewer_role=reader.role,
            viewer_organisation=SERVICE,
            vacancy_id=None,
            action=f"read_{part}",
            at=now,
        )
        for part in sorted(parts)
    )
