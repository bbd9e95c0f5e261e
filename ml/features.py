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
from ml.skills import SkillSpace, default_space

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
    # Skill evidence that carries meaning (ml/skills.py: specificity and similarity
    # from ESCO's occupation-skill relations).
    "specific_coverage",  # essential coverage, each skill weighted by its specificity
    "skill_jaccard",  # shared skills / all skills of the two, as the baseline sees it
    "bm25_overlap",  # BM25-like: specificity of shared skills, long profiles damped; 0..1
    "profile_explained",  # specificity-weighted share of the person's skills the vacancy asks
    "similarity_coverage",  # mean over essential skills of the closest skill the person has
    "similarity_profile",  # mean over the person's skills of the closest vacancy skill
    "isco1_match",  # same ISCO-08 major group
    "isco3_match",  # same ISCO-08 minor group
)
# The skill evidence added in issue 15 (the rest are the model's first features);
# the "linear_base" kind (ml.train) leaves them out.
SKILL_EVIDENCE: tuple[str, ...] = FEATURES[FEATURES.index("specific_coverage") :]
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


# BM25's saturation, with one occurrence per skill: a long profile's overlap counts
# less (it matches many vacancies a little). AVG_PROFILE_SKILLS is about the demo's
# and ESCO occupations' size; the score is divided by its maximum, so 0..1.
BM25_K1 = 1.2
BM25_B = 0.75
AVG_PROFILE_SKILLS = 20.0


class SkillEvidence:
    """The skill features of candidates for one vacancy, computed for all at once."""

    def __init__(self, v: VacancyFacts, space: SkillSpace) -> None:
        self.space = space
        self.wanted = frozenset(v.essential_skill_uris | v.optional_skill_uris)
        wanted = sorted(self.wanted)
        self.essential = {s: k for k, s in enumerate(sorted(v.essential_skill_uris))}
        self.ess_total = sum(space.specificity(s) for s in self.essential)
        self.bm25_max = (
            sum(space.specificity(s) for s in wanted) * (BM25_K1 + 1) / (1 + BM25_K1 * (1 - BM25_B))
        )
        # Similarity of every vacancy skill to every skill the source knows.
        sim, self.column = space.similarity_rows(wanted)
        index = {s: k for k, s in enumerate(wanted)}
        self.ess_sim = sim[[index[s] for s in self.essential]]
        self.best_any = sim.max(axis=0) if wanted else np.zeros(len(self.column))

    def batch(self, profiles: Sequence[frozenset[str]]) -> np.ndarray:
        """(n, 6): specific_coverage, skill_jaccard, bm25_overlap, profile_explained,
        similarity_coverage, similarity_profile."""
        n = len(profiles)
        out = np.zeros((n, 6))
        sizes = np.fromiter((len(p) for p in profiles), int, n)
        flat = [s for p in profiles for s in p]
        owner = np.repeat(np.arange(n), sizes)
        spec_of, col_of, wanted, essential = (
            self.space.specificity_of(),
            self.column.get,
            self.wanted,
            self.essential,
        )
        spec = np.fromiter((spec_of(s) for s in flat), float, len(flat))
        col = np.fromiter((col_of(s, -1) for s in flat), int, len(flat))
        in_wanted = np.fromiter((s in wanted for s in flat), bool, len(flat))
        ess_k = np.fromiter((essential.get(s, -1) for s in flat), int, len(flat))

        def per_person(values: np.ndarray) -> np.ndarray:
            return np.bincount(owner, weights=values, minlength=n)

        shared = per_person(in_wanted.astype(float))
        # specific_coverage
        if essential:
            held_w = per_person(np.where(ess_k >= 0, spec, 0.0))
            out[:, 0] = held_w / self.ess_total if self.ess_total > 0 else 0.0
        else:
            out[:, 0] = 1.0
        # skill_jaccard
        union = len(wanted) + sizes - shared
        out[:, 1] = np.divide(shared, union, out=np.zeros(n), where=union > 0)
        # bm25_overlap
        if self.bm25_max > 0:
            norm = 1 - BM25_B + BM25_B * sizes / AVG_PROFILE_SKILLS
            bm25 = per_person(spec * in_wanted) * (BM25_K1 + 1) / (1 + BM25_K1 * norm)
            out[:, 2] = np.minimum(bm25 / self.bm25_max, 1.0)
        # profile_explained
        total = per_person(spec)
        out[:, 3] = np.divide(per_person(spec * in_wanted), total, out=np.zeros(n), where=total > 0)
        # similarity_coverage: per essential skill, the closest skill the person has
        if essential:
            best = np.zeros((n, len(essential)))
            known = col >= 0
            if known.any():
                g = self.ess_sim[:, col[known]]  # (essential, known entries), grouped by owner
                owners = owner[known]
                starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
                best[owners[starts]] = np.maximum.reduceat(g, starts, axis=1).T
            held = ess_k >= 0
            best[owner[held], ess_k[held]] = 1.0
            out[:, 4] = np.minimum(best, 1.0).mean(axis=1)
        else:
            out[:, 4] = 1.0
        # similarity_profile: per skill of the person, the closest vacancy skill
        closest = np.where(col >= 0, self.best_any[np.maximum(col, 0)], 0.0)
        closest = np.where(in_wanted, 1.0, closest)
        out[:, 5] = np.divide(
            per_person(np.minimum(closest, 1.0)), sizes, out=np.zeros(n), where=sizes > 0
        )
        return out


def _hours_fit(hours: float, lo: float, hi: float) -> float:
    gap = max(lo - hours, hours - hi, 0.0)
    return max(0.0, 1.0 - gap / 20.0)


def featurise(
    v: VacancyFacts,
    js: Sequence[JobseekerFacts],
    scores: Sequence[float],
    today: date,
    space: SkillSpace | None = None,
) -> tuple[np.ndarray, np.ndarray, list[list[InstrumentEstimate]]]:
    """Feature matrix, distances in km and instrument estimates for each candidate.

    The estimates and distances are returned so explanations do not recompute them.
    `space` gives skill specificity and similarity (default: the shipped ESCO).
    """
    n = len(js)
    if n == 0:
        return np.zeros((0, len(FEATURES))), np.zeros(0), []
    dist = distances_km(v, js).tolist()
    estimator = InstrumentEstimator(v.job_facts(), on=today)
    year_costs = estimator.costs * 12
    isco4, isco3, isco2, isco1 = (v.isco_code[:k] for k in (4, 3, 2, 1))
    evidence = SkillEvidence(v, space or default_space()).batch([j.skill_uris for j in js])
    essential, optional, occupation = (
        v.essential_skill_uris,
        v.optional_skill_uris,
        v.occupation_uri,
    )
    languages, hours = v.languages, v.hours_per_week
    estimates: list[list[InstrumentEstimate]] = []
    rows = []
    for j, d, score, skill_row in zip(js, dist, scores, evidence.tolist(), strict=True):
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
                *skill_row,
                bool(isco1) and any(c[:1] == isco1 for c in j.isco_codes),
                bool(isco3) and any(c[:3] == isco3 for c in j.isco_codes),
            )
        )
    X = np.array(rows, dtype=float)
    return X, np.asarray(dist), estimates


def feature_matrix(
    v: VacancyFacts,
    js: Sequence[JobseekerFacts],
    scores: Sequence[float],
    today: date,
    space: SkillSpace | None = None,
) -> np.ndarray:
    """One row of `FEATURES` per candidate."""
    return featurise(v, js, scores, today, space)[0]


def pair_features(
    v: VacancyFacts, j: JobseekerFacts, search_score: float, today: date
) -> np.ndarray:
    """The `FEATURES` row of a single pair."""
    return feature_matrix(v, [j], [search_score], today)[0]
