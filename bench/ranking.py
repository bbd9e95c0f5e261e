"""Speed of ranking and training on a synthetic population; prints a table.

python -m ml.bench
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np

from ml.features import feature_matrix
from ml.registry import load_current
from ml.synthetic import synthetic_population, toy_occupations
from ml.train import train_and_register


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ml.bench", description=__doc__)
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args(argv)
    today = date.today()
    pop = synthetic_population(toy_occupations(40), 200, 5000, seed=7, today=today)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        version = train_and_register(
            pop.vacancies, pop.jobseekers, Path(tmp), seed=7, today=today, n_pairs=args.pairs
        )
        total = time.perf_counter() - started
        m = version.metrics
        rows.append(
            (
                f"train on {args.pairs:,} synthetic pairs",
                f"{total:.2f} s total",
                f"pairs {m['seconds_pairs']} s, fit {m['seconds_fit']} s, AUC {m['roc_auc']}",
            )
        )
        model = load_current(Path(tmp))
    rng = np.random.default_rng(7)
    n = args.candidates
    feat: list[float] = []
    rank: list[float] = []
    rank_cpu: list[float] = []
    for r in range(args.repeats):
        v = pop.vacancies[r % len(pop.vacancies)]
        idx = rng.choice(len(pop.jobseekers), size=n, replace=False)
        cands = [(pop.jobseekers[i], float(rng.random())) for i in idx]
        t0 = time.perf_counter()
        feature_matrix(v, [j for j, _ in cands], [s for _, s in cands], today)
        t1, c1 = time.perf_counter(), time.process_time()
        model.rank(v, cands, today=today)
        t2, c2 = time.perf_counter(), time.process_time()
        rank_cpu.append(c2 - c1)
        feat.append(t1 - t0)
        rank.append(t2 - t1)
    for name, samples in (
        ("featurise", feat),
        ("featurise + rank + explain", rank),
        ("featurise + rank + explain (CPU time)", rank_cpu),
    ):
        p50, p95 = _ms(samples)
        rows.append((f"{name}, {n} candidates", f"p50 {p50:.1f} ms", f"p95 {p95:.1f} ms"))
    width = [max(len(r[k]) for r in rows) for k in range(3)]
    print(" | ".join(h.ljust(w) for h, w in zip(("step", "time", "detail"), width, strict=True)))
    print("-|-".join("-" * w for w in width))
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, width, strict=True)))


if __name__ == "__main__":
    main()
