"""Opening the Meilisearch client from the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.errors import MeilisearchCommunicationError, MeilisearchTimeoutError

from kohtaanto.settings import SearchSettings, get_settings

# Bulk document uploads of a few megabytes take longer than httpx's 5 s default.
REQUEST_TIMEOUT_S = 60

# Errors that mean the engine could not be reached (rather than that it refused a request).
# Some client calls raise the HTTP library's transport errors unwrapped.
UNREACHABLE: tuple[type[Exception], ...] = (
    MeilisearchCommunicationError,
    MeilisearchTimeoutError,
    httpx2.TransportError,
)


def open_client(settings: SearchSettings | None = None) -> AsyncClient:
    """A Meilisearch client for the configured engine; the caller closes it (``aclose``).

    The app opens one in its lifespan and closes it at shutdown.
    """
    settings = settings or get_settings().search
    return AsyncClient(settings.url, settings.master_key or None, timeout=REQUEST_TIMEOUT_S)


@asynccontextmanager
async def search_client(settings: SearchSettings | None = None) -> AsyncIterator[AsyncClient]:
    """``async with search_client() as client:`` — a client closed on exit."""
    client = open_client(settings)
    try:
        yield client
    finally:
        await client.aclose()
