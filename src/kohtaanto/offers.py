"""Partner services for the doors (API and pages): search the index, then load the
rows; the skills gap with the nearby services that teach what is missing. Between
``search`` (derived data, no use cases) and ``domain`` (no search), as both doors
need it."""

from __future__ import annotations

import logging
from uuid import UUID

from meilisearch_python_sdk.errors import MeilisearchApiError
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import PartnerService, User
from kohtaanto.domain.errors import DomainError
from kohtaanto.domain.partners import catalogue, skills_gap
from kohtaanto.i18n import N_
from kohtaanto.settings import get_settings
from search.client import UNREACHABLE, search_client
from search.partners import find_services

log = logging.getLogger(__name__)


async def search_services(
    db: AsyncSession,
    *,
    q: str = "",
    themes: list[str] | None = None,
    audiences: list[str] | None = None,
    types: list[str] | None = None,
    skill_uris: list[str] | None = None,
    municipality_code: str | None = None,
    near: tuple[float, float] | None = None,
    referable_only: bool = False,
    limit: int = 20,
) -> list[tuple[PartnerService, float | None]]:
    """Services from the index, in its order, loaded from the database."""
    settings = get_settings().search
    try:
        async with search_client(settings, "search") as client:
            hits = await find_services(
                client,
                settings.index_prefix,
                q=q,
                themes=themes or [],
                audiences=audiences or [],
                types=types or [],
                skill_uris=skill_uris or [],
                municipality_code=municipality_code,
                near=near,
                referable_only=referable_only,
                limit=limit,
            )
    except MeilisearchApiError as e:
        if e.code == "index_not_found":
            return []
        log.warning("partner service search refused: %s", e)
        raise DomainError(
            "search_unavailable",
            N_("The service search is not available right now; try again soon"),
        ) from e
    except UNREACHABLE as e:  # type: ignore[misc]
        log.warning("partner service search unreachable: %s", e)
        raise DomainError(
            "search_unavailable",
            N_("The service search is not available right now; try again soon"),
        ) from e
    found = await catalogue.services_by_id(db, [h.id for h in hits])
    return [(found[h.id], h.distance_km) for h in hits if h.id in found]


async def gap_with_offers(
    db: AsyncSession,
    coach: User,
    jobseeker_id: UUID,
    *,
    occupation_uri: str | None = None,
    vacancy_id: UUID | None = None,
    limit: int = 10,
) -> tuple[skills_gap.Gap, list[tuple[PartnerService, float | None]]]:
    """The gap and the referable services near the client that teach what is missing."""
    gap = await skills_gap.skills_gap(
        db, coach, jobseeker_id, occupation_uri=occupation_uri, vacancy_id=vacancy_id
    )
    offers: list[tuple[PartnerService, float | None]] = []
    if gap.missing:
        try:
            offers = await search_services(
                db,
                skill_uris=gap.missing_uris,
                municipality_code=gap.municipality_code,
                near=(gap.lat, gap.lon),
                referable_only=True,
                limit=limit,
            )
        except DomainError:
            # The index is away: the same question to the database (slower, same answer).
            offers = await catalogue.services_teaching(
                db,
                gap.missing_uris,
                municipality_code=gap.municipality_code,
                near=(gap.lat, gap.lon),
                limit=limit,
            )
    return gap, offers
