"""Synthetic populations and synthetic hiring outcomes, until real outcomes exist.

There are no recorded hires yet, so the first models learn from a simulation.
Assumptions (also in `ml/README.md`):

- **Populations** (`synthetic_population`): vacancies and jobseekers in
  Pirkanmaa municipalities (town centres from `shared/domain`), about half in
  Tampere. A vacancy takes most of its occupation's essential skills and some
  optional ones. A jobseeker has one or two occupations, a random share of
  their skills and a few unrelated skills; 3 % have an empty profile. Ages,
  unemployment spells, education and the instrument flags follow rough,
  invented shares — not statistics.
- **Pairs** (`sample_pairs`): 70 % plausible pairs (the jobseeker shares the
  vacancy's ISCO sub-major group or at least one skill), 30 % random
  negatives. Empty profiles are never paired (they are never scored).
- **Search score**: Meilisearch is not run; its score is simulated as
  0.5 * essential coverage + 0.2 * occupation match + 0.3 * uniform noise.
- **Outcome** ("interviewed or hired"): a hidden logistic model over the
  features, `GROUND_TRUTH`, plus Gaussian noise (sd `NOISE_SD`) on the logit.
  Skills matter most, then occupation, travel and language; a subsidy the
  employer is open to helps a little. How long someone has been unemployed
  is not a feature (see ml/README.md), so the simulated truth has no such
  effect. The intercept gives a positive rate around 15 to 25 %.

A model trained on this learns the simulation, nothing more. Its metrics say
the pipeline works, not that the model is right.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

import numpy as np

from kohtaanto.domain.instruments import TAMPERE_AREA
from ml.facts import EDUCATION_LEVELS, JobseekerFacts, VacancyFacts
from ml.features import FEATURES, featurise


class OccupationSpec(NamedTuple):
    """An occupation with its ESCO essential and optional skills."""

    occupation_uri: str
    isco_code: str
    essential: Sequence[str]
    optional: Sequence[str]


# (name, lat, lon, in the Tampere region employment area, weight)
PLACES: tuple[tuple[str, float, float, bool, float], ...] = (
    ("Tampere", 61.498, 23.761, True, 50),
    ("Nokia", 61.478, 23.508, True, 6),
    ("Ylöjärvi", 61.556, 23.596, True, 6),
    ("Kangasala", 61.464, 24.065, True, 6),
    ("Lempäälä", 61.314, 23.753, True, 5),
    ("Pirkkala", 61.465, 23.645, True, 4),
    ("Valkeakoski", 61.264, 24.031, True, 4),
    ("Sastamala", 61.339, 22.910, False, 5),
    ("Ikaalinen", 61.769, 23.068, False, 3),
    ("Mänttä-Vilppula", 62.029, 24.621, False, 3),
    ("Parkano", 62.010, 23.025, False, 2),
    ("Virrat", 62.240, 23.770, True, 2),
)

GROUND_TRUTH: dict[str, float] = {
    "essential_coverage": 3.0,
    "optional_coverage": 0.8,
    "occupation_match": 1.0,
    "isco4_match": 0.6,
    "isco2_match": 0.4,
    "distance_ratio": -0.6,
    "within_travel_limit": 0.8,
    "language_fit": 1.2,
    "education_rank": 0.3,
    "hours_fit": 0.8,
    "search_score": 0.5,
    "wage_subsidy_match": 0.4,
    "work_trial_match": 0.3,
    "apprenticeship_match": 0.3,
    "saving_share": 0.8,
}
INTERCEPT = -6.5
NOISE_SD = 0.5
PLAUSIBLE_SHARE = 0.7


def toy_occupations(n: int = 30, seed: int = 0) -> list[OccupationSpec]:
    """Invented occupations with overlapping invented skills, for tests and benchmarks."""
    rng = np.random.default_rng(seed)
    pool = [f"urn:test:skill:{i}" for i in range(n * 6)]
    out = []
    for i in range(n):
        major = 1 + i % 9
        isco = f"{major}{rng.integers(1, 4)}{rng.integers(1, 10)}{rng.integers(1, 10)}"
        own = [pool[k] for k in rng.choice(len(pool), size=12, replace=False)]
        out.append(OccupationSpec(f"urn:test:occupation:{i}", isco, own[:6], own[6:]))
    return out


@dataclass(frozen=True, slots=True)
class Population:
    vacancies: list[VacancyFacts]
    jobseekers: list[JobseekerFacts]


def _label(uri: str) -> str:
    return uri.rsplit("/", 1)[-1].rsplit(":", 1)[-1].replace("-", " ")


def synthetic_population(
    occupations: Sequence[OccupationSpec],
    n_vacancies: int,
    n_jobseekers: int,
    *,
    seed: int = 42,
    today: date | None = None,
) -> Population:
    """Seeded synthetic vacancies and jobseekers over the given occupations."""
    today = today or date.today()
    rng = np.random.default_rng(seed)
    weights = np.array([p[4] for p in PLACES]) / sum(p[4] for p in PLACES)
    all_skills = sorted({s for o in occupations for s in (*o.essential, *o.optional)})

    def place() -> tuple[str, float, float, str | None]:
        name, lat, lon, tre, _ = PLACES[rng.choice(len(PLACES), p=weights)]
        return name, lat, lon, TAMPERE_AREA if tre else None

    def subset(items: Sequence[str], lo: float, hi: float) -> frozenset[str]:
        if not items:
            return frozenset()
        k = round(len(items) * rng.uniform(lo, hi))
        picked = rng.choice(len(items), size=min(k, len(items)), replace=False)
        return frozenset(items[int(p)] for p in picked)

    vacancies = []
    for i in range(n_vacancies):
        occ = occupations[int(rng.integers(len(occupations)))]
        essential = subset(occ.essential, 0.6, 1.0) or frozenset(occ.essential[:1])
        optional = subset(occ.optional, 0.2, 0.7) - essential
        name, lat, lon, area = place()
        langs = {"fi"} | ({"en"} if rng.random() < 0.25 else set())
        langs |= {"sv"} if rng.random() < 0.05 else set()
        vacancies.append(
            VacancyFacts(
                id=f"v{i}",
                occupation_uri=occ.occupation_uri,
                isco_code=occ.isco_code,
                essential_skill_uris=essential,
                optional_skill_uris=optional,
                skill_labels={u: _label(u) for u in essential | optional},
                lat=lat,
                lon=lon,
                municipality=name,
                hours_per_week=float(rng.choice([20, 30, 37.5, 37.5, 37.5, 40])),
                languages=frozenset(langs),
                monthly_pay_eur=None if rng.random() < 0.2 else float(rng.integers(20, 45) * 100),
                open_to_wage_subsidy=bool(rng.random() < 0.4),
                open_to_work_trial=bool(rng.random() < 0.3),
                open_to_apprenticeship=bool(rng.random() < 0.2),
                area=area,
            )
        )

    jobseekers = []
    edu_p = [0.15, 0.45, 0.25, 0.13, 0.02]
    for i in range(n_jobseekers):
        name, lat, lon, area = place()
        occs = [occupations[k] for k in rng.choice(len(occupations), size=rng.integers(1, 3))]
        if rng.random() < 0.03:
            skills: frozenset[str] = frozenset()
            occs = []
        else:
            skills = frozenset().union(
                *(subset([*o.essential, *o.optional], 0.3, 1.0) for o in occs)
            )
            skills |= subset(all_skills, 0.0, min(1.0, 3 / max(len(all_skills), 1)))
        langs = {"fi"} if rng.random() < 0.9 else set()
        langs |= {"en"} if rng.random() < 0.5 else set()
        langs |= {"sv"} if rng.random() < 0.05 else set()
        lo_h = float(rng.choice([0, 0, 20, 30]))
        jobseekers.append(
            JobseekerFacts(
                id=f"j{i}",
                skill_uris=skills,
                occupation_uris=frozenset(o.occupation_uri for o in occs),
                isco_codes=frozenset(o.isco_code for o in occs),
                lat=lat,
                lon=lon,
                municipality=name,
                max_travel_km=float(rng.choice([10, 20, 30, 30, 50, 80])),
                languages=frozenset(langs),
                education=EDUCATION_LEVELS[rng.choice(5, p=edu_p)],
                min_hours_per_week=lo_h,
                max_hours_per_week=float(rng.choice([30, 40, 40])) if lo_h < 30 else 40.0,
                birth_year=int(today.year - rng.integers(17, 66)),
                unemployed_since=None
                if rng.random() < 0.1
                else today - timedelta(days=int(rng.exponential(300))),
                reduced_work_ability=bool(rng.random() < 0.08),
                integration_plan=bool(rng.random() < 0.07),
                area=area,
            )
        )
    return Population(vacancies, jobseekers)


def simulated_search_score(v: VacancyFacts, j: JobseekerFacts, rng: np.random.Generator) -> float:
    """A stand-in for the Meilisearch ranking score (see the module docstring)."""
    cov = len(v.essential_skill_uris & j.skill_uris) / max(len(v.essential_skill_uris), 1)
    return 0.5 * cov + 0.2 * (v.occupation_uri in j.occupation_uris) + 0.3 * rng.random()


def hidden_probability(X: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
    """The simulation's true chance of interview/hire for feature rows (noise if rng)."""
    w = np.array([GROUND_TRUTH.get(f, 0.0) for f in FEATURES])
    z = INTERCEPT + X @ w
    if rng is not None:
        z = z + rng.normal(0.0, NOISE_SD, size=len(z))
    return 1.0 / (1.0 + np.exp(-z))


def sample_pairs(
    vacancies: Sequence[VacancyFacts],
    jobseekers: Sequence[JobseekerFacts],
    n_pairs: int,
    *,
    seed: int = 42,
    today: date | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows and 0/1 outcomes for `n_pairs` sampled (vacancy, jobseeker) pairs."""
    today = today or date.today()
    rng = np.random.default_rng(seed)
    people = [j for j in jobseekers if not j.is_empty]
    if not vacancies or not people:
        raise ValueError("need at least one vacancy and one non-empty jobseeker profile")
    by_isco2: dict[str, list[int]] = defaultdict(list)
    by_skill: dict[str, list[int]] = defaultdict(list)
    for k, j in enumerate(people):
        for c in j.isco_codes:
            by_isco2[c[:2]].append(k)
        for s in j.skill_uris:
            by_skill[s].append(k)

    chosen: dict[int, list[int]] = defaultdict(list)
    for vi in rng.integers(len(vacancies), size=n_pairs):
        v = vacancies[vi]
        pool: list[int] = []
        if rng.random() < PLAUSIBLE_SHARE:
            pool = by_isco2.get(v.isco_code[:2], [])
            if not pool or rng.random() < 0.5:
                skills = sorted(v.essential_skill_uris | v.optional_skill_uris)
                if skills:
                    pool = by_skill.get(skills[rng.integers(len(skills))], []) or pool
        k = pool[rng.integers(len(pool))] if pool else int(rng.integers(len(people)))
        chosen[int(vi)].append(k)

    blocks = []
    for vi, ks in chosen.items():
        v, js = vacancies[vi], [people[k] for k in ks]
        scores = [simulated_search_score(v, j, rng) for j in js]
        blocks.append(featurise(v, js, scores, today)[0])
    X = np.vstack(blocks)
    y = (rng.random(len(X)) < hidden_probability(X, rng)).astype(int)
    return X, y
