"""The model card of a registered version: what the model uses, what it learnt from, how it
was checked, how fair its order is, and its limits — in plain language.

Built from what the registry stores beside the model (`data.json`, `metrics.json`,
`comparison.json`, the latest `evaluations/*.json`), so the markdown file
(`MODEL_CARD.md`, rewritten after every `kohtaanto evaluate`) and the managers'
page (`/manager/model`) say the same.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ml.features import FEATURES

CARD_FILE = "MODEL_CARD.md"

KIND_TEXT = {
    "linear": "standardised logistic regression on the simulated history's outcomes",
    "gbm": "gradient-boosted trees on the simulated history's outcomes",
    "linear_base": (
        "standardised logistic regression on the simulated history's outcomes, over the "
        "features before the skill evidence (those weigh 0)"
    ),
    "ltr": (
        "logistic regression with two losses: the simulated history's outcomes (pointwise) "
        "and ranking pairs built from ESCO (the right person above people from other "
        "occupations, the right vacancy above others)"
    ),
}

LIMITS = (
    "It learnt from simulated outcomes, not real hiring: its figures on the held-out months "
    "partly measure how well it learnt the simulator back.",
    "The ESCO benchmark is built from ESCO's occupation-skill relations: it checks that skills "
    "are read sensibly, not that the people it ranks first get hired.",
    "Skill similarity comes from which skills ESCO occupations share (co-occurrence); the "
    "shipped ESCO has no skill hierarchy.",
    "Support-instrument figures are estimates; the employment authority decides.",
    "Protected attributes are never features, but groups can still differ through what their "
    "profiles differ in (languages, age-dependent instruments): read the fairness table.",
)


def _read(path: Path) -> Any:
    return json.loads(path.read_text()) if path.is_file() else None


def latest_evaluation(folder: Path) -> dict[str, Any] | None:
    runs = sorted((folder / "evaluations").glob("*[0-9].json"))
    return _read(runs[-1]) if runs else None


def feature_weights(model_dir: Path, version: str) -> list[tuple[str, float]] | None:
    """Linear models: each feature's weight on the calibrated log-odds per standard
    deviation of the feature, largest first. None for non-linear models."""
    from ml.predict import ModelShapeError
    from ml.registry import load_version

    try:
        model = load_version(model_dir, version)
    except (ModelShapeError, OSError, ValueError, LookupError):
        return None
    if model.kind != "linear":
        return None
    weights = [(f, round(float(w), 3)) for f, w in zip(FEATURES, model._coef, strict=True)]
    return sorted(weights, key=lambda fw: -abs(fw[1]))


def card_data(model_dir: Path, version: str) -> dict[str, Any]:
    """Everything the card shows, from the version's folder."""
    folder = Path(model_dir) / version
    comparison = _read(folder / "comparison.json") or {}
    metrics = _read(folder / "metrics.json") or {}
    evaluation = latest_evaluation(folder)
    kind = str(metrics.get("kind") or comparison.get("chosen_kind") or "linear")
    return {
        "version": version,
        "kind": kind,
        "kind_text": KIND_TEXT.get(kind, kind),
        "promoted": comparison.get("promoted"),
        "decision": comparison.get("decision"),
        "refused_by": comparison.get("refused_by", []),
        "data": _read(folder / "data.json") or {},
        "weights": feature_weights(Path(model_dir), version),
        "holdout": (comparison.get("candidate") or {}).get("holdout") or metrics.get("holdout"),
        "simulator": (evaluation or {}).get("metrics"),
        "fairness": (evaluation or {}).get("fairness"),
        "esco_benchmark": (evaluation or {}).get("esco_benchmark")
        or comparison.get("esco_benchmark"),
        "sensitivity": (evaluation or {}).get("sensitivity") or comparison.get("sensitivity"),
        "limits": list(LIMITS),
    }


def _table(head: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def markdown(card: dict[str, Any]) -> str:
    """The card as markdown (MODEL_CARD.md)."""
    data = card["data"]
    parts = [
        f"# Ranking model {card['version']}",
        "**What it does.** Orders the candidates search found for a vacancy by the estimated "
        "chance that the person would be interviewed or hired, and explains each score. "
        "Coordinators decide; the model only orders.",
        f"**Model.** {card['kind_text']} ({card['kind']}); probabilities calibrated by a sigmoid "
        "on a later validation period.",
        f"**Promotion.** {'promoted' if card['promoted'] else 'not promoted'}: "
        f"{card['decision'] or 'no gate recorded (bootstrap model)'}",
    ]
    if card["weights"]:
        parts.append(
            "**Features and weights** (change in the calibrated log-odds per standard deviation "
            "of the feature):\n\n"
            + _table(["feature", "weight"], [[f"`{f}`", w] for f, w in card["weights"]])
        )
    else:
        parts.append("**Features.** " + ", ".join(f"`{f}`" for f in FEATURES))
    parts.append(
        "Never used: age, birth year, gender, mother tongue, nationality, months unemployed."
    )
    parts.append(
        f"**Training data.** {data.get('source', 'unknown')}: {data.get('pairs', '?')} "
        f"labelled shortlist entries over {data.get('vacancies', '?')} vacancies "
        f"(positive rate {data.get('positive_rate', '?')}); {data.get('split', '')}. The history "
        "is simulated (ml/history.py): a hidden logistic model of skills, language, hours, "
        "distance and subsidies, plus employer taste, personal presence and noise the model "
        "cannot see."
    )
    if card["holdout"]:
        h = card["holdout"]
        parts.append(
            "**1. Held-out simulated months** (the candidate's recorded entries): "
            + ", ".join(f"{k} {v}" for k, v in h.items())
        )
    if card["simulator"]:
        rows = [
            [o, *(m[k] for k in ("ndcg@10", "recall@50", "mrr"))]
            for o, m in card["simulator"].items()
        ]
        parts.append(
            "Everyone retrieved in the held-out months:\n\n"
            + _table(["order", "NDCG@10", "Recall@50", "MRR"], rows)
        )
    bench = card["esco_benchmark"]
    if bench:
        rows = []
        for noise, conds in bench["results"].items():
            for cond, sides in conds.items():
                for side, orders in sides.items():
                    for order, m in orders.items():
                        rows.append(
                            [side, cond, noise, order, m["recall@1"], m["recall@10"], m["mrr"]]
                        )
        parts.append(
            f"**2. ESCO benchmark** ({bench['queries']} queries, pools of {bench['pool']}; "
            "ml/benchmark.py):\n\n"
            + _table(["side", "condition", "noise", "order", "Recall@1", "Recall@10", "MRR"], rows)
        )
    sens = card["sensitivity"]
    if sens:
        table = sens["ndcg@10"]
        orders = list(next(iter(table.values())))
        rows = [[s, *(row[o] for o in orders)] for s, row in table.items()]
        parts.append(
            "**3. Simulator sensitivity** (NDCG@10 on held-out months simulated with other "
            "assumptions; ml/sensitivity.py):\n\n" + _table(["simulated with", *orders], rows)
        )
    if card["fairness"]:
        rows = [
            [
                r["attribute"],
                r["group"],
                r["candidates"],
                f"{r['relevant_rate']:.3f}",
                f"{r['selection_rate']:.3f}",
                f"{r['exposure']:.3f}",
            ]
            for r in card["fairness"]
        ]
        parts.append(
            "**Fairness of the order** (attributes in the evaluation data only):\n\n"
            + _table(
                ["attribute", "group", "candidates", "relevant", "in top 10", "exposure"], rows
            )
        )
    else:
        parts.append("**Fairness.** Not evaluated yet: run `kohtaanto evaluate`.")
    parts.append("**Known limits.**\n\n" + "\n".join(f"- {x}" for x in card["limits"]))
    return "\n\n".join(parts) + "\n"


def write_card(model_dir: Path, version: str) -> Path:
    """(Re)write MODEL_CARD.md of a version from what its folder holds."""
    path = Path(model_dir) / version / CARD_FILE
    path.write_text(markdown(card_data(Path(model_dir), version)))
    return path
