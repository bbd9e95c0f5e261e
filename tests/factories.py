"""Test data made through the API, as the people who use it would make it."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy import select

from kohtaanto.db import session_scope
from kohtaanto.db.models import EscoOccupation, EscoSkill, OccupationSkill


async def occupation_with_skills(label: str) -> tuple[str, list[str], list[str]]:
    """An ESCO occupation's URI with its essential and optional skill URIs."""
    async with session_scope() as session:
        occupation = await session.scalar(
            select(EscoOccupation).where(EscoOccupation.label == label)
        )
        assert occupation is not None, label
        rows = (
            await session.execute(
                select(EscoSkill.uri, OccupationSkill.essential)
                .join(OccupationSkill, OccupationSkill.skill_id == EscoSkill.id)
                .where(OccupationSkill.occupation_id == occupation.id)
                .order_by(EscoSkill.uri)
            )
        ).all()
    essential = [uri for uri, is_essential in rows if is_essential]
    optional = [uri for uri, is_essential in rows if not is_essential]
    return occupation.uri, essential, optional


def profile(occupation: str, skills: list[str], **overrides: Any) -> dict[str, Any]:
    """A jobseeker profile in Tampere, visible to employers, unemployed over a year."""
    body: dict[str, Any] = {
        "municipality_code": "837",
        "birth_year": 1990,
        "education": "upper_secondary",
        "skill_uris": skills,
        "occupation_uris": [occupation],
        "max_travel_km": 40,
        "languages": ["fi", "en"],
        "unemployed_since": "2025-09-01",
        "visible_to_employers": True,
    }
    body.update(overrides)
    return body


def vacancy(
    occupation: str, essential: list[str], optional: list[str], **overrides: Any
) -> dict[str, Any]:
    """A shop vacancy in Tampere open to wage subsidy and work trial."""
    body: dict[str, Any] = {
        "title": "Myyjä, päivittäistavarakauppa",
        "description": "Asiakaspalvelua ja hyllytystä Hervannassa.",
        "occupation_uri": occupation,
        "municipality_code": "837",
        "hours_per_week": 30,
        "monthly_pay_eur": 2300,
        "languages": ["fi"],
        "essential_skill_uris": essential,
        "optional_skill_uris": optional,
        "open_to_wage_subsidy": True,
        "open_to_work_trial": True,
    }
    body.update(overrides)
    return body


async def register_employer(
    client: Any,
    business_id: str,
    email: str,
    password: str = "kauppa-salasana",
    *,
    approve: bool = True,
) -> dict[str, Any]:
    """Register a shop in Tampere through the API; returns the employer as the API shows it.

    The registration waits for the coordinator's approval; ``approve`` (the default) gives
    it at once, as the area's coordinator would, so the shop can publish.
    """
    from kohtaanto.api.employers import employer_out
    from kohtaanto.db.models import Employer, EmployerStatus

    response = await client.post(
        "/api/employers/register",
        json={
            "business_id": business_id,
            "name": f"Kauppa {business_id}",
            "municipality_code": "837",
            "contact_name": "Henkilöstö",
            "email": email,
            "password": password,
        },
    )
    assert response.status_code == 202, response.text
    async with session_scope() as session:
        employer = await session.scalar(
            select(Employer).where(Employer.business_id == business_id.replace(" ", ""))
        )
        assert employer is not None, response.text
        assert employer.status is EmployerStatus.PENDING
        if approve:
            employer.status = EmployerStatus.APPROVED
        shown: dict[str, Any] = msgspec.to_builtins(employer_out(employer))
    return shown
