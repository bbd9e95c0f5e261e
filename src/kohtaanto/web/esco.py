"""ESCO autocomplete and "suggest from text" for the forms, as htmx fragments."""

from __future__ import annotations

import logging
from functools import partial
from typing import Annotated, Any

import anyio.to_thread
from litestar import Request, get, post
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template
from meilisearch_python_sdk.errors import MeilisearchApiError
from sqlalchemy import func, select

from kohtaanto.db import Db
from kohtaanto.db.models import EscoOccupation, EscoSkill
from kohtaanto.settings import get_settings
from kohtaanto.web.rendering import page
from ml.embedding import get_encoder
from ml.suggest import has_words
from ml.suggest_hybrid import MAX_TEXT_CHARS, get_suggester
from search.client import UNREACHABLE, search_client
from search.vocabulary import Kind, find_concepts

log = logging.getLogger(__name__)

Name = Annotated[str, QueryParameter(pattern=r"^[a-z_]{1,40}$")]


async def _find(db: Db, model: Any, q: str, limit: int = 8) -> list[tuple[str, str]]:
    """Concepts for what was typed: from Meilisearch (labels, alternative labels, typos
    forgiven), or, while its vocabulary index is missing or unreachable, from the
    database by label."""
    if len(q.strip()) < 2:
        return []
    settings = get_settings().search
    kind: Kind = "skills" if model is EscoSkill else "occupations"
    try:
        async with search_client(settings, "search") as client:
            found = await find_concepts(
                client, kind, q.strip(), prefix=settings.index_prefix, limit=limit
            )
            if len(found) < limit:
                # Few label matches (a Finnish or Swedish word, say): ask by meaning too,
                # with the query's vector, embedded off the event loop. Only then: the
                # embedding costs tens of milliseconds on every keystroke otherwise.
                vector = await anyio.to_thread.run_sync(get_encoder().encode, [q.strip()])
                found = await find_concepts(
                    client,
                    kind,
                    q.strip(),
                    prefix=settings.index_prefix,
                    limit=limit,
                    vector=vector[0].tolist(),
                )
        if found:
            return found
    except (MeilisearchApiError, *UNREACHABLE) as e:  # type: ignore[misc]
        log.info("ESCO autocomplete from the database: %s", e)
    rows = await db.execute(
        select(model.uri, model.label)
        .where(func.lower(model.label).contains(q.strip().lower()))
        .order_by(func.length(model.label))
        .limit(limit)
    )
    return [(u, label) for u, label in rows]


@get("/ui/esco/skills", operation_id="pageFindSkills", include_in_schema=False)
async def find_skills(
    request: Request[Any, Any, Any], db_session: Db, name: Name, q: FromQuery[str] = ""
) -> Template:
    found = await _find(db_session, EscoSkill, q)
    return page(request, "fragments/concepts.html", found=found, name=name, kind="checkbox")


@get("/ui/esco/occupations", operation_id="pageFindOccupations", include_in_schema=False)
async def find_occupations(
    request: Request[Any, Any, Any], db_session: Db, name: Name, q: FromQuery[str] = ""
) -> Template:
    kind = "radio" if name == "occupation_uri" else "checkbox"
    found = await _find(db_session, EscoOccupation, q)
    return page(request, "fragments/concepts.html", found=found, name=name, kind=kind)


@post("/ui/esco/suggest", operation_id="pageSuggest", include_in_schema=False, status_code=200)
async def suggest(request: Request[Any, Any, Any], db_session: Db) -> Template:
    """Skills and occupations for the text in the form (title and description, or a CV)."""
    form = await request.form()
    text = " ".join(str(form.get(k, "")) for k in ("title", "description", "cv_text")).strip()
    skill_name = str(form.get("skill_name", "essential_skill_uris"))
    occupation_name = str(form.get("occupation_name", "occupation_uri"))
    if not has_words(text):
        return page(request, "fragments/suggestions.html", empty=True)
    if len(text) > MAX_TEXT_CHARS:
        return page(request, "fragments/suggestions.html", empty=False, too_long=MAX_TEXT_CHARS)
    suggester = await get_suggester(db_session)
    # Embedding and scoring are CPU work: off the event loop.
    found = await anyio.to_thread.run_sync(
        partial(suggester.suggest, text, skills=10, occupations=3)
    )
    return page(
        request,
        "fragments/suggestions.html",
        empty=False,
        recognised=found.recognised,
        skills=[(s.uri, s.label, s.span) for s in found.skills],
        occupations=[(o.uri, o.label, o.span) for o in found.occupations],
        skill_name=skill_name if skill_name.endswith("_uris") else "essential_skill_uris",
        occupation_name=occupation_name if occupation_name.endswith(("_uri", "_uris")) else "",
        occupation_kind="radio" if occupation_name == "occupation_uri" else "checkbox",
    )
