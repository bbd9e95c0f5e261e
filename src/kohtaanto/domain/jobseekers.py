"""Jobseeker profiles: saving one sets indexing and match notifications in motion."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto import queue
from kohtaanto.db.models import (
    Employer,
    Jobseeker,
    Shortlist,
    ShortlistEntry,
    User,
    Vacancy,
    VacancyInterest,
)
from kohtaanto.domain import outbox, vocabulary
from kohtaanto.domain.notifications import notify_once
from kohtaanto.domain.vocabulary import FieldError

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
    return await session.scalar(select(Jobseeker).where(Jobseeker.user_id == user.id))


def saved(session: AsyncSession, jobseeker: Jobseeker) -> None:
    """Record that the profile changed: reindex it and look for matching vacancies."""
    outbox.record(session, queue.JOBSEEKER_SAVED, jobseeker_id=str(jobseeker.id))


async def save_profile(session: AsyncSession, user: User, fields: Mapping[str, Any]) -> Jobseeker:
    """Create or replace the user's whole profile; matches are looked for afterwards.

    ``fields`` holds every profile field (``municipality_code``, ``skill_uris``,
    ``occupation_uris``, ``languages`` and ``PLAIN_FIELDS``). Raises ``FieldError``.
    """
    if fields["min_hours_per_week"] > fields["max_hours_per_week"]:
        raise FieldError("min_hours_per_week", "must not exceed max_hours_per_week")
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
            title=f"A jobseeker is interested in: {vacancy.title}",
            body={
                "jobseeker_id": str(jobseeker.id),
                "vacancy_id": str(vacancy.id),
                "vacancy_title": vacancy.title,
                "entry_id": str(entry) if entry else None,
            },
            key=f"interest:{vacancy.id}:{jobseeker.id}",
        )
    return True
