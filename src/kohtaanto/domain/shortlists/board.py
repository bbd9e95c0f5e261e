"""What a coordinator sees of a vacancy's shortlist, and who may see an entry.

The board shows each ranked candidate with why they are there, but never the birth
year, and the name and contact channel only once the workflow has the service contact
the person (``CONTACT_STATUSES``). Every profile shown is logged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import raiseload

from kohtaanto.db.models import (
    EducationLevel,
    Employer,
    EntryStatus,
    Jobseeker,
    Role,
    Shortlist,
    ShortlistEntry,
    ShortlistEvent,
    User,
    Vacancy,
)
from kohtaanto.domain import vacancies
from kohtaanto.domain.errors import NotFound
from kohtaanto.domain.schemas import CostEstimate, Place, cost_estimate
from kohtaanto.domain.shortlists.workflow import (
    SERVICE,
    VISIBLE_TO_EMPLOYER,
    log_views,
    shared_with_employer,
)
from kohtaanto.i18n import N_

# When the service's own coordinator may reach the person: from "contacted" (the
# coordinator has decided to contact them) while the recruitment is in play, and
# for the outcome. The person is a client of the public service, so its staff may
# contact them; the employer sees contact details only after consent and sharing.
# Declined, expired and removed entries show none: nothing is left to ask.
CONTACT_STATUSES = frozenset(
    {
        EntryStatus.CONTACTED,
        EntryStatus.CONSENT_REQUESTED,
        EntryStatus.CONSENTED,
        EntryStatus.SHARED,
        EntryStatus.INTERVIEW,
        EntryStatus.HIRED,
        EntryStatus.NOT_HIRED,
    }
)


class Candidate(msgspec.Struct):
    """What a coordinator sees of a shortlisted jobseeker: never the birth year; the name
    and contact channel only once the workflow has them contact the person
    (``CONTACT_STATUSES``), and each such view is logged."""

    id: UUID
    municipality: Place
    education: EducationLevel
    languages: list[str]
    max_travel_km: int
    name: str | None = None
    email: str | None = None
    phone: str | None = None


class RankedEntry(msgspec.Struct):
    id: UUID
    rank: int
    score: float
    status: EntryStatus
    source: str
    outcome_reason: str | None
    consent_deadline: datetime | None
    candidate: Candidate
    cost: CostEstimate
    explanation: dict[str, Any]


class ShortlistOut(msgspec.Struct):
    vacancy_id: UUID
    model_version: str
    retrieved: int
    built_at: datetime
    entries: list[RankedEntry]


class EntryState(msgspec.Struct):
    """An entry's status after a move."""

    id: UUID
    vacancy_id: UUID
    status: EntryStatus
    outcome_reason: str | None
    consent_deadline: datetime | None
    shared_until: datetime | None


class EventOut(msgspec.Struct):
    """One move of an entry. Employers get the status and date only (the rest null),
    and only from the sharing on: reasons and notes are the service's."""

    from_status: EntryStatus | None
    to_status: EntryStatus
    by_role: Role | None
    reason: str | None
    at: datetime


class PersonFound(msgspec.Struct):
    """A jobseeker the coordinator may add by hand, found by name or e-mail."""

    jobseeker_id: UUID
    name: str
    email: str
    municipality: str


def place_of(j: Jobseeker) -> Place:
    m = j.municipality
    return Place(code=m.code, name=m.name, sub_region=m.sub_region)


def state_of(e: ShortlistEntry, vacancy_id: UUID) -> EntryState:
    return EntryState(
        id=e.id,
        vacancy_id=vacancy_id,
        status=e.status,
        outcome_reason=e.outcome_reason,
        consent_deadline=e.consent_deadline,
        shared_until=e.shared_until,
    )


def _ranked(e: ShortlistEntry, j: Jobseeker, account: User | None) -> RankedEntry:
    contact = account if account is not None and e.status in CONTACT_STATUSES else None
    return RankedEntry(
        id=e.id,
        rank=e.rank,
        score=round(e.score, 4),
        status=e.status,
        source=e.source,
        outcome_reason=e.outcome_reason,
        consent_deadline=e.consent_deadline,
        candidate=Candidate(
            id=j.id,
            municipality=place_of(j),
            education=j.education,
            languages=list(j.languages),
            max_travel_km=j.max_travel_km,
            name=contact.name if contact else None,
            email=contact.email if contact else None,
            phone=contact.phone if contact else None,
        ),
        cost=cost_estimate(e.explanation),
        explanation=e.explanation,
    )


async def shortlist_of(session: AsyncSession, user: User, vacancy_id: UUID) -> Shortlist:
    """The vacancy's shortlist, if ``user`` may see the vacancy; ``NotFound`` otherwise
    (``vacancy_not_found``) or before its first build (``shortlist_not_found``)."""
    await vacancies.ensure_visible(session, user, vacancy_id)
    shortlist = await session.scalar(select(Shortlist).where(Shortlist.vacancy_id == vacancy_id))
    if shortlist is None:
        raise NotFound("shortlist_not_found", N_("Shortlist not found"), field="vacancy_id")
    return shortlist


async def has_shortlist(session: AsyncSession, vacancy_id: UUID) -> bool:
    """Whether the vacancy's shortlist has been built (the board says "building" until)."""
    found = await session.scalar(select(Shortlist.id).where(Shortlist.vacancy_id == vacancy_id))
    return found is not None


async def status_counts(
    session: AsyncSession, vacancy_ids: list[UUID]
) -> dict[UUID, dict[str, int]]:
    """How many entries of each status each vacancy's shortlist has (the coordinator's
    vacancy list), in one grouped query."""
    counts: dict[UUID, dict[str, int]] = {v: {} for v in vacancy_ids}
    if vacancy_ids:
        grouped = await session.execute(
            select(Shortlist.vacancy_id, ShortlistEntry.status, func.count())
            .join(ShortlistEntry, ShortlistEntry.shortlist_id == Shortlist.id)
            .where(Shortlist.vacancy_id.in_(vacancy_ids))
            .group_by(Shortlist.vacancy_id, ShortlistEntry.status)
        )
        for vacancy_id, status, n in grouped.all():
            counts[vacancy_id][EntryStatus(status).value] = int(n)
    return counts


async def entry_for(
    session: AsyncSession, user: User, entry_id: UUID
) -> tuple[ShortlistEntry, Vacancy]:
    """The entry and its vacancy, if ``user`` may see the entry: its coordinator, the
    person, their coach, or the employer while it is shared (not after the sharing
    ended). Anyone else gets ``NotFound`` (``entry_not_found``), as for a missing id."""
    row = (
        await session.execute(
            select(ShortlistEntry, Vacancy, Jobseeker, Employer.coordinator_id)
            .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
            .join(Vacancy, Vacancy.id == Shortlist.vacancy_id)
            .join(Employer, Employer.id == Vacancy.employer_id)
            .join(Jobseeker, Jobseeker.id == ShortlistEntry.jobseeker_id)
            .where(ShortlistEntry.id == entry_id)
        )
    ).first()
    missing = NotFound("entry_not_found", N_("Shortlist entry not found"), field="entry_id")
    if row is None:
        raise missing
    entry, vacancy, person, coordinator_id = row
    allowed = {
        Role.ADMIN: True,
        Role.MANAGER: False,
        Role.COORDINATOR: coordinator_id == user.id,
        Role.JOBSEEKER: person.user_id == user.id,
        Role.COACH: person.coach_id == user.id,
        Role.EMPLOYER: vacancy.employer_id == user.employer_id and shared_with_employer(entry),
    }.get(user.role, False)
    if not allowed:
        raise missing
    return entry, vacancy


async def board(session: AsyncSession, user: User, vacancy_id: UUID) -> ShortlistOut:
    """A vacancy's ranked shortlist as its coordinator sees it; the views are logged."""
    shortlist = await shortlist_of(session, user, vacancy_id)
    ids = [e.jobseeker_id for e in shortlist.entries]
    people = {
        j.id: j
        for j in (
            await session.scalars(
                select(Jobseeker)
                .where(Jobseeker.id.in_(ids))
                # A candidate shows no skills or occupations (the explanation names the
                # matched ones): not loading them spares two queries of some twenty rows
                # per person, most of a board read's CPU; raiseload keeps it honest.
                .options(raiseload(Jobseeker.skills), raiseload(Jobseeker.occupations))
            )
        ).all()
    }
    await log_views(session, user, SERVICE, people, vacancy_id=vacancy_id)
    reachable = {
        e.jobseeker_id
        for e in shortlist.entries
        if e.status in CONTACT_STATUSES and e.jobseeker_id in people
    }
    user_ids = {people[j].user_id: j for j in reachable if people[j].user_id is not None}
    accounts = {
        user_ids[u.id]: u
        for u in (await session.scalars(select(User).where(User.id.in_(user_ids)))).all()
    }
    # Seeing who the person is and how to reach them is a read of its own.
    await log_views(
        session, user, SERVICE, accounts, vacancy_id=vacancy_id, action="contact_viewed"
    )
    return ShortlistOut(
        vacancy_id=vacancy_id,
        model_version=shortlist.model_version,
        retrieved=shortlist.retrieved,
        built_at=shortlist.updated_at,
        entries=[
            _ranked(e, people[e.jobseeker_id], accounts.get(e.jobseeker_id))
            for e in shortlist.entries
            if e.jobseeker_id in people
        ],
    )


async def find_people(
    session: AsyncSession, user: User, vacancy_id: UUID, q: str
) -> list[PersonFound]:
    """Jobseekers to add by hand whose name or e-mail contains ``q``: only people who
    chose to be visible to employers and are available, not already on the list.
    Each person shown is logged as a view."""
    shortlist = await shortlist_of(session, user, vacancy_id)
    text = q.strip()
    if len(text) < 2:
        return []
    needle = text.lower()
    on_list = [e.jobseeker_id for e in shortlist.entries]
    rows = (
        await session.execute(
            select(Jobseeker, User)
            .join(User, User.id == Jobseeker.user_id)
            .where(
                Jobseeker.visible_to_employers.is_(True),
                Jobseeker.available.is_(True),
                Jobseeker.anonymised_at.is_(None),
                Jobseeker.id.not_in(on_list),
                or_(
                    func.lower(User.name).contains(needle, autoescape=True),
                    func.lower(User.email).contains(needle, autoescape=True),
                ),
            )
            .order_by(User.name)
            .limit(10)
        )
    ).all()
    found = [
        PersonFound(jobseeker_id=j.id, name=u.name, email=u.email, municipality=j.municipality.name)
        for j, u in rows
    ]
    await log_views(
        session,
        user,
        SERVICE,
        [p.jobseeker_id for p in found],
        vacancy_id=vacancy_id,
        action="found",
    )
    return found


async def entry_events(session: AsyncSession, user: User, entry_id: UUID) -> list[EventOut]:
    """An entry's history for whoever may see the entry; an employer's is status and
    date only, from the sharing on."""
    await entry_for(session, user, entry_id)
    rows = (
        await session.execute(
            select(ShortlistEvent, User.role)
            .outerjoin(User, User.id == ShortlistEvent.actor_id)
            .where(ShortlistEvent.entry_id == entry_id)
            .order_by(ShortlistEvent.at, ShortlistEvent.id)
        )
    ).all()
    if user.role is Role.EMPLOYER:
        return [
            EventOut(from_status=None, to_status=ev.to_status, by_role=None, reason=None, at=ev.at)
            for ev, _ in rows
            if ev.to_status in VISIBLE_TO_EMPLOYER
        ]
    return [
        EventOut(
            from_status=ev.from_status,
            to_status=ev.to_status,
            by_role=role,
            reason=ev.reason,
            at=ev.at,
        )
        for ev, role in rows
    ]
