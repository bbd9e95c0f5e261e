"""The service-needs assessment (palvelutarvearvio), made by the coach with the client.

Structured areas, each with the client's self-assessment beside the coach's view;
an effort level and a main goal (as NAV's assessment), a written rationale, the
information sources used, and optionally a second professional who reviews it.
Versioned: every save is a new row with who and when; a save names the version it
was based on and is refused with ``Conflict`` when someone saved meanwhile. Work
ability and health are told only as the client chooses (special-category data:
opened to a team member separately, never to employers or coordinators).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import Jobseeker, Role, ServiceAssessment, User
from kohtaanto.domain.errors import Conflict, DomainError
from kohtaanto.domain.service_paths import rules as service_rules
from kohtaanto.domain.service_paths.access import (
    ASSESSMENT,
    WORK_ABILITY,
    own_client,
    own_profile,
)
from kohtaanto.i18n import N_

AREAS = (
    "competence",  # competence and education
    "work_history",
    "work_ability",  # work ability and health, only as the client chooses to tell
    "life_situation",
    "language",
    "digital_skills",
    "mobility",
    "goals",  # the client's own goals
)
EFFORT_LEVELS = (
    "standard",
    "situation_dependent",
    "specially_adapted",
    "partly_permanent",
    "permanent",
)
MAIN_GOALS = ("get_work", "keep_work", "education")
SOURCES = (
    "interview",
    "self_assessment",
    "cv",
    "registers",
    "specialist_statement",
    "earlier_plan",
)
MAX_TEXT = 4000


async def current(session: AsyncSession, jobseeker_id: UUID) -> ServiceAssessment | None:
    """The latest version, if the client has been assessed."""
    return await session.scalar(
        select(ServiceAssessment)
        .where(ServiceAssessment.jobseeker_id == jobseeker_id)
        .order_by(ServiceAssessment.version.desc())
        .limit(1)
    )


async def versions(session: AsyncSession, jobseeker_id: UUID) -> list[ServiceAssessment]:
    """Every version, newest first."""
    return list(
        await session.scalars(
            select(ServiceAssessment)
            .where(ServiceAssessment.jobseeker_id == jobseeker_id)
            .order_by(ServiceAssessment.version.desc())
        )
    )


def visible_areas(areas: Mapping[str, Any], parts: frozenset[str]) -> dict[str, Any]:
    """The areas a reader may see: work ability only with that part opened."""
    out = {}
    for area, value in areas.items():
        if area == WORK_ABILITY:
            if WORK_ABILITY in parts:
                out[area] = value
        elif ASSESSMENT in parts:
            out[area] = value
    return out


def _text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DomainError("bad_text", N_("Write this as text"), field=field)
    if len(value) > MAX_TEXT:
        raise DomainError("text_too_long", N_("The text is too long"), field=field)
    return value.strip()


def _areas(
    base: Mapping[str, Any], given: Mapping[str, Any], side: str
) -> dict[str, dict[str, str]]:
    """``base`` with ``side`` ("coach" or "client") of each given area replaced."""
    out = {a: dict(v) for a, v in base.items() if a in AREAS and isinstance(v, Mapping)}
    for area, text in given.items():
        if area not in AREAS:
            raise DomainError(
                "unknown_area", N_("Unknown assessment area: {name}"), field="areas", name=area
            )
        out.setdefault(area, {"client": "", "coach": ""})[side] = _text(text, f"areas.{area}")
    return out


async def _save(
    session: AsyncSession,
    person: Jobseeker,
    author: User,
    expected_version: int,
    values: dict[str, Any],
    now: datetime,
) -> ServiceAssessment:
    latest = await current(session, person.id)
    if (latest.version if latest else 0) != expected_version:
        raise _changed()
    row = ServiceAssessment(
        jobseeker_id=person.id,
        version=expected_version + 1,
        author_id=author.id,
        author_role=author.role,
        at=now,
        **values,
    )
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:  # someone saved the same version first
        raise _changed() from None
    return row


def _changed() -> Conflict:
    return Conflict(
        "assessment_changed",
        N_("Someone saved this assessment meanwhile: reload it and try again"),
        field="version",
    )


async def save(
    session: AsyncSession,
    coach: User,
    jobseeker_id: UUID,
    *,
    expected_version: int,
    areas: Mapping[str, Any],
    effort_level: str | None,
    main_goal: str | None,
    rationale: str = "",
    sources: list[str] | None = None,
    reviewer_id: UUID | None = None,
    now: datetime | None = None,
) -> ServiceAssessment:
    """The coach saves a new version (their view of each given area; the client's
    self-assessment is kept as it was)."""
    now = now or datetime.now(UTC)
    person = await own_client(session, coach, jobseeker_id)
    if effort_level is not None and effort_level not in EFFORT_LEVELS:
        raise DomainError("unknown_effort", N_("Unknown effort level"), field="effort_level")
    if main_goal is not None and main_goal not in MAIN_GOALS:
        raise DomainError("unknown_goal", N_("Unknown main goal"), field="main_goal")
    sources = list(dict.fromkeys(sources or []))
    bad = [s for s in sources if s not in SOURCES]
    if bad:
        raise DomainError(
            "unknown_source", N_("Unknown information source: {name}"), field="sources", name=bad[0]
        )
    if reviewer_id is not None:
        reviewer = await session.get(User, reviewer_id)
        if (
            reviewer is None
            or reviewer.role not in (Role.COACH, Role.SPECIALIST)
            or (reviewer.id == coach.id)
        ):
            raise DomainError(
                "bad_reviewer",
                N_("The reviewer must be another coach or a specialist"),
                field="reviewer_id",
            )
    latest = await current(session, person.id)
    values = {
        "areas": _areas(latest.areas if latest else {}, areas, "coach"),
        "effort_level": effort_level,
        "main_goal": main_goal,
        "rationale": _text(rationale, "rationale"),
        "sources": sources,
        "reviewer_id": reviewer_id,
        "reviewed_at": None,
    }
    return await _save(session, person, coach, expected_version, values, now)


async def save_self_assessment(
    session: AsyncSession,
    client: User,
    *,
    expected_version: int,
    areas: Mapping[str, Any],
    now: datetime | None = None,
) -> ServiceAssessment:
    """The client writes their own view of the areas: a new version, the coach's kept."""
    now = now or datetime.now(UTC)
    person = await own_profile(session, client)
    latest = await current(session, person.id)
    values: dict[str, Any] = {
        "areas": _areas(latest.areas if latest else {}, areas, "client"),
        "effort_level": latest.effort_level if latest else None,
        "main_goal": latest.main_goal if latest else None,
        "rationale": latest.rationale if latest else "",
        "sources": list(latest.sources) if latest else [],
        "reviewer_id": latest.reviewer_id if latest else None,
        "reviewed_at": latest.reviewed_at if latest else None,
    }
    if "self_assessment" not in values["sources"]:
        values["sources"].append("self_assessment")
    return await _save(session, person, client, expected_version, values, now)


@dataclass(frozen=True)
class Deadlines:
    """When the client's assessment is due, from the area's rules."""

    initial_due: date  # the initial interview with the assessment
    assessed_on: date | None
    review_due: date | None
    overdue: bool


async def deadlines(
    session: AsyncSession, person: Jobseeker, today: date | None = None
) -> Deadlines:
    """The initial assessment's and the review's deadlines, from the area's rules."""
    today = today or service_rules.local_day(datetime.now(UTC))
    rules = await service_rules.for_client(session, person)
    initial = service_rules.initial_assessment_due(rules, person.created_at)
    first = await session.scalar(
        select(func.min(ServiceAssessment.at)).where(
            ServiceAssessment.jobseeker_id == person.id,
            ServiceAssessment.author_role == Role.COACH,
        )
    )
    last = await session.scalar(
        select(func.max(ServiceAssessment.at)).where(
            ServiceAssessment.jobseeker_id == person.id,
            ServiceAssessment.author_role == Role.COACH,
        )
    )
    if first is None or last is None:
        return Deadlines(initial, None, None, today > initial)
    review = service_rules.review_due(rules, last)
    return Deadlines(initial, service_rules.local_day(first), review, today > review)
