"""Text → ESCO in Finnish, Swedish and English: sentence embeddings fused with TF-IDF.

A vacancy or a CV is split into sentences. Each sentence is embedded with
multilingual-e5-small (:mod:`ml.embedding`) and compared with the stored vectors
of every skill's and occupation's labels (a concept scores its best label); the
TF-IDF suggester (:mod:`ml.suggest`, without its occupation boost, which pushes the
right skill out of the top on single sentences) scores the same sentence over the
labels and descriptions. The two are fused by a weighted sum, ``similarity +
lexical_weight * tfidf``: the embedding carries meaning across languages, TF-IDF
rewards an exact English term.

**Honest answers.** With this model every sentence is fairly close to some label,
and Finnish sentences to all of them, so the similarity is measured against
"nothing": a sentence is *recognised* when its closest label is about as close as
(``min_margin``) or closer than the closest of a few dozen no-skill sentences
(``ml/anchors.py``), or a skill label matches it lexically (``min_lexical``). Only
recognised sentences contribute suggestions, ranked by the fused score exactly as
the unthresholded hybrid ranks them; when no sentence is recognised, the answer is
"nothing recognised" rather than the least bad labels. The gate decides *whether* a
sentence names a skill, never *which*: an earlier per-concept threshold also
dropped right skills whose score was low (most Finnish and Swedish ones), so the
served answers were far worse than the ranking. Each suggestion carries the
sentence it came from (for a whole text, the sentence where it scored best).

The weights and thresholds were chosen on the validation split of the sentence sets
in ``ml/eval`` (``kohtaanto evaluate-suggestions`` reports the test split).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass, field, replace

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from ml.anchors import ANCHOR_LANGUAGE, ANCHORS, LANGUAGES
from ml.embedding import LabelVectors, TextEncoder, concept_labels, find_label_vectors, get_encoder
from ml.suggest import EscoCorpus, Suggester, SuggesterConfig, fit_suggester, has_words, load_corpus

log = logging.getLogger(__name__)

# The longest text the API and the pages accept for suggestions (a long CV is ~20 000).
MAX_TEXT_CHARS = 20_000
# A CV rarely has more; the rest of a very long text is not read (the speed budget).
MAX_SENTENCES = 60
# Sentences end at . ! ? ; (followed by space), at line breaks and at list bullets.
_BOUNDARY = re.compile("(?<=[.!?;])\\s+(?=\\S)|\\s*\n\\s*|\\s+[\u2022\u00b7\u25aa\u2013-]\\s+")
_BULLET = re.compile("^[\u2022\u00b7\u25aa*\u2013-]\\s*")


def split_sentences(text: str, limit: int = MAX_SENTENCES) -> list[str]:
    """The sentences of a text that hold words, in order, at most ``limit``."""
    found = []
    for piece in _BOUNDARY.split(text):
        piece = _BULLET.sub("", piece.strip())
        if has_words(piece):
            found.append(piece)
        if len(found) == limit:
            break
    return found


@dataclass(frozen=True)
class HybridConfig:
    """Fusion weight and thresholds; the defaults were chosen on the validation split."""

    lexical_weight: float = 0.1
    # A sentence is *recognised* (names some skill or occupation) when its closest label
    # is closer than its closest no-skill anchor (ml/anchors.py) minus this much
    # (cosine), or when a skill label matches it lexically (TF-IDF cosine). Within a
    # recognised sentence concepts are ranked by the fused score alone: the decision
    # "is there a skill here" is not mixed with "which skill".
    # Per language of the sentence (fi, sv, en: ml/anchors.py tells which): a Finnish
    # sentence is closer to every label than an English one, its right label included.
    min_margin: tuple[float, float, float] = (-0.03, -0.035, 0.02)
    min_lexical: float = 0.3  # TF-IDF cosine: a near-verbatim English label
    # Occupations: the sentence sets have no occupation answers, so this one was set by
    # hand on the held-out occupation descriptions (TF-IDF names occupations well).
    occupation_lexical_weight: float = 1.0
    # An occupation must also pass on its own (set by hand, as before): a recognised
    # Finnish sentence about programming is otherwise "close" to a linen room attendant.
    occupation_min_margin: float = 0.02
    occupation_min_lexical: float = 0.5


LEXICAL = SuggesterConfig(boost=0.0)


@dataclass(frozen=True, slots=True)
class Found:
    """One suggested concept, with the sentence it was recognised in."""

    uri: str
    label: str
    score: float
    similarity: float
    span: str


@dataclass(frozen=True, slots=True)
class Recognised:
    skills: list[Found]
    occupations: list[Found]
    sentences: int = 0

    @property
    def recognised(self) -> bool:
        return bool(self.skills or self.occupations)


@dataclass
class SentenceScores:
    """Per sentence (rows) and concept (columns): similarity, TF-IDF, fused."""

    similarity: np.ndarray
    lexical: np.ndarray
    fused: np.ndarray
    passed: np.ndarray  # bool: the concept's sentence was recognised (rows broadcast)


def recognised_sentences(
    skill_similarity: np.ndarray,
    skill_lexical: np.ndarray,
    occupation_similarity: np.ndarray,
    config: HybridConfig,
    language: np.ndarray,
    *,
    semantic: bool = True,
) -> np.ndarray:
    """One bool per sentence: does it name a skill or an occupation at all?

    Closer to some label than to "nothing" (the anchors) by ``min_margin``, or a skill
    label matched near-verbatim. Without vectors, the lexical test alone.
    """
    rows = skill_lexical.shape[0]
    found = np.zeros(rows, dtype=bool)
    if skill_lexical.size:
        found |= skill_lexical.max(axis=1) >= config.min_lexical
    if semantic:
        margin = np.asarray(config.min_margin, dtype=np.float32)[language]
        for similarity in (skill_similarity, occupation_similarity):
            if similarity.size:
                found |= similarity.max(axis=1) >= margin
    return found


def fuse(
    similarity: np.ndarray,
    lexical: np.ndarray,
    config: HybridConfig,
    recognised: np.ndarray,
    *,
    semantic: bool = True,
    own: tuple[float, float] | None = None,
) -> SentenceScores:
    """Fused scores; every concept of a recognised sentence passes, or with ``own``
    (margin, lexical) only those that also reach one of those. Without vectors, TF-IDF
    alone."""
    fused = similarity + config.lexical_weight * lexical if semantic else lexical
    passed = np.broadcast_to(recognised[:, None], fused.shape)
    if own is not None:
        alone = lexical >= own[1]
        if semantic:
            alone = alone | (similarity >= own[0])
        passed = passed & alone
    return SentenceScores(similarity, lexical, fused, passed)


@dataclass
class HybridSuggester:
    """TF-IDF suggester + label vectors + the encoder, over one ESCO corpus."""

    corpus: EscoCorpus
    lexical: Suggester
    vectors: LabelVectors | None
    encoder: TextEncoder | None
    config: HybridConfig = field(default_factory=HybridConfig)
    fit_seconds: float = 0.0
    # float32 label vectors and the first row of each concept's block (reduceat)
    _matrix: np.ndarray | None = None
    _starts: np.ndarray | None = None
    _anchors: np.ndarray | None = None  # the no-skill sentences' vectors

    def __post_init__(self) -> None:
        if self.vectors is not None and self.encoder is not None:
            self._matrix = np.ascontiguousarray(self.vectors.vectors, dtype=np.float32)
            owner = self.vectors.owner
            self._starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
            if self._anchors is None:
                self._anchors = self.encoder.encode(list(ANCHORS))

    @property
    def semantic(self) -> bool:
        """Whether the embedding side is in use (vectors found for this corpus)."""
        return self._matrix is not None

    def similarities(self, sentences: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Sentences x concepts (skills, then occupations): the best cosine over the
        concept's labels minus the sentence's best cosine with a no-skill anchor; and
        each sentence's language (index in ``ml.anchors.LANGUAGES``: the anchor group
        it is closest to on average)."""
        n_concepts = len(self.corpus.skills) + len(self.corpus.occupations)
        if (
            self._matrix is None
            or self._starts is None
            or self._anchors is None
            or self.encoder is None
        ):
            return (
                np.zeros((len(sentences), n_concepts), dtype=np.float32),
                np.full(len(sentences), LANGUAGES.index("en"), dtype=np.intp),
            )
        queries = self.encoder.encode(sentences)
        rows = queries @ self._matrix.T
        anchors = queries @ self._anchors.T
        nothing = anchors.max(axis=1, keepdims=True)
        groups = np.asarray(ANCHOR_LANGUAGE)
        by_language = np.stack(
            [anchors[:, groups == g].mean(axis=1) for g in range(len(LANGUAGES))], axis=1
        )
        return np.maximum.reduceat(rows, self._starts, axis=1) - nothing, by_language.argmax(axis=1)

    def sentence_scores(
        self, sentences: list[str], similarity: tuple[np.ndarray, np.ndarray] | None = None
    ) -> tuple[SentenceScores, SentenceScores]:
        """Skill and occupation scores of each sentence.

        Occupations add the TF-IDF score of the whole text (labels weighed up, with
        character n-grams) to every sentence: a vacancy names its occupation in the
        title, and the rest of the text confirms it.
        """
        margins, language = similarity if similarity is not None else self.similarities(sentences)
        skill_lex, _ = self.lexical.scores(sentences)
        _, occupation_lex = self.lexical.scores([" ".join(sentences)])
        occupation_lex = np.broadcast_to(occupation_lex, (len(sentences), occupation_lex.shape[1]))
        n_skills = len(self.corpus.skills)
        skill_sim, occupation_sim = margins[:, :n_skills], margins[:, n_skills:]
        recognised = recognised_sentences(
            skill_sim, skill_lex, occupation_sim, self.config, language, semantic=self.semantic
        )
        return (
            fuse(skill_sim, skill_lex, self.config, recognised, semantic=self.semantic),
            fuse(
                occupation_sim,
                occupation_lex,
                replace(self.config, lexical_weight=self.config.occupation_lexical_weight),
                recognised,
                semantic=self.semantic,
                own=(self.config.occupation_min_margin, self.config.occupation_min_lexical),
            ),
        )

    def suggest(self, text: str, *, skills: int = 10, occupations: int = 3) -> Recognised:
        """The best skills and occupations the text names, each with its sentence."""
        sentences = split_sentences(text)
        if not sentences:
            return Recognised([], [], 0)
        skill_scores, occupation_scores = self.sentence_scores(sentences)
        return Recognised(
            _best(skill_scores, self.corpus.skills, sentences, skills),
            _best(occupation_scores, self.corpus.occupations, sentences, occupations),
            len(sentences),
        )


def _best(scores: SentenceScores, concepts, sentences: list[str], k: int) -> list[Found]:  # type: ignore[no-untyped-def]
    """Top ``k`` concepts over all sentences, by their best passing sentence."""
    fused = np.where(scores.passed, scores.fused, -np.inf)
    best_sentence = fused.argmax(axis=0)
    best = fused[best_sentence, np.arange(fused.shape[1])]
    candidates = np.flatnonzero(np.isfinite(best))
    if candidates.size == 0 or k <= 0:
        return []
    order = candidates[np.argsort(-best[candidates], kind="stable")][:k]
    return [
        Found(
            concepts[i].uri,
            concepts[i].label,
            round(float(best[i]), 4),
            round(float(scores.similarity[best_sentence[i], i]), 4),
            sentences[best_sentence[i]],
        )
        for i in order
    ]


def build_hybrid(corpus: EscoCorpus, config: HybridConfig | None = None) -> HybridSuggester:
    """Fit TF-IDF and load the label vectors for the corpus (CPU-bound, seconds)."""
    started = time.perf_counter()
    lexical = fit_suggester(corpus, LEXICAL)
    vectors = find_label_vectors(concept_labels(corpus))
    if vectors is None:
        log.warning(
            "no ESCO label vectors for these labels (run `kohtaanto import-esco`): "
            "suggestions are lexical only"
        )
    encoder = get_encoder() if vectors is not None else None
    suggester = HybridSuggester(corpus, lexical, vectors, encoder, config or HybridConfig())
    suggester.fit_seconds = time.perf_counter() - started
    return suggester


async def build_suggester(session: AsyncSession) -> HybridSuggester:
    """Read the ESCO tables and build the suggester in a worker thread."""
    corpus = await load_corpus(session)
    return await asyncio.to_thread(build_hybrid, corpus)


# One suggester per database this process talks to.
_SUGGESTERS: dict[str, HybridSuggester] = {}
_LOCK: asyncio.Lock | None = None


async def get_suggester(session: AsyncSession) -> HybridSuggester:
    """The process's suggester for the session's database, built on first use.

    A re-import of ESCO (another language, say) takes effect when the process restarts.
    """
    global _LOCK
    key = str(session.get_bind().engine.url)
    if (found := _SUGGESTERS.get(key)) is not None:
        return found
    if _LOCK is None:
        _LOCK = asyncio.Lock()
    async with _LOCK:
        if key not in _SUGGESTERS:
            _SUGGESTERS[key] = await build_suggester(session)
        return _SUGGESTERS[key]
