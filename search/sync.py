"""Writing documents to the indexes, and rebuilding them from the database.

Every write waits for its Meilisearch task and raises
:class:`search.indexes.SearchTaskError` when it failed.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any
from uuid import UUID

import numpy as np
from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.models.settings import MeilisearchSettings
from meilisearch_python_sdk.models.task import TaskInfo
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import EscoOccupation, EscoSkill
from ml.embedding import concept_labels, find_label_vectors
from ml.suggest import load_corpus
from search.documents import iter_jobseeker_documents, iter_vacancies, vacancy_document
from search.indexes import (
    CONCEPT_EMBEDDER,
    CONCEPT_SETTINGS,
    JOBSEEKER_SETTINGS,
    PRIMARY_KEY,
    VACANCY_SETTINGS,
    concept_index,
    ensure_index,
    jobseeker_index,
    vacancy_index,
    wait_ok,
)

Document = dict[str, Any]


# Documents per request: a few megabytes, far below Meilisearch's 100 MB payload limit.
UPLOAD_BATCH = 10_000


async def _send(client: AsyncClient, uid: str, docs: Sequence[Document]) -> list[TaskInfo]:
    index = client.index(uid)
    # add_documents replaces whole documents by id: an upsert of the full document.
    # Send all batches, then wait: Meilisearch indexes queued additions together.
    return [
        await index.add_documents(docs[start : start + UPLOAD_BATCH], PRIMARY_KEY)
        for start in range(0, len(docs), UPLOAD_BATCH)
    ]


async def _upsert(client: AsyncClient, uid: str, docs: Sequence[Document]) -> int:
    await wait_all(client, await _send(client, uid, docs))
    return len(docs)


async def wait_all(client: AsyncClient, tasks: Sequence[TaskInfo]) -> None:
    """Wait for writes sent with ``send_vacancies`` / ``send_jobseekers``; raise
    :class:`search.indexes.SearchTaskError` if one failed."""
    for task in tasks:
        await wait_ok(client, task)


async def send_vacancies(
    client: AsyncClient, docs: Sequence[Document], prefix: str = ""
) -> list[TaskInfo]:
    """Queue vacancy documents in Meilisearch without waiting for them to be indexed
    (``wait_all`` waits; why a job would not: ``jobs.tasks.watch_indexing``)."""
    return await _send(client, vacancy_index(prefix), docs)


async def send_jobseekers(
    client: AsyncClient, docs: Sequence[Document], prefix: str = ""
) -> list[TaskInfo]:
    """Queue jobseeker documents without waiting for them (see ``send_vacancies``)."""
    return await _send(client, jobseeker_index(prefix), docs)


async def upsert_vacancies(client: AsyncClient, docs: Sequence[Document], prefix: str = "") -> int:
    """Add or replace vacancy documents; returns how many were written."""
    return await _upsert(client, vacancy_index(prefix), docs)


async def upsert_jobseekers(client: AsyncClient, docs: Sequence[Document], prefix: str = "") -> int:
    """Add or replace jobseeker documents; returns how many were written."""
    return await _upsert(client, jobseeker_index(prefix), docs)


async def delete_vacancy(client: AsyncClient, vacancy_id: UUID | str, prefix: str = "") -> None:
    """Remove a vacancy from the index (absent is fine)."""
    index = client.index(vacancy_index(prefix))
    await wait_ok(client, await index.delete_document(str(vacancy_id)))


async def delete_jobseeker(client: AsyncClient, jobseeker_id: UUID | str, prefix: str = "") -> None:
    """Remove a jobseeker from the index, e.g. when they withdraw or are purged."""
    index = client.index(jobseeker_index(prefix))
    await wait_ok(client, await index.delete_document(str(jobseeker_id)))


async def _rebuild(
    client: AsyncClient,
    live: str,
    settings: MeilisearchSettings,
    batches: AsyncIterator[list[Any]],
    to_document: Callable[[Any], Document],
) -> int:
    """Fill a fresh index from ``batches``, swap it with ``live``, drop the old one."""
    fresh = f"{live}__rebuild_{uuid.uuid4().hex[:8]}"
    # Settings first: applying them after the documents would index everything twice.
    await ensure_index(client, fresh, settings)
    try:
        # Send every batch without waiting: Meilisearch queues the tasks and indexes
        # consecutive additions together, which is far faster than one wait per batch.
        tasks: list[TaskInfo] = []
        count = 0
        async for batch in batches:
            docs = [to_document(row) for row in batch]
            tasks.append(await client.index(fresh).add_documents(docs, PRIMARY_KEY))
            count += len(docs)
        for task in tasks:
            await wait_ok(client, task)
        # The live index must exist to be swapped; an empty one is fine.
        await ensure_index(client, live, settings)
        await wait_ok(client, await client.swap_indexes([(live, fresh)]))
    except BaseException:
        await client.delete_index_if_exists(fresh)
        raise
    # After the swap `fresh` holds the old content.
    await client.delete_index_if_exists(fresh)
    return count


def _as_is(document: Document) -> Document:
    return document


async def reindex(
    client: AsyncClient, session: AsyncSession, prefix: str = "", batch_size: int = 5000
) -> dict[str, int]:
    """Rebuild both indexes from the database with no downtime; returns documents per index.

    Each index is rebuilt into a temporary index and swapped in atomically, so
    searches see the old content until the new one is complete.
    """
    return {
        "vacancies": await _rebuild(
            client,
            vacancy_index(prefix),
            VACANCY_SETTINGS,
            iter_vacancies(session, batch_size),
            vacancy_document,
        ),
        "jobseekers": await rebuild_jobseekers(client, session, prefix, batch_size),
    }


async def rebuild_jobseekers(
    client: AsyncClient, session: AsyncSession, prefix: str = "", batch_size: int = 5000
) -> int:
    """Rebuild the jobseeker index from the database with no downtime; returns documents.

    Built straight from column queries: the same documents, without an ORM row per
    person and skill (the slow part of a national reindex). The next batch is read
    while Meilisearch indexes the ones sent.
    """
    return await _rebuild(
        client,
        jobseeker_index(prefix),
        JOBSEEKER_SETTINGS,
        iter_jobseeker_documents(session, batch_size),
        _as_is,
    )


async def reindex_vocabulary(
    client: AsyncClient, session: AsyncSession, prefix: str = "", batch_size: int = 2000
) -> dict[str, int]:
    """Rebuild the ESCO skill and occupation indexes (autocomplete) from the database.

    Each concept carries its preferred label's vector when the label vectors of this
    ESCO exist (shipped, or made by ``kohtaanto import-esco``); without them the
    documents opt out (``null``) and the autocomplete is keyword-only.
    """
    corpus = await load_corpus(session)
    vectors = await asyncio.to_thread(find_label_vectors, concept_labels(corpus))
    by_uri: dict[str, list[float]] = {}
    if vectors is not None:
        first = np.flatnonzero(np.r_[True, vectors.owner[1:] != vectors.owner[:-1]])
        # Three decimals: the payload stays a third of full precision, the order the same.
        rounded = np.round(vectors.vectors[first].astype(np.float32), 3)
        by_uri = {uri: rounded[i].tolist() for i, uri in enumerate(vectors.uris)}

    def document(row: Any) -> Document:
        vector = by_uri.get(row.uri)
        return {
            "id": row.id,
            "uri": row.uri,
            "label": row.label,
            "alt_labels": row.alt_labels,
            "_vectors": {CONCEPT_EMBEDDER: [vector] if vector is not None else None},
        }

    counts = {}
    for kind, model in (("skills", EscoSkill), ("occupations", EscoOccupation)):
        counts[f"esco_{kind}"] = await _rebuild(
            client,
            concept_index(kind, prefix),
            CONCEPT_SETTINGS,
            _concept_batches(session, model, batch_size),
            document,
        )
    return counts


async def _concept_batches(
    session: AsyncSession, model: type[EscoSkill] | type[EscoOccupation], size: int
) -> AsyncIterator[list[Any]]:
    query = select(model.id, model.uri, model.label, model.alt_labels).order_by(model.id)
    rows = (await session.execute(query)).all()
    for start in range(0, len(rows), size):
        yield list(rows[start : start + size])
