"""Vacancies: who may see them, and what publishing one sets in motion."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto import queue
from kohtaanto.db.models import (
    Employer,
    EscoSkill,
    Role,
    User,
    Vacancy,
    VacancySkill,
    VacancyStatus,
)
from kohtaanto.domain import employers, outbox, vocabulary
from kohtaanto.domain.vocabulary import FieldError

# Fields copied as they are; codes and skills are resolved by ``apply_fields``.
PLAIN_FIELDS = (
    "title",
    "description",
    "hours_per_week",
    "start_date",
    "monthly_pay_eur",
    "languages",
    "open_to_wage_subsidy",
    "open_to_work_trial",
    "open_to_apprenticeship",
)


class VacancyStateError(ValueError):
    """A status change the vacancy's current status does not allow."""


def visible_to(user: User) -> Select[tuple[Vacancy]]:
    """The vacancies ``user`` may read.

    Employers see their own; coordinators those of the employers they serve;
    admins all; everyone else (jobseekers, coaches, managers, specialists) only
    published (open) ones.
    """
    query = select(Vacancy)
    if user.role is Role.EMPLOYER:
        return query.where(Vacancy.employer_id == user.employer_id)
    if user.role is Role.COORDINATOR:
        mine = select(Employer.id).where(Employer.coordinator_id == user.id)
        return query.where(Vacancy.employer_id.in_(mine))
    if user.role is Role.ADMIN:
        return query
    return query.where(Vacancy.status == VacancyStatus.OPEN)


async def get_visible(session: AsyncSession, user: User, vacancy_id: UUID) -> Vacancy | None:
    return await session.scalar(visible_to(user).where(Vacancy.id == vacancy_id))


def set_skills(
    vacancy: Vacancy, essential: Sequence[EscoSkill], optional: Sequence[EscoSkill]
) -> None:
    """Replace the vacancy's skills; a skill listed as both counts as essential.

    Links that stay are updated in place: the flush inserts before it deletes, so
    a removed-and-re-added link would collide with itself on the unique key.
    """
    wanted: dict[int, tuple[EscoSkill, bool]] = {s.id: (s, False) for s in optional}
    wanted.update({s.id: (s, True) for s in essential})
    existing = {link.skill_id: link for link in vacancy.skill_links}
    links = []
    for skill_id, (skill, is_essential) in wanted.items():
        link = existing.get(skill_id) or VacancySkill(skill_id=skill_id, skill=skill)
        link.essential = is_essential
        links.append(link)
    vacancy.skill_links = links


def publish(session: AsyncSession, vacancy: Vacancy) -> None:
    """Open the vacancy; indexing, shortlisting and notifications follow as jobs."""
    # Raises employers.NotApproved while the coordinator has not verified the organisation.
    employers.require_approved(vacancy.employer)
    if vacancy.status not in (VacancyStatus.DRAFT, VacancyStatus.CLOSED):
        raise VacancyStateError(f"a vacancy that is {vacancy.status.value} cannot be published")
    if not any(link.essential for link in vacancy.skill_links):
        raise VacancyStateError("a vacancy needs at least one essential skill to be published")
    vacancy.status = VacancyStatus.OPEN
    vacancy.published_at = datetime.now(UTC)
    outbox.record(session, queue.VACANCY_PUBLISHED, vacancy_id=str(vacancy.id))


def close(session: AsyncSession, vacancy: Vacancy, filled: bool) -> None:
    """Close the vacancy (filled or not); the index follows as a job."""
    if vacancy.status is not VacancyStatus.OPEN:
        raise VacancyStateError(f"a vacancy that is {vacancy.status.value} cannot be closed")
    vacancy.status = VacancyStatus.FILLED if filled else VacancyStatus.CLOSED
    outbox.record(session, queue.VACANCY_CHANGED, vacancy_id=str(vacancy.id))


def changed(session: AsyncSession, vacancy: Vacancy) -> None:
    """An edit of an open vacancy: reindex and refresh its shortlist."""
    if vacancy.status is VacancyStatus.OPEN:
        outbox.record(session, queue.VACANCY_PUBLISHED, vacancy_id=str(vacancy.id))


async def apply_fields(session: AsyncSession, vacancy: Vacancy, fields: Mapping[str, Any]) -> None:
    """Copy the given fields onto ``vacancy``, resolving ESCO URIs and municipality codes.

    Only the keys present change. Raises ``FieldError`` naming the field at fault.
    """
    if "occupation_uri" in fields:
        vacancy.occupation = await vocabulary.occupation(session, fields["occupation_uri"])
        vacancy.occupation_id = vacancy.occupation.id
    if "municipality_code" in fields:
        vacancy.municipality = await vocabulary.municipality(session, fields["municipality_code"])
        vacancy.municipality_id = vacancy.municipality.id
    if "essential_skill_uris" in fields or "optional_skill_uris" in fields:
        current = vacancy.skill_links if vacancy.id is not None else []
        essential_uris = fields.get(
            "essential_skill_uris", [k.skill.uri for k in current if k.essential]
        )
        optional_uris = fields.get(
            "optional_skill_uris", [k.skill.uri for k in current if not k.essential]
        )
        essential = await vocabulary.skills(session, essential_uris, "essential_skill_uris")
        optional = await vocabulary.skills(session, optional_uris, "optional_skill_uris")
        set_skills(vacancy, essential, optional)
    for name in PLAIN_FIELDS:
        if name in fields:
            value = fields[name]
            setattr(vacancy, name, sorted(set(value)) if name == "languages" else value)


async def create(session: AsyncSession, user: User, fields: Mapping[str, Any]) -> Vacancy:
    """A draft vacancy of the employer user's organisation."""
    if user.employer_id is None:
        raise FieldError("employer_id", "this user is not attached to an employer")
    vacancy = Vacancy(employer_id=user.employer_id, status=VacancyStatus.DRAFT, skill_links=[])
    await apply_fields(session, vacancy, fields)
    session.add(vacancy)
    await session.flush()
    await session.refresh(vacancy)
    return vacancy


async def update(session: AsyncSession, vacancy: Vacancy, fields: Mapping[str, Any]) -> None:
    """Change the given fields; an open vacancy is reindexed and reshortlisted."""
    if vacancy.status is VacancyStatus.FILLED:
        raise FieldError("status", "a filled vacancy cannot be edited")
    await apply_fields(session, vacancy, fields)
    if vacancy.status is VacancyStatus.OPEN and not any(k.essential for k in vacancy.skill_links):
        raise FieldError(
            "essential_skill_uris", "an open vacancy needs at least one essential skill"
        )
    changed(session, vacancy)
    await session.flush()
