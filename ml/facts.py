"""The facts ranking works on: plain frozen dataclasses, no database.

`VacancyFacts.from_orm` and `JobseekerFacts.from_orm` read loaded ORM rows
(`kohtaanto.db.models`); everything after that — features, training,
ranking, explanation — is pure Python and NumPy, fast and testable.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import msgspec

from kohtaanto.domain.instruments import JobFacts, PersonFacts

if TYPE_CHECKING:
    from kohtaanto.db.models import Jobseeker, Vacancy

EDUCATION_LEVELS = ("basic", "upper_secondary", "bachelor", "master", "doctorate")


def _enum_value(x: Any) -> str:
    return str(getattr(x, "value", x))


def _area_name(municipality: Any) -> str | None:
    area = getattr(municipality, "area", None)
    return area.name if area is not None else None


@dataclass(frozen=True, slots=True)
class VacancyFacts:
    """A vacancy as the ranker sees it."""

    id: str
    occupation_uri: str
    isco_code: str
    essential_skill_uris: frozenset[str]
    optional_skill_uris: frozenset[str] = frozenset()
    skill_labels: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    lat: float = 61.498
    lon: float = 23.761
    municipality: str = ""
    hours_per_week: float = 37.5
    languages: frozenset[str] = frozenset()
    monthly_pay_eur: float | None = None
    open_to_wage_subsidy: bool = False
    open_to_work_trial: bool = False
    open_to_apprenticeship: bool = False
    area: str | None = None
    # Not in the data model yet (Employer has no kind column): business by default.
    employer_kind: str = "business"

    @classmethod
    def from_orm(cls, vacancy: Vacancy) -> VacancyFacts:
        """From a `Vacancy` with occupation, municipality(.area), skill_links[*].skill loaded."""
        essential: set[str] = set()
        optional: set[str] = set()
        labels: dict[str, str] = {}
        for link in vacancy.skill_links:
            (essential if link.essential else optional).add(link.skill.uri)
            labels[link.skill.uri] = link.skill.label
        employer = vacancy.__dict__.get("employer")  # avoid a lazy load in async code
        return cls(
            id=str(vacancy.id),
            occupation_uri=vacancy.occupation.uri,
            isco_code=vacancy.occupation.isco_code,
            essential_skill_uris=frozenset(essential),
            optional_skill_uris=frozenset(optional - essential),
            skill_labels=labels,
            lat=vacancy.municipality.lat,
            lon=vacancy.municipality.lon,
            municipality=vacancy.municipality.name,
            hours_per_week=vacancy.hours_per_week,
            languages=frozenset(vacancy.languages or ()),
            monthly_pay_eur=vacancy.monthly_pay_eur,
            open_to_wage_subsidy=vacancy.open_to_wage_subsidy,
            open_to_work_trial=vacancy.open_to_work_trial,
            open_to_apprenticeship=vacancy.open_to_apprenticeship,
            area=_area_name(vacancy.municipality),
            employer_kind=str(getattr(employer, "kind", None) or "business"),
        )

    def job_facts(self) -> JobFacts:
        """The instrument rules' view of this vacancy."""
        known = ("association", "household")
        kind = self.employer_kind if self.employer_kind in known else "business"
        return JobFacts(
            open_to_wage_subsidy=self.open_to_wage_subsidy,
            open_to_work_trial=self.open_to_work_trial,
            open_to_apprenticeship=self.open_to_apprenticeship,
            monthly_pay_eur=self.monthly_pay_eur,
            hours_per_week=self.hours_per_week,
            employer_kind=kind,  # type: ignore[arg-type]
        )


@dataclass(frozen=True, slots=True)
class JobseekerFacts:
    """A jobseeker as the ranker sees it.

    Birth year is here only for the instrument rules (policy); it is never a
    model feature.
    """

    id: str
    skill_uris: frozenset[str]
    occupation_uris: frozenset[str] = frozenset()
    isco_codes: frozenset[str] = frozenset()
    lat: float = 61.498
    lon: float = 23.761
    municipality: str = ""
    max_travel_km: float = 30
    languages: frozenset[str] = frozenset()
    education: str = "upper_secondary"
    min_hours_per_week: float = 0
    max_hours_per_week: float = 40
    birth_year: int = 1985
    unemployed_since: date | None = None
    reduced_work_ability: bool = False
    integration_plan: bool = False
    area: str | None = None

    @classmethod
    def from_orm(cls, jobseeker: Jobseeker) -> JobseekerFacts:
        """From a `Jobseeker` with skills, occupations, municipality(.area) loaded."""
        return cls(
            id=str(jobseeker.id),
            skill_uris=frozenset(s.uri for s in jobseeker.skills),
            occupation_uris=frozenset(o.uri for o in jobseeker.occupations),
            isco_codes=frozenset(o.isco_code for o in jobseeker.occupations if o.isco_code),
            lat=jobseeker.municipality.lat,
            lon=jobseeker.municipality.lon,
            municipality=jobseeker.municipality.name,
            max_travel_km=jobseeker.max_travel_km,
            languages=frozenset(jobseeker.languages or ()),
            education=_enum_value(jobseeker.education),
            min_hours_per_week=jobseeker.min_hours_per_week,
            max_hours_per_week=jobseeker.max_hours_per_week,
            birth_year=jobseeker.birth_year,
            unemployed_since=jobseeker.unemployed_since,
            reduced_work_ability=jobseeker.reduced_work_ability,
            integration_plan=jobseeker.integration_plan,
            area=_area_name(jobseeker.municipality),
        )

    @property
    def is_empty(self) -> bool:
        """No skills and no occupations: nothing to match on, so no score at all."""
        return not self.skill_uris and not self.occupation_uris

    def person_facts(self) -> PersonFacts:
        """The instrument rules' view of this jobseeker."""
        edu = self.education if self.education in EDUCATION_LEVELS else "upper_secondary"
        return PersonFacts(
            birth_year=self.birth_year,
            unemployed_since=self.unemployed_since,
            education=edu,  # type: ignore[arg-type]
            reduced_work_ability=self.reduced_work_ability,
            integration_plan=self.integration_plan,
            area=self.area,
        )


def _canonical(value: Any) -> Any:
    # Sets and dicts in a fixed order: a frozenset of strings iterates in an order that
    # changes from process to process (string hashes are salted).
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, dict):
        return sorted(value.items())
    return value


def digest(facts: VacancyFacts | JobseekerFacts) -> bytes:
    """A digest of every one of ``facts``, the same in every process: what a stored
    ranking remembers it was made from (``RankingModel.fingerprint``)."""
    values = [_canonical(getattr(facts, name)) for name in facts.__slots__]
    return hashlib.blake2b(msgspec.json.encode(values), digest_size=16).digest()
