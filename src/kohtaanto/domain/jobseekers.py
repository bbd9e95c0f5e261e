"""Jobseekers: their profile (saving one sets indexing and match notifications in
motion), their matches and shortlist entries, and "I'm interested".

The use cases both doors call (``api/jobseekers.py``, ``web/jobseeker.py``); the coach's
view of a client reads the same ``entries_of`` and ``matches_of``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from kohtaanto import queue
from kohtaanto.db.models import (
    EducationLevel,
    Employer,
    EntryStatus,
    Jobseeker,
    Notification,
    Shortlist,
    ShortlistEntry,
    User,
    Vacancy,
    VacancyInterest,
    VacancyStatus,
)
from kohtaanto.domain import outbox, vocabulary
from kohtaanto.domain.errors import DomainError, NotFound
from kohtaanto.domain.notifications import notify_once
from kohtaanto.domain.schemas import (
    Concept,
    CostEstimate,
    EscoUris,
    Languages,
    MunicipalityCode,
    Place,
    cost_estimate,
    place_of,
)
from kohtaanto.i18n import N_

BirthYear = Annotated[int, msgspec.Meta(ge=1930, le=2012, description="Year of birth only")]
Km = Annotated[int, msgspec.Meta(ge=0, le=500)]
WeekHours = Annotated[int, msgspec.Meta(ge=0, le=60)]


class ProfileWrite(msgspec.Struct, forbid_unknown_fields=True):
    """The whole profile; saving replaces it. Never a personal identity code."""

    municipality_code: MunicipalityCode
    birth_year: BirthYear
    education: EducationLevel
    skill_uris: EscoUris = []
    occupation_uris: EscoUris = []
    max_travel_km: Km = 30
    languages: Languages = msgspec.field(default_factory=lambda: ["fi"])
    unemployed_since: date | None = None
    reduced_work_ability: bool = False
    integration_plan: bool = False
    min_hours_per_week: WeekHours = 0
    max_hours_per_week: WeekHours = 40
    visible_to_employers: bool = False
    available: bool = True


class Profile(msgspec.Struct):
    id: UUID
    municipality: Place
    birth_year: int
    education: EducationLevel
    skills: list[Concept]
    occupations: list[Concept]
    max_travel_km: int
    languages: list[str]
    unemployed_since: date | None
    reduced_work_ability: bool
    integration_plan: bool
    min_hours_per_week: int
    max_hours_per_week: int
    visible_to_employers: bool
    available: bool
    coach_id: UUID | None


def profile_out(j: Jobseeker) -> Profile:
    return Profile(
        id=j.id,
        municipality=place_of(j.municipality),
        birth_year=j.birth_year,
        education=j.education,
        skills=[Concept(uri=s.uri, label=s.label) for s in j.skills],
        occupations=[Concept(uri=o.uri, label=o.label) for o in j.occupations],
        max_travel_km=j.max_travel_km,
        languages=list(j.languages),
        unemployed_since=j.unemployed_since,
        reduced_work_ability=j.reduced_work_ability,
        integration_plan=j.integration_plan,
        min_hours_per_week=j.min_hours_per_week,
        max_hours_per_week=j.max_hours_per_week,
        visible_to_employers=j.visible_to_employers,
        available=j.available,
        coach_id=j.coach_id,
    )


class VacancySummary(msgspec.Struct):
    id: UUID
    title: str
    employer_name: str
    occupation: Concept
    municipality: Place
    hours_per_week: float
    monthly_pay_eur: int | None
    status: VacancyStatus


def summary(v: Vacancy) -> VacancySummary:
    return VacancySummary(
        id=v.id,
        title=v.title,
        employer_name=v.employer.name,
        occupation=Concept(uri=v.occupation.uri, label=v.occupation.label),
        municipality=place_of(v.municipality),
        hours_per_week=v.hours_per_week,
        monthly_pay_eur=v.monthly_pay_eur,
        status=v.status,
    )


class MyMatch(msgspec.Struct):
    """A vacancy that suits the jobseeker, with the same explanation the coordinator reads."""

    vacancy: VacancySummary
    score: float
    on_shortlist: bool
    shortlist_status: EntryStatus | None
    cost: CostEstimate
    explanation: dict[str, Any]
    found_at: datetime


class ClientEntry(msgspec.Struct):
    entry_id: UUID
    vacancy: VacancySummary
    status: EntryStatus
    outcome_reason: str | None
    consent_deadline: datetime | None
    score: float


# Profile fields copied as they are; codes are resolved by ``save_profile``.
PLAIN_FIELDS = (
    "birth_year",
    "education",
    "max_travel_km",
    "unemployed_since",
    "reduced_work_ability",
    "integration_plan",
    "min_hours_per_week",
    "max_hours_per_week",
    "visible_to_employers",
    "available",
)


async def of_user(session: AsyncSession, user: User) -> Jobseeker | None:
    """The profile belonging to a jobseeker's login, if they have made one."""
    # One query: the skills and occupations joined in (a person has some twenty rows of
    # them), not the relationships' two "selectin" round trips after it. On the national
    # benchmark this halved the API's CPU per profile read (selectin builds and compiles
    # an IN query per collection per request).
    rows = await session.scalars(
        select(Jobseeker)
        .where(Jobseeker.user_id == user.id)
        .options(joinedload(Jobseeker.skills), joinedload(Jobseeker.occupations))
    )
    return rows.unique().one_or_none()


async def profile_of(session: AsyncSession, user: User) -> Jobseeker:
    """The jobseeker's own profile; ``NotFound`` until they have made one."""
    profile = await of_user(session, user)
    if profile is None:
        raise NotFound("profile_not_found", N_("You have no profile yet."), field="profile")
    return profile


async def entries_of(session: AsyncSession, jobseeker_id: UUID) -> list[ClientEntry]:
    """The shortlists the person is on, most recently changed first."""
    rows = await session.execute(
        select(ShortlistEntry, Vacancy)
        .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
        .join(Vacancy, Vacancy.id == Shortlist.vacancy_id)
        .where(ShortlistEntry.jobseeker_id == jobseeker_id)
        .order_by(ShortlistEntry.updated_at.desc())
    )
    return [
        ClientEntry(
            entry_id=e.id,
            vacancy=summary(v),
            status=e.status,
            outcome_reason=e.outcome_reason,
            consent_deadline=e.consent_deadline,
            score=round(e.score, 4),
        )
        for e, v in rows.all()
    ]


async def matches_of(session: AsyncSession, profile: Jobseeker) -> list[MyMatch]:
    """Vacancies found for the person and shortlists they are on, best first, with why
    (with the cost figures: see ``without_costs`` for what the jobseeker sees)."""
    found: dict[UUID, MyMatch] = {}
    vacancies = {}
    notified = (
        (
            await session.scalars(
                select(Notification).where(
                    Notification.recipient_id == profile.user_id, Notification.kind == "match"
                )
            )
        ).all()
        if profile.user_id
        else []
    )
    entries = (
        await session.execute(
            select(ShortlistEntry, Shortlist.vacancy_id)
            .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
            .where(
                ShortlistEntry.jobseeker_id == profile.id,
                ShortlistEntry.status != EntryStatus.REMOVED,
            )
        )
    ).all()
    ids = {n.vacancy_id for n in notified if n.vacancy_id} | {v for _, v in entries}
    if ids:
        rows = await session.scalars(select(Vacancy).where(Vacancy.id.in_(ids)))
        vacancies = {v.id: v for v in rows}
    for n in notified:
        vacancy = vacancies.get(n.vacancy_id) if n.vacancy_id else None
        if vacancy is None or vacancy.status is not VacancyStatus.OPEN:
            continue
        explanation = n.params.get("explanation", {})
        found[vacancy.id] = MyMatch(
            vacancy=summary(vacancy),
            score=float(n.params.get("score", 0.0)),
            on_shortlist=False,
            shortlist_status=None,
            cost=cost_estimate(explanation),
            explanation=explanation,
            found_at=n.created_at,
        )
    for entry, vacancy_id in entries:
        vacancy = vacancies[vacancy_id]
        found[vacancy_id] = MyMatch(
            vacancy=summary(vacancy),
            score=round(entry.score, 4),
            on_shortlist=True,
            shortlist_status=entry.status,
            cost=cost_estimate(entry.explanation),
            explanation=entry.explanation,
            found_at=entry.created_at,
        )
    return sorted(found.values(), key=lambda m: (-m.score, m.vacancy.title))


def without_costs(match: MyMatch) -> MyMatch:
    """A match as the jobseeker sees it: which support the employer might get, by name,
    but no euro figure of what hiring them would cost or save: a price on a person can
    stigmatise. Staff (the coordinator, the coach) keep the figures."""
    named = [
        {"code": e.get("code"), "label": e.get("label")}
        for e in match.explanation.get("instruments", [])
    ]
    explanation = {
        k: v for k, v in match.explanation.items() if k not in ("instruments", "best_saving_eur")
    } | {"instruments": named}
    cost = CostEstimate(
        monthly_pay_costs_eur=None,
        lowest_net_monthly_cost_eur=None,
        best_saving_eur=0.0,
        instruments=[],
        note=match.cost.note,
    )
    return msgspec.structs.replace(match, cost=cost, explanation=explanation)


async def my_matches(session: AsyncSession, user: User) -> list[MyMatch]:
    """The jobseeker's own matches, as they see them (``without_costs``)."""
    profile = await profile_of(session, user)
    return [without_costs(m) for m in await matches_of(session, profile)]


async def my_entries(session: AsyncSession, user: User) -> list[ClientEntry]:
    """The shortlists the jobseeker is on, with consent requests to answer."""
    return await entries_of(session, (await profile_of(session, user)).id)


async def interests_of(session: AsyncSession, jobseeker_id: UUID) -> dict[UUID, datetime]:
    """When the person said "I'm interested", by vacancy."""
    rows = await session.execute(
        select(VacancyInterest.vacancy_id, VacancyInterest.at).where(
            VacancyInterest.jobseeker_id == jobseeker_id
        )
    )
    return dict(rows.tuples().all())


async def readable_vacancy(session: AsyncSession, profile: Jobseeker, vacancy_id: UUID) -> Vacancy:
    """A vacancy the jobseeker may read: any open one, or one they are on a shortlist of
    (a filled job still shows why they were not chosen)."""
    vacancy = await session.get(Vacancy, vacancy_id)
    if vacancy is not None and vacancy.status is not VacancyStatus.OPEN:
        on_list = await session.scalar(
            select(ShortlistEntry.id)
            .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
            .where(Shortlist.vacancy_id == vacancy.id, ShortlistEntry.jobseeker_id == profile.id)
        )
        if on_list is None:
            vacancy = None
    if vacancy is None:
        raise NotFound("vacancy_not_found", N_("No such vacancy."), field="vacancy_id")
    return vacancy


def saved(session: AsyncSession, jobseeker: Jobseeker) -> None:
    """Record that the profile changed: reindex it and look for matching vacancies."""
    outbox.record(session, queue.JOBSEEKER_SAVED, jobseeker_id=str(jobseeker.id))


async def save_profile(
    session: AsyncSession, user: User, data: ProfileWrite | Mapping[str, Any]
) -> Jobseeker:
    """Create or replace the user's whole profile; matches are looked for afterwards.

    ``data`` holds every profile field (``municipality_code``, ``skill_uris``,
    ``occupation_uris``, ``languages`` and ``PLAIN_FIELDS``). Raises ``DomainError``
    naming the field at fault.
    """
    fields = data if isinstance(data, Mapping) else msgspec.structs.asdict(data)
    if fields["min_hours_per_week"] > fields["max_hours_per_week"]:
        raise DomainError(
            "hours_range",
            N_("The minimum hours must not exceed the maximum hours."),
            field="min_hours_per_week",
        )
    place = await vocabulary.municipality(session, fields["municipality_code"])
    skills = await vocabulary.skills(session, fields["skill_uris"], "skill_uris")
    occupations = await vocabulary.occupations(
        session, fields["occupation_uris"], "occupation_uris"
    )
    profile = await of_user(session, user)
    if profile is None:
        profile = Jobseeker(user_id=user.id)
        session.add(profile)
    profile.municipality = place
    profile.municipality_id = place.id
    profile.skills = skills
    profile.occupations = occupations
    for name in PLAIN_FIELDS:
        setattr(profile, name, fields[name])
    profile.languages = sorted(set(fields["languages"]))
    profile.last_active_at = datetime.now(UTC)
    await session.flush()
    saved(session, profile)
    return profile


async def interested(session: AsyncSession, user: User, vacancy_id: UUID) -> bool:
    """The jobseeker ``user`` says "I'm interested" in an open vacancy they may read (see
    ``express_interest``); a vacancy no longer open records nothing. Returns whether this
    was the first time."""
    profile = await profile_of(session, user)
    vacancy = await readable_vacancy(session, profile, vacancy_id)
    if vacancy.status is not VacancyStatus.OPEN:
        return False
    return await express_interest(session, profile, vacancy)


async def express_interest(session: AsyncSession, jobseeker: Jobseeker, vacancy: Vacancy) -> bool:
    """The jobseeker says "I'm interested" in ``vacancy``: recorded once (the board
    shows it) and the vacancy's company coordinator is told. Saying it again changes
    nothing; returns whether this was the first time."""
    exists = await session.scalar(
        select(VacancyInterest.id).where(
            VacancyInterest.jobseeker_id == jobseeker.id,
            VacancyInterest.vacancy_id == vacancy.id,
        )
    )
    if exists is not None:
        return False
    try:
        async with session.begin_nested():
            session.add(
                VacancyInterest(
                    jobseeker_id=jobseeker.id, vacancy_id=vacancy.id, at=datetime.now(UTC)
                )
            )
    except IntegrityError:  # a double click that raced the first one
        return False
    coordinator = await session.scalar(
        select(Employer.coordinator_id).where(Employer.id == vacancy.employer_id)
    )
    if coordinator is not None:
        entry = await session.scalar(
            select(ShortlistEntry.id)
            .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
            .where(Shortlist.vacancy_id == vacancy.id, ShortlistEntry.jobseeker_id == jobseeker.id)
        )
        await notify_once(
            session,
            recipient_id=coordinator,
            kind="interest",
            vacancy_id=vacancy.id,
            params={
                "jobseeker_id": str(jobseeker.id),
                "vacancy_id": str(vacancy.id),
                "vacancy_title": vacancy.title,
                "entry_id": str(entry) if entry else None,
            },
            key=f"interest:{vacancy.id}:{jobseeker.id}",
        )
    return True
