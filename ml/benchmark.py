"""A retrieval benchmark built from ESCO itself: data the project did not make.

    kohtaanto evaluate            # prints it beside the simulator's tables

ESCO's occupation → skill relations say which skills an occupation needs. From
them, for occupations held out of everything the model learns from
(`held_out_occupations`: a fixed ~30 % by a hash of the URI, with at least four
essential skills):

- a **vacancy** asks for most of its occupation's essential skills (each kept
  with a chance drawn from 60-100 %, as the demo's vacancies) and half of its
  optional ones;
- its **right person** holds part of those essential skills (`NoiseLevel.keep`)
  plus a few unrelated skills (`NoiseLevel.extra`, drawn from any occupation);
- **distractors** are built the same way from other occupations — for each
  query occupation up to `SIBLINGS` from the same ISCO unit group and as many
  from the same minor group, the rest at random — so the pool holds hundreds
  of people and vacancies.

Everyone lives in the same town, speaks the same language, wants the same
hours and has the same instrument facts, so **only skills decide**. Two
conditions: *skills only* (nobody states an occupation: the career changer,
the person recognising their skills) and *occupation stated* (everyone names
the occupation they were built from).

Both sides are measured: for each query vacancy the right person among the
pool's people (the coordinator's view), and for each query person the right
vacancy among the pool's vacancies (the jobseeker's view). Orders:

- **text (BM25 over labels)** — not Meilisearch: a BM25 over the words of the
  skill labels (and the occupation label when stated), the query being the
  other side's text. It stands in for the search engine's text order, which
  needs the engine and an index; it is honest BM25, not a tuned copy of
  Meilisearch's rules.
- **skill overlap (Jaccard)** of the two skill sets, ties broken at random.
- **the model**, on the same features production computes. Skill specificity
  and similarity come from a `SkillSpace` built *without* the held-out
  occupations, so the relations the benchmark is made of do not score it.

Metrics: Recall@1, Recall@10 (the right one is first / in the top 10) and
MRR, averaged over queries.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse

from ml.facts import JobseekerFacts, VacancyFacts
from ml.features import FEATURES, featurise
from ml.skills import Esco, Occupation, SkillSpace, load_esco, space_without

HELD_OUT_SHARE = 0.3
MIN_ESSENTIAL = 4
SIBLINGS = 6  # distractors from the same ISCO unit group, and as many from the same minor group
TODAY = date(2026, 3, 2)
JACCARD_TOLERANCE = 0.0  # the gate: the model may not be below Jaccard at all
ORDERS = ("text", "jaccard", "model")
ORDER_LABELS = {
    "text": "text order (BM25 over labels)",
    "jaccard": "skill overlap (Jaccard)",
    "model": "model",
}
CONDITIONS = ("skills_only", "occupation_stated")
SIDES = ("vacancy", "jobseeker")
_OCCUPATION_FEATURES = (
    "occupation_match",
    "isco4_match",
    "isco3_match",
    "isco2_match",
    "isco1_match",
)


@dataclass(frozen=True, slots=True)
class NoiseLevel:
    """How much of an occupation a person keeps, and how much unrelated they bring."""

    name: str
    keep: float  # share of the occupation's essential skills held
    extra: int  # unrelated skills added


NOISE_LEVELS: tuple[NoiseLevel, ...] = (
    NoiseLevel("more kept (70 %), 2 unrelated", 0.7, 2),
    NoiseLevel("half kept, 4 unrelated", 0.5, 4),
    NoiseLevel("fewer kept (30 %), 8 unrelated", 0.3, 8),
)


def _bucket(uri: str) -> float:
    digest = hashlib.blake2b(uri.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def held_out_occupations(esco: Esco | None = None) -> frozenset[str]:
    """The occupations the benchmark tests on (and training never sees): fixed by URI hash."""
    esco = esco or load_esco()
    return frozenset(
        o.uri
        for o in esco.occupations
        if _bucket(o.uri) < HELD_OUT_SHARE and len(o.essential) >= MIN_ESSENTIAL
    )


@lru_cache(maxsize=4)
def benchmark_space(held_out: frozenset[str], similarity: str = "cooccurrence") -> SkillSpace:
    """Skill statistics without the held-out occupations (cached); skill similarity from
    co-occurrence (shipped) or from the labels' sentence embeddings (`ml.ablation`)."""
    if similarity == "embedding":
        from ml.skills import EmbeddingSimilarity, SkillSpace, load_esco

        kept = [o for o in load_esco().occupations if o.uri not in held_out]
        return SkillSpace(kept, EmbeddingSimilarity())
    return space_without(held_out)


# --- building a pool ---------------------------------------------------------------------------


@dataclass
class Pool:
    """People and vacancies, one of each per pool occupation; queries are the first `n_queries`."""

    occupations: list[Occupation]
    vacancies: list[VacancyFacts]
    people: list[JobseekerFacts]  # occupation stated
    n_queries: int
    texts_v: list[str] = field(default_factory=list)
    texts_p: list[str] = field(default_factory=list)  # skills only
    occupation_texts: list[str] = field(default_factory=list)


def build_pool(
    esco: Esco,
    queries: Sequence[Occupation],
    n_pool: int,
    noise: NoiseLevel | Callable[[np.random.Generator], NoiseLevel],
    seed: int,
    *,
    exclude: frozenset[str] = frozenset(),
) -> Pool:
    """A pool: the query occupations, their ISCO siblings, then random others up to `n_pool`.

    Distractor occupations come from all of ESCO except `exclude` (the training
    pool excludes the held-out ones).
    """
    rng = np.random.default_rng(seed)
    usable = [o for o in esco.occupations if o.essential and o.uri not in exclude]
    by_group: dict[str, list[Occupation]] = defaultdict(list)
    for o in usable:
        by_group[o.isco_code].append(o)
        by_group[o.isco_code[:3]].append(o)
    chosen: dict[str, Occupation] = {o.uri: o for o in queries}
    for q in queries:
        for group in (q.isco_code, q.isco_code[:3]):
            siblings = [o for o in by_group[group] if o.uri not in chosen]
            for k in rng.permutation(len(siblings))[:SIBLINGS].tolist():
                chosen.setdefault(siblings[k].uri, siblings[k])
    for k in rng.permutation(len(usable)).tolist():
        if len(chosen) >= n_pool:
            break
        chosen.setdefault(usable[k].uri, usable[k])
    occupations = list(chosen.values())
    all_skills = sorted(esco.skill_labels.keys() & {s for o in usable for s in o.essential})
    vacancies, people = [], []
    for i, o in enumerate(occupations):
        level = noise(rng) if callable(noise) else noise
        # A vacancy names most, not all, of its occupation's essential skills (as the demo's).
        asked = [s for s in o.essential if rng.random() < rng.uniform(0.6, 1.0)] or [o.essential[0]]
        optional = [s for s in o.optional if rng.random() < 0.5]
        wanted = {*asked, *optional}
        vacancies.append(
            VacancyFacts(
                id=f"v{i}",
                occupation_uri=o.uri,
                isco_code=o.isco_code,
                essential_skill_uris=frozenset(asked),
                optional_skill_uris=frozenset(optional) - frozenset(asked),
                skill_labels={s: esco.skill_labels.get(s, s) for s in wanted},
                languages=frozenset({"fi"}),
                monthly_pay_eur=2800,
            )
        )
        n_keep = max(1, round(len(o.essential) * level.keep))
        kept = [o.essential[k] for k in rng.choice(len(o.essential), n_keep, replace=False)]
        extra: set[str] = set()
        while len(extra) < level.extra:
            s = all_skills[int(rng.integers(len(all_skills)))]
            if s not in o.essential and s not in o.optional:
                extra.add(s)
        people.append(
            JobseekerFacts(
                id=f"p{i}",
                skill_uris=frozenset(kept) | frozenset(extra),
                occupation_uris=frozenset({o.uri}),
                isco_codes=frozenset({o.isco_code}),
                languages=frozenset({"fi"}),
                birth_year=1985,
                unemployed_since=date(2025, 9, 1),
            )
        )
    pool = Pool(occupations, vacancies, people, len(queries))
    label = esco.skill_labels
    pool.texts_v = [
        " ".join(
            [
                o.label,
                *(label.get(s, "") for s in sorted(v.essential_skill_uris | v.optional_skill_uris)),
            ]
        )
        for o, v in zip(occupations, vacancies, strict=True)
    ]
    pool.texts_p = [" ".join(label.get(s, "") for s in sorted(p.skill_uris)) for p in people]
    pool.occupation_texts = [o.label for o in occupations]
    return pool


# --- scoring -------------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    ["a", "an", "and", "of", "the", "to", "in", "on", "for", "with", "or", "by", "as", "at", "from"]
)


def _tokens(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP]


def bm25_matrix(queries: Sequence[str], documents: Sequence[str]) -> np.ndarray:
    """BM25 (k1 1.2, b 0.75) of every document for every query, (n_queries, n_documents)."""
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    lengths = []
    for d, text in enumerate(documents):
        counts: dict[int, int] = defaultdict(int)
        words = _tokens(text)
        lengths.append(len(words))
        for w in words:
            counts[vocab.setdefault(w, len(vocab))] += 1
        for t, c in counts.items():
            rows.append(d)
            cols.append(t)
            vals.append(c)
    n = len(documents)
    tf = sparse.csr_matrix((vals, (rows, cols)), shape=(n, len(vocab)), dtype=float)
    df = np.asarray((tf > 0).sum(axis=0)).ravel()
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    dl = np.asarray(lengths, dtype=float)
    norm = 1.2 * (1 - 0.75 + 0.75 * dl / max(dl.mean(), 1.0))
    tf = tf.tocoo()
    weight = tf.data * 2.2 / (tf.data + norm[tf.row]) * idf[tf.col]
    w = sparse.csr_matrix((weight, (tf.row, tf.col)), shape=tf.shape)
    q_rows, q_cols = [], []
    for i, text in enumerate(queries):
        for t in {vocab[w] for w in _tokens(text) if w in vocab}:
            q_rows.append(i)
            q_cols.append(t)
    q = sparse.csr_matrix(
        (np.ones(len(q_rows)), (q_rows, q_cols)), shape=(len(queries), len(vocab))
    )
    return np.asarray((q @ w.T).todense())


def _jaccard(pool: Pool) -> np.ndarray:
    out = np.zeros((len(pool.vacancies), len(pool.people)))
    for i, v in enumerate(pool.vacancies):
        wanted = v.essential_skill_uris | v.optional_skill_uris
        for j, p in enumerate(pool.people):
            union = len(wanted | p.skill_uris)
            out[i, j] = len(wanted & p.skill_uris) / union if union else 0.0
    return out


@dataclass
class PoolScores:
    """Feature tensor (vacancy, person, feature) for both conditions, and baseline scores."""

    X: dict[str, np.ndarray]
    text_vacancy_side: dict[str, np.ndarray]  # (vacancy, person): query = vacancy text
    text_person_side: dict[str, np.ndarray]  # (vacancy, person): query = person text
    jaccard: np.ndarray


def score_pool(
    pool: Pool, space: SkillSpace, needed: Sequence[Sequence[int]] | None = None
) -> PoolScores:
    """Features of the (vacancy, person) pairs in both conditions, and the baselines' scores.

    `needed[i]`: the people to featurise for vacancy i (default: each query vacancy
    against every person, every vacancy against each query person — what the
    benchmark ranks). Pairs not needed stay 0 and must not be read.
    """
    nv, npp, nq = len(pool.vacancies), len(pool.people), pool.n_queries
    stated_p = [f"{t} {o}" for t, o in zip(pool.texts_p, pool.occupation_texts, strict=True)]
    text_v: dict[str, np.ndarray] = {}
    text_p: dict[str, np.ndarray] = {}
    for cond, people_texts in (("skills_only", pool.texts_p), ("occupation_stated", stated_p)):
        text_v[cond] = bm25_matrix(pool.texts_v, people_texts)
        text_p[cond] = bm25_matrix(people_texts, pool.texts_v).T
    if needed is None:
        needed = [range(npp) if i < nq else range(nq) for i in range(nv)]
    X = np.zeros((nv, npp, len(FEATURES)))
    search = FEATURES.index("search_score")
    tops = {c: m.max(axis=1, keepdims=True) for c, m in text_v.items()}
    relative = {c: m / np.where(tops[c] > 0, tops[c], 1.0) for c, m in text_v.items()}
    for i, v in enumerate(pool.vacancies):
        cols = np.asarray(sorted(needed[i]), dtype=int)
        if len(cols):
            people = [pool.people[j] for j in cols]
            scores = relative["occupation_stated"][i, cols].tolist()
            X[i, cols] = featurise(v, people, scores, TODAY, space)[0]
    skills_only = X.copy()
    for name in _OCCUPATION_FEATURES:
        skills_only[:, :, FEATURES.index(name)] = 0.0
    skills_only[:, :, search] = relative["skills_only"]
    return PoolScores(
        {"occupation_stated": X, "skills_only": skills_only}, text_v, text_p, _jaccard(pool)
    )


def _rank_of(scores: np.ndarray, target: int, rng: np.random.Generator) -> int:
    """1-based rank of `target` with ties broken at random."""
    better = int((scores > scores[target]).sum())
    ties = int((scores == scores[target]).sum()) - 1
    return better + 1 + int(rng.integers(0, ties + 1))


def _summary(ranks: Sequence[int]) -> dict[str, float]:
    r = np.asarray(ranks, dtype=float)
    return {
        "recall@1": round(float((r <= 1).mean()), 4),
        "recall@10": round(float((r <= 10).mean()), 4),
        "mrr": round(float((1.0 / r).mean()), 4),
    }


def pool_metrics(
    pool: Pool, scores: PoolScores, predict: Callable[[np.ndarray], np.ndarray], seed: int
) -> dict[str, dict[str, dict[str, dict[str, float]]]]:
    """{condition: {side: {order: metrics}}} over the pool's queries."""
    out: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
    nv, npp, d = scores.X["skills_only"].shape
    for cond in CONDITIONS:
        X = scores.X[cond]
        model = predict(X.reshape(nv * npp, d)).reshape(nv, npp)
        by_side: dict[str, dict[str, dict[str, float]]] = {}
        for side in SIDES:
            ranks: dict[str, list[int]] = {o: [] for o in ORDERS}
            for q in range(pool.n_queries):
                if side == "vacancy":
                    rows = {
                        "text": scores.text_vacancy_side[cond][q],
                        "jaccard": scores.jaccard[q],
                        "model": model[q],
                    }
                else:
                    rows = {
                        "text": scores.text_person_side[cond][:, q],
                        "jaccard": scores.jaccard[:, q],
                        "model": model[:, q],
                    }
                for order, s in rows.items():
                    # The same draw for every order: equal scores rank equally, so a
                    # model that orders as Jaccard does is not refused by its ties.
                    tie = np.random.default_rng([seed, SIDES.index(side), q])
                    ranks[order].append(_rank_of(np.asarray(s), q, tie))
            by_side[side] = {o: _summary(r) for o, r in ranks.items()}
        out[cond] = by_side
    return out


# --- the benchmark -------------------------------------------------------------------------------


@dataclass
class BenchmarkResult:
    queries: int
    pool: int
    results: dict[
        str, dict[str, dict[str, dict[str, dict[str, float]]]]
    ]  # noise → cond → side → order

    def passes_gate(
        self, tolerance: float = JACCARD_TOLERANCE, sides: Sequence[str] = ("vacancy",)
    ) -> tuple[bool, list[str]]:
        """The model ≥ Jaccard at Recall@10 and MRR, skills only, at every noise level, on
        `sides`: the gate's rule is the coordinator's ("vacancy": the right person for a
        vacancy); `SIDES` adds the jobseeker's (the right vacancy for a person), which
        training prefers (`ml.train.train_from_history`)."""
        failures = []
        for noise, conds in self.results.items():
            for side in sides:
                m = conds["skills_only"][side]
                for metric in ("recall@10", "mrr"):
                    if m["model"][metric] < m["jaccard"][metric] - tolerance:
                        failures.append(
                            f"{side} side, {noise}: {metric} {m['model'][metric]}"
                            f" < Jaccard {m['jaccard'][metric]}"
                        )
        return not failures, failures

    def markdown(self) -> str:
        lines = [
            "| side | condition | noise | order | Recall@1 | Recall@10 | MRR |",
            "|---|---|---|---|---:|---:|---:|",
        ]
        for side in SIDES:
            for cond in CONDITIONS:
                for noise, conds in self.results.items():
                    for order in ORDERS:
                        m = conds[cond][side][order]
                        strong = "**" if order == "model" else ""
                        lines.append(
                            f"| {'vacancy → people' if side == 'vacancy' else 'person → vacancies'}"
                            f" | {cond.replace('_', ' ')} | {noise} | {strong}{ORDER_LABELS[order]}"
                            f"{strong} | {m['recall@1']:.3f} | {m['recall@10']:.3f}"
                            f" | {m['mrr']:.3f} |"
                        )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"queries": self.queries, "pool": self.pool, "results": self.results}


@dataclass(frozen=True)
class BenchmarkSize:
    queries: int = 100
    pool: int = 300
    seed: int = 7


DEFAULT_SIZE = BenchmarkSize()


@lru_cache(maxsize=4)
def _benchmark_pools(
    size: BenchmarkSize, levels: tuple[NoiseLevel, ...], similarity: str = "cooccurrence"
) -> tuple[int, list[tuple[str, Pool, PoolScores]]]:
    """The pools and their features: they do not depend on the model, so built once."""
    esco = load_esco()
    held = held_out_occupations(esco)
    space = benchmark_space(held, similarity)
    rng = np.random.default_rng(size.seed)
    candidates = sorted(held)
    n = min(size.queries, len(candidates))
    picked = [candidates[k] for k in rng.choice(len(candidates), size=n, replace=False)]
    by_uri = {o.uri: o for o in esco.occupations}
    query_occupations = [by_uri[u] for u in picked]
    pools = []
    for k, level in enumerate(levels):
        p = build_pool(esco, query_occupations, size.pool, level, seed=size.seed * 100 + k)
        pools.append((level.name, p, score_pool(p, space)))
    return n, pools


def run_benchmark(
    predict: Callable[[np.ndarray], np.ndarray],
    size: BenchmarkSize = DEFAULT_SIZE,
    levels: Sequence[NoiseLevel] = NOISE_LEVELS,
    similarity: str = "cooccurrence",
) -> BenchmarkResult:
    """The ESCO benchmark of a scoring function over `FEATURES` rows (`model.predict_proba`)."""
    n, pools = _benchmark_pools(size, tuple(levels), similarity)
    results = {name: pool_metrics(p, scores, predict, size.seed) for name, p, scores in pools}
    return BenchmarkResult(n, size.pool, results)


# --- training pairs from ESCO (never the held-out occupations) ------------------------------------


def _training_noise(rng: np.random.Generator) -> NoiseLevel:
    return NoiseLevel("training", float(rng.uniform(0.2, 0.85)), int(rng.integers(0, 10)))


@lru_cache(maxsize=2)
def training_pairs(
    queries: int = 200,
    pool: int = 320,
    distractors: int = 30,
    seed: int = 11,
    similarity: str = "cooccurrence",
) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise differences (right minus distractor, and the reverse) from ESCO occupations that
    are not held out, on both sides and in both conditions, for learning to rank skills.

    Returns (X_diff, y): y = 1 when the first of the two is the right one.
    """
    esco = load_esco()
    held = held_out_occupations(esco)
    space = benchmark_space(held, similarity)
    rng = np.random.default_rng(seed)
    train = [o for o in esco.occupations if o.uri not in held and len(o.essential) >= MIN_ESSENTIAL]
    picked = [
        train[k] for k in rng.choice(len(train), size=min(queries, len(train)), replace=False)
    ]
    p = build_pool(esco, picked, pool, _training_noise, seed, exclude=held)
    nq, n = p.n_queries, len(p.people)
    needed: list[set[int]] = [set() for _ in range(n)]
    sampled: dict[tuple[str, int], np.ndarray] = {}
    for q in range(nq):
        for side in SIDES:
            others = rng.choice(n - 1, size=min(distractors, n - 1), replace=False)
            others = others + (others >= q)  # skip the right one
            sampled[side, q] = others
            if side == "vacancy":
                needed[q] |= {q, *others.tolist()}
            else:
                for i in others.tolist():
                    needed[i].add(q)
    scores = score_pool(p, space, [sorted(x) for x in needed])
    diffs = []
    for cond in CONDITIONS:
        X = scores.X[cond]
        for (side, q), others in sampled.items():
            wrong = X[q, others] if side == "vacancy" else X[others, q]
            diffs.append(X[q, q] - wrong)
    D = np.vstack(diffs)
    flip = rng.random(len(D)) < 0.5
    D[flip] *= -1
    return D, (~flip).astype(int)
