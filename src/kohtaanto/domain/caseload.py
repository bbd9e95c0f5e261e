"""A coach's caseload (OMA-valmentajan asiakkaat) and where each client stands.

The coach sees their clients' matches, shortlist statuses, pending consents and
outcomes (the entries and matches are read by ``domain.jobseekers``, as the jobseeker
sees their own). The JSON API and the pages both call these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    EntryStatus,
    Jobseeker,
    Notification,
    ShortlistEntry,
    User,
    Vacancy,
    VacancyStatus,
)
from kohtaanto.domain import jobseekers
from kohtaanto.domain.errors import NotFound
from kohtaanto.domain.jobseekers import ClientEntry, MyMatch, Profile
from kohtaanto.domain.shortlists import SERVICE, log_views
from kohtaanto.i18n import N_


class ClientOverview(msgspec.Struct):
    """A coach's view of one client: profile, matches and where each shortlist stands."""

    profile: Profile
    entries: list[ClientEntry]
    pending_consents: int
    hired: int
    matches: list[MyMatch]


@dataclass(frozen=True)
class Client:
    """One row of the caseload: the client, their matches and their entries by status."""

    id: UUID
    name: str | None
    municipality: str
    available: bool
    matches: int
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def pending(self) -> int:
        return self.statuses.get(EntryStatus.CONSENT_REQUESTED.value, 0)


@dataclass(frozen=True)
class Caseload:
    clients: list[Client]
    total: int

    @property
    def pending_total(self) -> int:
        return sum(c.pending for c in self.clients)


async def client_overview(session: AsyncSession, coach: User, jobseeker_id: UUID) -> ClientOverview:
    """One of ``coach``'s clients: profile, matches, shortlist statuses, pending consents
    and hires; the view is logged. ``NotFound`` (``client_not_found``) for anyone who is
    not the client's coach."""
    profile = await session.get(Jobseeker, jobseeker_id)
    if profile is None or profile.coach_id != coach.id:
        raise NotFound("client_not_found", N_("No such client."), field="jobseeker_id")
    entries = await jobseekers.entries_of(session, profile.id)
    await log_views(session, coach, SERVICE, [profile.id], vacancy_id=None)
    return ClientOverview(
        profile=jobseekers.profile_out(profile),
        entries=entries,
        pending_consents=sum(e.status is EntryStatus.CONSENT_REQUESTED for e in entries),
        hired=sum(e.status is EntryStatus.HIRED for e in entries),
        matches=await jobseekers.matches_of(session, profile),
    )


async def caseload(session: AsyncSession, coach: User, *, offset: int, limit: int) -> Caseload:
    """A page of ``coach``'s clients by name, each with their matches on open vacancies
    and their shortlist entries by status, in a few grouped queries (130 clients cost
    no more than one)."""
    mine = select(Jobseeker.id).where(Jobseeker.coach_id == coach.id)
    total = await session.scalar(select(func.count()).select_from(mine.subquery())) or 0
    rows = (
        await session.execute(
            select(Jobseeker, User.name)
            .outerjoin(User, User.id == Jobseeker.user_id)
            .where(Jobseeker.coach_id == coach.id)
            .order_by(User.name, Jobseeker.created_at)
            .limit(limit)
            .offset(max(offset, 0))
        )
    ).all()
    ids = [j.id for j, _ in rows]
    statuses: dict[UUID, dict[str, int]] = {i: {} for i in ids}
    matches: dict[UUID, int] = dict.fromkeys(ids, 0)
    if ids:
        grouped = await session.execute(
            select(ShortlistEntry.jobseeker_id, ShortlistEntry.status, func.count())
            .where(ShortlistEntry.jobseeker_id.in_(ids))
            .group_by(ShortlistEntry.jobseeker_id, ShortlistEntry.status)
        )
        for person, status, n in grouped.all():
            statuses[person][EntryStatus(status).value] = int(n)
        # Matches found on open vacancies (the jobseeker was notified of each once).
        users = {j.user_id: j.id for j, _ in rows if j.user_id}
        if users:
            found = await session.execute(
                select(Notification.recipient_id, func.count())
                .join(Vacancy, Vacancy.id == Notification.vacancy_id)
                .where(
                    Notification.recipient_id.in_(users),
                    Notification.kind == "match",
                    Vacancy.status == VacancyStatus.OPEN,
                )
                .group_by(Notification.recipient_id)
            )
            for user_id, n in found.all():
                matches[users[user_id]] = int(n)
    clients = [
        Client(
            id=j.id,
            name=name,
            municipality=j.municipality.name,
            available=j.available,
            matches=matches[j.id],
            statuses=statuses[j.id],
        )
        for j, name in rows
    ]
    return Caseload(clients=clients, total=total)
