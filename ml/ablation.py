"""Does meaning help matching? One history, the model trained with and without its
skill-similarity features, and with the similarity taken from sentence embeddings of
the ESCO labels instead of co-occurrence.

Each variant is fitted on the same time split of the recorded outcomes (as
`ml.train` does) and measured the same ways as the model in use: held-out NDCG@10
and the fairness table on the simulator's ground truth (`ml.evaluate`), and the ESCO
benchmark (`ml.benchmark`) on both sides and in both conditions.

A dropped feature is zeroed in the fit rows, in the ESCO training pairs and at
prediction, which for these models is the same as leaving it out.

    python -m ml.ablation            # needs a database with a simulated history (the demo's)
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from ml.benchmark import DEFAULT_SIZE, run_benchmark, training_pairs
from ml.dataset import load_outcomes, load_population, time_split
from ml.evaluate import NDCG_K, RECALL_K, evaluate_frame
from ml.features import FEATURES, SKILL_EVIDENCE, SkillEvidence
from ml.history import load_ground_truth
from ml.predict import RankingModel
from ml.skills import EmbeddingSimilarity, SkillSpace, load_esco
from ml.train import DEFAULT_CHECKS, ESCO_PAIR_WEIGHT, fit_pairwise, make_estimator

SIMILARITY = ("similarity_coverage", "similarity_profile")
_EVIDENCE_SIMILARITY = slice(4, 6)  # SkillEvidence.batch columns of SIMILARITY


@dataclass(frozen=True)
class Variant:
    name: str
    kind: str  # "linear" (history only) or "ltr" (history + ESCO pairs, as shipped)
    dropped: tuple[str, ...] = ()
    similarity: str = "cooccurrence"  # or "embedding"
    esco_weight: float = ESCO_PAIR_WEIGHT


VARIANTS = (
    Variant("15 features, history only (before issue 15)", "linear", dropped=SKILL_EVIDENCE),
    Variant("without the similarity features", "ltr", dropped=SIMILARITY),
    Variant("with similarity from co-occurrence (shipped)", "ltr"),
    Variant("with similarity from sentence embeddings", "ltr", similarity="embedding"),
    # Not about similarity: the two features that damp long profiles, which older
    # people tend to have (a fairness suspect), and a lighter ESCO weight.
    Variant(
        "without profile-length features", "ltr", dropped=("bm25_overlap", "profile_explained")
    ),
    Variant("ESCO pair weight 3", "ltr", esco_weight=3.0),
    Variant("ESCO pair weight 30", "ltr", esco_weight=30.0),
)


def _zero(columns: Sequence[str]) -> FunctionTransformer:
    index = [FEATURES.index(c) for c in columns]

    def drop(X: np.ndarray) -> np.ndarray:
        X = np.array(X, dtype=float, copy=True)
        X[:, index] = 0.0
        return X

    return FunctionTransformer(drop)


def embedding_space() -> SkillSpace:
    return SkillSpace(load_esco().occupations, EmbeddingSimilarity())


def resimilarise(frame: pd.DataFrame, space: SkillSpace, population: Any) -> pd.DataFrame:
    """The frame with its similarity columns recomputed in `space` (facts from the database)."""
    vacancies, people = population
    out = frame.copy()
    for vacancy_id, rows in frame.groupby("vacancy_id", sort=False):
        v = vacancies[str(vacancy_id)]
        profiles = [people[str(j)].skill_uris for j in rows["jobseeker_id"]]
        sims = SkillEvidence(v, space).batch(profiles)[:, _EVIDENCE_SIMILARITY]
        out.loc[rows.index, list(SIMILARITY)] = sims
    return out


def fit_variant(variant: Variant, history: pd.DataFrame, seed: int = 42) -> RankingModel:
    split = time_split(history)
    drop = _zero(variant.dropped)
    X_fit = drop.transform(split.fit[list(FEATURES)].to_numpy(dtype=float))
    X_val = drop.transform(split.validation[list(FEATURES)].to_numpy(dtype=float))
    grade = split.fit["grade"].to_numpy()
    if variant.kind == "ltr":
        D, y = training_pairs(*DEFAULT_CHECKS.esco_pairs, similarity=variant.similarity)
        fitted = fit_pairwise(
            X_fit,
            grade,
            split.fit["vacancy_id"].to_numpy(),
            seed,
            esco_weight=variant.esco_weight,
            esco_pairs=(drop.transform(D), y),
        )
    else:
        fitted = make_estimator(variant.kind, seed).fit(X_fit, (grade > 0).astype(int))
    calibrated = CalibratedClassifierCV(FrozenEstimator(fitted), method="sigmoid").fit(
        X_val, split.validation["label"].to_numpy()
    )
    pipeline = Pipeline([("drop", drop), ("model", calibrated)])
    return RankingModel(pipeline, variant.name, FEATURES, X_fit.mean(axis=0).tolist())


def measure(variant: Variant, history: pd.DataFrame, truth: pd.DataFrame) -> dict[str, Any]:
    model = fit_variant(variant, history)
    evaluation = evaluate_frame(truth, model)
    ratios = evaluation.fairness[evaluation.fairness["group"].str.startswith("ratio")]
    bench = run_benchmark(model.predict_proba, DEFAULT_SIZE, similarity=variant.similarity)
    return {
        "variant": asdict(variant),
        "holdout_vacancies": evaluation.holdout_vacancies,
        "candidates": evaluation.candidates,
        "metrics": evaluation.metrics,
        "selection_ratio": dict(
            zip(ratios["attribute"], ratios["selection_rate"].round(3), strict=True)
        ),
        "esco_benchmark": bench.results,
        "esco_gate_passed": bench.passes_gate()[0],
    }


async def _inputs(similarities: set[str]) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    from kohtaanto.settings import get_settings

    history = await load_outcomes()
    truth = load_ground_truth(get_settings().matching.model_dir)
    inputs = {"cooccurrence": (history, truth)}
    if "embedding" in similarities:
        vacancies, people = await load_population()
        population = ({v.id: v for v in vacancies}, {j.id: j for j in people})
        space = embedding_space()
        inputs["embedding"] = (
            resimilarise(history, space, population),
            resimilarise(truth, space, population),
        )
    return inputs


def markdown(results: Sequence[dict[str, Any]]) -> str:
    """Held-out quality and fairness, then the ESCO benchmark's MRR per variant."""
    lines = [
        f"| variant | NDCG@{NDCG_K} | Recall@{RECALL_K} | MRR | selection ratio gender "
        "| mother tongue | age band | ESCO gate |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        m, s = r["metrics"]["model"], r["selection_ratio"]
        lines.append(
            f"| {r['variant']['name']} | {m[f'ndcg@{NDCG_K}']:.4f} | {m[f'recall@{RECALL_K}']:.4f}"
            f" | {m['mrr']:.4f} | {s['gender']:.3f} | {s['mother_tongue']:.3f}"
            f" | {s['age_band']:.3f} | {'passed' if r['esco_gate_passed'] else 'refused'} |"
        )
    base = results[0]["metrics"]
    lines.append(
        f"| (Jaccard, for reference) | {base['skill_overlap'][f'ndcg@{NDCG_K}']:.4f}"
        f" | {base['skill_overlap'][f'recall@{RECALL_K}']:.4f}"
        f" | {base['skill_overlap']['mrr']:.4f} | | | | |"
    )
    lines += [
        "",
        "ESCO benchmark, MRR (noise levels: skills kept, unrelated added):",
        "",
    ]
    noises = list(results[0]["esco_benchmark"])
    head = " | ".join(f"{side} {cond} {n}" for side, cond in _COLUMNS for n in noises)
    lines.append(f"| variant | {head} |")
    lines.append("|---|" + "---:|" * (len(_COLUMNS) * len(noises)))
    jaccard = [
        results[0]["esco_benchmark"][n]["skills_only"][_SIDE[side]]["jaccard"]["mrr"]
        if cond == "skills only"
        else float("nan")
        for side, cond in _COLUMNS
        for n in noises
    ]
    for r in results:
        cells = [
            r["esco_benchmark"][n][cond.replace(" ", "_")][_SIDE[side]]["model"]["mrr"]
            for side, cond in _COLUMNS
            for n in noises
        ]
        lines.append(f"| {r['variant']['name']} | " + " | ".join(f"{c:.3f}" for c in cells) + " |")
    lines.append(
        "| (Jaccard) | " + " | ".join("" if np.isnan(c) else f"{c:.3f}" for c in jaccard) + " |"
    )
    return "\n".join(lines)


_SIDE = {"coordinator": "vacancy", "jobseeker": "jobseeker"}
_COLUMNS = (
    ("coordinator", "skills only"),
    ("coordinator", "occupation stated"),
    ("jobseeker", "skills only"),
)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    parser.add_argument(
        "--only", action="append", help="run only the variants whose name contains this"
    )
    args = parser.parse_args(argv)
    variants = [v for v in VARIANTS if not args.only or any(o in v.name for o in args.only)]
    inputs = asyncio.run(_inputs({v.similarity for v in variants}))
    results = []
    for v in variants:
        history, truth = inputs[v.similarity]
        results.append(measure(v, history, truth))
        print(f"measured: {v.name}", flush=True)
        if args.out:  # after each: a long run keeps what it measured
            args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(markdown(results))


if __name__ == "__main__":
    main()
