"""Scoped Meilisearch keys: search-only for request handlers, admin for the worker and reindex.

The master key can do anything, including making keys; a process that only answers
requests should hold no more than a key that can search this deployment's indexes.
Keys are either configured (``KOHTAANTO_MEILI_SEARCH_KEY``, ``KOHTAANTO_MEILI_ADMIN_KEY``)
or derived from the master key: Meilisearch makes a key's value as HMAC-SHA256 of
its uid keyed with the master key, so a key with a fixed uid has a value every process
can compute; ``ensure_keys`` creates it through the keys API when it is missing (at
start-up of the app and worker, and in reindex).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from typing import Literal

import httpx

from kohtaanto.settings import SearchSettings

log = logging.getLogger(__name__)

Purpose = Literal["search", "admin"]

# What each key may do. The admin key writes documents and settings and swaps indexes;
# it cannot manage keys, make dumps or snapshots.
ACTIONS: dict[Purpose, list[str]] = {
    "search": ["search"],
    "admin": [
        "search",
        "documents.*",
        "indexes.*",
        "settings.*",
        "tasks.*",
        "stats.get",
        "version",
    ],
}
_NAMESPACE = uuid.UUID("0f6b4c1e-5a53-4f43-9d2a-6b6f68746161")


def key_uid(purpose: Purpose, prefix: str) -> str:
    """The fixed uid of this deployment's (index prefix's) key for ``purpose``."""
    return str(uuid.uuid5(_NAMESPACE, f"kohtaanto:{purpose}:{prefix}"))


def derived_key(master_key: str, uid: str) -> str:
    """The value Meilisearch gives the key with ``uid`` under ``master_key``."""
    return hmac.new(master_key.encode(), uid.encode(), hashlib.sha256).hexdigest()


def key_for(settings: SearchSettings, purpose: Purpose) -> str | None:
    """The key a client for ``purpose`` uses: configured, or derived from the master key."""
    configured = settings.search_key if purpose == "search" else settings.admin_key
    if configured:
        return configured
    if settings.master_key:
        return derived_key(settings.master_key, key_uid(purpose, settings.index_prefix))
    return None  # an engine without keys (no master key): nothing to scope


def _indexes(purpose: Purpose, prefix: str) -> list[str]:
    # The admin key spans every index: an index swap is a task of no index, which
    # Meilisearch shows only to keys for all indexes. The search key is this
    # deployment's (prefix's) indexes only.
    return [f"{prefix}*"] if prefix and purpose == "search" else ["*"]


async def ensure_keys(settings: SearchSettings) -> list[Purpose]:
    """Create the derived keys that are missing; which ones were created.

    Needs the master key; with configured keys (or none at all) there is nothing to do.
    Raises ``httpx.HTTPError`` when Meilisearch cannot be reached or refuses.
    """
    if not settings.master_key:
        return []
    created: list[Purpose] = []
    headers = {"Authorization": f"Bearer {settings.master_key}"}
    async with httpx.AsyncClient(base_url=settings.url, headers=headers, timeout=10) as http:
        for purpose in ("search", "admin"):
            configured = settings.search_key if purpose == "search" else settings.admin_key
            if configured:
                continue
            uid = key_uid(purpose, settings.index_prefix)
            found = await http.get(f"/keys/{uid}")
            if found.status_code == 200:
                continue
            response = await http.post(
                "/keys",
                json={
                    "uid": uid,
                    "name": f"kohtaanto-{purpose}-{settings.index_prefix or 'all'}",
                    "description": f"Kohtaanto {purpose} key (derived from the master key)",
                    "actions": ACTIONS[purpose],
                    "indexes": _indexes(purpose, settings.index_prefix),
                    "expiresAt": None,
                },
            )
            response.raise_for_status()
            created.append(purpose)
    return created


async def ensure_keys_or_warn(settings: SearchSettings) -> None:
    """``ensure_keys`` at start-up: a Meilisearch that is down must not stop the app
    (search falls back or waits); the next start-up or reindex creates the keys."""
    try:
        await ensure_keys(settings)
    except httpx.HTTPError as e:
        log.warning("Meilisearch keys not ensured (%s); searches may fail until they are", e)
