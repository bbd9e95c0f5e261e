"""Suggest ESCO skills and occupations from free text: a vacancy or a CV.

TF-IDF (scikit-learn) over the ESCO vocabulary in the database, in whatever
language was imported: each skill and occupation is one vector made of its
preferred and alternative labels (weighted up) and its description. A text is
vectorised the same way and compared by cosine similarity. Skills that are
essential for the best-matching occupations are then boosted: a vacancy for a
cook rarely spells out "food safety", but ESCO says a cook needs it.

Nothing is downloaded at run time. The request handlers use the hybrid suggester
(``ml/suggest_hybrid.py``), which keeps one per process and database; this lexical
one is its TF-IDF part and the evaluation's baseline.

The evaluation (:func:`evaluate`, ``kohtaanto evaluate-suggestions``) holds out
a seeded share of occupations: their descriptions are the query texts, their
essential skills the gold answer. The suggester it measures is fitted without
the held-out descriptions and without the held-out occupations' skill
relations; only their labels stay, so they can still be suggested as the
occupation.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.preprocessing import normalize
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import EscoOccupation, EscoSkill, OccupationSkill

_WORD = re.compile(r"\w\w", re.UNICODE)


# --- the vocabulary as plain data ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class EscoText:
    """The text of one ESCO concept that the suggester reads."""

    uri: str
    label: str
    alt_labels: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class EscoCorpus:
    """Skills, occupations and occupation → skill relations, by list position."""

    skills: Sequence[EscoText]
    occupations: Sequence[EscoText]
    # (occupation index, skill index, essential)
    relations: Sequence[tuple[int, int, bool]] = ()

    def essential_skills(self) -> dict[int, list[int]]:
        """Skill indices that each occupation (by index) lists as essential."""
        found: dict[int, list[int]] = {}
        for occupation, skill, essential in self.relations:
            if essential:
                found.setdefault(occupation, []).append(skill)
        return found


async def load_corpus(session: AsyncSession) -> EscoCorpus:
    """Read the ESCO skills, occupations and relations the database holds."""
    skill_rows = (
        await session.execute(
            select(
                EscoSkill.id,
                EscoSkill.uri,
                EscoSkill.label,
                EscoSkill.alt_labels,
                EscoSkill.description,
            ).order_by(EscoSkill.id)
        )
    ).tuples()
    skills: list[EscoText] = []
    skill_index: dict[int, int] = {}
    for id_, uri, label, alt, description in skill_rows:
        skill_index[id_] = len(skills)
        skills.append(EscoText(uri, label, tuple(alt or ()), description or ""))
    occupation_rows = (
        await session.execute(
            select(
                EscoOccupation.id,
                EscoOccupation.uri,
                EscoOccupation.label,
                EscoOccupation.alt_labels,
                EscoOccupation.description,
            ).order_by(EscoOccupation.id)
        )
    ).tuples()
    occupations: list[EscoText] = []
    occupation_index: dict[int, int] = {}
    for id_, uri, label, alt, description in occupation_rows:
        occupation_index[id_] = len(occupations)
        occupations.append(EscoText(uri, label, tuple(alt or ()), description or ""))
    relation_rows = (
        await session.execute(
            select(
                OccupationSkill.occupation_id, OccupationSkill.skill_id, OccupationSkill.essential
            )
        )
    ).tuples()
    relations = [
        (occupation_index[o], skill_index[s], bool(e))
        for o, s, e in relation_rows
        if o in occupation_index and s in skill_index
    ]
    return EscoCorpus(skills, occupations, relations)


# --- the suggester --------------------------------------------------------------------


class WordTfidf:
    """TF-IDF of word 1-2 grams, hashed: no vocabulary to build, so fitting takes seconds.

    Same weighting as ``TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True,
    max_df=...)``, up to hash collisions, which are rare at 2**20 columns. Terms the
    corpus never had weigh nothing, as words outside a vocabulary would.
    """

    def __init__(self, max_df: float) -> None:
        self.max_df = max_df
        self.hashing = HashingVectorizer(
            ngram_range=(1, 2), alternate_sign=False, norm=None, n_features=2**20
        )
        self.tfidf = TfidfTransformer(sublinear_tf=True)

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        counts = self.hashing.transform(texts)
        self.tfidf.fit(counts)
        document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
        too_common = document_frequency > self.max_df * counts.shape[0]
        unseen = document_frequency == 0
        self.tfidf.idf_ = np.where(too_common | unseen, 0.0, self.tfidf.idf_)
        return self._weigh(counts)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self._weigh(self.hashing.transform(texts))

    def _weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        weighted = sp.csr_matrix(self.tfidf.transform(counts), dtype=np.float32)
        weighted.eliminate_zeros()
        return weighted


@dataclass(frozen=True)
class SuggesterConfig:
    """How the suggester is fitted; the defaults were chosen on a validation split (seed 7)."""

    use_descriptions: bool = True
    label_weight: float = 1.0  # labels against descriptions, before the row is normalised
    # Naming the occupation leans on its labels more: a vacancy says "cook", and many
    # other occupations' descriptions mention cooks.
    occupation_label_weight: float = 8.0
    # Character 3-5 grams of occupation labels, added to the occupation score with
    # this weight: they match word forms and parts of compounds (measured on English;
    # Finnish labels should gain more).
    occupation_char_weight: float = 1.0
    max_df: float = 0.5  # terms in more than half of all texts carry no signal
    boost: float = 0.5  # weight of "essential for an occupation close to the text"
    boost_occupations: int = 10  # how many close occupations lend their essential skills


@dataclass(frozen=True, slots=True)
class Suggested:
    uri: str
    label: str
    score: float


@dataclass(frozen=True, slots=True)
class Suggestions:
    skills: list[Suggested]
    occupations: list[Suggested]


def has_words(text: str) -> bool:
    """True when the text holds at least one word of two letters or digits."""
    return _WORD.search(text) is not None


@dataclass
class Suggester:
    """A fitted TF-IDF suggester over one ESCO corpus."""

    corpus: EscoCorpus
    config: SuggesterConfig
    # The matrices are inverted indexes, terms x concepts, columns l2-normalised.
    words: WordTfidf  # word 1-2 grams of labels and descriptions
    skill_matrix: sp.csr_matrix  # words x skills
    neighbour_matrix: sp.csr_matrix  # words x occupations, for the essential-skill boost
    occupation_matrix: sp.csr_matrix  # words x occupations, label-heavy, for naming
    essential_matrix: sp.csr_matrix  # occupations x skills, 1 where essential
    chars: TfidfVectorizer | None = None  # char 3-5 grams of occupation labels
    occupation_char_matrix: sp.csr_matrix | None = None  # chars x occupations
    fit_seconds: float = 0.0

    def scores(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Skill and occupation scores for each text (texts x skills, texts x occupations)."""
        query = self.words.transform(texts)
        skill = _similarity(query, self.skill_matrix)
        occupation = _similarity(query, self.occupation_matrix)
        if self.chars is not None and self.occupation_char_matrix is not None:
            char_query = self.chars.transform(texts)
            occupation += self.config.occupation_char_weight * _similarity(
                char_query, self.occupation_char_matrix
            )
        if self.config.boost and self.config.boost_occupations:
            neighbour = _similarity(query, self.neighbour_matrix)
            top = min(self.config.boost_occupations, neighbour.shape[1])
            # Keep only each text's closest occupations, then spread their
            # similarity to their essential skills.
            kept = np.zeros_like(neighbour)
            best = np.argpartition(-neighbour, top - 1, axis=1)[:, :top]
            rows = np.arange(neighbour.shape[0])[:, None]
            kept[rows, best] = neighbour[rows, best]
            skill += self.config.boost * np.asarray(self.essential_matrix.T @ kept.T).T
        return skill, occupation

    def suggest(self, text: str, *, skills: int = 10, occupations: int = 3) -> Suggestions:
        """The best ``skills`` skills and ``occupations`` occupations for the text, best first."""
        skill_scores, occupation_scores = self.scores([text])
        return Suggestions(
            skills=_top(skill_scores[0], self.corpus.skills, skills),
            occupations=_top(occupation_scores[0], self.corpus.occupations, occupations),
        )


def _similarity(queries: sp.csr_matrix, index: sp.csr_matrix) -> np.ndarray:
    # Terms x concepts in CSR: the product reads only the rows of the query's terms.
    return np.asarray((queries @ index).toarray())


def _top_indices(scores: np.ndarray, k: int) -> list[int]:
    k = min(k, scores.shape[0])
    if k <= 0:
        return []
    best = np.argpartition(-scores, k - 1)[:k]
    ordered = best[np.argsort(-scores[best], kind="stable")]
    return [int(i) for i in ordered if scores[i] > 0]


def _top(scores: np.ndarray, concepts: Sequence[EscoText], k: int) -> list[Suggested]:
    return [
        Suggested(concepts[i].uri, concepts[i].label, round(float(scores[i]), 4))
        for i in _top_indices(scores, k)
    ]


def _top_uris(scores: np.ndarray, concepts: Sequence[EscoText], k: int) -> list[str]:
    return [concepts[i].uri for i in _top_indices(scores, k)]


def _labels_text(concept: EscoText) -> str:
    return "\n".join((concept.label, *concept.alt_labels))


def _inverted(rows: sp.spmatrix) -> sp.csr_matrix:
    return sp.csr_matrix(rows.T, dtype=np.float32)


def fit_suggester(corpus: EscoCorpus, config: SuggesterConfig | None = None) -> Suggester:
    """Fit TF-IDF on the corpus's labels and descriptions (CPU-bound, a few seconds)."""
    config = config or SuggesterConfig()
    started = time.perf_counter()
    concepts = [*corpus.skills, *corpus.occupations]
    n_concepts, n_skills = len(concepts), len(corpus.skills)
    described = [i for i, c in enumerate(concepts) if config.use_descriptions and c.description]
    words = WordTfidf(config.max_df)
    # One pass over all texts: labels first, then the descriptions there are.
    matrix = words.fit_transform(
        [_labels_text(c) for c in concepts] + [concepts[i].description for i in described]
    ).tocsr()
    labels = matrix[:n_concepts]
    place = sp.csr_matrix(
        (np.ones(len(described), dtype=np.float32), (described, range(len(described)))),
        shape=(n_concepts, len(described)),
    )
    descriptions = (place @ matrix[n_concepts:]).tocsr()
    combined = normalize(config.label_weight * labels + descriptions).tocsr()
    naming = normalize(config.occupation_label_weight * labels[n_skills:] + descriptions[n_skills:])
    essential = [(o, s) for o, s, e in corpus.relations if e]
    suggester = Suggester(
        corpus=corpus,
        config=config,
        words=words,
        skill_matrix=_inverted(combined[:n_skills]),
        neighbour_matrix=_inverted(combined[n_skills:]),
        occupation_matrix=_inverted(naming),
        essential_matrix=sp.csr_matrix(
            (
                np.ones(len(essential), dtype=np.float32),
                ([o for o, _ in essential], [s for _, s in essential]),
            ),
            shape=(len(corpus.occupations), n_skills),
        ),
    )
    if config.occupation_char_weight:
        suggester.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32
        )
        suggester.occupation_char_matrix = _inverted(
            suggester.chars.fit_transform([_labels_text(o) for o in corpus.occupations])
        )
    suggester.fit_seconds = time.perf_counter() - started
    return suggester


async def build_suggester(
    session: AsyncSession, config: SuggesterConfig | None = None
) -> Suggester:
    """Read the ESCO tables and fit a suggester; the fitting runs in a worker thread."""
    corpus = await load_corpus(session)
    return await asyncio.to_thread(fit_suggester, corpus, config)


# --- evaluation -----------------------------------------------------------------------


def precision_at_k(ranked: Sequence[str], gold: Iterable[str], k: int) -> float:
    """Share of the first ``k`` suggestions that are gold (a short list still divides by k)."""
    wanted = set(gold)
    return sum(1 for uri in ranked[:k] if uri in wanted) / k


def recall_at_k(ranked: Sequence[str], gold: Iterable[str], k: int) -> float:
    """Share of the gold items found in the first ``k`` suggestions."""
    wanted = set(gold)
    if not wanted:
        return 0.0
    return len(wanted.intersection(ranked[:k])) / len(wanted)


@dataclass(frozen=True, slots=True)
class HeldOut:
    """One evaluation case: an occupation's description and its essential skills."""

    occupation_uri: str
    text: str
    gold_skills: frozenset[str]


def hold_out(
    corpus: EscoCorpus, fraction: float = 0.2, seed: int = 42
) -> tuple[EscoCorpus, list[HeldOut]]:
    """Split off a seeded share of the occupations that have a description and essential skills.

    The returned corpus keeps the held-out occupations' labels (so they can still be
    suggested) but drops their descriptions and their skill relations.
    """
    essential = corpus.essential_skills()
    eligible = [
        i for i, o in enumerate(corpus.occupations) if o.description.strip() and essential.get(i)
    ]
    chosen = set(random.Random(seed).sample(eligible, round(fraction * len(eligible))))
    cases = [
        HeldOut(
            corpus.occupations[i].uri,
            corpus.occupations[i].description,
            frozenset(corpus.skills[s].uri for s in essential[i]),
        )
        for i in sorted(chosen)
    ]
    occupations = [
        replace(o, description="") if i in chosen else o for i, o in enumerate(corpus.occupations)
    ]
    relations = [r for r in corpus.relations if r[0] not in chosen]
    return EscoCorpus(corpus.skills, occupations, relations), cases


@dataclass(frozen=True, slots=True)
class EvaluationRow:
    method: str
    precision_at_5: float
    recall_at_10: float
    occupation_top1: float | None
    occupation_top3: float | None
    fit_seconds: float


# The variants the evaluation table compares, baseline first.
VARIANTS: dict[str, SuggesterConfig] = {
    "TF-IDF words, labels only": SuggesterConfig(
        use_descriptions=False, occupation_char_weight=0.0, boost=0.0
    ),
    "TF-IDF words, labels + descriptions": SuggesterConfig(occupation_char_weight=0.0, boost=0.0),
    "+ char n-grams of occupation labels": SuggesterConfig(boost=0.0),
    "+ essential-skill boost (default)": SuggesterConfig(),
}


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def evaluate_ranking(
    method: str,
    skill_rankings: Sequence[Sequence[str]],
    occupation_rankings: Sequence[Sequence[str]] | None,
    cases: Sequence[HeldOut],
    fit_seconds: float = 0.0,
) -> EvaluationRow:
    """Precision@5, recall@10 and occupation top-1/top-3 of rankings against the cases."""
    return EvaluationRow(
        method=method,
        precision_at_5=_mean(
            precision_at_k(r, c.gold_skills, 5) for r, c in zip(skill_rankings, cases, strict=True)
        ),
        recall_at_10=_mean(
            recall_at_k(r, c.gold_skills, 10) for r, c in zip(skill_rankings, cases, strict=True)
        ),
        occupation_top1=None
        if occupation_rankings is None
        else _mean(
            float(c.occupation_uri in r[:1])
            for r, c in zip(occupation_rankings, cases, strict=True)
        ),
        occupation_top3=None
        if occupation_rankings is None
        else _mean(
            float(c.occupation_uri in r[:3])
            for r, c in zip(occupation_rankings, cases, strict=True)
        ),
        fit_seconds=fit_seconds,
    )


def evaluate(
    corpus: EscoCorpus,
    *,
    fraction: float = 0.2,
    seed: int = 42,
    variants: dict[str, SuggesterConfig] | None = None,
) -> tuple[list[EvaluationRow], int]:
    """Compare the most-frequent-skills baseline and the suggester variants on held-out ESCO.

    Returns the table rows and the number of held-out occupations.
    """
    train, cases = hold_out(corpus, fraction, seed)
    texts = [c.text for c in cases]
    frequent = Counter(train.skills[s].uri for _, s, e in train.relations if e)
    baseline = [uri for uri, _ in frequent.most_common(10)]
    rows = [
        evaluate_ranking("most frequent essential skills", [baseline] * len(cases), None, cases)
    ]
    for name, config in (variants or VARIANTS).items():
        suggester = fit_suggester(train, config)
        skill_scores, occupation_scores = suggester.scores(texts)
        rows.append(
            evaluate_ranking(
                name,
                [_top_uris(row, train.skills, 10) for row in skill_scores],
                [_top_uris(row, train.occupations, 3) for row in occupation_scores],
                cases,
                suggester.fit_seconds,
            )
        )
    return rows, len(cases)


def format_table(rows: Sequence[EvaluationRow]) -> str:
    """The evaluation rows as a Markdown table."""

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{100 * value:.1f} %"

    lines = [
        "| method | precision@5 | recall@10 | occupation top-1 | occupation top-3 | fit s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.method} | {pct(r.precision_at_5)} | {pct(r.recall_at_10)} | "
            f"{pct(r.occupation_top1)} | {pct(r.occupation_top3)} | "
            f"{r.fit_seconds:.1f} |"
        )
    return "\n".join(lines)
