"""Evaluate text → ESCO on sentences written for it, in Finnish, Swedish and English.

The sets are ``ml/eval/sentences-{fi,sv,en}.jsonl`` (see ``ml/eval/scenarios.py``):
vacancy and CV sentences labelled with the ESCO skills a coordinator would pick,
split into validation (choosing weights and thresholds) and test (reporting only).
Measures, over the sentences that name a skill:

- **R-Precision@5**: right skills in the first min(5, R) suggestions / min(5, R),
  R = number of right skills (the measure of the published ESCO job-ad benchmarks);
- **MRR**: 1 / rank of the first right skill (0 if not in the first 100);
- **hit@5**: a right skill is in the first five.

And over the sentences that name none: the share answered "nothing recognised".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ml.suggest import (
    EscoCorpus,
    EvaluationRow,
    SuggesterConfig,
    evaluate_ranking,
    fit_suggester,
    hold_out,
)
from ml.suggest_hybrid import (
    LEXICAL,
    HybridConfig,
    HybridSuggester,
    build_hybrid,
    fuse,
    recognised_sentences,
    split_sentences,
)

EVAL_DIR = Path(__file__).resolve().parent / "eval"
LANGUAGES = ("fi", "sv", "en")
DEPTH = 100  # ranks read for MRR


@dataclass(frozen=True, slots=True)
class Sentence:
    id: str
    split: str
    kind: str
    text: str
    skills: frozenset[str]


def load_sentences(language: str, split: str | None = None) -> list[Sentence]:
    """The evaluation sentences of one language (optionally one split)."""
    path = EVAL_DIR / f"sentences-{language}.jsonl"
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if split is None or row["split"] == split:
            found.append(
                Sentence(
                    row["id"], row["split"], row["kind"], row["text"], frozenset(row["skills"])
                )
            )
    return found


def r_precision_at_k(ranked: Sequence[str], gold: frozenset[str], k: int = 5) -> float:
    cut = min(k, len(gold))
    return sum(1 for u in ranked[:cut] if u in gold) / cut if cut else 0.0


def reciprocal_rank(ranked: Sequence[str], gold: frozenset[str]) -> float:
    for rank, uri in enumerate(ranked[:DEPTH], start=1):
        if uri in gold:
            return 1.0 / rank
    return 0.0


def hit_at_k(ranked: Sequence[str], gold: frozenset[str], k: int = 5) -> float:
    return float(any(u in gold for u in ranked[:k]))


@dataclass(frozen=True, slots=True)
class SentenceRow:
    method: str
    language: str
    sentences: int
    r_precision_at_5: float
    mrr: float
    hit_at_5: float
    nothing_on_unrelated: float | None  # share of skill-less sentences answered "nothing"
    answered_on_related: float | None  # share of skill sentences answered with something
    # share of skill sentences answered with something but no right skill in the top 5
    wrong_on_related: float | None = None


# A ranking method: sentences -> (ranked skill URIs per sentence, answered-something
# flags, or None for a method without thresholds: it always answers)
Method = Callable[[list[str]], tuple[list[list[str]], list[bool] | None]]


def _top(scores: np.ndarray, uris: Sequence[str], k: int = DEPTH) -> list[str]:
    k = min(k, scores.shape[0])
    best = np.argpartition(-scores, k - 1)[:k]
    best = best[np.isfinite(scores[best])]
    return [uris[i] for i in best[np.argsort(-scores[best], kind="stable")]]


def tfidf_method(corpus: EscoCorpus, config: SuggesterConfig) -> Method:
    suggester = fit_suggester(corpus, config)
    uris = [s.uri for s in corpus.skills]

    def rank(texts: list[str]) -> tuple[list[list[str]], list[bool] | None]:
        skill, _ = suggester.scores(texts)
        return [_top(np.where(row > 0, row, -np.inf), uris) for row in skill], None

    return rank


class HybridMethod:
    """Ranks with a hybrid suggester; caches each text's similarities and TF-IDF scores,
    which do not depend on the fusion weight or the thresholds (tuning is then cheap)."""

    def __init__(self, suggester: HybridSuggester) -> None:
        self.suggester = suggester
        self.uris = [s.uri for s in suggester.corpus.skills]
        self._cache: dict[str, tuple[np.ndarray, ...]] = {}

    def _scores(self, text: str) -> tuple[np.ndarray, ...]:
        if text not in self._cache:
            suggester = self.suggester
            sentences = split_sentences(text) or [text]
            similarity, language = suggester.similarities(sentences)
            skill_lex, _ = suggester.lexical.scores(sentences)
            _, occupation_lex = suggester.lexical.scores([" ".join(sentences)])
            n = len(suggester.corpus.skills)
            self._cache[text] = (
                similarity[:, :n],
                skill_lex,
                similarity[:, n:],
                occupation_lex,
                language,
            )
        return self._cache[text]

    def method(self, config: HybridConfig, *, thresholds: bool = True) -> Method:
        semantic = self.suggester.semantic

        def rank(texts: list[str]) -> tuple[list[list[str]], list[bool] | None]:
            ranked, answered = [], []
            for text in texts:
                skill_sim, skill_lex, occupation_sim, _, language = self._scores(text)
                recognised = recognised_sentences(
                    skill_sim, skill_lex, occupation_sim, config, language, semantic=semantic
                )
                skill = fuse(skill_sim, skill_lex, config, recognised, semantic=semantic)
                passed = skill.passed if thresholds else np.ones_like(skill.passed)
                best = np.where(passed, skill.fused, -np.inf).max(axis=0)
                ranked.append(_top(best, self.uris))
                answered.append(bool(recognised.any()))
            return ranked, answered if thresholds else None

        return rank


def score(method_name: str, language: str, rank: Method, sentences: list[Sentence]) -> SentenceRow:
    related = [s for s in sentences if s.skills]
    unrelated = [s for s in sentences if not s.skills]
    ranked, answered = rank([s.text for s in related])
    _, answered_unrelated = rank([s.text for s in unrelated]) if unrelated else ([], None)
    n = len(related)
    return SentenceRow(
        method=method_name,
        language=language,
        sentences=n,
        r_precision_at_5=sum(
            r_precision_at_k(r, s.skills) for r, s in zip(ranked, related, strict=True)
        )
        / n,
        mrr=sum(reciprocal_rank(r, s.skills) for r, s in zip(ranked, related, strict=True)) / n,
        hit_at_5=sum(hit_at_k(r, s.skills) for r, s in zip(ranked, related, strict=True)) / n,
        nothing_on_unrelated=(
            sum(not a for a in answered_unrelated) / len(unrelated)
            if answered_unrelated is not None and unrelated
            else None
        ),
        answered_on_related=sum(answered) / n if answered is not None else None,
        wrong_on_related=(
            sum(
                a and not hit_at_k(r, s.skills)
                for a, r, s in zip(answered, ranked, related, strict=True)
            )
            / n
            if answered is not None
            else None
        ),
    )


def methods(corpus: EscoCorpus, hybrid: HybridMethod) -> dict[str, Method]:
    """The rows of the table, floor first."""
    config = hybrid.suggester.config
    found: dict[str, Method] = {
        "TF-IDF over labels (floor)": tfidf_method(
            corpus, SuggesterConfig(use_descriptions=False, occupation_char_weight=0, boost=0)
        ),
        "previous suggester (TF-IDF + occupation boost)": tfidf_method(corpus, SuggesterConfig()),
    }
    if hybrid.suggester.semantic:
        found["multilingual-e5-small alone (labels)"] = hybrid.method(
            replace(config, lexical_weight=0.0), thresholds=False
        )
        found["hybrid (e5 + TF-IDF), ranking only"] = hybrid.method(config, thresholds=False)
        found["hybrid (e5 + TF-IDF), with thresholds (as served)"] = hybrid.method(config)
    return found


def evaluate_sentences(
    corpus: EscoCorpus, hybrid: HybridMethod, split: str = "test"
) -> list[SentenceRow]:
    """Every method on every language's ``split``."""
    rows = []
    for name, rank in methods(corpus, hybrid).items():
        for language in LANGUAGES:
            rows.append(score(name, language, rank, load_sentences(language, split)))
    return rows


def tune(hybrid: HybridMethod, split: str = "validation") -> tuple[HybridConfig, float]:
    """Choose the fusion weight, then the thresholds, on ``split`` (never the test split).

    The weight is the one with the best MRR of the ranking (no thresholds), averaged
    over the three languages. The thresholds decide only whether a sentence names a
    skill at all, so they maximise the balanced accuracy of that decision: the mean of
    the share of skill sentences answered and the share of skill-less sentences
    answered "nothing", averaged over the languages (ties: the lower margin, which
    answers more). Whether the answer is right is the ranking's business, not the
    gate's: counting a wrong answer against the gate made it silent on nine Finnish
    sentences in ten, although the ranking has a right skill in the top five for a
    third of them.
    """
    sets = {lang: load_sentences(lang, split) for lang in LANGUAGES}
    best_weight: tuple[float, float] | None = None
    for weight in (0.0, 0.1, 0.25, 0.5, 1.0):
        rank = hybrid.method(HybridConfig(lexical_weight=weight), thresholds=False)
        mrr = sum(score("tuning", lang, rank, s).mrr for lang, s in sets.items()) / len(sets)
        if best_weight is None or mrr > best_weight[0]:
            best_weight = (mrr, weight)
    assert best_weight is not None
    margins = (-0.06, -0.05, -0.045, -0.04, -0.035, -0.03, -0.025, -0.02, -0.01, 0.0, 0.02)
    best: tuple[float, HybridConfig] | None = None
    for lexical in (0.3, 0.4, 0.5, 0.6, 0.8):
        chosen, total = [], 0.0
        for position, (language, sentences) in enumerate(sets.items()):
            assert LANGUAGES[position] == language
            best_here: tuple[float, float] | None = None
            for margin in margins:
                per_language = [9.0, 9.0, 9.0]  # other languages' sentences: never at stake
                per_language[position] = margin
                config = HybridConfig(best_weight[1], _three(per_language), lexical)
                row = score("tuning", language, hybrid.method(config), sentences)
                answered = row.answered_on_related or 0.0
                balanced = (answered + (row.nothing_on_unrelated or 0.0)) / 2
                if best_here is None or balanced > best_here[0] + 1e-9:
                    best_here = (balanced, margin)
            assert best_here is not None
            chosen.append(best_here[1])
            total += best_here[0] / len(sets)
        if best is None or total > best[0] + 1e-9:
            best = (total, HybridConfig(best_weight[1], _three(chosen), lexical))
    assert best is not None
    return best[1], best[0]


def _three(values: Sequence[float]) -> tuple[float, float, float]:
    first, second, third = values
    return (first, second, third)


def format_sentence_table(rows: Sequence[SentenceRow]) -> str:
    def pct(value: float | None) -> str:
        return "-" if value is None else f"{100 * value:.0f} %"

    lines = [
        "| method | lang | sentences | R-Precision@5 | MRR | hit@5 | answered | "
        "answered, none right | 'nothing' on unrelated |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.method} | {r.language} | {r.sentences} | {pct(r.r_precision_at_5)} | "
            f"{r.mrr:.2f} | {pct(r.hit_at_5)} | {pct(r.answered_on_related)} | "
            f"{pct(r.wrong_on_related)} | {pct(r.nothing_on_unrelated)} |"
        )
    return "\n".join(lines)


def evaluate_descriptions(
    corpus: EscoCorpus, config: HybridConfig, *, fraction: float = 0.2, seed: int = 42
) -> EvaluationRow:
    """The hybrid on the held-out occupation descriptions (the older evaluation's cases).

    TF-IDF is fitted without the held-out descriptions and relations; the label vectors
    hold labels only, which the held-out occupations keep anyway.
    """
    train, cases = hold_out(corpus, fraction, seed)
    full = build_hybrid(corpus, config)
    hybrid = replace(full, corpus=train, lexical=fit_suggester(train, LEXICAL))
    skill_rankings, occupation_rankings = [], []
    for case in cases:
        found = hybrid.suggest(case.text, skills=10, occupations=3)
        skill_rankings.append([f.uri for f in found.skills])
        occupation_rankings.append([f.uri for f in found.occupations])
    return evaluate_ranking(
        "hybrid (e5 + TF-IDF), sentence by sentence",
        skill_rankings,
        occupation_rankings,
        cases,
        full.fit_seconds,
    )
