"""What an employer sees of the candidates shared with them, and nothing more.

The list is explicit (SECURITY.md and ``domain.disclosure`` document it): the profile
fields the person agreed to share, the match summary, a rough wage-subsidy amount,
contact details. Never instrument codes or reasons (health), staff notes, or the
model's factors. Each view is logged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    EducationLevel,
    EntryStatus,
    Jobseeker,
    Shortlist,
    ShortlistEntry,
    User,
    Vacancy,
)
from kohtaanto.domain import disclosure, employers, vacancies
from kohtaanto.domain.instruments import ESTIMATE_NOTE
from kohtaanto.domain.schemas import Concept, Place
from kohtaanto.domain.shortlists.board import place_of
from kohtaanto.domain.shortlists.workflow import (
    VISIBLE_TO_EMPLOYER,
    log_views,
    shared_with_employer,
)


class EmployerMatch(msgspec.Struct):
    """How a shared candidate matches the vacancy, as far as an employer may know."""

    matched_essential: list[Concept]
    missing_essential: list[Concept]
    essential_coverage: float
    distance_km: float | None
    within_travel_limit: bool | None
    languages_missing: list[str]


class EmployerSupport(msgspec.Struct):
    """ "Wage subsidy possible, about N €/month": no instrument, rule, rate or reason."""

    wage_subsidy_possible: bool
    about_eur_per_month: int
    text: str
    note: str


class EmployerCandidateView(msgspec.Struct):
    """Everything an employer sees of a shared candidate, and nothing more.

    The list is explicit (SECURITY.md documents it): the profile fields the person
    agreed to share, the match summary, a rough wage-subsidy amount, contact details.
    Never instrument codes or reasons (health), staff notes, or the model's factors.
    """

    entry_id: UUID
    status: EntryStatus
    shared_until: datetime | None
    skills: list[Concept] | None
    occupations: list[Concept] | None
    languages: list[str] | None
    education: EducationLevel | None
    municipality: Place | None
    match: EmployerMatch | None
    support: EmployerSupport | None
    name: str | None
    email: str | None
    phone: str | None


def _concepts(items: Any) -> list[Concept]:
    return [Concept(uri=str(c["uri"]), label=str(c["label"])) for c in items or ()]


def employer_match(explanation: dict[str, Any]) -> EmployerMatch | None:
    """The match summary of an explanation; None for an entry added by hand (no ranking)."""
    if "matched_essential" not in explanation:
        return None
    return EmployerMatch(
        matched_essential=_concepts(explanation.get("matched_essential")),
        missing_essential=_concepts(explanation.get("missing_essential")),
        essential_coverage=float(explanation.get("essential_coverage", 0.0)),
        distance_km=explanation.get("distance_km"),
        within_travel_limit=explanation.get("within_travel_limit"),
        languages_missing=[str(x) for x in explanation.get("languages_missing", ())],
    )


def employer_support(explanation: dict[str, Any]) -> EmployerSupport | None:
    about = disclosure.wage_subsidy_hint(explanation)
    if about is None:
        return None
    return EmployerSupport(
        wage_subsidy_possible=True,
        about_eur_per_month=about,
        text=disclosure.support_text(about),
        note=ESTIMATE_NOTE,
    )


async def shared_candidates(
    session: AsyncSession, user: User, vacancy: Vacancy
) -> list[EmployerCandidateView]:
    """The candidates shared with the employer of ``vacancy``, and only the fields
    shared: the jobseeker consented for this vacancy, and the sharing has not ended.
    Each view is logged. The caller has checked that ``user`` may see the vacancy."""
    now = datetime.now(UTC)
    rows = (
        await session.execute(
            select(ShortlistEntry, Jobseeker, User)
            .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
            .join(Jobseeker, Jobseeker.id == ShortlistEntry.jobseeker_id)
            .outerjoin(User, User.id == Jobseeker.user_id)
            .where(
                Shortlist.vacancy_id == vacancy.id,
                ShortlistEntry.status.in_(VISIBLE_TO_EMPLOYER),
                ShortlistEntry.shared_until > now,
            )
            .order_by(ShortlistEntry.rank)
        )
    ).all()
    out, shown = [], []
    for entry, person, account in rows:
        if not shared_with_employer(entry, now):
            continue
        fields = set(entry.shared_fields)
        shown.append(person.id)
        contact = account is not None
        match = disclosure.MATCH_FIELD in fields
        out.append(
            EmployerCandidateView(
                entry_id=entry.id,
                status=entry.status,
                shared_until=entry.shared_until,
                skills=[Concept(uri=s.uri, label=s.label) for s in person.skills]
                if "skills" in fields
                else None,
                occupations=[Concept(uri=o.uri, label=o.label) for o in person.occupations]
                if "occupations" in fields
                else None,
                languages=list(person.languages) if "languages" in fields else None,
                education=person.education if "education" in fields else None,
                municipality=place_of(person) if "municipality" in fields else None,
                match=employer_match(entry.explanation) if match else None,
                support=employer_support(entry.explanation) if match else None,
                name=account.name if contact and "name" in fields else None,
                email=account.email if contact and "email" in fields else None,
                phone=account.phone if contact and "phone" in fields else None,
            )
        )
    await log_views(session, user, vacancy.employer.name, shown, vacancy_id=vacancy.id)
    return out


async def candidates_for_employer(
    session: AsyncSession, user: User, vacancy_id: UUID
) -> list[EmployerCandidateView]:
    """The employer's own vacancy's shared candidates: ``NotFound`` for a vacancy they
    may not see, ``employers.NotApproved`` (403) until their organisation is verified."""
    vacancy = await vacancies.visible(session, user, vacancy_id)
    employers.require_approved(vacancy.employer)
    return await shared_candidates(session, user, vacancy)
