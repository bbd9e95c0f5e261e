"""Index documents from ORM rows (the rows are loaded by ``kohtaanto.db.loaders``).

A document carries only what retrieval filters or searches on, plus ids. Protected
attributes (birth year, mother tongue as such, gender) are never indexed; profile
details stay in the database behind the access rules.
"""

from __future__ import annotations

from typing import Any

from kohtaanto.db.loaders import iter_jobseekers, iter_vacancies, load_jobseekers, load_vacancies
from kohtaanto.db.models import Jobseeker, Municipality, Vacancy

# The loaders live with the database (``kohtaanto.db.loaders``): ``ml`` reads the same rows.
__all__ = [
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
