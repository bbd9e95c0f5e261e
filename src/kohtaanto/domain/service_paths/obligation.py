"""The job-search obligation: applications a month, reported by the client.

The plan says how many (the area's default, 4, unless agreed lower); under-25s
without a vocational qualification also apply for study places. The client reports
each application, from a match in one click or by hand. The coach sees who is
behind as information to discuss with the client — never an automatic sanction:
nothing here changes a benefit or tells anyone but the coach and the client.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    JobApplication,
    Jobseeker,
    Notification,
    ServicePlan,
    User,
    Vacancy,
    VacancyStatus,
)
from kohtaanto.domain.errors import DomainError, NotFound
from kohtaanto.domain.service_paths import rules as service_rules
from kohtaanto.domain.service_paths.access import own_profile
from kohtaanto.i18n import N_

KINDS = ("job", "study_place")


async def report(
    session: AsyncSession,
    client: User,
    *,
    kind: str = "job",
    title: str = "",
    organisation: str = "",
    applied_on: date | None = None,
    vacancy_id: UUID | None = None,
    now: datetime | None = None,
) -> JobApplication:
    """The client reports an application: to a vacancy here (one click from a match:
    the title and employer come from it, once per vacancy) or by hand."""
    now = now or datetime.now(UTC)
    person = await own_profile(session, client)
    today = service_rules.local_day(now)
    applied_on = applied_on or today
    if applied_on > today:
        raise DomainError(
            "applied_in_future",
            N_("The application date cannot be in the future"),
            field="applied_on",
        )
    if kind not in KINDS:
        raise DomainError("unknown_kind", N_("Unknown application type"), field="kind")
    source = "manual"
    if vacancy_id is not None:
        vacancy = await session.get(Vacancy, vacancy_id)
        if vacancy is None or vacancy.status is VacancyStatus.DRAFT:
            raise NotFound("vacancy_not_found", N_("Vacancy not found"), field="vacancy_id")
        exists = await session.scalar(
            select(JobApplication.id).where(
                JobApplication.jobseeker_id == person.id, JobApplication.vacancy_id == vacancy_id
            )
        )
        if exists is not None:
            raise DomainError(
                "already_reported",
                N_("You have already reported this application"),
                field="vacancy_id",
            )
        title, organisation, kind, source = vacancy.title, vacancy.employer.name, "job", "match"
    title, organisation = (title or "").strip(), (organisation or "").strip()
    if not title:
        raise DomainError("title_required", N_("Say what you applied for"), field="title")
    if len(title) > 255 or len(organisation) > 255:
        raise DomainError("text_too_long", N_("The text is too long"), field="title")
    application = JobApplication(
        jobseeker_id=person.id,
        kind=kind,
        applied_on=applied_on,
        title=title,
        organisation=organisation,
        vacancy_id=vacancy_id,
        source=source,
        at=now,
    )
    session.add(application)
    await session.flush()
    return application


async def applications(session: AsyncSession, jobseeker_id: UUID) -> list[JobApplication]:
    """The client's reported applications, newest first."""
    return list(
        await session.scalars(
            select(JobApplication)
            .where(JobApplication.jobseeker_id == jobseeker_id)
            .order_by(JobApplication.applied_on.desc(), JobApplication.id.desc())
            .limit(200)
        )
    )


def month_bounds(on: date) -> tuple[date, date]:
    last = calendar.monthrange(on.year, on.month)[1]
    return on.replace(day=1), on.replace(day=last)


@dataclass(frozen=True)
class MonthStatus:
    """How the month stands: required and reported applications, and whether the client
    is behind the month's pace so far (information for the coach, not a sanction)."""

    month: str  # YYYY-MM
    required: int
    reported: int
    study_places_required: int
    study_places_reported: int
    agreed_lower: bool
    behind: bool


def _expected_by(required: int, on: date) -> int:
    """The month's share due by ``on`` (rounded down: nobody is behind on day one)."""
    days = calendar.monthrange(on.year, on.month)[1]
    return required * on.day // days


async def month_status(
    session: AsyncSession, person: Jobseeker, on: date | None = None
) -> MonthStatus:
    on = on or service_rules.local_day(datetime.now(UTC))
    rules = await service_rules.for_client(session, person)
    agreed = await session.scalar(
        select(ServicePlan.applications_per_month).where(ServicePlan.jobseeker_id == person.id)
    )
    duty = service_rules.obligation(rules, person, agreed, on)
    first, last = month_bounds(on)
    counts: dict[str, int] = dict(
        (
            await session.execute(
                select(JobApplication.kind, func.count())
                .where(
                    JobApplication.jobseeker_id == person.id,
                    JobApplication.applied_on.between(first, last),
                )
                .group_by(JobApplication.kind)
            )
        )
        .tuples()
        .all()
    )
    jobs, studies = int(counts.get("job", 0)), int(counts.get("study_place", 0))
    behind = jobs < _expected_by(duty.applications, on) or studies < _expected_by(
        duty.study_places, on
    )
    return MonthStatus(
        month=on.strftime("%Y-%m"),
        required=duty.applications,
        reported=jobs,
        study_places_required=duty.study_places,
        study_places_reported=studies,
        agreed_lower=duty.agreed_lower,
        behind=behind,
    )


async def unreported_matches(session: AsyncSession, client: User, limit: int = 10) -> list[Vacancy]:
    """Open vacancies the client was matched with and has not reported applying to: each
    is one click away from a reported application."""
    person = await own_profile(session, client)
    reported = select(JobApplication.vacancy_id).where(
        JobApplication.jobseeker_id == person.id, JobApplication.vacancy_id.is_not(None)
    )
    return list(
        await session.scalars(
            select(Vacancy)
            .join(Notification, Notification.vacancy_id == Vacancy.id)
            .where(
                Notification.recipient_id == client.id,
                Notification.kind == "match",
                Vacancy.status == VacancyStatus.OPEN,
                Vacancy.id.not_in(reported),
            )
            .order_by(Notification.created_at.desc())
            .limit(limit)
        )
    )
