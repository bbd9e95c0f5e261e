"""What a skill means for matching: how specific it is, and how close two skills are.

Both are computed once from ESCO's occupation → skill relations (the shipped
trimmed release, `kohtaanto/data/esco`), without a database:

- **Specificity** of a skill: a BM25-style inverse frequency across ESCO
  occupations, scaled to 0..1 — "use cooking techniques" (a few occupations)
  is strong evidence, "teamwork principles" (hundreds) is weak. A skill ESCO
  does not relate to any occupation counts as maximally specific (it is rare).
- **Similarity** of two skills (`SkillSimilarity`): the shipped release has no
  skill hierarchy or skill-to-skill relations, so the source used now is
  co-occurrence — the cosine of the two skills' occupation profiles (which
  occupations list each). Identical skills are 1. Another source (e.g. sentence
  embeddings of the labels) plugs in by implementing `SkillSimilarity.matrix`;
  `SkillSpace.similarity` is what features call.

A `SkillSpace` can be built from a subset of occupations (`without=`): the
ESCO benchmark (`ml/benchmark.py`) does this so the occupations it tests on
do not inform the statistics it is scored with.
"""

from __future__ import annotations

import math
import zipfile
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
from scipy import sparse

from kohtaanto.data import SHIPPED_ESCO_DIR


@dataclass(frozen=True, slots=True)
class Occupation:
    """An ESCO occupation with its essential and optional skills (URIs)."""

    uri: str
    isco_code: str
    label: str
    essential: tuple[str, ...]
    optional: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Esco:
    """The parts of an ESCO release the ranker needs."""

    occupations: tuple[Occupation, ...]
    skill_labels: dict[str, str]


def _read(archive: zipfile.ZipFile, name: str, columns: list[str]) -> pd.DataFrame:
    member = next(n for n in archive.namelist() if Path(n).name == name)
    with archive.open(member) as raw:
        return pd.read_csv(raw, usecols=columns, dtype=str, keep_default_na=False)


@lru_cache(maxsize=2)
def load_esco(folder: Path = SHIPPED_ESCO_DIR, language: str = "en") -> Esco:
    """Occupations with their skills, and skill labels, from an ESCO CSV release folder."""
    classification = sorted(folder.glob(f"esco-v*-classification-{language}-csv.zip"))[-1]
    relations = sorted(folder.glob("esco-v*-relations-csv.zip"))[-1]
    with zipfile.ZipFile(classification) as archive:
        skills = _read(archive, f"skills_{language}.csv", ["conceptUri", "preferredLabel"])
        occ = _read(
            archive, f"occupations_{language}.csv", ["conceptUri", "iscoGroup", "preferredLabel"]
        )
    with zipfile.ZipFile(relations) as archive:
        rel = _read(
            archive, "occupationSkillRelations.csv", ["occupationUri", "relationType", "skillUri"]
        )
    labels = dict(zip(skills["conceptUri"], skills["preferredLabel"], strict=True))
    rel = rel[rel["skillUri"].isin(labels.keys())]
    essential: dict[str, list[str]] = defaultdict(list)
    optional: dict[str, list[str]] = defaultdict(list)
    for o, kind, s in rel.itertuples(index=False):
        (essential if kind == "essential" else optional)[o].append(s)
    occupations = tuple(
        Occupation(uri, isco, label, tuple(sorted(essential[uri])), tuple(sorted(optional[uri])))
        for uri, isco, label in sorted(occ.itertuples(index=False))
        if essential.get(uri) or optional.get(uri)
    )
    return Esco(occupations, labels)


class SkillSimilarity(Protocol):
    """A source of skill-to-skill similarity in 0..1 (1 for the same skill)."""

    name: str

    def matrix(self, wanted: Sequence[str]) -> tuple[np.ndarray, dict[str, int]]:
        """Similarity of each wanted skill to every skill this source knows: a dense
        (len(wanted), n_known) array and the column of each known skill."""
        ...


class CooccurrenceSimilarity:
    """Cosine of two skills' occupation profiles (binary: the occupation relates to the skill)."""

    name = "co-occurrence across ESCO occupations"

    def __init__(self, occupations: Sequence[Occupation]) -> None:
        skills = sorted({s for o in occupations for s in (*o.essential, *o.optional)})
        self.column = {s: k for k, s in enumerate(skills)}
        rows, cols = [], []
        for i, o in enumerate(occupations):
            for s in {*o.essential, *o.optional}:
                rows.append(i)
                cols.append(self.column[s])
        m = sparse.csc_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)),
            shape=(len(occupations), len(skills)),
        )
        norms = np.sqrt(np.asarray(m.sum(axis=0)).ravel())
        self._m = m @ sparse.diags(1.0 / np.maximum(norms, 1e-9))  # unit columns
        self._mt = self._m.T.tocsr()

    def matrix(self, wanted: Sequence[str]) -> tuple[np.ndarray, dict[str, int]]:
        known = [self.column[s] for s in wanted if s in self.column]
        out = np.zeros((len(wanted), len(self.column)), dtype=np.float32)
        if known:
            sims = (self._mt[known] @ self._m).toarray()
            rows = [k for k, s in enumerate(wanted) if s in self.column]
            out[rows] = np.minimum(sims, 1.0)
        return out, self.column


class EmbeddingSimilarity:
    """Closeness of two skills' meanings: the cosine of their preferred labels' sentence
    embeddings (multilingual-e5-small, the shipped ESCO label vectors, `ml.embedding`).

    Raw e5 cosines are high for any two labels (about 0.75 for unrelated skills), so
    they are rescaled: a pair at or below the `floor_quantile` of random skill pairs
    counts 0, an identical label 1. "Python (computer programming)" and "use scripting
    programming" come out close; "use cooking techniques" and "teamwork principles" not.
    """

    name = "sentence embeddings of the ESCO labels (multilingual-e5-small)"

    def __init__(self, floor_quantile: float = 0.9, seed: int = 0) -> None:
        from ml.embedding import LabelVectors, shipped_vector_files

        files = shipped_vector_files()
        if not files:
            raise FileNotFoundError("no shipped ESCO label vectors (kohtaanto/data/esco)")
        stored = LabelVectors.load(files[-1])
        # The first row of each concept is its preferred label; skills only.
        first = np.r_[True, stored.owner[1:] != stored.owner[:-1]]
        rows = np.flatnonzero(first)
        uris = [stored.uris[k] for k in stored.owner[rows]]
        keep = [i for i, u in enumerate(uris) if "/skill/" in u]
        vectors = stored.vectors[rows[keep]].astype(np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        self._vectors = vectors
        self.column = {uris[i]: k for k, i in enumerate(keep)}
        rng = np.random.default_rng(seed)
        a, b = rng.integers(0, len(vectors), size=(2, 20_000))
        random_pairs = np.sum(vectors[a] * vectors[b], axis=1)
        self.floor = float(np.quantile(random_pairs, floor_quantile))

    def matrix(self, wanted: Sequence[str]) -> tuple[np.ndarray, dict[str, int]]:
        out = np.zeros((len(wanted), len(self.column)), dtype=np.float32)
        rows = [k for k, s in enumerate(wanted) if s in self.column]
        if rows:
            cos = self._vectors[[self.column[wanted[k]] for k in rows]] @ self._vectors.T
            out[rows] = np.clip((cos - self.floor) / (1.0 - self.floor), 0.0, 1.0)
        return out, self.column


# BM25-style inverse frequency, scaled so the rarest skill has specificity 1.
def _idf(n_occupations: int, frequency: int) -> float:
    return math.log(1.0 + (n_occupations - frequency + 0.5) / (frequency + 0.5))


class SkillSpace:
    """Specificity of skills and similarity between them (see the module docstring)."""

    def __init__(
        self, occupations: Sequence[Occupation], similarity: SkillSimilarity | None = None
    ) -> None:
        frequency: dict[str, int] = defaultdict(int)
        for o in occupations:
            for s in {*o.essential, *o.optional}:
                frequency[s] += 1
        n = max(len(occupations), 1)
        top = _idf(n, 0)
        self.n_occupations = n
        self._specificity = {s: _idf(n, f) / top for s, f in frequency.items()}
        self.similarity_source: SkillSimilarity = similarity or CooccurrenceSimilarity(occupations)
        self._by_column: list[str] | None = None

    def specificity(self, skill: str) -> float:
        """0..1: near 0 for a skill most occupations list, 1 for one none or one lists."""
        return self._specificity.get(skill, 1.0)

    def specificity_of(self) -> Callable[[str], float]:
        """A fast lookup (for batches): skill → specificity."""
        table = self._specificity
        return lambda s: table.get(s, 1.0)

    def similarity(self, a: str, b: str) -> float:
        """How close two skills are, 0..1 (1 for the same skill)."""
        if a == b:
            return 1.0
        m, column = self.similarity_source.matrix([a])
        k = column.get(b)
        return float(m[0, k]) if k is not None else 0.0

    def similarity_rows(self, wanted: Sequence[str]) -> tuple[np.ndarray, dict[str, int]]:
        """Similarity of each wanted skill to every known skill (see `SkillSimilarity.matrix`)."""
        return self.similarity_source.matrix(wanted)

    def skills_by_column(self) -> list[str]:
        """The known skills in the order of `similarity_rows`' columns (cached)."""
        if self._by_column is None:
            column = self.similarity_source.matrix([])[1]
            self._by_column = sorted(column, key=column.__getitem__)
        return self._by_column


# Retrieval's reach beyond identical skills (search.retrieve): for each skill a vacancy
# asks, its closest skills, when close enough to be evidence of the same work ("cleaning
# techniques" → "operate floor cleaning equipment" 0.63, "vacuum surfaces" 0.62;
# "operate forklift" → "operate telehandler" only 0.35).
RELATED_PER_SKILL = 5
RELATED_MIN_SIMILARITY = 0.5


def related_skills(
    uris: Collection[str],
    space: SkillSpace | None = None,
    *,
    per_skill: int = RELATED_PER_SKILL,
    minimum: float = RELATED_MIN_SIMILARITY,
) -> list[str]:
    """Skills close to these (never one of them), closest first, for retrieval."""
    wanted = sorted(set(uris))
    space = space or default_space()
    m, column = space.similarity_rows(wanted)
    if not wanted or not column:
        return []
    by_column = space.skills_by_column()
    found: dict[str, float] = {}
    k = min(per_skill + 1, m.shape[1])
    for row in m:
        top = np.argpartition(-row, k - 1)[:k]
        for c in top[np.argsort(-row[top])]:
            uri, sim = by_column[c], float(row[c])
            if sim >= minimum and uri not in uris:
                found[uri] = max(found.get(uri, 0.0), sim)
    return sorted(found, key=lambda u: -found[u])


def skill_similarity(a: str, b: str) -> float:
    """Similarity of two skills in the default space (shipped ESCO, co-occurrence)."""
    return default_space().similarity(a, b)


@lru_cache(maxsize=1)
def default_space() -> SkillSpace:
    """The space built from every occupation of the shipped ESCO release (cached)."""
    return SkillSpace(load_esco().occupations)


def space_without(occupations: Collection[str]) -> SkillSpace:
    """A space from the shipped release minus some occupations (by URI)."""
    return SkillSpace([o for o in load_esco().occupations if o.uri not in occupations])
