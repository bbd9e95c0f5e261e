"""The partner services catalogue: organisations and services, kept by an admin or the
partner itself, imported from CSV or JSON.

Each service is indexed in Meilisearch by the worker (``partner_services_changed``):
the outbox records the job in the same transaction as the write.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    EscoOccupation,
    EscoSkill,
    Municipality,
    PartnerOrganisation,
    PartnerService,
    Role,
    User,
)
from kohtaanto.domain import outbox
from kohtaanto.domain.errors import DomainError, Forbidden, NotFound
from kohtaanto.domain.partners import vocabulary as v
from kohtaanto.i18n import N_
from kohtaanto.queue import PARTNER_SERVICES_CHANGED

LIST_FIELDS: dict[str, Mapping[str, str]] = {
    "types": v.SERVICE_TYPES,
    "themes": v.THEMES,
    "audiences": v.AUDIENCES,
    "access_conditions": v.ACCESS_CONDITIONS,
    "reception_modes": v.RECEPTION_MODES,
    "referral_methods": v.REFERRAL_METHODS,
}
TEXT_FIELDS = (
    "description",
    "address",
    "contact_name",
    "contact_email",
    "contact_phone",
    "opening_hours",
    "fee_details",
)
_LIMITS = {
    "name": 255,
    "address": 255,
    "contact_name": 255,
    "contact_email": 255,
    "contact_phone": 32,
    "opening_hours": 255,
    "fee_details": 255,
    "description": 5000,
}


@dataclass
class ServiceInput:
    """A service as typed or imported: codes and plain values, checked by ``_check``."""

    name: str
    description: str = ""
    types: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    access_conditions: list[str] = field(default_factory=list)
    reception_modes: list[str] = field(default_factory=list)
    referral_methods: list[str] = field(default_factory=lambda: ["kohtaanto"])
    municipality_code: str | None = None
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    area_codes: list[str] = field(default_factory=list)
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    opening_hours: str | None = None
    hours_per_week: float | None = None
    weeks: int | None = None
    fee: str = "free"
    fee_details: str | None = None
    skill_uris: list[str] = field(default_factory=list)
    occupation_uris: list[str] = field(default_factory=list)
    active: bool = True
    source_id: str | None = None


async def _check(session: AsyncSession, data: ServiceInput) -> Municipality | None:
    """Refuse what the schema does not allow, naming the field; return the place."""
    data.name = (data.name or "").strip()
    if not data.name:
        raise DomainError("required", N_("This field is required"), field="name")
    for name, limit in _LIMITS.items():
        value = getattr(data, name)
        if value is not None and len(str(value)) > limit:
            raise DomainError("too_long", N_("At most {limit} characters"), field=name, limit=limit)
    for name, allowed in LIST_FIELDS.items():
        values = list(dict.fromkeys(getattr(data, name)))
        for code in values:
            if code not in allowed:
                raise DomainError(
                    "unknown_code", N_("Unknown code: {value}"), field=name, value=str(code)[:64]
                )
        setattr(data, name, values)
    if not data.types:
        raise DomainError("required", N_("Choose at least one type"), field="types")
    if data.fee not in v.FEES:
        raise DomainError("unknown_code", N_("Unknown code: {value}"), field="fee", value=data.fee)
    if data.contact_email and "@" not in data.contact_email:
        raise DomainError("invalid_email", N_("Not an e-mail address"), field="contact_email")
    if data.hours_per_week is not None and not 0 < data.hours_per_week <= 60:
        raise DomainError(
            "out_of_range", N_("Between {low} and {high}"), field="hours_per_week", low=0, high=60
        )
    if data.weeks is not None and not 0 < data.weeks <= 260:
        raise DomainError(
            "out_of_range", N_("Between {low} and {high}"), field="weeks", low=1, high=260
        )
    if (data.lat is None) != (data.lon is None):
        raise DomainError("coordinates", N_("Give both latitude and longitude"), field="lat")
    if (
        data.lat is not None
        and data.lon is not None
        and not (59.0 <= data.lat <= 70.5 and 19.0 <= data.lon <= 32.0)
    ):
        raise DomainError("coordinates", N_("The coordinates are not in Finland"), field="lat")
    codes = {m.code: m for m in await session.scalars(select(Municipality))}
    for code in data.area_codes:
        if code not in codes:
            raise DomainError(
                "unknown_code", N_("Unknown code: {value}"), field="area_codes", value=str(code)[:8]
            )
    place = None
    if data.municipality_code:
        place = codes.get(data.municipality_code)
        if place is None:
            raise DomainError(
                "unknown_code",
                N_("Unknown code: {value}"),
                field="municipality_code",
                value=data.municipality_code[:8],
            )
    for name, model in (("skill_uris", EscoSkill), ("occupation_uris", EscoOccupation)):
        uris = list(dict.fromkeys(getattr(data, name)))
        if uris:
            known = set(await session.scalars(select(model.uri).where(model.uri.in_(uris))))
            missing = [u for u in uris if u not in known]
            if missing:
                raise DomainError(
                    "unknown_concept",
                    N_("Not an ESCO concept: {uri}"),
                    field=name,
                    uri=missing[0][:255],
                )
        setattr(data, name, uris)
    return place


def _apply(service: PartnerService, data: ServiceInput, place: Municipality | None) -> None:
    service.name = data.name
    service.description = data.description or ""
    for name in LIST_FIELDS:
        setattr(service, name, list(getattr(data, name)))
    for name in TEXT_FIELDS[1:]:
        setattr(service, name, (getattr(data, name) or None))
    service.municipality_id = place.id if place else None
    # Coordinates default to the town centre of the service's municipality.
    service.lat = data.lat if data.lat is not None else (place.lat if place else None)
    service.lon = data.lon if data.lon is not None else (place.lon if place else None)
    service.area_codes = list(dict.fromkeys(data.area_codes))
    service.hours_per_week = data.hours_per_week
    service.weeks = data.weeks
    service.fee = data.fee
    service.skill_uris = list(data.skill_uris)
    service.occupation_uris = list(data.occupation_uris)
    service.active = data.active


def _may_keep(actor: User, organisation_id: UUID) -> None:
    if actor.role is Role.ADMIN:
        return
    if actor.role is Role.PARTNER and actor.partner_organisation_id == organisation_id:
        return
    raise NotFound()


async def create_service(
    session: AsyncSession, actor: User, organisation_id: UUID, data: ServiceInput
) -> PartnerService:
    """A new service of ``organisation_id`` (an admin's, or the partner's own)."""
    _may_keep(actor, organisation_id)
    if await session.get(PartnerOrganisation, organisation_id) is None:
        raise NotFound(field="organisation_id")
    place = await _check(session, data)
    service = PartnerService(organisation_id=organisation_id, source_id=None)
    _apply(service, data, place)
    session.add(service)
    await session.flush()
    outbox.record(session, PARTNER_SERVICES_CHANGED, service_ids=[str(service.id)])
    return service


async def update_service(
    session: AsyncSession, actor: User, service_id: UUID, data: ServiceInput
) -> PartnerService:
    """Replace a service's description (an admin, or a worker of its organisation)."""
    service = await session.get(PartnerService, service_id, with_for_update={"of": PartnerService})
    if service is None:
        raise NotFound()
    _may_keep(actor, service.organisation_id)
    place = await _check(session, data)
    _apply(service, data, place)
    await session.flush()
    outbox.record(session, PARTNER_SERVICES_CHANGED, service_ids=[str(service.id)])
    return service


async def services_of(session: AsyncSession, actor: User) -> list[PartnerService]:
    """The services a partner user keeps (all of them for an admin)."""
    query = select(PartnerService).order_by(PartnerService.name)
    if actor.role is not Role.ADMIN:
        if actor.role is not Role.PARTNER or actor.partner_organisation_id is None:
            raise Forbidden()
        query = query.where(PartnerService.organisation_id == actor.partner_organisation_id)
    return list(await session.scalars(query))


async def services_by_id(session: AsyncSession, ids: Iterable[UUID]) -> dict[UUID, PartnerService]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = await session.scalars(select(PartnerService).where(PartnerService.id.in_(wanted)))
    return {s.id: s for s in rows}


# --- Import ------------------------------------------------------------------------

ORG_FIELDS = ("source_id", "name", "kind", "business_id", "website", "email", "phone")


class ImportError_(DomainError):
    """A row of an import that the schema refuses (the row number is in the message)."""


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(x).strip() for x in value if str(x).strip()]
    return [x.strip() for x in str(value).replace(";", "|").split("|") if x.strip()]


def _number(value: Any, kind: type) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return kind(str(value).replace(",", ".")) if kind is float else kind(value)
    except ValueError:
        raise DomainError("not_a_number", N_("Not a number"), field="number") from None


def _service_input(row: Mapping[str, Any]) -> ServiceInput:
    def text(name: str) -> str | None:
        value = row.get(name)
        return str(value).strip() or None if value is not None else None

    active = row.get("active", True)
    return ServiceInput(
        name=text("name") or "",
        description=text("description") or "",
        **{name: _split(row.get(name)) for name in LIST_FIELDS if name != "referral_methods"},
        referral_methods=_split(row.get("referral_methods")) or ["kohtaanto"],
        municipality_code=text("municipality_code"),
        address=text("address"),
        lat=_number(row.get("lat"), float),
        lon=_number(row.get("lon"), float),
        area_codes=_split(row.get("area_codes")),
        contact_name=text("contact_name"),
        contact_email=text("contact_email"),
        contact_phone=text("contact_phone"),
        opening_hours=text("opening_hours"),
        hours_per_week=_number(row.get("hours_per_week"), float),
        weeks=_number(row.get("weeks"), int),
        fee=text("fee") or "free",
        fee_details=text("fee_details"),
        skill_uris=_split(row.get("skill_uris")),
        occupation_uris=_split(row.get("occupation_uris")),
        active=str(active).strip().lower() not in ("0", "false", "no", "ei"),
        source_id=text("source_id"),
    )


def parse_rows(text: str, fmt: str) -> list[dict[str, Any]]:
    """Flat service rows from CSV (one service a line, ``organisation_*`` columns, lists
    separated by ``|``) or JSON (a list of such rows, or of organisations each with
    ``services``)."""
    if fmt == "csv":
        return [dict(r) for r in csv.DictReader(io.StringIO(text))]
    if fmt != "json":
        raise DomainError("format", N_("Unknown format: {value}"), field="format", value=fmt)
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise DomainError("json", N_("Not valid JSON"), field="file") from None
    if not isinstance(data, list):
        raise DomainError("json", N_("Not valid JSON"), field="file")
    rows: list[dict[str, Any]] = []
    for item in data:
        if not isinstance(item, dict):
            raise DomainError("json", N_("Not valid JSON"), field="file")
        if "services" in item:
            org = {f"organisation_{k}": item.get(k) for k in ORG_FIELDS}
            org["organisation_municipality_code"] = item.get("municipality_code")
            for service in item.get("services") or []:
                rows.append({**org, **service})
        else:
            rows.append(item)
    return rows


@dataclass
class ImportReport:
    organisations_created: int = 0
    organisations_updated: int = 0
    services_created: int = 0
    services_updated: int = 0


async def import_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> ImportReport:
    """Create or update organisations and services by their ``source_id``s; all or
    nothing: the first refused row raises with its number and field, nothing written."""
    report = ImportReport()
    orgs = {
        o.source_id: o
        for o in await session.scalars(
            select(PartnerOrganisation).where(PartnerOrganisation.source_id.is_not(None))
        )
    }
    existing = {
        s.source_id: s
        for s in await session.scalars(
            select(PartnerService).where(PartnerService.source_id.is_not(None))
        )
    }
    places = {m.code: m for m in await session.scalars(select(Municipality))}
    changed: list[PartnerService] = []
    async with session.begin_nested():
        for number, row in enumerate(rows, start=1):
            try:
                org_key = str(row.get("organisation_source_id") or "").strip()
                if not org_key:
                    raise DomainError(
                        "required",
                        N_("This field is required"),
                        field="organisation_source_id",
                    )
                org = orgs.get(org_key)
                kind = str(row.get("organisation_kind") or (org.kind if org else "")).strip()
                if kind not in v.ORG_KINDS:
                    raise DomainError(
                        "unknown_code",
                        N_("Unknown code: {value}"),
                        field="organisation_kind",
                        value=kind[:32],
                    )
                if org is None:
                    org = PartnerOrganisation(source_id=org_key, name="", kind=kind)
                    session.add(org)
                    orgs[org_key] = org
                    report.organisations_created += 1
                elif org not in session.new:
                    report.organisations_updated += 1
                org.name = str(row.get("organisation_name") or org.name or "").strip()[:255]
                if not org.name:
                    raise DomainError(
                        "required",
                        N_("This field is required"),
                        field="organisation_name",
                    )
                org.kind = kind
                for name in ("business_id", "website", "email", "phone"):
                    value = row.get(f"organisation_{name}")
                    if value:
                        setattr(org, name, str(value).strip()[:255])
                org_place = places.get(str(row.get("organisation_municipality_code") or ""))
                if org_place is None:
                    org_place = places.get(str(row.get("municipality_code") or ""))
                if org_place is not None and org.municipality_id is None:
                    org.municipality_id = org_place.id
                data = _service_input(row)
                if not data.source_id:
                    raise DomainError("required", N_("This field is required"), field="source_id")
                place = await _check(session, data)
            except DomainError as e:
                raise ImportError_(
                    e.code,
                    N_("Row {row}: {column}: {problem}"),
                    field=e.field,
                    row=number,
                    column=e.field or "row",
                    problem=e.render(),
                ) from e
            await session.flush()
            service = existing.get(data.source_id)
            if service is None:
                service = PartnerService(organisation_id=org.id, source_id=data.source_id)
                session.add(service)
                existing[data.source_id] = service
                report.services_created += 1
            else:
                service.organisation_id = org.id
                report.services_updated += 1
            _apply(service, data, place)
            changed.append(service)
        await session.flush()
    if changed:
        outbox.record(session, PARTNER_SERVICES_CHANGED, service_ids=[str(s.id) for s in changed])
    return report


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), as Meilisearch's ``_geoDistance``."""
    from math import asin, cos, radians, sin, sqrt

    dlat, dlon = radians(lat2 - lat1), radians(lon2 - lon1)
    a = sin(dlat / 2) ** 2 + cos(radians(lat1)) * cos(radians(lat2)) * sin(dlon / 2) ** 2
    return 2 * 6371.0 * asin(sqrt(a))


async def services_teaching(
    session: AsyncSession,
    skill_uris: Iterable[str],
    *,
    municipality_code: str,
    near: tuple[float, float],
    limit: int = 10,
) -> list[tuple[PartnerService, float | None]]:
    """From the database (while the search index is unavailable): active referable
    services serving the municipality that teach any of ``skill_uris``, nearest first."""
    from sqlalchemy import cast, or_
    from sqlalchemy.dialects.postgresql import JSONB, array

    uris = list(skill_uris)
    if not uris:
        return []
    rows = await session.scalars(
        select(PartnerService).where(
            PartnerService.active.is_(True),
            cast(PartnerService.skill_uris, JSONB).op("?|")(array(uris)),
            cast(PartnerService.referral_methods, JSONB).op("?")("kohtaanto"),
            or_(
                cast(PartnerService.area_codes, JSONB) == cast("[]", JSONB),
                cast(PartnerService.area_codes, JSONB).op("?")(municipality_code),
            ),
        )
    )
    found: list[tuple[PartnerService, float | None]] = [
        (
            s,
            round(distance_km(near[0], near[1], s.lat, s.lon), 1)
            if s.lat is not None and s.lon is not None
            else None,
        )
        for s in rows
    ]
    found.sort(key=lambda pair: (pair[1] is None, pair[1] or 0.0, pair[0].name))
    return found[:limit]
