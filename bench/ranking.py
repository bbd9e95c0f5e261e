"""Ranking speed and training cost; prints a table.

    python bench/ranking.py              (no database or search engine needed)

1. Both model kinds are trained on an offline simulated history
   (`ml.history.offline_history`, time split, calibration, promotion gate);
   rank + explain 500 candidates is timed for each (p50, p95), the promoted
   kind marked.
2. Training on 1 million labelled pairs (`ml.synthetic.sample_pairs`), per kind:
   featurising (pairs → feature rows, shared by both kinds) and fitting
   (fit on 80 %, sigmoid calibration on the last 20 %).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np

from ml.features import feature_matrix
from ml.history import offline_history
from ml.predict import RankingModel
from ml.registry import current_version, load_version
from ml.synthetic import sample_pairs, synthetic_population, toy_occupations
from ml.train import KINDS, GateChecks, fit_calibrated, train_from_history


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[round(0.95 * (len(ordered) - 1))] * 1000


def _rank_times(model: RankingModel, pop, n: int, repeats: int, today: date) -> list[float]:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(7)
    people = [j for j in pop.jobseekers if not j.is_empty]
    samples = []
    for r in range(repeats):
        v = pop.vacancies[r % len(pop.vacancies)]
        idx = rng.choice(len(people), size=n, replace=False)
        cands = [(people[i], float(rng.random())) for i in idx]
        t0 = time.perf_counter()
        model.rank(v, cands, today=today)
        samples.append(time.perf_counter() - t0)
    return samples


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python bench/ranking.py", description=__doc__)
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=60)
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--history-vacancies", type=int, default=600)
    args = parser.parse_args(argv)
    today = date.today()
    pop = synthetic_population(toy_occupations(40), 300, 8000, seed=7, today=today)
    rows: list[tuple[str, str, str]] = []

    # 1. rank + explain, per kind, after training on an offline history
    frame = offline_history(pop.vacancies, pop.jobseekers, args.history_vacancies, seed=7)
    with tempfile.TemporaryDirectory() as tmp:
        # Only the held-out rule: the ESCO and sensitivity checks are not what is timed here.
        promoted = train_from_history(
            frame, Path(tmp) / "both", seed=7, checks=GateChecks(None, None)
        )
        winner = promoted.metrics["kind"]
        for kind in KINDS:
            version = train_from_history(
                frame, Path(tmp) / kind, seed=7, kinds=(kind,), checks=GateChecks(None, None)
            )
            model = load_version(Path(tmp) / kind, version.version)
            assert current_version(Path(tmp) / kind) == version.version
            times = _rank_times(model, pop, args.candidates, args.repeats, today)
            p50, p95 = _ms(times)
            mark = " (promoted)" if kind == winner else ""
            rows.append(
                (
                    f"rank + explain {args.candidates} candidates, {kind}{mark}",
                    f"p50 {p50:.1f} ms",
                    f"p95 {p95:.1f} ms",
                )
            )
    feat = []
    rng = np.random.default_rng(3)
    for r in range(args.repeats):
        v = pop.vacancies[r % len(pop.vacancies)]
        js = [pop.jobseekers[i] for i in rng.choice(len(pop.jobseekers), args.candidates)]
        t0 = time.perf_counter()
        feature_matrix(v, js, [0.5] * len(js), today)
        feat.append(time.perf_counter() - t0)
    p50, p95 = _ms(feat)
    rows.append(
        (f"  of which featurise {args.candidates}", f"p50 {p50:.1f} ms", f"p95 {p95:.1f} ms")
    )

    # 2. training on a million labelled pairs
    t0 = time.perf_counter()
    X, y = sample_pairs(pop.vacancies, pop.jobseekers, args.pairs, seed=7, today=today)
    featurise_s = time.perf_counter() - t0
    rows.append(
        (
            f"featurise {len(y):,} labelled pairs",
            f"{featurise_s:.1f} s",
            f"{len(y) / featurise_s:,.0f} pairs/s, positive rate {y.mean():.3f}",
        )
    )
    cut = int(0.8 * len(y))
    for kind in KINDS:
        t0 = time.perf_counter()
        fit_calibrated(kind, X[:cut], y[:cut], X[cut:], y[cut:], seed=7)
        fit_s = time.perf_counter() - t0
        rows.append(
            (
                f"fit + calibrate {kind} on {len(y):,} pairs",
                f"{fit_s:.1f} s",
                f"total with featurising {featurise_s + fit_s:.1f} s",
            )
        )

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    width = [max(len(r[k]) for r in rows) for k in range(3)]
    print(" | ".join(h.ljust(w) for h, w in zip(("step", "time", "detail"), width, strict=True)))
    print("-|-".join("-" * w for w in width))
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, width, strict=True)))


if __name__ == "__main__":
    main()
