"""A seeded simulator of past recruitment: a year of vacancies, shortlists and outcomes.

There is no recorded hiring yet, so until there is, this module writes a plausible
history into the database, in the same rows real use produces: filled and closed
vacancies, each with a shortlist whose entries carry the point-in-time `features`,
the `search_score`, a final `status` (hired / not_hired with an `outcome_reason`)
and their `ShortlistEvent` trail. Training (`ml.dataset.load_outcomes`) reads
those rows like any other history.

Assumptions (also in `ml/README.md`, "Synthetic history"):

- **Vacancies.** `n` past vacancies, each shaped like a randomly drawn open demo
  vacancy (employer, occupation, skills, place, hours, pay, languages); the
  instrument flags are drawn again (40 % wage subsidy, 25 % work trial, 20 %
  apprenticeship, as in the demo seed). Published uniformly over the 12 months
  before today, ending `QUIET_DAYS` ago so every outcome is final.
- **People.** Today's population, as it is today: profiles do not change over the
  simulated year, and someone hired in the past is still a jobseeker now. Instrument
  eligibility (it depends on the unemployment spell) is estimated at the
  publication date (point in time).
- **Candidates.** The production retrieval (`search.retrieve.candidates_for_vacancy`,
  same limit and radius) against today's jobseeker index.
- **Shortlists.** Made by hand back then: the top `SHORTLIST_TOP` in search
  order plus `SHORTLIST_RANDOM` drawn at random from the rest of the retrieved.
- **Ground truth** for every retrieved candidate, shortlisted or not: the chance
  of an interview if put forward is a hidden logistic model (`HIDDEN_WEIGHTS`),
  with effects a model cannot see from its features: a threshold synergy (most
  essential skills *and* within the travel limit), each employer's own taste for
  education (sd `EMPLOYER_TASTE_SD`), each person's unobserved presence (sd
  `PERSON_LATENT_SD`), and pair noise (sd `NOISE_SD`). The employer fills the
  vacancy (`P_FILLED`) with the interviewee of highest hidden utility; that person
  declines the offer with `P_DECLINE`, and the next one is hired. Graded
  relevance: 2 the person the employer would hire among all retrieved, 1
  interviewed, 0 otherwise.
- **Recorded history** is what happened to the shortlist: its people get their
  ground-truth interview outcome; the hire is the best shortlisted interviewee.
  Not interviewed → `not_hired` with the reason from the weakest observed fit
  (`skills`, `language`, `location`, `availability`) or `experience` when none is
  weak; interviewed and not chosen → `other_candidate`.
- **No direct discrimination** by the simulated employers: protected attributes
  do not enter the hidden utility. Differences between groups arise only through
  what the groups' profiles differ in (languages, age-dependent instruments,
  unemployment spells).
- **Protected attributes** exist only in the evaluation data
  (`history_dir/ground_truth.csv.gz`), drawn per jobseeker from a seeded hash:
  gender (47 % female), mother tongue (other than Finnish/Swedish: 80 % of those
  who do not list Finnish, 7 % of those who do), and age band from birth year.
  They are never stored in the database and never model features.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.loaders import iter_jobseekers, iter_vacancies
from kohtaanto.db.models import (
    EntryStatus,
    Shortlist,
    ShortlistEntry,
    ShortlistEvent,
    Vacancy,
    VacancySkill,
    VacancyStatus,
)
from kohtaanto.domain.instruments import InstrumentEstimator
from kohtaanto.domain.shortlists import NOT_HIRED_REASONS
from kohtaanto.settings import Settings
from ml.facts import JobseekerFacts, VacancyFacts
from ml.features import FEATURES, featurise

Progress = Callable[[str, int, int], None]
# The production retrieval for one vacancy: hits with ``id`` and ``score`` (passed in by
# the caller, ``search.retrieve.retriever``, so that ``ml`` does not import ``search``).
Retrieve = Callable[[Vacancy], Awaitable[Sequence[Any]]]

HISTORY_MODEL_VERSION = "simulated-history"
HISTORY_DAYS = 365
QUIET_DAYS = 21
SHORTLIST_TOP = 15
SHORTLIST_RANDOM = 10
P_FILLED = 0.85
P_DECLINE = 0.10
RETRIEVAL_CONCURRENCY = 8

# Hidden ground truth: log-odds of an interview if the person is put forward.
HIDDEN_INTERCEPT = -9.5
HIDDEN_WEIGHTS: dict[str, float] = {
    "essential_coverage": 2.6,
    "optional_coverage": 0.7,
    "occupation_match": 0.8,
    "isco4_match": 0.4,
    "isco2_match": 0.3,
    "distance_ratio": -0.9,
    "within_travel_limit": 0.5,
    "language_fit": 2.2,
    "education_rank": 0.3,
    "hours_fit": 1.4,
    "search_score": 0.3,
    "wage_subsidy_match": 0.4,
    "work_trial_match": 0.3,
    "apprenticeship_match": 0.3,
    "saving_share": 1.2,
}
# Not features: the model cannot see these directly.
SYNERGY = 1.2  # essential coverage >= 0.75 and within the travel limit
EMPLOYER_TASTE_SD = 1.5  # per employer, times (education rank - 0.4)
PERSON_LATENT_SD = 0.7
NOISE_SD = 0.5


@dataclass(frozen=True)
class Assumptions:
    """The simulator's hidden truth, as one set of assumptions (the defaults above).

    `ml.sensitivity` simulates with other sets to see how much each order's
    quality depends on these choices.
    """

    name: str = "as assumed (default)"
    weights: tuple[tuple[str, float], ...] = tuple(HIDDEN_WEIGHTS.items())
    intercept: float = HIDDEN_INTERCEPT
    synergy: float = SYNERGY
    employer_taste_sd: float = EMPLOYER_TASTE_SD
    person_latent_sd: float = PERSON_LATENT_SD
    noise_sd: float = NOISE_SD

    def weight_vector(self) -> np.ndarray:
        w = dict(self.weights)
        return np.array([w.get(f, 0.0) for f in FEATURES])


DEFAULT_ASSUMPTIONS = Assumptions()

# The workflow's own reason codes (domain.shortlists), so simulated and real
# outcomes are counted alike.
OUTCOME_REASONS: dict[str, str] = {
    code: NOT_HIRED_REASONS[code]
    for code in (
        "skills",
        "experience",
        "language",
        "location",
        "availability",
        "candidate_declined_offer",
        "other_candidate",
    )
}

AGE_BANDS: tuple[tuple[int, str], ...] = (
    (24, "15-24"),
    (29, "25-29"),
    (49, "30-49"),
    (54, "50-54"),
    (200, "55+"),
)
PROTECTED = ("gender", "mother_tongue", "age_band")
GROUND_TRUTH_FILE = "ground_truth.csv.gz"
SIMULATION_FILE = "simulation.json"

_FEATURE_INDEX = {name: k for k, name in enumerate(FEATURES)}
_WEIGHTS = np.array([HIDDEN_WEIGHTS.get(f, 0.0) for f in FEATURES])


def history_dir(model_dir: Path) -> Path:
    """Where the evaluation data lives: next to the model registry (``var/history``)."""
    return Path(model_dir).parent / "history"


def _stream(salt: str, seed: int, key: str) -> np.random.Generator:
    digest = hashlib.blake2b(f"{salt}:{seed}:{key}".encode(), digest_size=8).digest()
    return np.random.default_rng(int.from_bytes(digest, "big"))


def age_band(birth_year: int, year: int) -> str:
    age = year - birth_year
    return next(label for top, label in AGE_BANDS if age <= top)


def protected_attributes(j: JobseekerFacts, seed: int, year: int) -> dict[str, str]:
    """Gender, mother-tongue group and age band of a jobseeker, for fairness audits only.

    Deterministic per (seed, jobseeker id). Never stored in the database, never a feature.
    """
    rng = _stream("protected", seed, j.id)
    female, other = rng.random(2)
    p_other = 0.07 if "fi" in j.languages else 0.80
    return {
        "gender": "female" if female < 0.47 else "male",
        "mother_tongue": "other" if other < p_other else "finnish_or_swedish",
        "age_band": age_band(j.birth_year, year),
    }


def person_latent(jobseeker_id: str, seed: int) -> float:
    """Each person's unobserved presence in recruitment (not a feature)."""
    return float(_stream("person", seed, jobseeker_id).normal(0.0, PERSON_LATENT_SD))


def employer_taste(employer_id: str, seed: int) -> float:
    """Each employer's unobserved taste for education (not a feature)."""
    return float(_stream("employer", seed, employer_id).normal(0.0, EMPLOYER_TASTE_SD))


def hidden_logit(
    X: np.ndarray,
    taste: float,
    latent: np.ndarray,
    assumptions: Assumptions = DEFAULT_ASSUMPTIONS,
) -> np.ndarray:
    """The ground truth's log-odds of an interview, before pair noise.

    `taste` and `latent` are drawn with the default spreads; `assumptions` rescales them.
    """
    a = assumptions
    col = _FEATURE_INDEX
    synergy = (X[:, col["essential_coverage"]] >= 0.75) & (X[:, col["within_travel_limit"]] > 0)
    weights = _WEIGHTS if a is DEFAULT_ASSUMPTIONS else a.weight_vector()
    return (
        a.intercept
        + X @ weights
        + a.synergy * synergy
        + taste * (a.employer_taste_sd / EMPLOYER_TASTE_SD) * (X[:, col["education_rank"]] - 0.4)
        + latent * (a.person_latent_sd / PERSON_LATENT_SD)
    )


@dataclass(frozen=True, slots=True)
class PastVacancy:
    """One simulated past vacancy, shaped like an open demo vacancy (`source_id`)."""

    id: uuid.UUID
    source_id: str
    employer_id: str
    facts: VacancyFacts
    published_at: datetime


@dataclass(slots=True)
class VacancyOutcome:
    """Ground truth for all retrieved candidates of one past vacancy, and its recorded history."""

    vacancy: PastVacancy
    jobseeker_ids: list[str]
    search_scores: np.ndarray
    X: np.ndarray
    jaccard: np.ndarray
    interviewed: np.ndarray  # bool, if put forward
    grade: np.ndarray  # 2 would be hired, 1 interviewed, 0
    shortlisted: np.ndarray  # indices into the candidates, in shortlist order
    hired: int | None  # index of the recorded hire
    declined: int | None  # index of who declined the offer
    filled: bool
    reasons: dict[int, str] = field(default_factory=dict)


def plan_vacancies(
    sources: Sequence[tuple[VacancyFacts, str]], n: int, seed: int, now: datetime
) -> list[PastVacancy]:
    """`n` past vacancies shaped like `sources` (facts, employer id), published over a year."""
    if not sources:
        return []
    rng = np.random.default_rng([seed, 1])
    picks = rng.choice(len(sources), size=n, replace=n > len(sources))
    span = (HISTORY_DAYS - QUIET_DAYS) * 86_400
    out = []
    for src in picks.tolist():
        facts, employer_id = sources[src]
        vid = uuid.UUID(
            int=int(rng.integers(0, 2**63)) << 64 | int(rng.integers(0, 2**63)), version=4
        )
        flags = rng.random(3)
        published = now - timedelta(days=QUIET_DAYS, seconds=int(rng.integers(0, span)))
        out.append(
            PastVacancy(
                id=vid,
                source_id=facts.id,
                employer_id=employer_id,
                facts=replace(
                    facts,
                    id=str(vid),
                    open_to_wage_subsidy=bool(flags[0] < 0.40),
                    open_to_work_trial=bool(flags[1] < 0.25),
                    open_to_apprenticeship=bool(flags[2] < 0.20),
                ),
                published_at=published,
            )
        )
    out.sort(key=lambda p: p.published_at)
    return out


def _not_hired_reason(x: np.ndarray) -> str:
    col = _FEATURE_INDEX
    if x[col["essential_coverage"]] < 0.5:
        return "skills"
    if x[col["language_fit"]] < 1:
        return "language"
    if x[col["within_travel_limit"]] < 1:
        return "location"
    if x[col["hours_fit"]] < 1:
        return "availability"
    return "experience"


def simulate_vacancy(
    past: PastVacancy,
    candidates: Sequence[tuple[JobseekerFacts, float]],
    *,
    seed: int,
    index: int,
    latents: dict[str, float],
    assumptions: Assumptions = DEFAULT_ASSUMPTIONS,
    X: np.ndarray | None = None,
) -> VacancyOutcome:
    """Ground truth and recorded outcome for one past vacancy (pure; seeded by `index`).

    `X`: the candidates' features when already computed (they do not depend on
    the assumptions).
    """
    rng = np.random.default_rng([seed, 2, index])
    people = [j for j, _ in candidates]
    scores = np.array([s for _, s in candidates], dtype=float)
    if X is None:
        X, _, _ = featurise(past.facts, people, scores.tolist(), past.published_at.date())
    wanted = past.facts.essential_skill_uris | past.facts.optional_skill_uris
    jaccard = np.array(
        [len(wanted & j.skill_uris) / (len(wanted | j.skill_uris) or 1) for j in people]
    )
    latent = np.array([latents[j.id] for j in people])
    z = hidden_logit(X, employer_taste(past.employer_id, seed), latent, assumptions)
    z = z + rng.normal(0.0, assumptions.noise_sd, size=len(z))
    interviewed = rng.random(len(z)) < 1.0 / (1.0 + np.exp(-z))
    filled = bool(rng.random() < P_FILLED) and bool(interviewed.any())
    # The employer's preference among interviewees: the hidden utility plus a taste draw.
    preference = z + rng.gumbel(size=len(z))
    declines = rng.random(len(z)) < P_DECLINE

    def choose(pool: np.ndarray) -> tuple[int | None, int | None]:
        ordered = [int(i) for i in pool[np.argsort(-preference[pool])]]
        declined = None
        for i in ordered:
            if declines[i] and declined is None and len(ordered) > 1:
                declined = i
                continue
            return i, declined
        return None, declined

    grade = interviewed.astype(int)
    if filled:
        best, _ = choose(np.flatnonzero(interviewed))
        if best is not None:
            grade[best] = 2
    n = len(people)
    top = np.arange(min(SHORTLIST_TOP, n))
    rest = np.arange(len(top), n)
    extra = rng.choice(rest, size=min(SHORTLIST_RANDOM, len(rest)), replace=False)
    shortlisted = np.concatenate([top, np.sort(extra)]).astype(int)
    hired = declined = None
    if filled:
        pool = shortlisted[interviewed[shortlisted]]
        if len(pool):
            hired, declined = choose(pool)
    reasons: dict[int, str] = {}
    for i in shortlisted.tolist():
        if i == hired:
            continue
        if i == declined:
            reasons[i] = "candidate_declined_offer"
        elif interviewed[i]:
            reasons[i] = "other_candidate"
        else:
            reasons[i] = _not_hired_reason(X[i])
    return VacancyOutcome(
        vacancy=past,
        jobseeker_ids=[j.id for j in people],
        search_scores=scores,
        X=X,
        jaccard=jaccard,
        interviewed=interviewed,
        grade=grade,
        shortlisted=shortlisted,
        hired=hired,
        declined=declined,
        filled=hired is not None,
        reasons=reasons,
    )


def offline_history(
    vacancies: Sequence[VacancyFacts],
    jobseekers: Sequence[JobseekerFacts],
    n_vacancies: int,
    *,
    candidates: int = 60,
    seed: int = 42,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Recorded outcomes shaped as `ml.dataset.load_outcomes` returns them, with no database
    or search engine: each past vacancy's candidates are drawn at random from the people,
    with a uniform stand-in search score. For tests and benchmarks."""
    now = now or datetime.now(UTC)
    people = [j for j in jobseekers if not j.is_empty]
    latents = {j.id: person_latent(j.id, seed) for j in people}
    sources = [(v, f"employer-{k % 50}") for k, v in enumerate(vacancies)]
    rng = np.random.default_rng([seed, 4])
    rows = []
    for k, past in enumerate(plan_vacancies(sources, n_vacancies, seed, now)):
        picked = rng.choice(len(people), size=min(candidates, len(people)), replace=False)
        scores = np.sort(rng.random(len(picked)))[::-1]
        pairs = [(people[i], float(s)) for i, s in zip(picked, scores, strict=True)]
        o = simulate_vacancy(past, pairs, seed=seed, index=k, latents=latents)
        for rank, i in enumerate(o.shortlisted.tolist(), start=1):
            grade = 2 if i == o.hired else int(o.interviewed[i])
            rows.append((f"{k}-{i}", rank, str(past.id), past.published_at, *o.X[i], grade))
    frame = pd.DataFrame(
        rows, columns=["entry_id", "rank", "vacancy_id", "published_at", *FEATURES, "grade"]
    )
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    frame["label"] = (frame["grade"] > 0).astype(int)
    return frame


def ground_truth_frame(
    outcomes: Sequence[VacancyOutcome], people: dict[str, JobseekerFacts], seed: int
) -> pd.DataFrame:
    """One row per (past vacancy, retrieved candidate): features, baselines' inputs, grade,
    and the protected attributes for fairness audits."""
    frames = []
    attrs: dict[tuple[str, int], dict[str, str]] = {}
    for o in outcomes:
        n = len(o.jobseeker_ids)
        if n == 0:
            continue
        year = o.vacancy.published_at.year
        short = np.zeros(n, dtype=bool)
        short[o.shortlisted] = True
        rows = [
            attrs.setdefault((j, year), protected_attributes(people[j], seed, year))
            for j in o.jobseeker_ids
        ]
        frame = pd.DataFrame(o.X, columns=list(FEATURES))
        frame.insert(0, "vacancy_id", str(o.vacancy.id))
        frame.insert(1, "published_at", o.vacancy.published_at.isoformat())
        frame.insert(2, "jobseeker_id", o.jobseeker_ids)
        frame.insert(3, "search_rank", np.arange(1, n + 1))
        frame["jaccard"] = o.jaccard
        frame["grade"] = o.grade
        frame["shortlisted"] = short
        for name in PROTECTED:
            frame[name] = [r[name] for r in rows]
        frames.append(frame)
    if not frames:
        return pd.DataFrame(
            columns=[
                "vacancy_id", "published_at", "jobseeker_id", "search_rank", *FEATURES,
                "jaccard", "grade", "shortlisted", *PROTECTED,
            ]
        )  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def load_ground_truth(model_dir: Path) -> pd.DataFrame:
    """The evaluation data written by the last simulation (raises FileNotFoundError)."""
    frame = pd.read_csv(history_dir(model_dir) / GROUND_TRUTH_FILE)
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True, format="ISO8601")
    return frame


# --- database ----------------------------------------------------------------------------------


async def has_history(session: AsyncSession) -> bool:
    """Whether any shortlist entry has a recorded outcome that a model can learn from:
    one ranked by the model (its features kept). Entries added by hand or seeded by the
    demo's recruitment event carry no features, so they alone are no history to train
    on (``ml.dataset.load_outcomes`` skips them the same way)."""
    count = await session.scalar(
        select(func.count())
        .select_from(ShortlistEntry)
        .where(
            ShortlistEntry.status.in_([EntryStatus.HIRED, EntryStatus.NOT_HIRED]),
            ShortlistEntry.features.is_not(None),
            ShortlistEntry.features != text("'{}'::jsonb"),
        )
    )
    return bool(count)


@dataclass
class HistoryReport:
    vacancies: int = 0
    filled: int = 0
    retrieved: int = 0
    shortlisted: int = 0
    interviewed_share: float = 0.0
    hired: int = 0
    seconds_retrieval: float = 0.0
    seconds_simulation: float = 0.0
    seconds_writing: float = 0.0
    ground_truth: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _rows(
    outcomes: Sequence[VacancyOutcome],
    sources: dict[str, Vacancy],
    seed: int,
    people: dict[str, JobseekerFacts] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Database rows for the recorded history (vacancies, skills, shortlists, entries, events)."""
    rng = np.random.default_rng([seed, 3])
    rows: dict[str, list[dict[str, Any]]] = {
        "vacancy": [], "vacancy_skill": [], "shortlist": [], "entry": [], "event": []
    }  # fmt: skip

    def new_id() -> uuid.UUID:
        return uuid.UUID(
            int=int(rng.integers(0, 2**63)) << 64 | int(rng.integers(0, 2**63)), version=4
        )

    def later(at: datetime, lo: int, hi: int) -> datetime:
        return at + timedelta(days=int(rng.integers(lo, hi + 1)), hours=int(rng.integers(8, 17)))

    for o in outcomes:
        p, src = o.vacancy, sources[o.vacancy.source_id]
        at = p.published_at
        closed_at = later(at, 30, 45)
        rows["vacancy"].append(
            {
                "id": p.id,
                "employer_id": src.employer_id,
                "title": src.title,
                "description": src.description,
                "occupation_id": src.occupation_id,
                "municipality_id": src.municipality_id,
                "hours_per_week": src.hours_per_week,
                "start_date": (at + timedelta(days=45)).date(),
                "monthly_pay_eur": src.monthly_pay_eur,
                "languages": list(src.languages or []),
                "status": VacancyStatus.FILLED if o.filled else VacancyStatus.CLOSED,
                "open_to_wage_subsidy": p.facts.open_to_wage_subsidy,
                "open_to_work_trial": p.facts.open_to_work_trial,
                "open_to_apprenticeship": p.facts.open_to_apprenticeship,
                "published_at": at,
                "created_at": at,
                "updated_at": closed_at,
            }
        )
        rows["vacancy_skill"] += [
            {"vacancy_id": p.id, "skill_id": link.skill_id, "essential": link.essential}
            for link in src.skill_links
        ]
        shortlist_id = new_id()
        shortlist: dict[str, Any] = {
            "id": shortlist_id,
            "vacancy_id": p.id,
            "model_version": HISTORY_MODEL_VERSION,
            "retrieved": len(o.jobseeker_ids),
            "created_at": at,
            "updated_at": closed_at,
        }
        rows["shortlist"].append(shortlist)
        # The instrument estimates the ranking explanation would have carried then.
        estimator = InstrumentEstimator(p.facts.job_facts(), on=at.date())
        for rank, i in enumerate(o.shortlisted.tolist(), start=1):
            entry_id = new_id()
            suggested = later(at, 0, 2)
            trail: list[tuple[EntryStatus | None, EntryStatus, datetime, str | None]] = [
                (None, EntryStatus.SUGGESTED, suggested, None)
            ]
            reason = o.reasons.get(i)
            if o.interviewed[i]:
                interview = later(suggested, 3, 14)
                trail.append((EntryStatus.SUGGESTED, EntryStatus.INTERVIEW, interview, None))
                final = EntryStatus.HIRED if i == o.hired else EntryStatus.NOT_HIRED
                trail.append((EntryStatus.INTERVIEW, final, later(interview, 5, 20), reason))
            else:
                trail.append(
                    (EntryStatus.SUGGESTED, EntryStatus.NOT_HIRED, later(suggested, 5, 20), reason)
                )
            x = o.X[i]
            person = (people or {}).get(o.jobseeker_ids[i])
            estimates = (
                [e.to_dict() for e in estimator.estimate(person.person_facts())] if person else []
            )
            rows["entry"].append(
                {
                    "id": entry_id,
                    "shortlist_id": shortlist_id,
                    "jobseeker_id": uuid.UUID(o.jobseeker_ids[i]),
                    "rank": rank,
                    "score": float(o.search_scores[i]),
                    "explanation": {
                        "source": "simulated history",
                        "instruments": estimates,
                    },
                    "search_score": float(o.search_scores[i]),
                    "features": {f: round(float(v), 6) for f, v in zip(FEATURES, x, strict=True)},
                    "status": trail[-1][1],
                    "status_changed_at": trail[-1][2],
                    "outcome_reason": reason,
                    "source": "coordinator",
                    "created_at": suggested,
                    "updated_at": trail[-1][2],
                }
            )
            # Made by hand back then: the shortlist exists from its first suggestion.
            first = suggested if rank == 1 else min(shortlist["created_at"], suggested)
            shortlist["created_at"] = first
            rows["event"] += [
                {
                    "entry_id": entry_id,
                    "from_status": a,
                    "to_status": b,
                    "actor_id": None,
                    "reason": r,
                    "at": when,
                }
                for a, b, when, r in trail
            ]
    return rows


async def _insert(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    size = max(1, 30_000 // len(rows[0]))
    for start in range(0, len(rows), size):
        await session.execute(table.insert(), list(rows[start : start + size]))


async def _retrieve_all(
    retrieve: Retrieve,
    vacancies: Sequence[Vacancy],
    progress: Progress | None,
) -> dict[str, list[tuple[str, float]]]:
    gate = asyncio.Semaphore(RETRIEVAL_CONCURRENCY)
    done = 0
    out: dict[str, list[tuple[str, float]]] = {}

    async def one(v: Vacancy) -> None:
        nonlocal done
        async with gate:
            hits = await retrieve(v)
        out[str(v.id)] = [(str(h.id), h.score) for h in hits]
        done += 1
        if progress is not None and (done % 50 == 0 or done == len(vacancies)):
            progress("history: retrieval", done, len(vacancies))

    await asyncio.gather(*(one(v) for v in vacancies))
    return out


def default_vacancy_count(open_vacancies: int) -> int:
    """A year of history: as many past vacancies as open ones now, at most 1 000 (demo time)."""
    return max(1, min(1_000, open_vacancies))


async def simulate_history(
    session: AsyncSession,
    retrieve: Retrieve,
    settings: Settings,
    *,
    vacancies: int | None = None,
    seed: int = 42,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> HistoryReport:
    """Simulate and write a year of recruitment history; the caller commits.

    Needs the demo population in the database and the jobseeker index built;
    ``retrieve`` is the production retrieval for one vacancy (the caller passes
    ``search.retrieve.retriever(client, settings.search)``: ``ml`` does not import
    ``search``).
    Writes the evaluation data (with protected attributes) to `history_dir`.
    """
    now = now or datetime.now(UTC)
    report = HistoryReport()
    started = time.perf_counter()
    open_rows: list[Vacancy] = []
    async for vacancies_batch in iter_vacancies(session, detach=False):
        open_rows += [v for v in vacancies_batch if v.status == VacancyStatus.OPEN]
    if not open_rows:
        raise ValueError("no open vacancies to shape a history on: seed the demo first")
    people: dict[str, JobseekerFacts] = {}
    async for batch in iter_jobseekers(session):
        people.update((str(j.id), JobseekerFacts.from_orm(j)) for j in batch)
    sources = {str(v.id): v for v in open_rows}
    plans = plan_vacancies(
        [(VacancyFacts.from_orm(v), str(v.employer_id)) for v in open_rows],
        vacancies or default_vacancy_count(len(open_rows)),
        seed,
        now,
    )
    needed = sorted({p.source_id for p in plans})
    hits = await _retrieve_all(retrieve, [sources[s] for s in needed], progress)
    report.seconds_retrieval = round(time.perf_counter() - started, 2)

    started = time.perf_counter()
    latents = {j: person_latent(j, seed) for j in people}
    outcomes = []
    for k, p in enumerate(plans):
        candidates = [
            (people[j], s) for j, s in hits[p.source_id] if j in people and not people[j].is_empty
        ]
        outcomes.append(simulate_vacancy(p, candidates, seed=seed, index=k, latents=latents))
        if progress is not None and ((k + 1) % 100 == 0 or k + 1 == len(plans)):
            progress("history: outcomes", k + 1, len(plans))
    frame = ground_truth_frame(outcomes, people, seed)
    report.seconds_simulation = round(time.perf_counter() - started, 2)

    started = time.perf_counter()
    rows = _rows(outcomes, sources, seed, people)
    for name, model, label in (
        ("vacancy", Vacancy, "vacancies"),
        ("vacancy_skill", VacancySkill, "vacancy skills"),
        ("shortlist", Shortlist, "shortlists"),
        ("entry", ShortlistEntry, "shortlist entries"),
        ("event", ShortlistEvent, "status events"),
    ):
        await _insert(session, model.__table__, rows[name])  # type: ignore[arg-type]
        if progress is not None:
            progress(f"history: {label}", 1, 1)
    await session.flush()
    folder = history_dir(settings.matching.model_dir)
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(
        folder / GROUND_TRUTH_FILE,
        index=False,
        float_format="%.6g",
        compression={"method": "gzip", "compresslevel": 1},
    )
    report.vacancies = len(plans)
    report.filled = sum(o.filled for o in outcomes)
    report.retrieved = len(frame)
    report.shortlisted = len(rows["entry"])
    report.hired = sum(o.hired is not None for o in outcomes)
    short = frame[frame["shortlisted"]]
    report.interviewed_share = round(float((short["grade"] > 0).mean()), 4) if len(short) else 0.0
    report.seconds_writing = round(time.perf_counter() - started, 2)
    report.ground_truth = str(folder / GROUND_TRUTH_FILE)
    (folder / SIMULATION_FILE).write_text(
        json.dumps(
            report.to_dict()
            | {
                "seed": seed,
                "now": now.isoformat(),
                "first_published": plans[0].published_at.isoformat(),
                "last_published": plans[-1].published_at.isoformat(),
                "ground_truth_interview_share": round(float((frame["grade"] > 0).mean()), 4),
            },
            indent=2,
        )
        + "\n"
    )
    return report
