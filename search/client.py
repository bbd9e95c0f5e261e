"""Opening the Meilisearch client from the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.errors import MeilisearchCommunicationError, MeilisearchTimeoutError

from kohtaanto.settings import SearchSettings, get_settings
from search.keys import Purpose, ensure_keys_or_warn, key_for

# Bulk document uploads of a few megabytes take longer than httpx's 5 s default.
REQUEST_TIMEOUT_S = 60

# Errors that mean the engine could not be reached (rather than that it refused a request).
# Some client calls raise the HTTP library's transport errors unwrapped.
UNREACHABLE: tuple[type[Exception], ...] = (
    MeilisearchCommunicationError,
    MeilisearchTimeoutError,
    httpx2.TransportError,
)


def open_client(settings: SearchSettings | None = None, purpose: Purpose = "admin") -> AsyncClient:
    """A Meilisearch client for the configured engine; the caller closes it (``aclose``).

    ``purpose``: "search" (request handlers: a search-only key) or "admin" (the worker,
    reindex, the CLI: a key that writes documents and settings); never the master key.
    """
    settings = settings or get_settings().search
    return AsyncClient(settings.url, key_for(settings, purpose), timeout=REQUEST_TIMEOUT_S)


@asynccontextmanager
async def search_client(
    settings: SearchSettings | None = None, purpose: Purpose = "admin"
) -> AsyncIterator[AsyncClient]:
    """``async with search_client() as client:`` — a client closed on exit.

    An admin client (the CLI, the demo, tests) first makes sure the scoped keys exist.
    """
    settings = settings or get_settings().search
    if purpose == "admin":
        await ensure_keys_or_warn(settings)
    client = open_client(settings, purpose)
    try:
        yield client
    finally:
        await client.aclose()
