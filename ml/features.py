"""Features of a (vacancy, jobseeker) pair for the ranking model.

Protected attributes — age, birth year, gender, mother tongue, nationality —
are never features. Age-dependent eligibility reaches the model only through
the instrument rules (`kohtaanto.domain.instruments`), which are policy.

Every feature is bounded (see `FEATURE_RANGES`) so a stray value cannot
dominate a linear model.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from kohtaanto.domain.instruments import (
    InstrumentEstimate,
    InstrumentEstimator,
    best_saving,
)
from ml.facts import EDUCATION_LEVELS, JobseekerFacts, VacancyFacts

FEATURES: tuple[str, ...] = (
    "essential_coverage",  # share of the vacancy's essential skills the person has
    "optional_coverage",  # share of its optional skills
    "occupation_match",  # the vacancy's ESCO occupation is in the profile
    "isco4_match",  # same ISCO-08 unit group
    "isco2_match",  # same ISCO-08 sub-major group
    "distance_ratio",  # distance / travel limit, capped at MAX_DISTANCE_RATIO
    "within_travel_limit",
    "language_fit",  # share of required languages spoken
    "education_rank",  # 0 basic … 1 doctorate
    "hours_fit",  # 1 inside the person's hour range, falling to 0 twenty hours away
    "search_score",  # Meilisearch ranking score, 0..1
    "wage_subsidy_match",  # vacancy open to subsidy and person likely eligible
    "work_trial_match",
    "apprenticeship_match",
    "saving_share",  # best estimated saving / a year's pay costs, 0..1
)
# Not a feature, on purpose: how long someone has been unemployed. It predicts
# hiring, so a model would learn to rank the long-term unemployed down — the
# opposite of what the service is for. It enters only through the support
# instruments, where long unemployment opens subsidies (an advantage).

MAX_DISTANCE_RATIO = 3.0
FEATURE_RANGES: dict[str, tuple[float, float]] = {name: (0.0, 1.0) for name in FEATURES} | {
    "distance_ratio": (0.0, MAX_DISTANCE_RATIO),
}

FORBIDDEN = frozenset(
    {"age", "birth_year", "gender", "sex", "mother_tongue", "native_language", "nationality"}
)

_SUBSIDY_KINDS = frozenset({"wage_subsidy", "employment_subsidy_55", "local_support"})
_EDU_RANK = {level: i / (len(EDUCATION_LEVELS) - 1) for i, level in enumerate(EDUCATION_LEVELS)}
_EARTH_KM = 6371.0088


def distances_km(v: VacancyFacts, js: Sequence[JobseekerFacts]) -> np.ndarray:
    """Great-circle distances from the vacancy to each jobseeker (vectorised haversine)."""
    lat = np.radians(np.fromiter((j.lat for j in js), float, len(js)))
    lon = np.radians(np.fromiter((j.lon for j in js), float, len(js)))
    vlat, vlon = np.radians(v.lat), np.radians(v.lon)
    a = np.sin((lat - vlat) / 2) ** 2 + np.cos(vlat) * np.cos(lat) * np.sin((lon - vlon) / 2) ** 2
    return 2 * _EARTH_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def _coverage(required: frozenset[str], have: frozenset[str], empty: float) -> float:
    return len(required & have) / len(required) if required else empty


def _hours_fit(hours: float, lo: float, hi: float) -> float:
    gap = max(lo - hours, hours - hi, 0.0)
    return max(0.0, 1.0 - gap / 20.0)


def featurise(
    v: VacancyFacts,
    js: Sequence[JobseekerFacts],
    scores: Sequence[float],
    today: date,
) -> tuple[np.ndarray, np.ndarray, list[list[InstrumentEstimate]]]:
    """Feature matrix, distances in km and instrument estimates for each candidate.

    The estimates and distances are returned so explanations do not recompute them.
    """
    n = len(js)
    if n == 0:
        return np.zeros((0, len(FEATURES))), np.zeros(0), []
    dist = distances_km(v, js).tolist()
    estimator = InstrumentEstimator(v.job_facts(), on=today)
    year_costs = estimator.costs * 12
    isco4, isco2 = v.isco_code[:4], v.isco_code[:2]
    essential, optional, occupation = (
        v.essential_skill_uris,
        v.optional_skill_uris,
        v.occupation_uri,
    )
    languages, hours = v.languages, v.hours_per_week
    estimates: list[list[InstrumentEstimate]] = []
    rows = []
    for j, d, score in zip(js, dist, scores, strict=True):
        est = estimator.estimate(j.person_facts())
        estimates.append(est)
        kinds = {e.kind for e in est}
        limit = max(float(j.max_travel_km), 1.0)
        skills = j.skill_uris
        rows.append(
            (
                _coverage(essential, skills, 1.0),
                _coverage(optional, skills, 0.0),
                occupation in j.occupation_uris,
                any(c[:4] == isco4 for c in j.isco_codes),
                any(c[:2] == isco2 for c in j.isco_codes),
                min(d / limit, MAX_DISTANCE_RATIO),
                d <= limit,
                _coverage(languages, j.languages, 1.0),
                _EDU_RANK.get(j.education, _EDU_RANK["upper_secondary"]),
                _hours_fit(hours, j.min_hours_per_week, j.max_hours_per_week),
                min(max(float(score), 0.0), 1.0),
                bool(kinds & _SUBSIDY_KINDS),
                "work_trial" in kinds,
                "apprenticeship" in kinds,
                min(best_saving(est) / year_costs, 1.0) if year_costs > 0 else 0.0,
            )
        )
    X = np.array(rows, dtype=float)
    return X, np.asarray(dist), estimates


def feature_matrix(
    v: VacancyFacts, js: Sequence[JobseekerFacts], scores: Sequence[float], today: date
) -> np.ndarray:
    """One row of `FEATURES` per candidate."""
    return featurise(v, js, scores, today)[0]


def pair_features(
    v: VacancyFacts, j: JobseekerFacts, search_score: float, today: date
) -> np.ndarray:
    """The `FEATURES` row of a single pair."""
    return feature_matrix(v, [j], [search_score], today)[0]
