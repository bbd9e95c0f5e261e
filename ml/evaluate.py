"""Offline evaluation on the held-out period: ranking quality against baselines, and fairness.

    kohtaanto evaluate

Over the same candidate sets — everyone retrieved for each held-out vacancy,
with graded relevance from the simulator's ground truth (hired 2, interviewed
1, else 0; `ml.history`) — three orders are compared:

(a) Meilisearch's own order, (b) skill overlap (Jaccard of the vacancy's and the
person's skill sets; ties in search order), (c) the model in use.

Metrics, averaged over held-out vacancies with at least one relevant candidate:

- NDCG@10 with gain 2^grade - 1 and discount log2(1 + rank);
- Recall@50: share of the relevant candidates (grade > 0) in the top 50;
- MRR: 1 / rank of the first relevant candidate.

Fairness of the model's order, by gender, mother-tongue group and age band
(attributes that exist in the evaluation data only): selection rate (share of
the group's candidates placed in a vacancy's top 10) and average exposure
(1 / log2(1 + rank) over all their appearances), with the ratio of the lowest
group to the highest. The ground truth's relevance rate per group is shown
alongside, so a gap can be told apart from a difference in who fits the jobs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ml.benchmark import DEFAULT_SIZE as DEFAULT_BENCHMARK
from ml.benchmark import BenchmarkResult, BenchmarkSize, run_benchmark
from ml.card import write_card
from ml.dataset import time_cutoff
from ml.features import FEATURES
from ml.history import PROTECTED, load_ground_truth
from ml.predict import RankingModel

if TYPE_CHECKING:  # ml.sensitivity uses this module's metrics
    from ml.sensitivity import SensitivityResult, SensitivitySize

NDCG_K = 10
RECALL_K = 50
SELECTION_K = 10
ORDERS = ("meilisearch", "skill_overlap", "model")
ORDER_LABELS = {
    "meilisearch": "(a) Meilisearch order",
    "skill_overlap": "(b) skill overlap (Jaccard)",
    "model": "(c) model",
}


# --- metrics on one ranking -----------------------------------------------------------------------


def dcg_at_k(grades: Sequence[float], k: int) -> float:
    """Discounted cumulative gain of grades in ranked order: sum (2^g - 1) / log2(1 + rank)."""
    g = np.asarray(grades, dtype=float)[:k]
    return float(((2.0**g - 1.0) / np.log2(np.arange(2, len(g) + 2))).sum())


def ndcg_at_k(grades: Sequence[float], k: int = NDCG_K) -> float | None:
    """DCG@k over the ideal DCG@k; None when nothing is relevant (undefined)."""
    ideal = dcg_at_k(sorted(grades, reverse=True), k)
    return dcg_at_k(grades, k) / ideal if ideal > 0 else None


def recall_at_k(grades: Sequence[float], k: int = RECALL_K) -> float | None:
    """Share of relevant (grade > 0) items in the top k; None when nothing is relevant."""
    g = np.asarray(grades)
    relevant = int((g > 0).sum())
    return int((g[:k] > 0).sum()) / relevant if relevant else None


def reciprocal_rank(grades: Sequence[float]) -> float | None:
    """1 / rank of the first relevant item; None when nothing is relevant."""
    hits = np.flatnonzero(np.asarray(grades) > 0)
    return 1.0 / (hits[0] + 1) if len(hits) else None


def _ranked(group: pd.DataFrame, score: str | None) -> pd.DataFrame:
    """Rows best first: by `score` descending, ties (and score None) in search order."""
    if score is None:
        return group.sort_values("search_rank", kind="stable")
    return group.sort_values([score, "search_rank"], ascending=[False, True], kind="stable")


def ranking_metrics(
    frame: pd.DataFrame, score: str | None, group_by: str = "vacancy_id"
) -> dict[str, float]:
    """Mean NDCG@10, Recall@50 and MRR over groups (vacancies) with a relevant row.

    `frame` needs `grade`, `search_rank` (tie order) and the `score` column; with
    `score=None` the search order itself is evaluated.
    """
    ndcg: list[float] = []
    recall: list[float] = []
    rr: list[float] = []
    for _, group in frame.groupby(group_by, sort=False):
        grades = _ranked(group, score)["grade"].to_numpy()
        n = ndcg_at_k(grades, NDCG_K)
        if n is None:
            continue  # nothing relevant: every metric is undefined for this vacancy
        ndcg.append(n)
        recall.append(recall_at_k(grades, RECALL_K) or 0.0)
        rr.append(reciprocal_rank(grades) or 0.0)
    return {
        f"ndcg@{NDCG_K}": round(float(np.mean(ndcg)), 4) if ndcg else 0.0,
        f"recall@{RECALL_K}": round(float(np.mean(recall)), 4) if recall else 0.0,
        "mrr": round(float(np.mean(rr)), 4) if rr else 0.0,
        "vacancies": len(ndcg),
    }


# --- fairness ---------------------------------------------------------------------------------


def with_positions(frame: pd.DataFrame, score: str) -> pd.DataFrame:
    """Adds `position` (1 = best) within each vacancy by `score`, ties in search order."""
    ordered = frame.sort_values(
        ["vacancy_id", score, "search_rank"], ascending=[True, False, True], kind="stable"
    )
    ordered = ordered.assign(position=ordered.groupby("vacancy_id").cumcount() + 1)
    return ordered.sort_index()


def fairness_table(
    frame: pd.DataFrame,
    attributes: Sequence[str] = PROTECTED,
    *,
    position: str = "position",
    k: int = SELECTION_K,
) -> pd.DataFrame:
    """Selection rate (in the top k) and average exposure by group, per attribute.

    `frame` has one row per (vacancy, candidate) with `position` (1 = best) and
    `grade`. Returns rows (attribute, group, candidates, relevant_rate,
    selection_rate, exposure) plus, per attribute, a row with group "ratio
    lowest/highest" holding min/max of the rates.
    """
    pos = frame[position].to_numpy(dtype=float)
    work = pd.DataFrame(
        {
            "selected": pos <= k,
            "exposure": 1.0 / np.log2(1.0 + pos),
            "relevant": frame["grade"].to_numpy() > 0,
        }
    )
    rows: list[dict[str, Any]] = []
    for attribute in attributes:
        stats = work.groupby(frame[attribute].to_numpy()).agg(
            candidates=("selected", "size"),
            relevant_rate=("relevant", "mean"),
            selection_rate=("selected", "mean"),
            exposure=("exposure", "mean"),
        )
        for group, s in stats.iterrows():
            rows.append({"attribute": attribute, "group": str(group), **s.to_dict()})
        rows.append(
            {
                "attribute": attribute,
                "group": "ratio lowest/highest",
                "candidates": int(stats["candidates"].sum()),
                "relevant_rate": _ratio(stats["relevant_rate"]),
                "selection_rate": _ratio(stats["selection_rate"]),
                "exposure": _ratio(stats["exposure"]),
            }
        )
    table = pd.DataFrame(rows)
    table["candidates"] = table["candidates"].astype(int)
    return table


def _ratio(values: pd.Series) -> float:
    top = float(values.max())
    return float(values.min()) / top if top > 0 else 0.0


# --- the command ------------------------------------------------------------------------------


@dataclass
class Evaluation:
    model_version: str
    model_kind: str
    cutoff: str
    holdout_vacancies: int
    candidates: int
    metrics: dict[str, dict[str, float]]
    fairness: pd.DataFrame
    saved_to: Path | None = None
    notes: list[str] = field(default_factory=list)
    # Beyond the simulator (ml/benchmark.py, ml/sensitivity.py); None when not run.
    esco_benchmark: BenchmarkResult | None = None
    sensitivity: SensitivityResult | None = None

    def metrics_table(self) -> str:
        head = f"| order | NDCG@{NDCG_K} | Recall@{RECALL_K} | MRR |"
        lines = [head, "|---|---:|---:|---:|"]
        for order in ORDERS:
            m = self.metrics[order]
            lines.append(
                f"| {ORDER_LABELS[order]} | {m[f'ndcg@{NDCG_K}']:.4f} | "
                f"{m[f'recall@{RECALL_K}']:.4f} | {m['mrr']:.4f} |"
            )
        return "\n".join(lines)

    def fairness_markdown(self) -> str:
        lines = [
            f"| attribute | group | candidates | relevant (truth) | selected in top {SELECTION_K}"
            " | avg exposure |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for r in self.fairness.itertuples():
            ratio = r.group.startswith("ratio")
            fmt = "**{:.3f}**" if ratio else "{:.3f}"
            lines.append(
                f"| {r.attribute} | {r.group} | {r.candidates} | {fmt.format(r.relevant_rate)} | "
                f"{fmt.format(r.selection_rate)} | {fmt.format(r.exposure)} |"
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model_version": self.model_version,
            "model_kind": self.model_kind,
            "holdout_from": self.cutoff,
            "holdout_vacancies": self.holdout_vacancies,
            "candidates": self.candidates,
            "metrics": self.metrics,
            "fairness": self.fairness.to_dict(orient="records"),
            "notes": self.notes,
            "esco_benchmark": None
            if self.esco_benchmark is None
            else self.esco_benchmark.to_dict(),
            "sensitivity": None if self.sensitivity is None else self.sensitivity.to_dict(),
        }


def evaluate_frame(frame: pd.DataFrame, model: RankingModel) -> Evaluation:
    """Evaluate on the held-out period of a ground-truth frame (`ml.history.ground_truth_frame`)."""
    cutoff = time_cutoff(frame["published_at"])
    held = frame[frame["published_at"] >= cutoff].copy()
    held["model_score"] = model.predict_proba(held[list(FEATURES)].to_numpy(dtype=float))
    metrics = {
        "meilisearch": ranking_metrics(held, None),
        "skill_overlap": ranking_metrics(held, "jaccard"),
        "model": ranking_metrics(held, "model_score"),
    }
    fairness = fairness_table(with_positions(held, "model_score"))
    return Evaluation(
        model_version=model.version,
        model_kind=model.kind,
        cutoff=cutoff.isoformat(),
        holdout_vacancies=int(held["vacancy_id"].nunique()),
        candidates=len(held),
        metrics=metrics,
        fairness=fairness,
    )


def save_evaluation(evaluation: Evaluation, model_dir: Path) -> Path:
    """Store the run as JSON (and the fairness table as CSV) under the model's version folder."""
    folder = Path(model_dir) / evaluation.model_version / "evaluations"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = folder / f"{stamp}.json"
    path.write_text(json.dumps(evaluation.to_dict(), indent=2, ensure_ascii=False) + "\n")
    evaluation.fairness.to_csv(folder / f"{stamp}-fairness.csv", index=False)
    evaluation.saved_to = path
    return path


def run_evaluation(
    model_dir: Path,
    load: Callable[[Path], RankingModel] | None = None,
    *,
    benchmark: BenchmarkSize | None = DEFAULT_BENCHMARK,
    sensitivity: SensitivitySize | str | None = "default",
) -> Evaluation:
    """Evaluate the model in use on the simulator's held-out period, on the ESCO benchmark
    and under changed simulators; store the run and rewrite the model card.

    `benchmark` / `sensitivity`: their sizes, None to skip ("default": the gate's sizes).
    """
    from ml.registry import load_current
    from ml.sensitivity import check_model
    from ml.train import GATE_SENSITIVITY

    model = (load or load_current)(Path(model_dir))
    try:
        frame = load_ground_truth(model_dir)
    except FileNotFoundError as exc:
        raise FileNotFoundError(
            "no evaluation data: run `kohtaanto simulate-history` first"
        ) from exc
    evaluation = evaluate_frame(frame, model)
    if benchmark is not None:
        evaluation.esco_benchmark = run_benchmark(model.predict_proba, benchmark)
    if sensitivity is not None:
        size = GATE_SENSITIVITY if isinstance(sensitivity, str) else sensitivity
        evaluation.sensitivity = check_model(model.predict_proba, size)
    save_evaluation(evaluation, model_dir)
    write_card(Path(model_dir), model.version)
    return evaluation
