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

from ml.dataset import TimeSplit, time_split
from ml.evaluate import NDCG_K, ranking_metrics
from ml.facts import JobseekerFacts, VacancyFacts
from ml.features import FEATURES
from ml.predict import ModelShapeError, RankingModel
from ml.registry import (
    ModelVersion,
    NoModelError,
    UntrustedModelError,
    load_current,
    save_version,
)
from ml.synthetic import sample_pairs, synthetic_population, toy_occupations

DEFAULT_PAIRS = 50_000
TEST_SHARE = 0.2
KINDS = ("linear", "gbm")
PROMOTION_METRIC = f"ndcg@{NDCG_K}"


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
) -> CalibratedClassifierCV:
    """Fit on the older rows, then calibrate (sigmoid) on the later validation rows."""
    fitted = make_estimator(kind, seed).fit(X_fit, y_fit)
    return CalibratedClassifierCV(FrozenEstimator(fitted), method="sigmoid").fit(X_val, y_val)


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


def gate(
    candidate: RankingModel, holdout: pd.DataFrame, model_dir: Path
) -> tuple[bool, dict[str, Any]]:
    """Whether `candidate` beats the model in use on the held-out rows, and the comparison."""
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
    comparison = {
        "metric": PROMOTION_METRIC,
        "rule": f"promote only if {PROMOTION_METRIC} on the held-out period is strictly higher",
        "candidate": {"kind": candidate.kind, "holdout": mine},
        "current": None
        if current is None
        else {"version": current.version, "kind": current.kind, "holdout": theirs},
        "decision": reason,
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
) -> ModelVersion:
    """Store `estimator` as a new version, promoted only if it passes `gate`."""
    reference = _X(split.fit).mean(axis=0) if len(split.fit) else np.zeros(len(FEATURES))
    candidate = RankingModel(estimator, "candidate", FEATURES, reference.tolist())
    promote, comparison = gate(candidate, split.holdout, Path(model_dir))
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
) -> ModelVersion:
    """Fit every kind on the history's time split; register the better one behind the gate."""
    split = time_split(frame)
    if split.fit.empty or split.validation.empty or split.holdout.empty:
        raise ValueError(f"history too short for a time split: {split.describe()}")
    X_fit, y_fit = _X(split.fit), split.fit["label"].to_numpy()
    X_val, y_val = _X(split.validation), split.validation["label"].to_numpy()
    fitted: dict[str, Any] = {}
    summary: dict[str, Any] = {}
    reference = X_fit.mean(axis=0).tolist()
    for kind in kinds:
        started = time.perf_counter()
        fitted[kind] = fit_calibrated(kind, X_fit, y_fit, X_val, y_val, seed)
        took = time.perf_counter() - started
        model = RankingModel(fitted[kind], kind, FEATURES, reference)
        summary[kind] = {
            "seconds_fit": round(took, 2),
            "validation": holdout_metrics(model, split.validation),
            "holdout": holdout_metrics(model, split.holdout),
        }
    best = max(kinds, key=lambda k: summary[k]["validation"][PROMOTION_METRIC])
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
            "chosen_by": f"{PROMOTION_METRIC} on the validation slice",
        },
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
