"""Skills gap: the essential ESCO skills of a client's target occupation (or of a
vacancy they are interested in) that their profile lacks. The offers that teach
them (partner services carrying those skills) are searched by the caller."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    EscoOccupation,
    EscoSkill,
    Jobseeker,
    OccupationSkill,
    Role,
    User,
    Vacancy,
    VacancySkill,
)
from kohtaanto.domain.errors import NotFound


@dataclass
class Gap:
    """What the client lacks for a target: the target's label and the missing
    essential skills (uri, label), those they have, and how many were asked."""

    jobseeker_id: UUID
    target: str
    target_kind: str  # "occupation" or "vacancy"
    missing: list[tuple[str, str]] = field(default_factory=list)
    have: list[tuple[str, str]] = field(default_factory=list)
    lat: float = 0.0
    lon: float = 0.0
    municipality_code: str = ""

    @property
    def missing_uris(self) -> list[str]:
        return [uri for uri, _ in self.missing]


async def _client(session: AsyncSession, coach: User, jobseeker_id: UUID) -> Jobseeker:
    person = await session.get(Jobseeker, jobseeker_id)
    if person is None or coach.role is not Role.COACH or person.coach_id != coach.id:
        raise NotFound()
    return person


async def skills_gap(
    session: AsyncSession,
    coach: User,
    jobseeker_id: UUID,
    *,
    occupation_uri: str | None = None,
    vacancy_id: UUID | None = None,
) -> Gap:
    """The gap for the coach's client: toward ``vacancy_id``, ``occupation_uri``, or
    (neither given) the first occupation of their profile."""
    person = await _client(session, coach, jobseeker_id)
    have = {s.uri for s in person.skills}
    if vacancy_id is not None:
        vacancy = await session.get(Vacancy, vacancy_id)
        if vacancy is None:
            raise NotFound(field="vacancy_id")
        rows = (
            await session.execute(
                select(EscoSkill.uri, EscoSkill.label)
                .join(VacancySkill, VacancySkill.skill_id == EscoSkill.id)
                .where(VacancySkill.vacancy_id == vacancy.id, VacancySkill.essential.is_(True))
                .order_by(EscoSkill.label)
            )
        ).all()
        target, kind = vacancy.title, "vacancy"
    else:
        if occupation_uri:
            occupation = await session.scalar(
                select(EscoOccupation).where(EscoOccupation.uri == occupation_uri)
            )
            if occupation is None:
                raise NotFound(field="occupation_uri")
        elif person.occupations:
            occupation = person.occupations[0]
        else:
            return Gap(
                person.id,
                "",
                "occupation",
                lat=person.municipality.lat,
                lon=person.municipality.lon,
                municipality_code=person.municipality.code,
            )
        rows = (
            await session.execute(
                select(EscoSkill.uri, EscoSkill.label)
                .join(OccupationSkill, OccupationSkill.skill_id == EscoSkill.id)
                .where(
                    OccupationSkill.occupation_id == occupation.id,
                    OccupationSkill.essential.is_(True),
                )
                .order_by(EscoSkill.label)
            )
        ).all()
        target, kind = occupation.label, "occupation"
    return Gap(
        person.id,
        target,
        kind,
        missing=[(u, label) for u, label in rows if u not in have],
        have=[(u, label) for u, label in rows if u in have],
        lat=person.municipality.lat,
        lon=person.municipality.lon,
        municipality_code=person.municipality.code,
    )
