"""Skill evidence, the ESCO benchmark, simulator sensitivity and the gate's rules beyond the
simulator. No database: everything runs on facts and the shipped ESCO release."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from kohtaanto.db.models import Role
from ml.benchmark import (
    NOISE_LEVELS,
    SIDES,
    BenchmarkResult,
    BenchmarkSize,
    held_out_occupations,
    run_benchmark,
    training_pairs,
)
from ml.dataset import time_split
from ml.facts import JobseekerFacts, VacancyFacts
from ml.features import FEATURE_RANGES, FEATURES, SKILL_EVIDENCE, feature_matrix
from ml.history import offline_history
from ml.registry import CURRENT
from ml.sensitivity import DEFAULT_SIZE, SensitivityResult, esco_specs, smaller
from ml.skills import (
    EmbeddingSimilarity,
    SkillSpace,
    default_space,
    load_esco,
    related_skills,
    skill_similarity,
)
from ml.synthetic import synthetic_population
from ml.train import KINDS, GateChecks, fit_base, register_candidate
from tests.conftest import PASSWORD

TODAY = date(2026, 3, 15)
NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
SMALL_BENCH = BenchmarkSize(queries=20, pool=100)


def col(X: np.ndarray, name: str) -> np.ndarray:
    return X[:, FEATURES.index(name)]


# --- skill evidence ---------------------------------------------------------------------------


def test_skill_features_on_a_hand_made_pair() -> None:
    v = VacancyFacts(
        id="v",
        occupation_uri="urn:o:cook",
        isco_code="5120",
        essential_skill_uris=frozenset({"urn:s:a", "urn:s:b"}),
        optional_skill_uris=frozenset({"urn:s:c"}),
    )
    person = JobseekerFacts(
        id="p",
        skill_uris=frozenset({"urn:s:a", "urn:s:x"}),
        occupation_uris=frozenset({"urn:o:baker"}),
        isco_codes=frozenset({"5131"}),
    )
    [row] = feature_matrix(v, [person], [0.5], TODAY)
    got = dict(zip(FEATURES, row, strict=True))
    # Skills unknown to ESCO count as maximally specific and close to nothing else.
    assert got["specific_coverage"] == pytest.approx(0.5)
    assert got["skill_jaccard"] == pytest.approx(1 / 4)  # {a} / {a, b, c, x}
    assert got["profile_explained"] == pytest.approx(0.5)
    assert got["similarity_coverage"] == pytest.approx(0.5)  # a held, b far
    assert got["similarity_profile"] == pytest.approx(0.5)  # a asked, x far
    assert 0 < got["bm25_overlap"] < 1
    assert got["isco1_match"] == 1 and got["isco3_match"] == 0 and got["isco4_match"] == 0
    assert got["isco2_match"] == 1  # 5120 and 5131 share the sub-major group 51
    for name, value in got.items():
        lo, hi = FEATURE_RANGES[name]
        assert lo <= value <= hi, name


def test_specificity_and_similarity_from_esco() -> None:
    esco = load_esco()
    space = default_space()
    counts: dict[str, int] = {}
    for o in esco.occupations:
        for s in {*o.essential, *o.optional}:
            counts[s] = counts.get(s, 0) + 1
    common = max(counts, key=counts.__getitem__)
    rare = min(counts, key=counts.__getitem__)
    assert space.specificity(common) < 0.3 < 0.8 < space.specificity(rare) <= 1
    cook = next(o for o in esco.occupations if len(o.essential) >= 6)
    a, b = cook.essential[:2]
    assert skill_similarity(a, a) == 1.0
    assert skill_similarity(a, b) == pytest.approx(skill_similarity(b, a), abs=1e-6)
    assert 0 < skill_similarity(a, b) <= 1
    assert skill_similarity(a, "urn:not:in:esco") == 0.0


def test_related_skills_and_label_embedding_similarity() -> None:
    """Two sources of closeness between different skills: co-occurrence, which retrieval
    uses for its reach, and the labels' sentence embeddings (measured in ml.ablation)."""
    uri = {label: u for u, label in load_esco().skill_labels.items()}
    related = related_skills([uri["cleaning techniques"]])
    assert uri["operate floor cleaning equipment"] in related
    assert uri["cleaning techniques"] not in related and uri["operate forklift"] not in related
    assert related_skills([]) == [] and related_skills(["urn:not:in:esco"]) == []

    meaning = SkillSpace(load_esco().occupations, EmbeddingSimilarity())
    python = uri["Python (computer programming)"]
    assert meaning.similarity(python, python) == 1.0
    assert meaning.similarity(python, uri["use scripting programming"]) > 0
    assert meaning.similarity(uri["use cooking techniques"], uri["teamwork principles"]) == 0


def test_specific_shared_skill_counts_more_than_a_common_one() -> None:
    space = default_space()
    esco = load_esco()
    occupation = next(o for o in esco.occupations if len(o.essential) >= 8)
    ranked = sorted(occupation.essential, key=space.specificity)
    common, specific = ranked[0], ranked[-1]
    v = VacancyFacts("v", occupation.uri, occupation.isco_code, frozenset(occupation.essential))
    a = JobseekerFacts("a", frozenset({common}))
    b = JobseekerFacts("b", frozenset({specific}))
    X = feature_matrix(v, [a, b], [0.5, 0.5], TODAY)
    assert col(X, "essential_coverage")[0] == col(X, "essential_coverage")[1]
    assert col(X, "specific_coverage")[1] > col(X, "specific_coverage")[0]


# --- the ESCO benchmark ------------------------------------------------------------------------


def test_benchmark_ranks_and_the_jaccard_rule() -> None:
    jaccard = FEATURES.index("skill_jaccard")
    as_jaccard = run_benchmark(lambda X: X[:, jaccard], SMALL_BENCH)
    assert set(as_jaccard.results) == {level.name for level in NOISE_LEVELS}
    measured = [
        m
        for conds in as_jaccard.results.values()
        for sides in conds.values()
        for orders in sides.values()
        for m in orders.values()
    ]
    assert len(measured) >= len(NOISE_LEVELS)
    for m in measured:
        assert 0 <= m["recall@1"] <= m["recall@10"] <= 1 and 0 < m["mrr"] <= 1
    # Jaccard itself passes (ties are broken the same way); its opposite does not.
    assert as_jaccard.passes_gate()[0]
    upside_down = run_benchmark(lambda X: -X[:, jaccard], SMALL_BENCH)
    ok, why = upside_down.passes_gate()
    assert not ok and any("Jaccard" in w for w in why)
    assert "| vacancy → people | skills only |" in upside_down.markdown()


def test_the_jaccard_rule_checks_the_jobseekers_side_too() -> None:
    """A model as good as Jaccard for the coordinator but worse for the person looking
    for vacancies passes the gate's rule (the coordinator's) and fails the both-sides
    check that training prefers, which names the side."""
    at_par = {"recall@1": 0.8, "recall@10": 0.97, "mrr": 0.85}
    worse = {"recall@1": 0.6, "recall@10": 0.94, "mrr": 0.71}

    def result(person_side: dict[str, float]) -> BenchmarkResult:
        sides = {
            "vacancy": {"jaccard": at_par, "model": at_par},
            "jobseeker": {"jaccard": at_par, "model": person_side},
        }
        return BenchmarkResult(100, 300, {"fewer kept": {"skills_only": sides}})

    assert result(at_par).passes_gate(sides=SIDES) == (True, [])
    assert result(worse).passes_gate() == (True, [])
    ok, why = result(worse).passes_gate(sides=SIDES)
    assert not ok and len(why) == 2 and all(w.startswith("jobseeker side") for w in why)


def test_base_kind_gives_the_skill_evidence_no_weight() -> None:
    pop = synthetic_population(esco_specs(20, seed=6), 60, 800, seed=6, today=NOW.date())
    frame = offline_history(pop.vacancies, pop.jobseekers, 150, seed=6, now=NOW)
    X = frame[list(FEATURES)].to_numpy(dtype=float)
    pipeline = fit_base(X, frame["label"].to_numpy())
    coef = pipeline["model"].coef_[0]
    assert all(coef[FEATURES.index(name)] == 0.0 for name in SKILL_EVIDENCE)
    assert coef[FEATURES.index("essential_coverage")] != 0.0
    assert "linear_base" in KINDS


def test_training_pairs_never_use_the_held_out_occupations() -> None:
    held = held_out_occupations()
    assert 0.2 < len(held) / len(load_esco().occupations) < 0.35
    D, y = training_pairs(20, 80)
    assert D.shape[1] == len(FEATURES) and set(np.unique(y)) == {0, 1}
    # Only skill and occupation features differ between the pairs (same town, language...).
    for name in ("distance_ratio", "language_fit", "hours_fit", "education_rank"):
        assert not col(D, name).any(), name


# --- simulator sensitivity and the gate ---------------------------------------------------------


def test_sensitivity_rule_on_a_hand_made_table() -> None:
    table = {
        "as assumed (default)": {"search": 0.3, "jaccard": 0.35, "model": 0.5},
        "noisier employers": {"search": 0.3, "jaccard": 0.36, "model": 0.4},
    }
    assert SensitivityResult(table, {}).passes_gate()[0]
    table["skills weigh double"] = {"search": 0.5, "jaccard": 0.55, "model": 0.54}
    ok, why = SensitivityResult(table, {}).passes_gate()
    assert not ok and why == ["skills weigh double: NDCG@10 0.54 < skill overlap (Jaccard) 0.55"]
    assert "(+0.040)" in SensitivityResult(table, {}).markdown()


def _hand_made(weights: dict[str, float], X: np.ndarray) -> Pipeline:
    """A fitted linear pipeline with chosen weights (standardised features)."""
    lr = LogisticRegression()
    lr.classes_ = np.array([0, 1])
    lr.coef_ = np.array([[weights.get(f, 0.0) for f in FEATURES]])
    lr.intercept_ = np.array([-3.0])
    lr.n_features_in_ = len(FEATURES)
    return Pipeline([("scale", StandardScaler().fit(X)), ("model", lr)])


def test_gate_refuses_a_model_worse_than_jaccard(tmp_path: Path) -> None:
    pop = synthetic_population(esco_specs(20, seed=3), 60, 800, seed=3, today=NOW.date())
    frame = offline_history(pop.vacancies, pop.jobseekers, 150, seed=3, now=NOW)
    split = time_split(frame)
    X = split.fit[list(FEATURES)].to_numpy()
    checks = GateChecks(SMALL_BENCH, None)
    # Rewards covering the essential skills but prefers people with many other skills:
    # on the simulator that can look fine; on ESCO it is worse than Jaccard.
    worse = _hand_made({"essential_coverage": 1.0, "profile_explained": -2.0}, X)
    refused = register_candidate(worse, "linear", split, tmp_path, data={}, checks=checks)
    assert not refused.promoted and not (tmp_path / CURRENT).exists()
    stored = json.loads((refused.path / "comparison.json").read_text())
    assert stored["promoted"] is False and stored["esco_benchmark"]["passed"] is False
    assert stored["refused_by"] and all("ESCO benchmark" in r for r in stored["refused_by"])
    # The same coverage with a preference for profiles about this work passes.
    better = _hand_made({"essential_coverage": 1.0, "skill_jaccard": 2.0}, X)
    promoted = register_candidate(better, "linear", split, tmp_path, data={}, checks=checks)
    assert promoted.promoted, json.loads((promoted.path / "comparison.json").read_text())
    assert (tmp_path / CURRENT).read_text().strip() == promoted.version
    assert (promoted.path / "MODEL_CARD.md").is_file()


def test_gate_refuses_a_model_that_falls_behind_under_a_changed_simulator(
    tmp_path: Path,
) -> None:
    pop = synthetic_population(esco_specs(20, seed=4), 60, 800, seed=4, today=NOW.date())
    frame = offline_history(pop.vacancies, pop.jobseekers, 150, seed=4, now=NOW)
    split = time_split(frame)
    X = split.fit[list(FEATURES)].to_numpy()
    size = smaller(DEFAULT_SIZE, 0.1)
    # Ranks by distance alone: behind the baselines when skills weigh double.
    distance_only = _hand_made({"distance_ratio": -1.0}, X)
    version = register_candidate(
        distance_only, "linear", split, tmp_path, data={}, checks=GateChecks(None, size)
    )
    assert not version.promoted
    stored = json.loads((version.path / "comparison.json").read_text())
    assert stored["sensitivity"]["passed"] is False
    assert any(r.startswith("simulator sensitivity") for r in stored["refused_by"])


def test_features_never_protected_after_the_new_ones() -> None:
    for name in FEATURES:
        assert not set(name.split("_")) & {"age", "birth", "gender", "tongue", "nationality"}
        assert "unemploy" not in name and "months" not in name


# --- the managers' page ---------------------------------------------------------------------------


async def test_manager_reads_the_model_card_in_three_languages(
    client: Any, make_user: Any, model: Any, clean: None
) -> None:
    manager = await make_user(Role.MANAGER)
    client.cookies.clear()
    response = await client.post(
        "/login", data={"email": manager.email, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303
    pages = {}
    for lang, heading in (
        ("en", "What the model looks at"),
        ("fi", "Mitä malli katsoo"),
        ("sv", "Vad modellen tittar på"),
    ):
        response = await client.get("/manager/model", cookies={"lang": lang})
        assert response.status_code == 200
        pages[lang] = response.text
        assert heading in response.text
    html = pages["en"]
    assert model.version in html
    # The bootstrap model is linear: every feature with its weight, in words.
    assert "Share of the essential skills the person has" in html
    assert "profile is about this work" in html
    assert "Never used: age, birth year, gender" in html and "Known limits" in html
    assert "<script" not in html.split("</header>", 1)[-1]


def test_ablation_variant_ignores_what_it_drops() -> None:
    """ml.ablation's 'without' rows: a dropped feature cannot move the score."""
    from ml.ablation import SIMILARITY, Variant, fit_variant

    pop = synthetic_population(esco_specs(20, seed=5), 60, 800, seed=5, today=NOW.date())
    frame = offline_history(pop.vacancies, pop.jobseekers, 150, seed=5, now=NOW)
    model = fit_variant(Variant("without similarity", "linear", dropped=SIMILARITY), frame)
    X = frame[list(FEATURES)].to_numpy(dtype=float)[:50]
    moved = X.copy()
    for name in SIMILARITY:
        moved[:, FEATURES.index(name)] = 1.0 - moved[:, FEATURES.index(name)]
    assert np.allclose(model.predict_proba(X), model.predict_proba(moved))
    moved[:, FEATURES.index("essential_coverage")] = (
        1.0 - X[:, FEATURES.index("essential_coverage")]
    )
    assert not np.allclose(model.predict_proba(X), model.predict_proba(moved))
