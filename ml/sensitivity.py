"""Simulator sensitivity: how much does each order's quality rest on the simulator's assumptions?

The ranking model learns from simulated history (`ml/history.py`), so its
held-out metrics partly measure how well it learnt the simulator back. Here a
small population (a few thousand people built from ESCO occupations,
`synthetic.synthetic_population`) gets one set of candidates per past vacancy
(features computed once) and then one simulated history **per set of
assumptions** (`SCENARIOS`: skills weigh double, specific skills decide,
distance weighs triple, instruments do not matter, noisier employers). A model
trained on the default simulator's history is evaluated on the held-out months
of every other simulator, beside the search-order stand-in and Jaccard, which
learn nothing. No database or search engine: the retrieval is a stand-in (the
40 best by `synthetic.simulated_search_score` plus 20 others at random).

**Gate rule** (`passes_gate`): under every changed simulator the model's
NDCG@10 is at least each baseline's — it may lose its lead, never fall behind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from ml.dataset import time_cutoff, time_split
from ml.evaluate import NDCG_K, ranking_metrics
from ml.facts import JobseekerFacts
from ml.features import FEATURES, featurise
from ml.history import (
    DEFAULT_ASSUMPTIONS,
    HIDDEN_WEIGHTS,
    Assumptions,
    PastVacancy,
    person_latent,
    plan_vacancies,
    simulate_vacancy,
)
from ml.synthetic import (
    OccupationSpec,
    simulated_search_score,
    synthetic_population,
)

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
TOP_CANDIDATES = 40
RANDOM_CANDIDATES = 20
_INSTRUMENTS = ("wage_subsidy_match", "work_trial_match", "apprenticeship_match", "saving_share")


def _scaled(factors: dict[str, float], moved: dict[str, float] | None = None) -> tuple:
    w = {k: v * factors.get(k, 1.0) for k, v in HIDDEN_WEIGHTS.items()} | (moved or {})
    return tuple(w.items())


SCENARIOS: tuple[Assumptions, ...] = (
    DEFAULT_ASSUMPTIONS,
    Assumptions(
        "skills weigh double",
        _scaled({"essential_coverage": 2, "optional_coverage": 2}),
        intercept=DEFAULT_ASSUMPTIONS.intercept - 1.5,
    ),
    Assumptions(
        "specific skills decide (not plain coverage)",
        _scaled(
            {"essential_coverage": 0},
            {"specific_coverage": 2.6, "profile_explained": 1.0},
        ),
    ),
    Assumptions(
        "distance weighs triple",
        _scaled({"distance_ratio": 3, "within_travel_limit": 3}),
        intercept=DEFAULT_ASSUMPTIONS.intercept + 1.0,
    ),
    Assumptions(
        "instruments do not matter",
        _scaled(dict.fromkeys(_INSTRUMENTS, 0.0)),
        intercept=DEFAULT_ASSUMPTIONS.intercept + 0.3,
    ),
    Assumptions(
        "noisier employers",
        tuple(HIDDEN_WEIGHTS.items()),
        employer_taste_sd=3.0,
        person_latent_sd=1.4,
        noise_sd=1.0,
    ),
)
ORDERS = ("search", "jaccard")
ORDER_LABELS = {"search": "search-order stand-in", "jaccard": "skill overlap (Jaccard)"}


@dataclass(frozen=True)
class SensitivitySize:
    occupations: int = 80
    vacancies: int = 200  # open vacancies the past ones are shaped like
    jobseekers: int = 3000
    past_vacancies: int = 500
    seed: int = 5


DEFAULT_SIZE = SensitivitySize()


@dataclass
class _Candidates:
    plans: list[PastVacancy]
    candidates: list[list[tuple[JobseekerFacts, float]]]
    X: list[np.ndarray]
    jaccard: list[np.ndarray]
    latents: dict[str, float]


def esco_specs(n: int, seed: int) -> list[OccupationSpec]:
    """`n` ESCO occupations from the sectors the demo uses, not the benchmark's held-out ones."""
    from ml.benchmark import held_out_occupations
    from ml.skills import load_esco

    esco = load_esco()
    held = held_out_occupations(esco)
    usable = [
        o
        for o in esco.occupations
        if o.uri not in held and len(o.essential) >= 4 and o.isco_code[:1] in "2345789"
    ]
    rng = np.random.default_rng(seed)
    return [
        OccupationSpec(o.uri, o.isco_code, o.essential, o.optional)
        for o in (usable[k] for k in rng.choice(len(usable), n, replace=False))
    ]


@lru_cache(maxsize=2)
def _candidates(size: SensitivitySize) -> _Candidates:
    pop = synthetic_population(
        esco_specs(size.occupations, size.seed),
        size.vacancies,
        size.jobseekers,
        seed=size.seed,
        today=NOW.date(),
    )
    people = [j for j in pop.jobseekers if not j.is_empty]
    sources = [(v, f"employer-{k % 60}") for k, v in enumerate(pop.vacancies)]
    plans = plan_vacancies(sources, size.past_vacancies, size.seed, NOW)
    rng = np.random.default_rng([size.seed, 9])
    by_source: dict[str, list[tuple[JobseekerFacts, float]]] = {}
    out = _Candidates(plans, [], [], [], {j.id: person_latent(j.id, size.seed) for j in people})
    for p in plans:
        if p.source_id not in by_source:
            v = p.facts
            scores = np.array([simulated_search_score(v, j, rng) for j in people])
            order = np.argsort(-scores)
            top, rest = order[:TOP_CANDIDATES], order[TOP_CANDIDATES:]
            extra = rng.choice(rest, size=min(RANDOM_CANDIDATES, len(rest)), replace=False)
            picked = np.concatenate([top, extra])
            picked = picked[np.argsort(-scores[picked], kind="stable")]
            by_source[p.source_id] = [(people[i], float(scores[i])) for i in picked]
        cands = by_source[p.source_id]
        js = [j for j, _ in cands]
        out.candidates.append(cands)
        out.X.append(featurise(p.facts, js, [s for _, s in cands], p.published_at.date())[0])
        wanted = p.facts.essential_skill_uris | p.facts.optional_skill_uris
        out.jaccard.append(
            np.array([len(wanted & j.skill_uris) / (len(wanted | j.skill_uris) or 1) for j in js])
        )
    return out


@lru_cache(maxsize=16)
def simulated(size: SensitivitySize, assumptions: Assumptions) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(recorded history as `ml.dataset.load_outcomes` returns it, ground truth of every
    retrieved candidate) under one set of assumptions."""
    c = _candidates(size)
    history, truth = [], []
    for k, (p, cands, X, jac) in enumerate(zip(c.plans, c.candidates, c.X, c.jaccard, strict=True)):
        o = simulate_vacancy(
            p, cands, seed=size.seed, index=k, latents=c.latents, assumptions=assumptions, X=X
        )
        vid = str(p.id)
        for rank, i in enumerate(o.shortlisted.tolist(), start=1):
            grade = 2 if i == o.hired else int(o.interviewed[i])
            history.append((f"{k}-{i}", rank, vid, p.published_at, *X[i], grade))
        frame = pd.DataFrame(X, columns=list(FEATURES))
        frame.insert(0, "vacancy_id", vid)
        frame.insert(1, "published_at", p.published_at)
        frame["search_rank"] = np.arange(1, len(X) + 1)
        frame["jaccard"] = jac
        frame["grade"] = o.grade
        truth.append(frame)
    hist = pd.DataFrame(
        history, columns=["entry_id", "rank", "vacancy_id", "published_at", *FEATURES, "grade"]
    )
    hist["published_at"] = pd.to_datetime(hist["published_at"], utc=True)
    hist["label"] = (hist["grade"] > 0).astype(int)
    gt = pd.concat(truth, ignore_index=True)
    gt["published_at"] = pd.to_datetime(gt["published_at"], utc=True)
    return hist, gt


def _held_out(truth: pd.DataFrame) -> pd.DataFrame:
    return truth[truth["published_at"] >= time_cutoff(truth["published_at"])].copy()


def ndcg_table(
    models: dict[str, Callable[[np.ndarray], np.ndarray]],
    size: SensitivitySize = DEFAULT_SIZE,
    scenarios: Sequence[Assumptions] = SCENARIOS,
) -> dict[str, dict[str, float]]:
    """{scenario: {order: NDCG@10 on its held-out months}} for the baselines and `models`."""
    out: dict[str, dict[str, float]] = {}
    key = f"ndcg@{NDCG_K}"
    for a in scenarios:
        held = _held_out(simulated(size, a)[1])
        X = held[list(FEATURES)].to_numpy(dtype=float)
        row = {
            "search": ranking_metrics(held, None)[key],
            "jaccard": ranking_metrics(held, "jaccard")[key],
        }
        for name, predict in models.items():
            row[name] = ranking_metrics(held.assign(score=predict(X)), "score")[key]
        out[a.name] = row
    return out


@dataclass
class SensitivityResult:
    table: dict[str, dict[str, float]]  # scenario → order → NDCG@10
    labels: dict[str, str]

    def passes_gate(self, model: str = "model") -> tuple[bool, list[str]]:
        """Under every changed simulator the model is at least as good as each baseline."""
        failures = []
        for scenario, row in self.table.items():
            if scenario == DEFAULT_ASSUMPTIONS.name:
                continue
            for base in ORDERS:
                if row[model] < row[base]:
                    failures.append(
                        f"{scenario}: NDCG@10 {row[model]} < {ORDER_LABELS[base]} {row[base]}"
                    )
        return not failures, failures

    def markdown(self) -> str:
        orders = list(next(iter(self.table.values())))
        labels = ORDER_LABELS | self.labels
        head = "| simulated with | " + " | ".join(labels.get(o, o) for o in orders) + " |"
        lines = [head, "|---|" + "---:|" * len(orders)]
        base = self.table[DEFAULT_ASSUMPTIONS.name]
        for scenario, row in self.table.items():
            cells = []
            for o in orders:
                change = row[o] - base[o]
                cells.append(
                    f"{row[o]:.3f}"
                    if scenario == DEFAULT_ASSUMPTIONS.name
                    else f"{row[o]:.3f} ({change:+.3f})"
                )
            lines.append(f"| {scenario} | " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"ndcg@10": self.table, "labels": self.labels}


def check_model(
    predict: Callable[[np.ndarray], np.ndarray], size: SensitivitySize = DEFAULT_SIZE
) -> SensitivityResult:
    """The gate's check of one model (trained elsewhere) under every simulator."""
    return SensitivityResult(ndcg_table({"model": predict}, size), {"model": "model"})


def train_and_compare(
    size: SensitivitySize = DEFAULT_SIZE,
    kinds: Sequence[str] = ("linear", "ltr"),
    seed: int = 5,
    esco_pairs: tuple[int, int] = (200, 320),
) -> SensitivityResult:
    """Train each kind on the default simulator's history; evaluate under every simulator."""
    from ml.predict import RankingModel
    from ml.train import fit_calibrated

    hist, _ = simulated(size, DEFAULT_ASSUMPTIONS)
    split = time_split(hist)
    X_fit = split.fit[list(FEATURES)].to_numpy(dtype=float)
    models: dict[str, Callable[[np.ndarray], np.ndarray]] = {}
    for kind in kinds:
        est = fit_calibrated(
            kind,
            X_fit,
            split.fit["grade"].to_numpy(),
            split.validation[list(FEATURES)].to_numpy(dtype=float),
            split.validation["label"].to_numpy(),
            seed,
            split.fit["vacancy_id"].to_numpy(),
            esco_pairs,
        )
        models[kind] = RankingModel(est, kind, FEATURES, X_fit.mean(axis=0).tolist()).predict_proba
    labels = {k: f"model ({k})" for k in kinds}
    return SensitivityResult(ndcg_table(models, size), labels)


def smaller(size: SensitivitySize, factor: float) -> SensitivitySize:
    """A smaller population of the same shape (for tests)."""
    return replace(
        size,
        vacancies=max(20, int(size.vacancies * factor)),
        jobseekers=max(300, int(size.jobseekers * factor)),
        past_vacancies=max(120, int(size.past_vacancies * factor)),
    )


if __name__ == "__main__":
    print(train_and_compare().markdown())
