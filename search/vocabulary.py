"""ESCO autocomplete: labels and alternative labels, with Meilisearch's typo tolerance,
and, when the query's vector is given, by meaning (hybrid search over each concept's
preferred-label vector), so "hitsaus" finds "use welding equipment"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.errors import MeilisearchApiError
from meilisearch_python_sdk.models.search import Hybrid

from search.indexes import CONCEPT_EMBEDDER, concept_index

Kind = Literal["skills", "occupations"]

# Share of the hybrid ranking that comes from the vectors; the rest is keywords (typos
# forgiven). Low, so a typed English label or a typo of one ("forklfit") still comes
# first; a Finnish word without keyword hits is then answered by meaning alone.
SEMANTIC_RATIO = 0.2


async def find_concepts(
    client: AsyncClient,
    kind: Kind,
    q: str,
    *,
    prefix: str = "",
    limit: int = 8,
    vector: Sequence[float] | None = None,
) -> list[tuple[str, str]]:
    """Skills or occupations matching what was typed so far, best first, as (uri, label).

    With ``vector`` (the query embedded by ml.embedding) the search is hybrid; an
    index without vectors (built before they existed) answers by keywords.
    """
    index = client.index(concept_index(kind, prefix))
    if vector is not None:
        try:
            result = await index.search(
                q,
                limit=limit,
                vector=list(vector),
                hybrid=Hybrid(semantic_ratio=SEMANTIC_RATIO, embedder=CONCEPT_EMBEDDER),
            )
            return [(hit["uri"], hit["label"]) for hit in result.hits]
        except MeilisearchApiError as e:
            if "embedder" not in str(e).lower():
                raise
    result = await index.search(q, limit=limit)
    return [(hit["uri"], hit["label"]) for hit in result.hits]
