"""ESCO autocomplete in the forms: Meilisearch forgives typos and knows alternative
labels; without its vocabulary index the database answers by label."""

from __future__ import annotations

import pytest

from kohtaanto.db import session_scope
from kohtaanto.db.models import Role
from kohtaanto.settings import get_settings
from search.client import search_client
from search.indexes import concept_index
from search.sync import reindex_vocabulary

pytestmark = pytest.mark.usefixtures("search_ready")


async def test_autocomplete_from_meilisearch_then_database(client, make_user, login) -> None:
    user = await make_user(Role.EMPLOYER)
    headers = await login(user.email)
    settings = get_settings().search
    async with search_client(settings) as meili:
        for kind in ("skills", "occupations"):
            await meili.delete_index_if_exists(concept_index(kind, settings.index_prefix))

    # No vocabulary index yet: the database finds labels that contain the text.
    url = "/ui/esco/skills?name=skill_uris&q="
    response = await client.get(url + "forklift", headers=headers)
    assert response.status_code == 200 and "forklift" in response.text
    assert "forklfit" not in response.text
    response = await client.get(url + "forklfit", headers=headers)
    assert "forklift" not in response.text  # a typo finds nothing in the database

    async with search_client(settings) as meili, session_scope() as session:
        counts = await reindex_vocabulary(meili, session, settings.index_prefix)
    assert counts == {"esco_skills": 13_896, "esco_occupations": 3_007}

    # Meilisearch forgives the typo, and finds occupations by alternative labels.
    response = await client.get(url + "forklfit", headers=headers)
    assert response.status_code == 200 and "operate forklift" in response.text
    response = await client.get(
        "/ui/esco/occupations?name=occupation_uri&q=barista", headers=headers
    )
    assert "barista" in response.text.lower()

    # The index holds each concept's label vector: a Finnish or Swedish word finds the
    # English ESCO label by meaning (one reindex for both checks: it takes a while).
    response = await client.get(url + "asiakaspalvelu", headers=headers)
    assert response.status_code == 200 and "customer service" in response.text
    response = await client.get(url + "ohjelmointi", headers=headers)
    assert "computer programming" in response.text
    response = await client.get(url + "städning", headers=headers)
    assert "cleaning techniques" in response.text
