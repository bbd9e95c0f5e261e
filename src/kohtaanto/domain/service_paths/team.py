"""The client's multiprofessional team: specialists (work-ability coordinator,
psychologist, study counsellor...) the coach adds with the client's consent.

The coach proposes a specialist and the parts to open; nothing is visible to the
specialist until the client consents, choosing which parts (``access.PARTS``) they
open; the client can change the parts or end the membership at any time. Every read
a specialist makes is logged for the client to read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import Jobseeker, Role, TeamMember, User
from kohtaanto.domain.errors import DomainError, NotFound
from kohtaanto.domain.service_paths.access import PARTS, own_client, own_profile
from kohtaanto.i18n import N_

PROFESSIONS = (
    "work_ability_coordinator",
    "psychologist",
    "study_counsellor",
    "social_worker",
    "nurse",
    "doctor",
    "other",
)


def _parts(parts: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(parts))
    bad = [p for p in chosen if p not in PARTS]
    if bad:
        raise DomainError("unknown_part", N_("Unknown part: {name}"), field="parts", name=bad[0])
    return chosen


async def members(session: AsyncSession, jobseeker_id: UUID) -> list[tuple[TeamMember, User]]:
    """The client's team (ended memberships too), with each specialist's account."""
    return [
        (m, u)
        for m, u in (
            await session.execute(
                select(TeamMember, User)
                .join(User, User.id == TeamMember.specialist_id)
                .where(TeamMember.jobseeker_id == jobseeker_id)
                .order_by(TeamMember.created_at)
            )
        ).all()
    ]


async def propose(
    session: AsyncSession,
    coach: User,
    jobseeker_id: UUID,
    *,
    specialist_email: str,
    profession: str,
    parts: Iterable[str],
) -> TeamMember:
    """The coach proposes a specialist for the client's team; the client decides."""
    person = await own_client(session, coach, jobseeker_id)
    if profession not in PROFESSIONS:
        raise DomainError("unknown_profession", N_("Unknown profession"), field="profession")
    chosen = _parts(parts)
    specialist = await session.scalar(
        select(User).where(User.email == specialist_email.strip().lower())
    )
    if specialist is None or specialist.role is not Role.SPECIALIST or not specialist.is_active:
        raise DomainError(
            "no_specialist",
            N_("No specialist has this e-mail address"),
            field="specialist_email",
        )
    existing = await session.scalar(
        select(TeamMember).where(
            TeamMember.jobseeker_id == person.id, TeamMember.specialist_id == specialist.id
        )
    )
    if existing is not None:
        if existing.ended_at is None:
            raise DomainError(
                "already_in_team",
                N_("This specialist is already in the team"),
                field="specialist_email",
            )
        # Back in the team: the client consents again.
        existing.ended_at = None
        existing.consented_at = None
        existing.parts = chosen
        existing.profession = profession
        existing.added_by_id = coach.id
        return existing
    member = TeamMember(
        jobseeker_id=person.id,
        specialist_id=specialist.id,
        profession=profession,
        parts=chosen,
        added_by_id=coach.id,
    )
    try:
        async with session.begin_nested():
            session.add(member)
    except IntegrityError:
        raise DomainError(
            "already_in_team",
            N_("This specialist is already in the team"),
            field="specialist_email",
        ) from None
    return member


async def _clients_member(session: AsyncSession, client: User, member_id: UUID) -> TeamMember:
    person = await own_profile(session, client)
    member = await session.get(TeamMember, member_id)
    if member is None or member.jobseeker_id != person.id:
        raise NotFound("member_not_found", N_("Team member not found"), field="member_id")
    return member


async def answer(
    session: AsyncSession,
    client: User,
    member_id: UUID,
    *,
    consent: bool,
    parts: Iterable[str] = (),
    now: datetime | None = None,
) -> TeamMember:
    """The client consents (opening ``parts``) or ends the membership."""
    now = now or datetime.now(UTC)
    member = await _clients_member(session, client, member_id)
    if not consent:
        member.ended_at = member.ended_at or now
        member.parts = []
        return member
    chosen = _parts(parts)
    if not chosen:
        raise DomainError(
            "no_parts", N_("Choose at least one part to open, or decline"), field="parts"
        )
    member.parts = chosen
    member.consented_at = member.consented_at or now
    member.ended_at = None
    return member


async def end(session: AsyncSession, coach: User, member_id: UUID) -> TeamMember:
    """The coach takes a specialist off the team."""
    member = await session.get(TeamMember, member_id)
    if member is None:
        raise NotFound("member_not_found", N_("Team member not found"), field="member_id")
    await own_client(session, coach, member.jobseeker_id)
    member.ended_at = member.ended_at or datetime.now(UTC)
    return member


async def specialist_clients(
    session: AsyncSession, specialist: User
) -> list[tuple[TeamMember, Jobseeker, str | None]]:
    """The clients whose teams the specialist is in, with consent, and their names."""
    rows = await session.execute(
        select(TeamMember, Jobseeker, User.name)
        .join(Jobseeker, Jobseeker.id == TeamMember.jobseeker_id)
        .outerjoin(User, User.id == Jobseeker.user_id)
        .where(
            TeamMember.specialist_id == specialist.id,
            TeamMember.consented_at.is_not(None),
            TeamMember.ended_at.is_(None),
        )
        .order_by(User.name)
    )
    return [(m, j, n) for m, j, n in rows.all()]
