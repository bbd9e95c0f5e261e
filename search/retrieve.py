"""Retrieval for matching: the candidate set that the reranker then orders.

Filters do the hard rules (consent, availability, languages, distance, some
relevance); the text search only orders what passes them.

Why two searches per call: Meilisearch reads only the first 10 words of a query,
and a text search never returns a document that matches none of its words. A
candidate whose profile shares a skill URI with the vacancy but none of the
query words (a different label, a word past the tenth) would be lost. So one
multi-search sends a ranked text search and a placeholder search (empty query)
with the same filter; text hits come first with Meilisearch's ranking score,
filter-only hits follow, nearest first, with score 0. For a batch of vacancies
(the nightly refresh) one multi-search carries the searches of every vacancy.

Meaning beyond identical ids: a vacancy also reaches people who share none of its
skills but hold skills close to them (`ml.skills.related_skills`: "cleaning
techniques" → "operate floor cleaning equipment"). They come from a third search and
fill a reserved share of the list (`RELATED_SHARE`), so they never crowd out people
who share a skill, and never go missing because those are many; the ranker's
similarity features then judge them.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.models.search import SearchParams

from kohtaanto.db.models import Jobseeker, Municipality, Vacancy, VacancyStatus
from kohtaanto.settings import SearchSettings
from ml.skills import related_skills
from search.indexes import STOP_WORDS, jobseeker_index, vacancy_index

# Languages a profile or vacancy may list (ISO 639-1). A vacancy whose languages
# are all among a jobseeker's is written as "has none of the languages they lack";
# a language outside this list is not excluded here, the ranking still checks it.
SUPPORTED_LANGUAGES: tuple[str, ...] = (
    "fi", "sv", "en", "ru", "et", "ar", "so", "uk", "de", "fr", "es", "fa", "ku", "zh", "th",
    "vi", "pl",
)  # fmt: skip

# Meilisearch ignores query words after the tenth.
MAX_QUERY_WORDS = 10
# Meilisearch returns at most maxTotalHits (see search.indexes) per search.
MAX_LIMIT = 1000
# Share of a retrieval kept for people found only through related skills.
RELATED_SHARE = 0.1

_WORD = re.compile(r"\w+")
_STOP = frozenset(STOP_WORDS)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A retrieved document: its id, and Meilisearch's ranking score (0 for filter-only)."""

    id: UUID
    score: float


def quote(value: str) -> str:
    """A string literal for a Meilisearch filter."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def in_list(field: str, values: Iterable[str]) -> str:
    """``field IN ["a", "b"]``; callers make sure ``values`` is not empty."""
    return f"{field} IN [{', '.join(quote(v) for v in values)}]"


def geo_radius(place: Municipality, km: float) -> str:
    """Within ``km`` of the centre of ``place``."""
    return f"_geoRadius({place.lat}, {place.lon}, {round(km * 1000)})"


def query_text(labels: Iterable[str]) -> str:
    """The first distinct, meaningful words of ``labels``, at most :data:`MAX_QUERY_WORDS`."""
    words: list[str] = []
    for label in labels:
        for word in _WORD.findall(label.lower()):
            if word not in _STOP and word not in words:
                words.append(word)
                if len(words) == MAX_QUERY_WORDS:
                    return " ".join(words)
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class _Retrieval:
    """One retrieval as the searches it sends (a ranked text search, if there are words;
    the placeholder search; the related-skills search, if any) and how their answers
    merge into hits."""

    queries: list[SearchParams]
    limit: int
    text: bool
    related: bool

    def hits(self, results: Sequence[Any]) -> list[SearchHit]:
        """The merged hits of this retrieval's ``results`` (one per query, in order)."""
        found: dict[str, float] = {}
        if self.text:
            for hit in results[0].hits:
                found.setdefault(hit["id"], float(hit["_rankingScore"]))
        # The placeholder search's own scores are all 1.0: they say nothing.
        for hit in results[1 if self.text else 0].hits:
            found.setdefault(hit["id"], 0.0)
        hits = [SearchHit(UUID(doc_id), score) for doc_id, score in found.items()]
        if not self.related:
            return hits[: self.limit]
        extra = [UUID(h["id"]) for h in results[-1].hits if h["id"] not in found]
        kept = min(len(extra), int(self.limit * RELATED_SHARE))
        return hits[: self.limit - kept] + [SearchHit(i, 0.0) for i in extra[:kept]]


def _text_and_filter(
    uid: str,
    *,
    q: str,
    filter: str,
    near: Municipality,
    limit: int,
    related: str | None = None,
) -> _Retrieval:
    """Text hits, then filter-only hits nearest first; with `related` (a filter), people
    found only by it fill up to `RELATED_SHARE` of the list, nearest first."""
    limit = min(limit, MAX_LIMIT)

    def nearest(filter: str) -> SearchParams:
        return SearchParams(
            index_uid=uid,
            q="",
            filter=filter,
            limit=limit,
            attributes_to_retrieve=["id"],
            sort=[f"_geoPoint({near.lat}, {near.lon}):asc"],
        )

    queries = [nearest(filter)]
    if q:
        ranked = SearchParams(
            index_uid=uid,
            q=q,
            filter=filter,
            limit=limit,
            attributes_to_retrieve=["id"],
            show_ranking_score=True,
            # Drop the most common words first: labels are a bag of words, not a sentence.
            matching_strategy="frequency",
        )
        queries.insert(0, ranked)
    if related:
        queries.append(nearest(related))
    return _Retrieval(queries, limit, text=bool(q), related=bool(related))


async def _search(client: AsyncClient, retrievals: Sequence[_Retrieval]) -> list[list[SearchHit]]:
    """Every retrieval's hits, from one multi-search for all of them."""
    if not retrievals:
        return []
    results: Any = await client.multi_search([q for r in retrievals for q in r.queries])
    out: list[list[SearchHit]] = []
    start = 0
    for retrieval in retrievals:
        end = start + len(retrieval.queries)
        out.append(retrieval.hits(results[start:end]))
        start = end
    return out


def retriever(
    client: AsyncClient, settings: SearchSettings
) -> Callable[[Vacancy], Awaitable[list[SearchHit]]]:
    """``candidates_for_vacancy`` with the configured index, limit and radius, for callers
    that take the retrieval as a function (``ml.history.simulate_history``)."""

    async def retrieve(vacancy: Vacancy) -> list[SearchHit]:
        return await candidates_for_vacancy(
            client,
            vacancy,
            prefix=settings.index_prefix,
            limit=settings.retrieve_limit,
            radius_km=settings.retrieve_radius_km,
        )

    return retrieve


async def candidates_for_vacancy(
    client: AsyncClient, vacancy: Vacancy, *, prefix: str = "", limit: int, radius_km: float
) -> list[SearchHit]:
    """Jobseekers to consider for ``vacancy``: consenting, available, speaking its
    languages, within ``radius_km`` of the workplace, and sharing a skill, the
    occupation or its ISCO unit group. Best text matches first; then, in a reserved
    share, people who hold only skills close to the vacancy's.

    Needs ``vacancy.occupation``, ``.municipality`` and ``.skill_links[*].skill``.
    """
    [hits] = await candidates_for_vacancies(
        client, [vacancy], prefix=prefix, limit=limit, radius_km=radius_km
    )
    return hits


async def candidates_for_vacancies(
    client: AsyncClient,
    vacancies: Sequence[Vacancy],
    *,
    prefix: str = "",
    limit: int,
    radius_km: float,
) -> list[list[SearchHit]]:
    """``candidates_for_vacancy`` for each of ``vacancies``, in one multi-search (the
    nightly refresh ranks vacancies in batches: one round trip instead of one each)."""
    return await _search(
        client,
        [_candidate_search(v, prefix=prefix, limit=limit, radius_km=radius_km) for v in vacancies],
    )


def _candidate_search(vacancy: Vacancy, *, prefix: str, limit: int, radius_km: float) -> _Retrieval:
    occupation = vacancy.occupation
    skills = [link.skill for link in vacancy.skill_links]
    relevance = [
        f"occupation_uris = {quote(occupation.uri)}",
        f"isco_codes = {quote(occupation.isco_code)}",
    ]
    if skills:
        relevance.insert(0, in_list("skill_uris", (s.uri for s in skills)))
    clauses = [
        "visible_to_employers = true",
        "available = true",
        *(f"languages = {quote(lang)}" for lang in vacancy.languages or []),
        geo_radius(vacancy.municipality, radius_km),
        "(" + " OR ".join(relevance) + ")",
    ]
    essential = [link.skill.label for link in vacancy.skill_links if link.essential]
    q = query_text([occupation.label, *(essential or [s.label for s in skills])])
    related = related_skills([s.uri for s in skills])
    return _text_and_filter(
        jobseeker_index(prefix),
        q=q,
        filter=" AND ".join(clauses),
        near=vacancy.municipality,
        limit=limit,
        related=" AND ".join([*clauses[:-1], in_list("skill_uris", related)]) if related else None,
    )


async def vacancies_for_jobseeker(
    client: AsyncClient, jobseeker: Jobseeker, *, prefix: str = "", limit: int
) -> list[SearchHit]:
    """Open vacancies for ``jobseeker``: within their own travel limit, asking no
    language they lack, and sharing one of their skills, desired occupations or
    ISCO unit groups. Best text matches first; empty when the profile has neither
    skills nor occupations.

    Needs ``jobseeker.skills``, ``.occupations`` and ``.municipality``.
    """
    relevance: list[str] = []
    if jobseeker.skills:
        relevance.append(in_list("skill_uris", (s.uri for s in jobseeker.skills)))
    if jobseeker.occupations:
        relevance.append(in_list("occupation_uri", (o.uri for o in jobseeker.occupations)))
        relevance.append(in_list("isco_code", sorted({o.isco_code for o in jobseeker.occupations})))
    if not relevance:
        return []
    spoken = {lang.lower() for lang in jobseeker.languages or []}
    lacking = [lang for lang in SUPPORTED_LANGUAGES if lang not in spoken]
    clauses = [
        f"status = {quote(VacancyStatus.OPEN.value)}",
        geo_radius(jobseeker.municipality, jobseeker.max_travel_km),
        *([f"NOT {in_list('languages', lacking)}"] if lacking else []),
        "(" + " OR ".join(relevance) + ")",
    ]
    q = query_text(
        [*(o.label for o in jobseeker.occupations), *(s.label for s in jobseeker.skills)]
    )
    [hits] = await _search(
        client,
        [
            _text_and_filter(
                vacancy_index(prefix),
                q=q,
                filter=" AND ".join(clauses),
                near=jobseeker.municipality,
                limit=limit,
            )
        ],
    )
    return hits
