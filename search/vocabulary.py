"""ESCO autocomplete: labels and alternative labels, with Meilisearch's typo tolerance."""

from __future__ import annotations

from typing import Literal

from meilisearch_python_sdk import AsyncClient

from search.indexes import concept_index

Kind = Literal["skills", "occupations"]


async def find_concepts(
    client: AsyncClient, kind: Kind, q: str, *, prefix: str = "", limit: int = 8
) -> list[tuple[str, str]]:
    """Skills or occupations matching what was typed so far, best first, as (uri, label)."""
    result = await client.index(concept_index(kind, prefix)).search(q, limit=limit)
    return [(hit["uri"], hit["label"]) for hit in result.hits]
