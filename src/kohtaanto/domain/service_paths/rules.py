"""The service rhythm of an employment area, as data.

Each area may keep its own row in ``service_rules`` (the 2025 reform lets areas set
the rhythm); where it has none, the national defaults of the Nordic service model
(2022) apply: the initial interview with a needs assessment within 5 working days
of registration, a review every 12 weeks, 4 applications a month, and for under-25s
without a vocational qualification also 2 study places a month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import EducationLevel, Jobseeker, Municipality, ServiceRules

HELSINKI = ZoneInfo("Europe/Helsinki")


@dataclass(frozen=True)
class Rules:
    initial_assessment_working_days: int = 5
    assessment_review_weeks: int = 12
    applications_per_month: int = 4
    study_place_age_limit: int = 25
    study_places_per_month: int = 2
    source: str = "Laki julkisen työvoima- ja yrityspalvelun järjestämisestä 380/2023 (defaults)"


NATIONAL = Rules()


def _from_row(row: ServiceRules) -> Rules:
    return Rules(
        initial_assessment_working_days=row.initial_assessment_working_days,
        assessment_review_weeks=row.assessment_review_weeks,
        applications_per_month=row.applications_per_month,
        study_place_age_limit=row.study_place_age_limit,
        study_places_per_month=row.study_places_per_month,
        source=row.source,
    )


async def for_area(session: AsyncSession, area_id: int | None) -> Rules:
    """The area's rules; its row, else the national default row (area NULL), else the law's."""
    rows = (
        await session.scalars(
            select(ServiceRules).where(
                (ServiceRules.area_id == area_id) | ServiceRules.area_id.is_(None)
            )
        )
    ).all()
    own = [r for r in rows if r.area_id is not None and r.area_id == area_id]
    default = [r for r in rows if r.area_id is None]
    if own:
        return _from_row(own[0])
    if default:
        return _from_row(default[0])
    return NATIONAL


async def for_client(session: AsyncSession, person: Jobseeker) -> Rules:
    area_id = await session.scalar(
        select(Municipality.area_id).where(Municipality.id == person.municipality_id)
    )
    return await for_area(session, area_id)


def add_working_days(start: date, days: int) -> date:
    """``days`` working days (Monday to Friday) after ``start``."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def local_day(at: datetime) -> date:
    return at.astimezone(HELSINKI).date()


def initial_assessment_due(rules: Rules, registered_at: datetime) -> date:
    """The last day for the initial interview with the needs assessment."""
    return add_working_days(local_day(registered_at), rules.initial_assessment_working_days)


def review_due(rules: Rules, assessed_at: datetime) -> date:
    """When the assessment is to be reviewed with the client."""
    return local_day(assessed_at) + timedelta(weeks=rules.assessment_review_weeks)


@dataclass(frozen=True)
class Obligation:
    """What the client applies for in a month: jobs, and study places (under-25 rule)."""

    applications: int
    study_places: int
    agreed_lower: bool


def obligation(
    rules: Rules, person: Jobseeker, agreed: int | None, on: date | None = None
) -> Obligation:
    """The month's job-search obligation: the plan's agreed number (never above the
    area's), else the area's; under the age limit without a vocational qualification
    (basic education only) also the study places."""
    on = on or datetime.now(UTC).date()
    jobs = rules.applications_per_month if agreed is None else agreed
    age = on.year - person.birth_year  # the birth year is all the service keeps
    young = person.birth_year > 0 and age < rules.study_place_age_limit
    no_qualification = person.education is EducationLevel.BASIC
    return Obligation(
        applications=jobs,
        study_places=rules.study_places_per_month if young and no_qualification else 0,
        agreed_lower=agreed is not None and agreed < rules.applications_per_month,
    )
