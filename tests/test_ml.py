"""Ranking model: features, synthetic training, registry, ranking and explanations.

No database: everything runs on facts.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from kohtaanto.domain.instruments import ESTIMATE_NOTE, TAMPERE_AREA
from ml.facts import JobseekerFacts, VacancyFacts
from ml.features import FEATURE_RANGES, FEATURES, FORBIDDEN, feature_matrix, pair_features
from ml.predict import RankingModel
from ml.registry import (
    CURRENT,
    MODEL_FILE,
    NoModelError,
    UntrustedModelError,
    has_current,
    load_current,
    save_version,
)
from ml.synthetic import sample_pairs, synthetic_population, toy_occupations
from ml.train import train_and_register

TODAY = date(2026, 3, 15)
SKILLS = {f"urn:s:{k}": f"skill {k}" for k in "abcde"}


@pytest.fixture(scope="module")
def population():  # type: ignore[no-untyped-def]
    return synthetic_population(toy_occupations(20, seed=1), 150, 1500, seed=1, today=TODAY)


@pytest.fixture(scope="module")
def registered(population, tmp_path_factory):  # type: ignore[no-untyped-def]
    model_dir = tmp_path_factory.mktemp("models")
    version = train_and_register(
        population.vacancies, population.jobseekers, model_dir, seed=3, today=TODAY, n_pairs=8000
    )
    return model_dir, version


@pytest.fixture(scope="module")
def model(registered) -> RankingModel:  # type: ignore[no-untyped-def]
    return load_current(registered[0])


def vacancy(**kw: object) -> VacancyFacts:
    base = VacancyFacts(
        id="v1",
        occupation_uri="urn:o:cook",
        isco_code="5120",
        essential_skill_uris=frozenset(SKILLS),
        optional_skill_uris=frozenset({"urn:s:x", "urn:s:y"}),
        skill_labels=SKILLS | {"urn:s:x": "skill x", "urn:s:y": "skill y"},
        languages=frozenset({"fi"}),
        monthly_pay_eur=2600,
        open_to_wage_subsidy=True,
        area=TAMPERE_AREA,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def seeker(id: str, skills: set[str], **kw: object) -> JobseekerFacts:
    base = JobseekerFacts(
        id=id,
        skill_uris=frozenset(skills),
        occupation_uris=frozenset({"urn:o:cook"}) if skills else frozenset(),
        isco_codes=frozenset({"5120"}) if skills else frozenset(),
        languages=frozenset({"fi"}),
        birth_year=1990,
        unemployed_since=date(2025, 6, 1),
        area=TAMPERE_AREA,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


# --- features --------------------------------------------------------------------------------


def test_no_protected_attribute_is_a_feature() -> None:
    assert not FORBIDDEN & set(FEATURES)
    for name in FEATURES:
        words = set(name.split("_"))
        assert not words & {"age", "birth", "year", "gender", "tongue", "nationality"}, name


def test_features_in_range(population) -> None:  # type: ignore[no-untyped-def]
    X, y = sample_pairs(population.vacancies, population.jobseekers, 3000, seed=2, today=TODAY)
    assert X.shape == (3000, len(FEATURES)) and set(np.unique(y)) == {0, 1}
    for k, name in enumerate(FEATURES):
        lo, hi = FEATURE_RANGES[name]
        assert lo <= X[:, k].min() and X[:, k].max() <= hi, name
    assert np.isfinite(X).all()


def test_pair_features_match_matrix() -> None:
    v, js = vacancy(), [seeker("a", set(SKILLS)), seeker("b", {"urn:s:a"})]
    X = feature_matrix(v, js, [0.9, 0.2], TODAY)
    assert np.array_equal(pair_features(v, js[1], 0.2, TODAY), X[1])
    col = dict(zip(FEATURES, X[1], strict=True))
    assert col["essential_coverage"] == pytest.approx(0.2)
    assert col["occupation_match"] == 1 and col["isco4_match"] == 1 and col["isco2_match"] == 1
    assert col["within_travel_limit"] == 1 and col["language_fit"] == 1
    assert "months_unemployed" not in col  # policy: long unemployment never ranks anyone down
    assert col["wage_subsidy_match"] == 1  # 9 months unemployed: skills-based wage subsidy


# --- training and registry -----------------------------------------------------------------------


def test_training_beats_chance_on_held_out(registered) -> None:  # type: ignore[no-untyped-def]
    model_dir, version = registered
    assert version.metrics["roc_auc"] > 0.7
    assert version.metrics["log_loss"] < version.metrics["log_loss_base_rate"]
    folder = model_dir / version.version
    for name in (MODEL_FILE, "metrics.json", "features.json", "data.json", "MODEL_CARD.md"):
        assert (folder / name).is_file(), name
    assert json.loads((folder / "features.json").read_text()) == list(FEATURES)
    assert (model_dir / CURRENT).read_text().strip() == version.version
    assert has_current(model_dir)


def test_registry_roundtrip_matches_pipeline(registered, population) -> None:  # type: ignore[no-untyped-def]
    model_dir, version = registered
    model = load_current(model_dir)
    assert model.version == version.version
    X, _ = sample_pairs(population.vacancies, population.jobseekers, 200, seed=9, today=TODAY)
    direct = model.predict_proba(X)
    assert np.allclose(direct, model.pipeline.predict_proba(X)[:, 1])
    contrib = model.contributions(X)
    assert contrib.shape == X.shape


def test_no_model_is_a_clear_error(tmp_path: Path) -> None:
    assert not has_current(tmp_path)
    with pytest.raises(NoModelError, match="no ranking model"):
        load_current(tmp_path)


def _identity(x: np.ndarray) -> np.ndarray:
    return x


def _untrusted_pipeline() -> Pipeline:
    X = np.random.default_rng(0).random((40, 2))
    y = (X[:, 0] > 0.5).astype(int)
    return Pipeline([("f", FunctionTransformer(_identity)), ("m", LogisticRegression())]).fit(X, y)


def test_untrusted_type_refused_on_save(tmp_path: Path) -> None:
    with pytest.raises(UntrustedModelError, match="allow-list"):
        save_version(_untrusted_pipeline(), tmp_path, metrics={}, data={})
    assert not has_current(tmp_path)


def test_tampered_model_file_refused_on_load(registered, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model_dir, version = registered
    folder = tmp_path / version.version
    folder.mkdir()
    for f in (model_dir / version.version).iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    (tmp_path / CURRENT).write_text(version.version)
    assert load_current(tmp_path).version == version.version
    sio.dump(_untrusted_pipeline(), folder / MODEL_FILE)
    with pytest.raises(UntrustedModelError):
        load_current(tmp_path)
    (folder / "trusted_types.json").write_text(json.dumps([f"{__name__}._identity"]))
    with pytest.raises(UntrustedModelError, match="disallowed"):
        load_current(tmp_path)


# --- ranking and explanation ---------------------------------------------------------------------


def test_all_essential_skills_rank_above_none(model: RankingModel) -> None:
    full = seeker("full", set(SKILLS))
    none = seeker("none", {"urn:s:unrelated"})
    ranked = model.rank(vacancy(), [(none, 0.5), (full, 0.5)], today=TODAY)
    assert [c.jobseeker_id for c in ranked] == ["full", "none"]
    assert 0 <= ranked[1].score < ranked[0].score <= 1


def test_explanation_lists_matched_and_missing(model: RankingModel) -> None:
    skills = {"urn:s:a", "urn:s:c", "urn:s:x", "urn:s:other"}
    person = seeker("p", skills, max_travel_km=40, birth_year=2000)  # 26: youth subsidy
    [c] = model.rank(vacancy(), [(person, 0.6)], today=TODAY)
    e = c.explanation
    assert e["matched_essential"] == [
        {"uri": "urn:s:a", "label": "skill a"},
        {"uri": "urn:s:c", "label": "skill c"},
    ]
    assert [s["uri"] for s in e["missing_essential"]] == ["urn:s:b", "urn:s:d", "urn:s:e"]
    assert e["matched_optional"] == 1 and e["essential_coverage"] == 0.4
    assert e["distance_km"] == 0 and e["travel_limit_km"] == 40 and e["within_travel_limit"]
    assert e["languages_missing"] == []
    assert e["estimate_note"] == ESTIMATE_NOTE
    codes = {i["code"] for i in e["instruments"]}
    assert {"wage_subsidy_skills", "tampere_youth_recruitment_subsidy"} <= codes
    assert all("net_monthly_cost_eur" in i and "total_saving_eur" in i for i in e["instruments"])
    assert e["best_saving_eur"] == max(i["total_saving_eur"] for i in e["instruments"])
    assert 3 <= len(e["top_factors"]) <= 5
    for f in e["top_factors"]:
        assert f["feature"] in FEATURES and f["direction"] in "+-" and f["weight"] >= 0
        assert f["label"] and "_" not in f["label"]
    labels = {f["feature"]: f["label"] for f in e["top_factors"]}
    if "essential_coverage" in labels:
        assert labels["essential_coverage"] == "Has 2 of 5 essential skills"
    json.dumps(c.to_dict())  # JSON-able as stored in ShortlistEntry.explanation


def test_missing_language_is_explained(model: RankingModel) -> None:
    person = seeker("p", set(SKILLS), languages=frozenset({"en"}))
    [c] = model.rank(vacancy(languages=frozenset({"fi", "sv"})), [(person, 0.5)], today=TODAY)
    assert c.explanation["languages_missing"] == ["fi", "sv"]


def test_empty_profile_gets_no_score(model: RankingModel) -> None:
    empty = seeker("empty", set())
    assert empty.is_empty
    ranked = model.rank(vacancy(), [(empty, 0.9), (seeker("a", {"urn:s:a"}), 0.1)], today=TODAY)
    assert [c.jobseeker_id for c in ranked] == ["a"]
    assert model.rank(vacancy(), [(empty, 0.9)], today=TODAY) == []
