"""Vacancies: who may see them, writing them, and what publishing one sets in motion.

The use cases both doors call (``api/vacancies.py``, ``web/employer.py``): each takes
the session, the user and plain values, and refuses with a ``DomainError`` whose code
and field are the same whichever door asked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from advanced_alchemy.filters import LimitOffset
from advanced_alchemy.service import OffsetPagination
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
from kohtaanto.db.paging import paginate
from kohtaanto.domain import employers, outbox, vocabulary
from kohtaanto.domain.errors import DomainError, Forbidden, NotFound
from kohtaanto.domain.schemas import EscoUri, EscoUris, Languages, MunicipalityCode
from kohtaanto.i18n import N_

Title = Annotated[str, msgspec.Meta(min_length=3, max_length=255)]
# Quarter hours, so 37.5 (the Finnish full-time week) and 38.25 fit and the stored
# Numeric(4, 2) holds the value exactly.
Hours = Annotated[
    float,
    msgspec.Meta(
        ge=1, le=60, multiple_of=0.25, description="Hours per week, in quarter hours (37.5)"
    ),
]
Pay = Annotated[int, msgspec.Meta(ge=0, le=100_000, description="Gross monthly pay, euros")]
Description = Annotated[str, msgspec.Meta(max_length=20_000)]


class VacancyCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A vacancy as the employer writes it (the API's body, the page's form)."""

    title: Title
    occupation_uri: EscoUri
    municipality_code: MunicipalityCode
    hours_per_week: Hours
    essential_skill_uris: EscoUris = []
    optional_skill_uris: EscoUris = []
    description: Description = ""
    start_date: date | None = None
    monthly_pay_eur: Pay | None = None
    languages: Languages = msgspec.field(default_factory=lambda: ["fi"])
    open_to_wage_subsidy: bool = False
    open_to_work_trial: bool = False
    open_to_apprenticeship: bool = False


class VacancyUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent are changed."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    occupation_uri: EscoUri | msgspec.UnsetType = msgspec.UNSET
    municipality_code: MunicipalityCode | msgspec.UnsetType = msgspec.UNSET
    hours_per_week: Hours | msgspec.UnsetType = msgspec.UNSET
    essential_skill_uris: EscoUris | msgspec.UnsetType = msgspec.UNSET
    optional_skill_uris: EscoUris | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    start_date: date | msgspec.UnsetType | None = msgspec.UNSET
    monthly_pay_eur: Pay | msgspec.UnsetType | None = msgspec.UNSET
    languages: Languages | msgspec.UnsetType = msgspec.UNSET
    open_to_wage_subsidy: bool | msgspec.UnsetType = msgspec.UNSET
    open_to_work_trial: bool | msgspec.UnsetType = msgspec.UNSET
    open_to_apprenticeship: bool | msgspec.UnsetType = msgspec.UNSET


def _sent(data: VacancyCreate | VacancyUpdate | Mapping[str, Any]) -> Mapping[str, Any]:
    """The fields the client sent (an update leaves the others UNSET)."""
    if isinstance(data, Mapping):
        return data
    fields = msgspec.structs.asdict(data)
    return {k: v for k, v in fields.items() if not isinstance(v, msgspec.UnsetType)}


def _status_refused(vacancy: Vacancy, action: str) -> DomainError:
    return DomainError(
        "vacancy_status",
        N_("This cannot be done in the vacancy's current status."),
        field="status",
        status=vacancy.status.value,
        action=action,
    )


def _needs_skill() -> DomainError:
    return DomainError(
        "essential_skill_required",
        N_("A vacancy needs at least one essential skill to be published."),
        field="essential_skill_uris",
    )


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


def _no_such_vacancy() -> NotFound:
    # The same answer for a foreign id as for a missing one.
    return NotFound("vacancy_not_found", N_("No such vacancy."), field="vacancy_id")


async def visible(session: AsyncSession, user: User, vacancy_id: UUID) -> Vacancy:
    """The vacancy if ``user`` may read it; ``NotFound`` otherwise (a foreign id is
    answered like a missing one)."""
    vacancy = await get_visible(session, user, vacancy_id)
    if vacancy is None:
        raise _no_such_vacancy()
    return vacancy


async def ensure_visible(session: AsyncSession, user: User, vacancy_id: UUID) -> None:
    """``NotFound`` unless ``user`` may read the vacancy, as ``visible``, without loading
    it: its employer, occupation and place joined and its skills in a second query are
    work a caller needing only the permission (a shortlist's reads and moves) throws away."""
    found = await session.scalar(
        visible_to(user).with_only_columns(Vacancy.id).where(Vacancy.id == vacancy_id)
    )
    if found is None:
        raise _no_such_vacancy()


async def own(session: AsyncSession, user: User, vacancy_id: UUID) -> Vacancy:
    """The employer's own vacancy, to change: only its employer writes a vacancy."""
    vacancy = await visible(session, user, vacancy_id)
    if user.role is not Role.EMPLOYER:
        raise Forbidden()
    return vacancy


async def list_visible(
    session: AsyncSession,
    user: User,
    page: LimitOffset,
    status: VacancyStatus | None = None,
) -> OffsetPagination[Vacancy]:
    """One page of the vacancies ``user`` may read, newest first."""
    query = visible_to(user)
    if status is not None:
        query = query.where(Vacancy.status == status)
    return await paginate(session, query, page, [Vacancy.created_at.desc(), Vacancy.id])


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


def open_vacancy(session: AsyncSession, vacancy: Vacancy) -> None:
    """Open the vacancy; indexing, shortlisting and notifications follow as jobs."""
    # NotApproved (403) while the coordinator has not verified the organisation.
    employers.require_approved(vacancy.employer)
    if vacancy.status not in (VacancyStatus.DRAFT, VacancyStatus.CLOSED):
        raise _status_refused(vacancy, "published")
    if not any(link.essential for link in vacancy.skill_links):
        raise _needs_skill()
    vacancy.status = VacancyStatus.OPEN
    vacancy.published_at = datetime.now(UTC)
    outbox.record(session, queue.VACANCY_PUBLISHED, vacancy_id=str(vacancy.id))


async def publish(session: AsyncSession, user: User, vacancy_id: UUID) -> Vacancy:
    """The employer opens their vacancy (see ``open_vacancy``)."""
    vacancy = await own(session, user, vacancy_id)
    open_vacancy(session, vacancy)
    await session.flush()
    return vacancy


async def close(session: AsyncSession, user: User, vacancy_id: UUID, filled: bool) -> Vacancy:
    """Close the employer's open vacancy (filled or not); the index follows as a job."""
    vacancy = await own(session, user, vacancy_id)
    if vacancy.status is not VacancyStatus.OPEN:
        raise _status_refused(vacancy, "closed")
    vacancy.status = VacancyStatus.FILLED if filled else VacancyStatus.CLOSED
    outbox.record(session, queue.VACANCY_CHANGED, vacancy_id=str(vacancy.id))
    await session.flush()
    return vacancy


def changed(session: AsyncSession, vacancy: Vacancy) -> None:
    """An edit of an open vacancy: reindex and refresh its shortlist."""
    if vacancy.status is VacancyStatus.OPEN:
        outbox.record(session, queue.VACANCY_PUBLISHED, vacancy_id=str(vacancy.id))


async def apply_fields(session: AsyncSession, vacancy: Vacancy, fields: Mapping[str, Any]) -> None:
    """Copy the given fields onto ``vacancy``, resolving ESCO URIs and municipality codes.

    Only the keys present change. Raises ``DomainError`` naming the field at fault.
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


async def create(
    session: AsyncSession, user: User, data: VacancyCreate | Mapping[str, Any]
) -> Vacancy:
    """A draft vacancy of the employer user's organisation."""
    if user.employer_id is None:
        raise DomainError(
            "no_employer", N_("This account is not attached to an employer."), field="employer_id"
        )
    vacancy = Vacancy(employer_id=user.employer_id, status=VacancyStatus.DRAFT, skill_links=[])
    await apply_fields(session, vacancy, _sent(data))
    session.add(vacancy)
    await session.flush()
    await session.refresh(vacancy)
    return vacancy


async def update(
    session: AsyncSession,
    user: User,
    vacancy_id: UUID,
    data: VacancyCreate | VacancyUpdate | Mapping[str, Any],
) -> Vacancy:
    """Change the fields sent; an open vacancy is reindexed and reshortlisted."""
    vacancy = await own(session, user, vacancy_id)
    if vacancy.status is VacancyStatus.FILLED:
        raise _status_refused(vacancy, "edited")
    await apply_fields(session, vacancy, _sent(data))
    if vacancy.status is VacancyStatus.OPEN and not any(k.essential for k in vacancy.skill_links):
        raise DomainError(
            "essential_skill_required",
            N_("An open vacancy needs at least one essential skill."),
            field="essential_skill_uris",
        )
    changed(session, vacancy)
    await session.flush()
    return vacancy
