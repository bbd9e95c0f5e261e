"""Train the ranking model and register it.

    python -m ml.train --model-dir var/models   # synthetic population, no database

`kohtaanto train` does the same over the database's population
(`ml.dataset.load_population`).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from ml.facts import JobseekerFacts, VacancyFacts
from ml.registry import ModelVersion, save_version
from ml.synthetic import sample_pairs, synthetic_population, toy_occupations

DEFAULT_PAIRS = 50_000
TEST_SHARE = 0.2


def train_model(X: np.ndarray, y: np.ndarray, seed: int = 42) -> Pipeline:
    """Fit StandardScaler + LogisticRegression: probabilities, exact per-feature contributions."""
    pipeline = Pipeline(
        [
            ("scale", StandardScaler()),
            ("model", LogisticRegression(C=1.0, max_iter=1000, random_state=seed)),
        ]
    )
    return pipeline.fit(X, y)


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
    """Synthetic outcomes over this population → fit → held-out metrics → a registered version.

    The split is random, not by time, because synthetic outcomes have no time;
    switch to a time split when real outcomes are recorded.
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
