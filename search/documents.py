"""Index documents from ORM rows (the rows are loaded by ``kohtaanto.db.loaders``).

A document carries only what retrieval filters or searches on, plus ids. Protected
attributes (birth year, mother tongue as such, gender) are never indexed; profile
details stay in the database behind the access rules.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.loaders import iter_jobseekers, iter_vacancies, load_jobseekers, load_vacancies
from kohtaanto.db.models import (
    EscoOccupation,
    EscoSkill,
    Jobseeker,
    JobseekerOccupation,
    JobseekerSkill,
    Municipality,
    Vacancy,
)

# The loaders live with the database (``kohtaanto.db.loaders``): ``ml`` reads the same rows.
__all__ = [
    "iter_jobseeker_documents",
    "iter_jobseekers",
    "iter_vacancies",
    "jobseeker_document",
    "load_jobseekers",
    "load_vacancies",
    "vacancy_document",
]


def _geo(m: Municipality) -> dict[str, float]:
    return {"lat": m.lat, "lng": m.lon}


def _place(m: Municipality) -> dict[str, Any]:
    return {
        "area_id": m.area_id,
        "municipality_code": m.code,
        "sub_region": m.sub_region,
        "_geo": _geo(m),
    }


def vacancy_document(v: Vacancy) -> dict[str, Any]:
    """The vacancy index document.

    Needs ``occupation``, ``municipality`` and ``skill_links[*].skill`` loaded.
    """
    skills = [link.skill for link in v.skill_links]
    return {
        "id": str(v.id),
        "employer_id": str(v.employer_id),
        "status": v.status.value,
        "title": v.title,
        "description": v.description or "",
        "occupation_uri": v.occupation.uri,
        "occupation_label": v.occupation.label,
        "isco_code": v.occupation.isco_code,
        "skill_uris": [s.uri for s in skills],
        "skill_labels": [s.label for s in skills],
        "languages": list(v.languages or []),
        "hours_per_week": v.hours_per_week,
        "monthly_pay_eur": v.monthly_pay_eur,
        "open_to_wage_subsidy": v.open_to_wage_subsidy,
        "open_to_work_trial": v.open_to_work_trial,
        "open_to_apprenticeship": v.open_to_apprenticeship,
        "published_at": int(v.published_at.timestamp()) if v.published_at else None,
        **_place(v.municipality),
    }


def jobseeker_document(j: Jobseeker) -> dict[str, Any]:
    """The jobseeker index document; needs ``skills``, ``occupations``, ``municipality``."""
    return {
        "id": str(j.id),
        "visible_to_employers": j.visible_to_employers,
        "available": j.available,
        "occupation_uris": [o.uri for o in j.occupations],
        "occupation_labels": [o.label for o in j.occupations],
        "isco_codes": sorted({o.isco_code for o in j.occupations}),
        "skill_uris": [s.uri for s in j.skills],
        "skill_labels": [s.label for s in j.skills],
        "languages": list(j.languages or []),
        "education": j.education.value,
        "max_travel_km": j.max_travel_km,
        "min_hours_per_week": j.min_hours_per_week,
        "max_hours_per_week": j.max_hours_per_week,
        **_place(j.municipality),
    }


async def iter_jobseeker_documents(
    session: AsyncSession, batch_size: int = 5000
) -> AsyncIterator[list[dict[str, Any]]]:
    """The same documents as :func:`jobseeker_document` over :func:`iter_jobseekers`,
    ``batch_size`` at a time in id order, read with plain column queries: no ORM row
    per person, skill or occupation (a national reindex reads millions of links).

    The vocabulary and the places are read once; each batch is one query for the
    people and one per link table over the batch's id range.
    """
    skills = {
        id_: (uri, label)
        for id_, uri, label in (
            await session.execute(select(EscoSkill.id, EscoSkill.uri, EscoSkill.label))
        ).tuples()
    }
    occupations = {
        id_: (uri, label, isco)
        for id_, uri, label, isco in (
            await session.execute(
                select(
                    EscoOccupation.id,
                    EscoOccupation.uri,
                    EscoOccupation.label,
                    EscoOccupation.isco_code,
                )
            )
        ).tuples()
    }
    places = {m.id: _place(m) for m in await session.scalars(select(Municipality))}
    people = (
        select(
            Jobseeker.id,
            Jobseeker.visible_to_employers,
            Jobseeker.available,
            Jobseeker.languages,
            Jobseeker.education,
            Jobseeker.max_travel_km,
            Jobseeker.min_hours_per_week,
            Jobseeker.max_hours_per_week,
            Jobseeker.municipality_id,
        )
        # Anonymised profiles (erasure, retention) are never indexed.
        .where(Jobseeker.anonymised_at.is_(None))
        .order_by(Jobseeker.id)
        .limit(batch_size)
    )
    last: UUID | None = None
    while True:
        page = people if last is None else people.where(Jobseeker.id > last)
        rows = (await session.execute(page)).all()
        if not rows:
            return
        first, last = rows[0].id, rows[-1].id
        skill_links: dict[UUID, list[tuple[str, str]]] = {r.id: [] for r in rows}
        occupation_links: dict[UUID, list[tuple[str, str, str]]] = {r.id: [] for r in rows}
        for owner, skill_id in (
            await session.execute(
                select(JobseekerSkill.jobseeker_id, JobseekerSkill.skill_id).where(
                    JobseekerSkill.jobseeker_id.between(first, last)
                )
            )
        ).tuples():
            if owner in skill_links:
                skill_links[owner].append(skills[skill_id])
        for owner, occupation_id in (
            await session.execute(
                select(JobseekerOccupation.jobseeker_id, JobseekerOccupation.occupation_id).where(
                    JobseekerOccupation.jobseeker_id.between(first, last)
                )
            )
        ).tuples():
            if owner in occupation_links:
                occupation_links[owner].append(occupations[occupation_id])
        documents = []
        for row in rows:
            # In the order the relationships declare (by label), as the ORM loads them.
            held = sorted(skill_links[row.id], key=lambda s: s[1])
            wanted = sorted(occupation_links[row.id], key=lambda o: o[1])
            documents.append(
                {
                    "id": str(row.id),
                    "visible_to_employers": row.visible_to_employers,
                    "available": row.available,
                    "occupation_uris": [o[0] for o in wanted],
                    "occupation_labels": [o[1] for o in wanted],
                    "isco_codes": sorted({o[2] for o in wanted}),
                    "skill_uris": [s[0] for s in held],
                    "skill_labels": [s[1] for s in held],
                    "languages": list(row.languages or []),
                    "education": row.education.value,
                    "max_travel_km": row.max_travel_km,
                    "min_hours_per_week": row.min_hours_per_week,
                    "max_hours_per_week": row.max_hours_per_week,
                    **places[row.municipality_id],
                }
            )
        yield documents
        if len(rows) < batch_size:
            return
