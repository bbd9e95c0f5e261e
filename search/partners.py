"""The partner services index: text, themes, audiences, types, the ESCO skills a
service trains for, the area it serves, and geo distance from the client."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.models.settings import MeilisearchSettings, Pagination
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import Municipality, PartnerService
from search.indexes import PARTNER_SERVICES, PRIMARY_KEY, STOP_WORDS, ensure_index, wait_ok

log = logging.getLogger(__name__)

SERVICE_SETTINGS = MeilisearchSettings(
    filterable_attributes=[
        "id",
        "active",
        "types",
        "themes",
        "theme_areas",
        "audiences",
        "organisation_kind",
        "organisation_id",
        "municipality_code",
        "area_codes",
        "skill_uris",
        "occupation_uris",
        "fee",
        "referable",
        "_geo",
    ],
    searchable_attributes=["name", "organisation_name", "description", "skill_labels", "themes"],
    sortable_attributes=["_geo", "name"],
    stop_words=STOP_WORDS,
    pagination=Pagination(max_total_hits=1000),
)


def service_index(prefix: str = "") -> str:
    return f"{prefix}{PARTNER_SERVICES}"


def service_document(service: PartnerService, skill_labels: dict[str, str]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": str(service.id),
        "name": service.name,
        "description": service.description,
        "organisation_id": str(service.organisation_id),
        "organisation_name": service.organisation.name,
        "organisation_kind": service.organisation.kind,
        "types": service.types,
        "themes": service.themes,
        # The first level of each two-level theme, so "training" finds "training--language".
        "theme_areas": sorted({t.split("--")[0] for t in service.themes}),
        "audiences": service.audiences,
        "municipality_code": service.municipality.code if service.municipality else None,
        "area_codes": service.area_codes,
        "skill_uris": service.skill_uris,
        "skill_labels": [skill_labels[u] for u in service.skill_uris if u in skill_labels],
        "occupation_uris": service.occupation_uris,
        "fee": service.fee,
        "active": service.active,
        "referable": "kohtaanto" in service.referral_methods,
    }
    if service.lat is not None and service.lon is not None:
        doc["_geo"] = {"lat": service.lat, "lng": service.lon}
    return doc


async def _documents(session: AsyncSession, ids: Sequence[UUID] | None) -> list[dict[str, Any]]:
    from kohtaanto.db.models import EscoSkill

    query = select(PartnerService)
    if ids is not None:
        query = query.where(PartnerService.id.in_(list(ids)))
    services = list(await session.scalars(query))
    uris = sorted({u for s in services for u in s.skill_uris})
    labels: dict[str, str] = {}
    if uris:
        rows = await session.execute(
            select(EscoSkill.uri, EscoSkill.label).where(EscoSkill.uri.in_(uris))
        )
        labels = {uri: label for uri, label in rows.tuples()}
    return [service_document(s, labels) for s in services]


async def index_services(
    client: AsyncClient, session: AsyncSession, prefix: str = "", ids: Sequence[UUID] | None = None
) -> int:
    """Write the services ``ids`` (all when None) to the index; returns how many.

    A service deleted from the database is deleted from the index too."""
    uid = service_index(prefix)
    await ensure_index(client, uid, SERVICE_SETTINGS)
    docs = await _documents(session, ids)
    index = client.index(uid)
    if docs:
        await wait_ok(client, await index.add_documents(docs, PRIMARY_KEY))
    if ids is not None:
        gone = {str(i) for i in ids} - {d["id"] for d in docs}
        if gone:
            await wait_ok(client, await index.delete_documents(sorted(gone)))
    return len(docs)


async def rebuild_services(client: AsyncClient, session: AsyncSession, prefix: str = "") -> int:
    """The whole catalogue again (the nightly refresh and ``kohtaanto reindex``)."""
    uid = service_index(prefix)
    await ensure_index(client, uid, SERVICE_SETTINGS)
    await wait_ok(client, await client.index(uid).delete_all_documents())
    return await index_services(client, session, prefix)


@dataclass(frozen=True)
class ServiceHit:
    id: UUID
    distance_km: float | None


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


async def find_services(
    client: AsyncClient,
    prefix: str = "",
    *,
    q: str = "",
    themes: Sequence[str] = (),
    audiences: Sequence[str] = (),
    types: Sequence[str] = (),
    skill_uris: Sequence[str] = (),
    municipality_code: str | None = None,
    near: tuple[float, float] | None = None,
    referable_only: bool = False,
    limit: int = 20,
) -> list[ServiceHit]:
    """Active services matching the text and filters, nearest first when ``near``
    (lat, lon) is given; ``municipality_code`` keeps those serving that municipality
    (or the whole region). A theme filter matches its sub-themes too."""
    filters: list[str | list[str]] = ["active = true"]
    if themes:
        filters.append(
            [f"themes = {_quote(t)}" for t in themes]
            + [f"theme_areas = {_quote(t)}" for t in themes]
        )
    if audiences:
        filters.append([f"audiences = {_quote(a)}" for a in audiences])
    if types:
        filters.append([f"types = {_quote(t)}" for t in types])
    if skill_uris:
        filters.append([f"skill_uris = {_quote(u)}" for u in skill_uris])
    if municipality_code:
        filters.append(["area_codes IS EMPTY", f"area_codes = {_quote(municipality_code)}"])
    if referable_only:
        filters.append("referable = true")
    sort = [f"_geoPoint({near[0]}, {near[1]}):asc"] if near else None
    result = await client.index(service_index(prefix)).search(
        q.strip(), filter=filters, sort=sort, limit=limit, attributes_to_retrieve=["id", "_geo"]
    )
    hits = []
    for hit in result.hits:
        distance = hit.get("_geoDistance")
        hits.append(
            ServiceHit(UUID(hit["id"]), round(distance / 1000, 1) if distance is not None else None)
        )
    return hits


async def municipality_point(session: AsyncSession, code: str) -> tuple[float, float] | None:
    place = await session.scalar(select(Municipality).where(Municipality.code == code))
    return (place.lat, place.lon) if place else None
