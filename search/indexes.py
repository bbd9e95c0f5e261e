"""The two indexes, their settings declared in code, and task checking.

Index settings are one typed object per index. Every write to Meilisearch is an
asynchronous task; :func:`wait_ok` waits for it and raises when it failed, so
no caller can forget to look.
"""

from __future__ import annotations

from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.models.settings import (
    MeilisearchSettings,
    Pagination,
    ProximityPrecision,
    UserProvidedEmbedder,
)
from meilisearch_python_sdk.models.task import TaskInfo, TaskResult

VACANCIES = "vacancies"
JOBSEEKERS = "jobseekers"
PARTNER_SERVICES = "partner_services"  # search.partners
PRIMARY_KEY = "id"

# Long enough for a settings change that reindexes 30 000 documents on two cores.
TASK_TIMEOUT_MS = 600_000


class SearchTaskError(RuntimeError):
    """A Meilisearch task ended in another state than ``succeeded``."""

    def __init__(self, result: TaskResult) -> None:
        error = result.error or {}
        super().__init__(
            f"Meilisearch task {result.uid} ({result.task_type}) on index "
            f"{result.index_uid!r} {result.status}: "
            f"{error.get('code', '?')}: {error.get('message', 'no error message')}"
        )
        self.result = result


async def wait_ok(
    client: AsyncClient, task: TaskInfo, *, timeout_ms: int = TASK_TIMEOUT_MS
) -> TaskResult:
    """Wait for ``task`` to finish; raise :class:`SearchTaskError` unless it succeeded."""
    result = await client.wait_for_task(task.task_uid, timeout_in_ms=timeout_ms)
    if result.status != "succeeded":
        raise SearchTaskError(result)
    return result


def vacancy_index(prefix: str = "") -> str:
    """Name of the vacancy index under ``prefix``."""
    return f"{prefix}{VACANCIES}"


def jobseeker_index(prefix: str = "") -> str:
    """Name of the jobseeker index under ``prefix``."""
    return f"{prefix}{JOBSEEKERS}"


# A few common job-title equivalences (ESCO labels are English). Kept small on
# purpose: a wrong synonym silently widens every search.
SYNONYMS: dict[str, list[str]] = {
    "cook": ["chef"],
    "chef": ["cook"],
    "waiter": ["server", "waitress"],
    "waitress": ["waiter", "server"],
    "programmer": ["developer"],
    "developer": ["programmer"],
    "cleaner": ["janitor"],
    "janitor": ["cleaner"],
    "warehouse worker": ["warehouse operative"],
    "warehouse operative": ["warehouse worker"],
    "truck driver": ["lorry driver"],
    "lorry driver": ["truck driver"],
    "carer": ["care worker"],
    "care worker": ["carer"],
}

# Words that carry no matching signal in ESCO labels. Retrieval also strips them
# from the query, because Meilisearch only reads the first 10 query words.
STOP_WORDS: list[str] = ["a", "an", "and", "the", "of", "to", "in", "on", "for", "with", "or"]

_PAGINATION = Pagination(max_total_hits=1000)

# The text searched in both indexes is ESCO labels, a bag of words: queries are labels
# too (search.retrieve), never typed a letter at a time and never faceted. So word
# proximity is kept per attribute, not per word pair, and there are no prefix or facet
# databases: Meilisearch's own documented levers for faster indexing, which a national
# reindex (350 000 profiles) needs. Ranking by words, typos and attributes is unchanged.

VACANCY_SETTINGS = MeilisearchSettings(
    filterable_attributes=[
        "id",
        "status",
        "area_id",
        "municipality_code",
        "sub_region",
        "languages",
        "occupation_uri",
        "isco_code",
        "skill_uris",
        "open_to_wage_subsidy",
        "open_to_work_trial",
        "open_to_apprenticeship",
        "hours_per_week",
        "employer_id",
        "_geo",
    ],
    searchable_attributes=["title", "occupation_label", "skill_labels", "description"],
    sortable_attributes=["published_at", "hours_per_week", "monthly_pay_eur", "_geo"],
    synonyms=SYNONYMS,
    stop_words=STOP_WORDS,
    pagination=_PAGINATION,
    proximity_precision=ProximityPrecision.BY_ATTRIBUTE,
    prefix_search="disabled",
    facet_search=False,
)

JOBSEEKER_SETTINGS = MeilisearchSettings(
    # Only what candidate retrieval filters on (search.retrieve): each filterable
    # attribute is a database Meilisearch builds for every profile it indexes.
    filterable_attributes=[
        "languages",
        "visible_to_employers",
        "available",
        "occupation_uris",
        "isco_codes",
        "skill_uris",
        "_geo",
    ],
    searchable_attributes=["occupation_labels", "skill_labels"],
    sortable_attributes=["_geo"],
    synonyms=SYNONYMS,
    stop_words=STOP_WORDS,
    pagination=_PAGINATION,
    proximity_precision=ProximityPrecision.BY_ATTRIBUTE,
    prefix_search="disabled",
    facet_search=False,
)

INDEX_SETTINGS: dict[str, MeilisearchSettings] = {
    VACANCIES: VACANCY_SETTINGS,
    JOBSEEKERS: JOBSEEKER_SETTINGS,
}


# The ESCO vocabulary, for autocomplete with typo tolerance (labels and alternative labels).
SKILLS = "esco_skills"
OCCUPATIONS = "esco_occupations"
# Each concept's preferred-label vector (multilingual-e5-small, computed in-process:
# ml/embedding.py), so a Finnish or Swedish word finds the English label by meaning.
CONCEPT_EMBEDDER = "e5"
CONCEPT_SETTINGS = MeilisearchSettings(
    searchable_attributes=["label", "alt_labels"],
    displayed_attributes=["id", "uri", "label"],
    pagination=Pagination(max_total_hits=200),
    embedders={CONCEPT_EMBEDDER: UserProvidedEmbedder(dimensions=384)},
)


def concept_index(kind: str, prefix: str = "") -> str:
    """The index of ESCO ``skills`` or ``occupations`` under ``prefix``."""
    return f"{prefix}{SKILLS if kind == 'skills' else OCCUPATIONS}"


async def ensure_index(client: AsyncClient, uid: str, settings: MeilisearchSettings) -> None:
    """Create index ``uid`` if it is missing and apply ``settings``; wait for both."""
    if await client.get_raw_index(uid) is None:
        # create_index waits for its task; if creation failed, its follow-up read of
        # the index raises (a concurrent creator winning the race is fine).
        await client.create_index(uid, PRIMARY_KEY, timeout_in_ms=TASK_TIMEOUT_MS)
    index = client.index(uid)
    await wait_ok(client, await index.update_settings(settings))


async def ensure_indexes(client: AsyncClient, prefix: str = "") -> None:
    """Create both indexes under ``prefix`` if missing and apply their settings."""
    await ensure_index(client, vacancy_index(prefix), VACANCY_SETTINGS)
    await ensure_index(client, jobseeker_index(prefix), JOBSEEKER_SETTINGS)


async def delete_indexes(client: AsyncClient, prefix: str = "") -> None:
    """Delete the indexes under ``prefix`` (tests, teardown); missing ones are fine."""
    for uid in (
        vacancy_index(prefix),
        jobseeker_index(prefix),
        concept_index("skills", prefix),
        concept_index("occupations", prefix),
        f"{prefix}{PARTNER_SERVICES}",
    ):
        await client.delete_index_if_exists(uid)
