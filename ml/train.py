"""Train the ranking model and register it.

    kohtaanto train                              # on the recorded history (ml.dataset)
    python -m ml.train --model-dir var/models    # bootstrap: synthetic pairs, no database

On history (`train_from_history`): rows are split by time (`ml.dataset.time_split`):
the oldest months fit, the next two months calibrate (sigmoid) and choose
between the model kinds, the last three months are held out. Two kinds are fitted:
a standardised logistic regression and a histogram gradient-boosted classifier.
The one with the higher NDCG@10 on the validation slice is the candidate.

**Promotion gate.** The candidate and the model in use are scored on the same
held-out rows; the candidate is promoted only if its NDCG@10 (graded: hired 2,
interviewed 1) is strictly higher. A model in use that cannot be loaded or was
trained on other features counts as absent. The comparison — every kind's
held-out metrics, the current model's, the decision — is stored in the new
version's folder either way (`comparison.json`).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from ml.benchmark import SIDES, BenchmarkSize, run_benchmark
from ml.dataset import TimeSplit, time_split
from ml.evaluate import NDCG_K, ranking_metrics
from ml.facts import JobseekerFacts, VacancyFacts
from ml.features import FEATURES, SKILL_EVIDENCE
from ml.predict import ModelShapeError, RankingModel
from ml.registry import (
    ModelVersion,
    NoModelError,
    UntrustedModelError,
    load_current,
    save_version,
)
from ml.sensitivity import SensitivitySize, check_model
from ml.synthetic import sample_pairs, synthetic_population, toy_occupations

DEFAULT_PAIRS = 50_000
TEST_SHARE = 0.2
# "linear_base": the linear kind over the features before the skill evidence
# (`ml.features.SKILL_EVIDENCE` weigh exactly 0): the gate may find the simpler model
# both better on the history and no worse than Jaccard on ESCO, on both sides.
KINDS = ("linear", "gbm", "ltr", "linear_base")
# How much the ESCO skill-ranking pairs weigh against the history's pairs in the
# "ltr" kind (1 = as much in total).
ESCO_PAIR_WEIGHT = 10.0
PROMOTION_METRIC = f"ndcg@{NDCG_K}"
# The gate's checks beyond the simulator (ml/benchmark.py, ml/sensitivity.py).
GATE_BENCHMARK = BenchmarkSize(queries=100, pool=300)
GATE_SENSITIVITY = SensitivitySize(jobseekers=1500, vacancies=100, past_vacancies=300)


def train_model(X: np.ndarray, y: np.ndarray, seed: int = 42) -> Pipeline:
    """Fit StandardScaler + LogisticRegression: probabilities, exact per-feature contributions."""
    pipeline = Pipeline(
        [
            ("scale", StandardScaler()),
            ("model", LogisticRegression(C=1.0, max_iter=1000, random_state=seed)),
        ]
    )
    return pipeline.fit(X, y)


def make_estimator(kind: str, seed: int = 42) -> Any:
    """An unfitted model of `kind`: "linear" or "gbm"."""
    if kind == "linear":
        return Pipeline(
            [
                ("scale", StandardScaler()),
                ("model", LogisticRegression(C=1.0, max_iter=1000, random_state=seed)),
            ]
        )
    if kind == "gbm":
        return HistGradientBoostingClassifier(
            learning_rate=0.08,
            max_iter=200,
            max_leaf_nodes=31,
            min_samples_leaf=40,
            l2_regularization=1.0,
            early_stopping=False,
            random_state=seed,
        )
    raise ValueError(f"unknown model kind {kind!r}; expected one of {KINDS}")


def fit_calibrated(
    kind: str,
    X_fit: np.ndarray,
    y_fit: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    seed: int = 42,
    groups: np.ndarray | None = None,
    esco_pairs: tuple[int, int] = (200, 320),
) -> CalibratedClassifierCV:
    """Fit on the older rows, then calibrate (sigmoid) on the later validation rows.

    `y_fit` may be the grade (hired 2, interviewed 1); `groups` (the vacancy of each
    fit row) is only needed by "ltr" with pairs from the history (`fit_pairwise`).
    """
    if kind == "ltr":
        from ml.benchmark import training_pairs

        fitted = fit_pairwise(X_fit, y_fit, groups, seed, esco_pairs=training_pairs(*esco_pairs))
    elif kind == "linear_base":
        fitted = fit_base(X_fit, (y_fit > 0).astype(int), seed)
    else:
        fitted = make_estimator(kind, seed).fit(X_fit, (y_fit > 0).astype(int))
    return CalibratedClassifierCV(FrozenEstimator(fitted), method="sigmoid").fit(X_val, y_val)


def fit_base(X: np.ndarray, y: np.ndarray, seed: int = 42) -> Pipeline:
    """The linear kind over every feature but the skill evidence: those columns are
    zeroed for the fit, so their weights are 0 (set exactly) and any value they take
    when ranking moves nothing; the result is an ordinary linear pipeline, explained
    exactly."""
    dropped = [FEATURES.index(name) for name in SKILL_EVIDENCE]
    X = X.copy()
    X[:, dropped] = 0.0
    pipeline = make_estimator("linear", seed).fit(X, y)
    pipeline["model"].coef_[:, dropped] = 0.0
    return pipeline


def history_pairs(
    X: np.ndarray, grade: np.ndarray, groups: np.ndarray, seed: int = 42
) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise differences within each vacancy between rows of different grade.

    y = 1 when the first row of the pair has the higher grade; the order of
    each pair is drawn at random so both labels occur.
    """
    rng = np.random.default_rng(seed)
    diffs = []
    order = np.argsort(groups, kind="stable")
    g, Xs, ys = groups[order], X[order], grade[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    ends = np.r_[starts[1:], len(g)]
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        gr = ys[a:b]
        hi, lo = np.nonzero(gr[:, None] > gr[None, :])
        if len(hi):
            diffs.append(Xs[a:b][hi] - Xs[a:b][lo])
    if not diffs:
        return np.zeros((0, X.shape[1])), np.zeros(0, dtype=int)
    D = np.vstack(diffs)
    flip = rng.random(len(D)) < 0.5
    D[flip] *= -1
    return D, (~flip).astype(int)


def fit_pairwise(
    X: np.ndarray,
    grade: np.ndarray,
    groups: np.ndarray | None,
    seed: int = 42,
    *,
    esco_weight: float = ESCO_PAIR_WEIGHT,
    esco_pairs: tuple[np.ndarray, np.ndarray] | None = None,
    history: str = "pointwise",
) -> Pipeline:
    """A linear model with two losses: the history's outcomes and ESCO's skill ranking.

    - **History**, pointwise: logistic loss of interview-or-hire on each row (as
      the "linear" kind; `history="pairwise"` uses pairs within a vacancy instead —
      measured worse on held-out months, see ml/README.md).
    - **ESCO**, pairwise learning to rank (`ml.benchmark.training_pairs`): the
      person built from an occupation above people built from others, and that
      occupation's vacancy above others, for a person — never the benchmark's
      held-out occupations. Those pairs differ only in skill and occupation
      features (same town, language, hours), so they teach what skill evidence
      means; the history teaches the rest.

    One logistic regression over both: history rows carry a constant column whose
    weight is the intercept; in a pairwise difference that column is 0, so pairs
    never move the intercept. ESCO pairs weigh `esco_weight` times the history in
    total. The result is an ordinary StandardScaler + LogisticRegression pipeline:
    calibrated after (sigmoid) for the notify threshold, explained exactly.
    """
    from ml.benchmark import training_pairs

    scaler = StandardScaler().fit(X)
    Z = scaler.transform(X)
    if history == "pairwise":
        if groups is None:
            raise ValueError("pairs from the history need the vacancy of each row (groups)")
        D_h, y_h = history_pairs(Z, grade, groups, seed)
        A_h = np.hstack([D_h, np.zeros((len(D_h), 1))])
    else:
        A_h, y_h = np.hstack([Z, np.ones((len(Z), 1))]), (grade > 0).astype(int)
    D_e, y_e = esco_pairs if esco_pairs is not None else training_pairs()
    A_e = np.hstack([D_e / scaler.scale_, np.zeros((len(D_e), 1))])
    w_e = esco_weight * max(len(A_h), 1) / max(len(A_e), 1)
    weights = np.concatenate([np.ones(len(A_h)), np.full(len(A_e), w_e)])
    both = LogisticRegression(C=1.0, fit_intercept=False, max_iter=3000, random_state=seed)
    both.fit(np.vstack([A_h, A_e]), np.concatenate([y_h, y_e]), sample_weight=weights)
    # The same weights as a plain fitted LogisticRegression over the features.
    lr = LogisticRegression(C=1.0, random_state=seed)
    lr.classes_ = np.array([0, 1])
    lr.coef_ = both.coef_[:, :-1].copy()
    lr.intercept_ = both.coef_[:, -1].copy()
    lr.n_features_in_ = X.shape[1]
    lr.n_iter_ = both.n_iter_
    return Pipeline([("scale", scaler), ("model", lr)])


def _X(frame: pd.DataFrame) -> np.ndarray:
    return frame[list(FEATURES)].to_numpy(dtype=float)


def holdout_metrics(model: RankingModel, frame: pd.DataFrame) -> dict[str, float]:
    """Ranking and probability metrics of `model` on labelled rows (`ml.dataset.load_outcomes`).

    NDCG@10 and MRR rank each vacancy's recorded entries (graded
    hired 2, interviewed 1); log loss, Brier score and ROC AUC score the
    interview-or-hire probability.
    """
    y = frame["label"].to_numpy()
    p = model.predict_proba(_X(frame))
    scored = frame.assign(model_score=p, search_rank=frame["rank"])
    ranking = ranking_metrics(scored, "model_score")
    both = len(np.unique(y)) == 2
    return {
        # Recall@50 is left out: a recorded shortlist is shorter than 50.
        f"ndcg@{NDCG_K}": ranking[f"ndcg@{NDCG_K}"],
        "mrr": ranking["mrr"],
        "log_loss": round(float(log_loss(y, p, labels=[0, 1])), 4),
        "brier": round(float(brier_score_loss(y, p)), 4),
        "roc_auc": round(float(roc_auc_score(y, p)), 4) if both else float("nan"),
    }


def _current(model_dir: Path) -> tuple[RankingModel | None, str]:
    try:
        return load_current(model_dir), ""
    except NoModelError:
        return None, "no model in use"
    except (UntrustedModelError, ModelShapeError) as exc:
        return None, f"model in use unusable: {exc}"


@dataclass(frozen=True)
class GateChecks:
    """The checks beyond the simulator's held-out months, and their sizes (None: skipped)."""

    benchmark: BenchmarkSize | None = GATE_BENCHMARK
    sensitivity: SensitivitySize | None = GATE_SENSITIVITY
    # ESCO pairs the "ltr" kind learns from: (query occupations, pool) of
    # `ml.benchmark.training_pairs` — part of training, kept here so tests can shrink it.
    esco_pairs: tuple[int, int] = (200, 320)


# What `gate` and `train_from_history` check when not told otherwise.
DEFAULT_CHECKS = GateChecks()


def outside_checks(candidate: RankingModel, checks: GateChecks) -> tuple[list[str], dict[str, Any]]:
    """Refusals by the ESCO benchmark and the simulator-sensitivity rule, and their results."""
    refused: list[str] = []
    stored: dict[str, Any] = {}
    if checks.benchmark is not None:
        bench = run_benchmark(candidate.predict_proba, checks.benchmark)
        ok, why = bench.passes_gate()
        refused += [f"ESCO benchmark: {w}" for w in why]
        # The jobseeker's side is not a refusal (a small history may have no candidate
        # above Jaccard there, and the service needs a model), but it is kept and shown.
        person_ok, person_why = bench.passes_gate(sides=SIDES)
        stored["esco_benchmark"] = bench.to_dict() | {
            "passed": ok,
            "passed_both_sides": person_ok,
            "below_jaccard": person_why,
        }
    if checks.sensitivity is not None:
        sens = check_model(candidate.predict_proba, checks.sensitivity)
        ok, why = sens.passes_gate()
        refused += [f"simulator sensitivity: {w}" for w in why]
        stored["sensitivity"] = sens.to_dict() | {"passed": ok}
    return refused, stored


def gate(
    candidate: RankingModel,
    holdout: pd.DataFrame,
    model_dir: Path,
    checks: GateChecks | None = None,
) -> tuple[bool, dict[str, Any]]:
    """Whether `candidate` may replace the model in use, and the comparison.

    Three rules, all must hold: NDCG@10 on the held-out months strictly higher
    than the model in use; on the ESCO benchmark (skills only, the coordinator's
    side, every noise level) Recall@10 and MRR at least Jaccard's (the jobseeker's
    side is recorded, not refused); under every changed simulator
    NDCG@10 at least each baseline's.
    """
    checks = checks or DEFAULT_CHECKS
    mine = holdout_metrics(candidate, holdout)
    current, why = _current(Path(model_dir))
    theirs = holdout_metrics(current, holdout) if current is not None else None
    if theirs is None:
        promote, reason = True, why
    else:
        promote = mine[PROMOTION_METRIC] > theirs[PROMOTION_METRIC]
        reason = (
            f"{PROMOTION_METRIC} {mine[PROMOTION_METRIC]} "
            f"{'>' if promote else '<='} {theirs[PROMOTION_METRIC]} of the model in use"
        )
    refused, outside = outside_checks(candidate, checks)
    if refused:
        promote = False
        reason = "refused: " + "; ".join(refused) + f" ({reason})"
    comparison = {
        "metric": PROMOTION_METRIC,
        "rule": (
            f"promote only if {PROMOTION_METRIC} on the held-out period is strictly higher, "
            "the ESCO benchmark (skills only, coordinator's side) is at least Jaccard's at "
            "Recall@10 and MRR at every noise level, and under every changed simulator "
            "NDCG@10 is at least each baseline's"
        ),
        "candidate": {"kind": candidate.kind, "holdout": mine},
        "current": None
        if current is None
        else {"version": current.version, "kind": current.kind, "holdout": theirs},
        "refused_by": refused,
        "decision": reason,
        **outside,
    }
    return promote, comparison


def register_candidate(
    estimator: Any,
    kind: str,
    split: TimeSplit,
    model_dir: Path,
    *,
    data: dict[str, Any],
    metrics: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    checks: GateChecks | None = None,
) -> ModelVersion:
    """Store `estimator` as a new version, promoted only if it passes `gate`."""
    reference = _X(split.fit).mean(axis=0) if len(split.fit) else np.zeros(len(FEATURES))
    candidate = RankingModel(estimator, "candidate", FEATURES, reference.tolist())
    promote, comparison = gate(candidate, split.holdout, Path(model_dir), checks)
    return save_version(
        estimator,
        Path(model_dir),
        metrics=(metrics or {}) | {"holdout": comparison["candidate"]["holdout"]},
        data=data,
        promote=promote,
        kind=kind,
        reference=reference.tolist(),
        comparison=comparison | (extra or {}),
    )


def train_from_history(
    frame: pd.DataFrame,
    model_dir: Path,
    seed: int = 42,
    kinds: tuple[str, ...] = KINDS,
    checks: GateChecks | None = None,
) -> ModelVersion:
    """Fit every kind on the history's time split; register the best one behind the gate.

    The candidate is the kind with the highest validation NDCG@10 among those that
    pass the ESCO benchmark rule (if none does, the best of all, which the gate refuses).
    """
    checks = checks or DEFAULT_CHECKS
    split = time_split(frame)
    if split.fit.empty or split.validation.empty or split.holdout.empty:
        raise ValueError(f"history too short for a time split: {split.describe()}")
    X_fit, g_fit = _X(split.fit), split.fit["grade"].to_numpy()
    groups = split.fit["vacancy_id"].to_numpy()
    X_val, y_val = _X(split.validation), split.validation["label"].to_numpy()
    fitted: dict[str, Any] = {}
    summary: dict[str, Any] = {}
    reference = X_fit.mean(axis=0).tolist()
    for kind in kinds:
        started = time.perf_counter()
        fitted[kind] = fit_calibrated(
            kind, X_fit, g_fit, X_val, y_val, seed, groups, checks.esco_pairs
        )
        took = time.perf_counter() - started
        model = RankingModel(fitted[kind], kind, FEATURES, reference)
        summary[kind] = {
            "seconds_fit": round(took, 2),
            "validation": holdout_metrics(model, split.validation),
            "holdout": holdout_metrics(model, split.holdout),
        }
        if checks.benchmark is not None:
            bench = run_benchmark(model.predict_proba, checks.benchmark)
            summary[kind]["esco_benchmark_passed"] = bench.passes_gate()[0]
            summary[kind]["esco_both_sides_passed"] = bench.passes_gate(sides=SIDES)[0]
    # Prefer kinds at least as good as Jaccard on both sides, then on the coordinator's
    # (the gate's rule), else all (the gate then refuses).
    eligible = (
        [k for k in kinds if summary[k].get("esco_both_sides_passed", True)]
        or [k for k in kinds if summary[k].get("esco_benchmark_passed", True)]
        or list(kinds)
    )
    best = max(eligible, key=lambda k: summary[k]["validation"][PROMOTION_METRIC])
    data = {
        "source": "recorded shortlist outcomes in the database (ml.dataset.load_outcomes)",
        "vacancies": int(frame["vacancy_id"].nunique()),
        "pairs": len(frame),
        "positive_rate": round(float(frame["label"].mean()), 4),
        "label": "interviewed or hired (grade: hired 2, interviewed 1)",
        "seed": seed,
        **split.describe(),
    }
    return register_candidate(
        fitted[best],
        best,
        split,
        Path(model_dir),
        data=data,
        metrics={"kind": best, "kinds": summary},
        extra={
            "kinds": summary,
            "chosen_kind": best,
            "chosen_by": (
                f"{PROMOTION_METRIC} on the validation slice, among the kinds at least as good "
                "as Jaccard on the ESCO benchmark on both sides, else on the coordinator's"
            ),
        },
        checks=checks,
    )


def evaluate(pipeline: Pipeline, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Held-out ROC AUC and log loss, with the log loss of always predicting the base rate."""
    p = pipeline.predict_proba(X)[:, 1]
    base = np.full(len(y), y.mean())
    return {
        "roc_auc": round(float(roc_auc_score(y, p)), 4),
        "log_loss": round(float(log_loss(y, p)), 4),
        "log_loss_base_rate": round(float(log_loss(y, base)), 4),
    }


def train_and_register(
    vacancies: Sequence[VacancyFacts],
    jobseekers: Sequence[JobseekerFacts],
    model_dir: Path,
    seed: int = 42,
    today: date | None = None,
    *,
    n_pairs: int = DEFAULT_PAIRS,
    promote: bool = True,
) -> ModelVersion:
    """Bootstrap: synthetic pairs over this population → fit → a registered version.

    For a first model before any history exists (and for tests). The split is
    random, not by time, because synthetic pairs have no time; with history use
    `train_from_history`.
    """
    today = today or date.today()
    started = time.perf_counter()
    X, y = sample_pairs(vacancies, jobseekers, n_pairs, seed=seed, today=today)
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=TEST_SHARE, random_state=seed, stratify=y
    )
    featurised = time.perf_counter()
    pipeline = train_model(X_tr, y_tr, seed)
    fitted = time.perf_counter()
    metrics = evaluate(pipeline, X_te, y_te) | {
        "n_train": len(y_tr),
        "n_test": len(y_te),
        "seconds_pairs": round(featurised - started, 2),
        "seconds_fit": round(fitted - featurised, 2),
    }
    data = {
        "source": "synthetic outcomes (ml/synthetic.py) over the given population",
        "vacancies": len(vacancies),
        "jobseekers": len(jobseekers),
        "pairs": len(y),
        "positive_rate": round(float(y.mean()), 4),
        "split": f"random {1 - TEST_SHARE:.0%}/{TEST_SHARE:.0%}, stratified, seed {seed}",
        "seed": seed,
        "today": today.isoformat(),
    }
    return save_version(pipeline, Path(model_dir), metrics=metrics, data=data, promote=promote)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m ml.train",
        description="Train the ranking model on a synthetic population (no database).",
    )
    parser.add_argument("--model-dir", type=Path, default=Path("var/models"))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--occupations", type=int, default=40)
    parser.add_argument("--vacancies", type=int, default=500)
    parser.add_argument("--jobseekers", type=int, default=5000)
    parser.add_argument("--pairs", type=int, default=DEFAULT_PAIRS)
    parser.add_argument("--no-promote", action="store_true", help="register without promoting")
    args = parser.parse_args(argv)
    pop = synthetic_population(
        toy_occupations(args.occupations, args.seed),
        args.vacancies,
        args.jobseekers,
        seed=args.seed,
    )
    version = train_and_register(
        pop.vacancies,
        pop.jobseekers,
        args.model_dir,
        args.seed,
        n_pairs=args.pairs,
        promote=not args.no_promote,
    )
    print(f"model {version.version} in {version.path}: {version.metrics}")


if __name__ == "__main__":
    main()
