"""Simulated history, time split, promotion gate, evaluation metrics and fairness.

The metric and gate tests run on facts and hand-made data; the last test runs the
whole loop — seed, index, simulate, train, evaluate — on PostgreSQL and Meilisearch.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from kohtaanto.db import session_scope
from kohtaanto.db.models import EntryStatus, Shortlist, ShortlistEntry, ShortlistEvent, Vacancy
from kohtaanto.demo.events import EVENT_SHORTLIST_VERSION
from kohtaanto.settings import get_settings
from ml.benchmark import BenchmarkSize
from ml.dataset import load_outcomes, time_split
from ml.evaluate import (
    fairness_table,
    ndcg_at_k,
    ranking_metrics,
    recall_at_k,
    reciprocal_rank,
    run_evaluation,
)
from ml.features import FEATURES, FORBIDDEN
from ml.history import (
    OUTCOME_REASONS,
    PROTECTED,
    history_dir,
    load_ground_truth,
    offline_history,
    protected_attributes,
    simulate_history,
)
from ml.registry import CURRENT, current_version
from ml.synthetic import synthetic_population, toy_occupations
from ml.train import KINDS, GateChecks, fit_calibrated, register_candidate, train_from_history

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
# Only the held-out NDCG rule here, with small ESCO training pairs; the rules beyond the
# simulator are tested in tests/test_ranking_quality.py.
NO_CHECKS = GateChecks(None, None, (60, 150))


@pytest.fixture(scope="module")
def population():  # type: ignore[no-untyped-def]
    return synthetic_population(toy_occupations(20, seed=2), 60, 1500, seed=2, today=NOW.date())


def _history_frame(population, n_vacancies: int, seed: int) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return offline_history(
        population.vacancies, population.jobseekers, n_vacancies, seed=seed, now=NOW
    )


# --- metrics on hand-made rankings ------------------------------------------------------------


def test_ranking_metrics_known_values() -> None:
    # DCG = (2^2-1)/log2(2) + 0 + (2^1-1)/log2(4) = 3.5; ideal [2, 1, 0] = 3 + 1/log2(3)
    assert ndcg_at_k([2, 0, 1], 10) == pytest.approx(3.5 / (3 + 1 / math.log2(3)))
    assert ndcg_at_k([2, 1, 0], 10) == pytest.approx(1.0)
    assert ndcg_at_k([0, 0, 1], 1) == 0.0
    assert ndcg_at_k([0, 0, 0], 10) is None
    assert recall_at_k([0, 1, 0, 2], 2) == 0.5
    assert recall_at_k([1, 1, 0], 50) == 1.0
    assert reciprocal_rank([0, 0, 1, 2]) == pytest.approx(1 / 3)
    assert reciprocal_rank([0, 0]) is None

    frame = pd.DataFrame(
        {
            "vacancy_id": ["a"] * 3 + ["b"] * 3 + ["c"] * 2,
            "search_rank": [1, 2, 3, 1, 2, 3, 1, 2],
            "grade": [0, 1, 0, 2, 0, 0, 0, 0],  # c has nothing relevant: skipped
            "score": [0.1, 0.9, 0.5, 0.5, 0.5, 0.2, 0.3, 0.4],  # b: tie keeps search order
        }
    )
    by_score = ranking_metrics(frame, "score")
    assert by_score["vacancies"] == 2
    assert by_score["ndcg@10"] == pytest.approx(1.0) and by_score["mrr"] == pytest.approx(1.0)
    by_search = ranking_metrics(frame, None)
    assert by_search["mrr"] == pytest.approx((1 / 2 + 1) / 2, abs=1e-4)
    assert by_search["ndcg@10"] == pytest.approx((1 / math.log2(3) + 1) / 2, abs=1e-4)  # rounded
    assert by_search["recall@50"] == 1.0


def test_fairness_table_on_a_tiny_set() -> None:
    frame = pd.DataFrame(
        {
            "position": [1, 2, 3, 4, 1, 2, 3, 4],
            "grade": [1, 0, 0, 0, 0, 2, 0, 0],
            "gender": ["f", "m", "f", "m", "m", "m", "f", "f"],
        }
    )
    table = fairness_table(frame, ["gender"], k=2).set_index("group")
    # f: positions 1, 3, 3, 4 -> 1 of 4 in the top 2; m: positions 2, 4, 1, 2 -> 3 of 4
    assert table.loc["f", "selection_rate"] == pytest.approx(0.25)
    assert table.loc["m", "selection_rate"] == pytest.approx(0.75)
    exposure = {p: 1 / math.log2(1 + p) for p in range(1, 5)}
    f_exposure = (exposure[1] + exposure[3] + exposure[3] + exposure[4]) / 4
    m_exposure = (exposure[2] + exposure[4] + exposure[1] + exposure[2]) / 4
    assert table.loc["f", "exposure"] == pytest.approx(f_exposure)
    ratio = table.loc["ratio lowest/highest"]
    assert ratio["selection_rate"] == pytest.approx(1 / 3)
    assert ratio["exposure"] == pytest.approx(
        min(f_exposure, m_exposure) / max(f_exposure, m_exposure)
    )
    assert table.loc["f", "relevant_rate"] == table.loc["m", "relevant_rate"] == 0.25


# --- simulator ------------------------------------------------------------------------------------


def test_protected_attributes_are_evaluation_only_and_deterministic(population) -> None:  # type: ignore[no-untyped-def]
    words = {w for feature in FEATURES for w in feature.split("_")}
    for name in (*PROTECTED, "birth_year", "age", "mother_tongue", "gender"):
        assert name not in FEATURES
        assert not set(name.split("_")) & words - {"band"}, name
    assert not FORBIDDEN & set(FEATURES)
    people = population.jobseekers[:300]
    first = [protected_attributes(j, 7, 2026) for j in people]
    assert first == [protected_attributes(j, 7, 2026) for j in people]
    assert first != [protected_attributes(j, 8, 2026) for j in people]
    assert {a["gender"] for a in first} == {"female", "male"}
    assert {a["age_band"] for a in first} <= {"15-24", "25-29", "30-49", "50-54", "55+"}


def test_simulator_is_deterministic(population) -> None:  # type: ignore[no-untyped-def]
    a = _history_frame(population, 40, seed=5)
    b = _history_frame(population, 40, seed=5)
    pd.testing.assert_frame_equal(a, b)
    c = _history_frame(population, 40, seed=6)
    assert not a["grade"].equals(c["grade"]) or not a["vacancy_id"].equals(c["vacancy_id"])
    assert 0.02 < a["label"].mean() < 0.6
    assert (a.groupby("vacancy_id")["grade"].apply(lambda g: (g == 2).sum()) <= 1).all()


def test_time_split_holds_out_the_latest_months(population) -> None:  # type: ignore[no-untyped-def]
    frame = _history_frame(population, 120, seed=3)
    split = time_split(frame)
    assert len(split.fit) and len(split.validation) and len(split.holdout)
    assert split.fit["published_at"].max() < split.validation["published_at"].min()
    assert split.validation["published_at"].max() < split.holdout["published_at"].min()
    assert len(split.fit) + len(split.validation) + len(split.holdout) == len(frame)
    held = set(split.holdout["vacancy_id"])
    assert not held & (set(split.fit["vacancy_id"]) | set(split.validation["vacancy_id"]))
    span = split.holdout["published_at"].max() - split.holdout["published_at"].min()
    assert pd.Timedelta(days=60) < span <= pd.Timedelta(days=91)


# --- promotion gate ----------------------------------------------------------------------------


def test_worse_model_is_not_promoted_and_the_comparison_is_stored(
    population,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    frame = _history_frame(population, 160, seed=4)
    first = train_from_history(frame, tmp_path, seed=4, checks=NO_CHECKS)
    assert first.promoted and current_version(tmp_path) == first.version
    stored = json.loads((first.path / "comparison.json").read_text())
    assert stored["promoted"] is True and stored["current"] is None
    assert set(stored["kinds"]) == set(KINDS)
    for kind in ("linear", "gbm", "ltr"):
        held = stored["kinds"][kind]["holdout"]
        assert {"ndcg@10", "mrr", "log_loss", "brier", "roc_auc"} <= set(held)

    # A model fitted on shuffled labels is worse on the held-out period.
    split = time_split(frame)
    X = split.fit[list(FEATURES)].to_numpy()
    shuffled = np.random.default_rng(0).permutation(split.fit["label"].to_numpy())
    Xv, yv = split.validation[list(FEATURES)].to_numpy(), split.validation["label"].to_numpy()
    worse = fit_calibrated("linear", X, shuffled, Xv, yv, seed=0)
    second = register_candidate(
        worse, "linear", split, tmp_path, data={"source": "test"}, checks=NO_CHECKS
    )
    assert not second.promoted
    assert (tmp_path / CURRENT).read_text().strip() == first.version
    comparison = json.loads((second.path / "comparison.json").read_text())
    assert comparison["promoted"] is False and comparison["current"]["version"] == first.version
    assert (
        comparison["candidate"]["holdout"]["ndcg@10"] <= comparison["current"]["holdout"]["ndcg@10"]
    )
    assert (second.path / "MODEL_CARD.md").is_file()


def test_gbm_model_roundtrip_and_explanations(population, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ml.registry import load_current

    frame = _history_frame(population, 160, seed=8)
    train_from_history(frame, tmp_path, seed=8, kinds=("gbm",), checks=NO_CHECKS)
    model = load_current(tmp_path)
    assert model.kind == "gbm"
    v = population.vacancies[0]
    cands = [(j, 0.5) for j in population.jobseekers[:50]]
    ranked = model.rank(v, cands, today=date(2026, 3, 15))
    assert ranked and all(0 <= c.score <= 1 for c in ranked)
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    top = ranked[0]
    assert set(top.features) == set(FEATURES)
    assert "training mean" in top.explanation["factors_method"]
    assert 1 <= len(top.explanation["top_factors"]) <= 5


# --- end to end on the real services -----------------------------------------------------------


async def test_history_train_evaluate_end_to_end(clean: None, search_ready: None) -> None:
    from kohtaanto.demo.seed import seed_demo
    from search.client import search_client
    from search.retrieve import retriever
    from search.sync import reindex

    settings = get_settings()
    async with session_scope() as session:
        await seed_demo(session, jobseekers=600, employers=30, vacancies=80, seed=5)
    async with search_client(settings.search) as client, session_scope() as session:
        await reindex(client, session, settings.search.index_prefix)
    async with search_client(settings.search) as client, session_scope() as session:
        report = await simulate_history(
            session, retriever(client, settings.search), settings, vacancies=240, seed=5, now=NOW
        )
    assert report.vacancies == 240 and report.shortlisted > 0 and report.filled > 0

    async with session_scope() as session:
        past = await session.scalar(
            select(func.count()).select_from(Vacancy).where(Vacancy.published_at < NOW)
        )
        assert past >= 240
        statuses = dict(
            (
                await session.execute(
                    select(ShortlistEntry.status, func.count())
                    .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
                    # The demo's recruitment event seeds worked entries of its own.
                    .where(Shortlist.model_version != EVENT_SHORTLIST_VERSION)
                    .group_by(ShortlistEntry.status)
                )
            ).all()
        )
        assert set(statuses) == {EntryStatus.HIRED, EntryStatus.NOT_HIRED}
        reasons = set(await session.scalars(select(ShortlistEntry.outcome_reason).distinct()))
        assert reasons - {None} <= set(OUTCOME_REASONS)
        events = await session.scalar(select(func.count()).select_from(ShortlistEvent))
        assert events >= 2 * report.shortlisted
        # The explanations carry the instrument estimates the manager's report counts,
        # and a hand-made shortlist exists from its first suggestion, not from publishing.
        explanations = await session.scalars(
            select(ShortlistEntry.explanation)
            .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
            .where(
                ShortlistEntry.status == EntryStatus.HIRED,
                Shortlist.model_version != EVENT_SHORTLIST_VERSION,
            )
        )
        assert any(e["instruments"] for e in explanations)
        waits = await session.scalars(
            select(Shortlist.created_at - Vacancy.published_at)
            .join(Vacancy, Vacancy.id == Shortlist.vacancy_id)
            .where(Shortlist.model_version != EVENT_SHORTLIST_VERSION)
        )
        assert min(waits).total_seconds() >= 8 * 3600

    frame = await load_outcomes()
    assert len(frame) == report.shortlisted
    split = time_split(frame)
    assert split.holdout["published_at"].min() > split.fit["published_at"].max()
    assert split.holdout["published_at"].min() > split.validation["published_at"].max()

    model_dir = Path(settings.matching.model_dir).parent / "models-e2e"
    version = train_from_history(frame, model_dir, seed=5, checks=NO_CHECKS)
    assert version.promoted
    assert json.loads((version.path / "features.json").read_text()) == list(FEATURES)

    truth = load_ground_truth(model_dir)
    assert history_dir(model_dir) == history_dir(settings.matching.model_dir)
    assert set(PROTECTED) <= set(truth.columns) and len(truth) == report.retrieved
    evaluation = run_evaluation(
        model_dir, benchmark=BenchmarkSize(queries=20, pool=100), sensitivity=None
    )
    m = evaluation.metrics
    assert m["model"]["ndcg@10"] > m["meilisearch"]["ndcg@10"]
    assert m["model"]["ndcg@10"] > m["skill_overlap"]["ndcg@10"]
    assert evaluation.saved_to is not None and evaluation.saved_to.is_file()
    assert set(evaluation.fairness["attribute"]) == set(PROTECTED)
    assert evaluation.esco_benchmark is not None and evaluation.sensitivity is None
    card = (model_dir / version.version / "MODEL_CARD.md").read_text()
    assert "ESCO benchmark" in card and "Fairness of the order" in card
    assert "mother_tongue" in card and "Known limits" in card


async def test_only_ranked_outcomes_count_as_history(clean: None) -> None:
    """The demo seeds a recruitment event whose hires were never ranked by a model (no
    features): that is no history to train on, so the demo still simulates one."""
    from sqlalchemy import update

    from kohtaanto.db import session_scope
    from kohtaanto.db.models import EntryStatus, ShortlistEntry
    from ml.history import has_history
    from tests.tenants import make_tenants

    tenants = await make_tenants()
    entry_id = tenants["a"].entry_id
    async with session_scope() as session:
        await session.execute(
            update(ShortlistEntry)
            .where(ShortlistEntry.id == entry_id)
            .values(status=EntryStatus.HIRED, features={})
        )
        assert not await has_history(session)
        await session.execute(
            update(ShortlistEntry)
            .where(ShortlistEntry.id == entry_id)
            .values(features={"skill_coverage": 0.5})
        )
        assert await has_history(session)
